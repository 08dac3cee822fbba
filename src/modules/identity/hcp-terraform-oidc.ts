import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { Construct } from "constructs";
import type { BoundaryPolicyNames, HcpTerraformRoleNames } from "../../config";
import { checkProps } from "../../validation";
import type { AwsAccount } from "../shared/aws-account";
import { Defaults, withDefaults } from "../shared/defaults";
import { CiRole, CiRoleScope } from "./ci-role";
import { oidcTrustPolicy } from "../shared/oidc-trust";

/** One HCP Terraform workspace (one per stack) and the environment it deploys. */
export interface HcpTerraformWorkspace {
  readonly workspace: string;
  readonly scope: CiRoleScope;
  readonly roleNames: HcpTerraformRoleNames;
}

export interface HcpTerraformOidcRolesProps {
  readonly account: AwsAccount;
  /** Project name: prefixes the CI roles (`<project>-ci-*`). */
  readonly project: string;
  /** HCP Terraform host (`app.terraform.io`, or a Terraform Enterprise host): the token issuer. */
  readonly hostname: string;
  readonly organization: string;
  /** HCP Terraform project holding the workspaces. */
  readonly hcpProject: string;
  readonly workspaces: readonly HcpTerraformWorkspace[];
  /** Names of the permissions boundaries (src/modules/identity/permission-boundaries.ts). */
  readonly boundaryNames: BoundaryPolicyNames;
  /**
   * Audience HCP Terraform puts in its tokens (workspace variable `TFC_AWS_WORKLOAD_IDENTITY_AUDIENCE`).
   * @default "aws.workload.identity" (HCP Terraform's default)
   */
  readonly audience?: string;
}

export const HCP_TERRAFORM_OIDC_DEFAULTS = { audience: "aws.workload.identity" } as const satisfies Defaults<HcpTerraformOidcRolesProps>;

/** The workspace variables that switch on dynamic credentials, as HCP Terraform names them. */
export interface HcpTerraformWorkspaceVariables {
  readonly TFC_AWS_PROVIDER_AUTH: "true";
  readonly TFC_AWS_PLAN_ROLE_ARN: string;
  readonly TFC_AWS_APPLY_ROLE_ARN: string;
}

/**
 * HCP Terraform's dynamic provider credentials: its OIDC identity provider and, per workspace,
 * a plan role and an apply role (src/modules/identity/ci-role.ts: the GitHub roles' permissions). Each
 * trusts exactly one token subject: `organization:<org>:project:<project>:workspace:<ws>:run_phase:<phase>`,
 * so the plan phase of a run (a speculative plan of any branch included) never holds apply rights,
 * and no other workspace, project or organization gets either.
 */
export class HcpTerraformOidcRoles extends Construct {
  /** Workspace → the variables to set on it. */
  readonly workspaceVariables: ReadonlyMap<string, HcpTerraformWorkspaceVariables>;
  readonly providerArn: string;

  constructor(scope: Construct, id: string, props: HcpTerraformOidcRolesProps) {
    super(scope, id);
    checkProps(this, props, (problems) => {
      problems.check(props.workspaces.length > 0, "workspaces", "must list at least one workspace");
    });
    const { audience } = withDefaults(props, HCP_TERRAFORM_OIDC_DEFAULTS);
    const { account, hostname } = props;

    const provider = new IamOpenidConnectProvider(this, "provider", { url: `https://${hostname}`, clientIdList: [audience] });
    const trust = (trustId: string, subject: string): string =>
      oidcTrustPolicy(this, trustId, { providerArn: provider.arn, issuer: hostname, audience: audience, subject });

    const variables = new Map<string, HcpTerraformWorkspaceVariables>();
    for (const ws of props.workspaces) {
      const subject = (phase: "plan" | "apply"): string =>
        `organization:${props.organization}:project:${props.hcpProject}:workspace:${ws.workspace}:run_phase:${phase}`;
      const common = { account, project: props.project, scope: ws.scope, boundaryNames: props.boundaryNames };
      // The plan phase gets a plan role's rights, the apply phase a deploy role's.
      const phaseRole = (phase: "plan" | "apply", name: string): CiRole =>
        new CiRole(this, `${ws.workspace}-${phase}`, {
          ...common,
          kind: phase === "plan" ? "plan" : "deploy",
          roleName: ws.roleNames[phase],
          description: `${name} phase of HCP Terraform runs of ${props.organization}/${ws.workspace}`,
          assumeRolePolicy: trust(`${ws.workspace}-${phase}-trust`, subject(phase)),
        });
      const plan = phaseRole("plan", "Plan");
      const apply = phaseRole("apply", "Apply");
      variables.set(ws.workspace, { TFC_AWS_PROVIDER_AUTH: "true", TFC_AWS_PLAN_ROLE_ARN: plan.roleArn, TFC_AWS_APPLY_ROLE_ARN: apply.roleArn });
    }
    this.workspaceVariables = variables;
    this.providerArn = provider.arn;
  }
}
