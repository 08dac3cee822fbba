import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { Construct } from "constructs";
import type { BoundaryPolicyNames } from "../../config";
import { isGithubRepository, checkProps, quote } from "../../validation";
import type { AwsAccount } from "../shared/aws-account";
import { CiRole, CiRoleScope, StateLocation } from "./ci-role";
import { oidcTrustPolicy } from "../shared/oidc-trust";

/** One environment CI deploys, as the roles see it. */
export interface CiEnvironment extends CiRoleScope {
  /** GitHub environment whose jobs may assume its deploy role (prod's has required reviewers). */
  readonly githubEnvironment: string;
  readonly roleNames: { readonly plan: string; readonly deploy: string };
}

export interface GithubOidcRolesProps {
  readonly account: AwsAccount;
  /** Project name: prefixes the CI roles (`<project>-ci-*`) and the boundary policies. */
  readonly project: string;
  /** `owner/name` of the repository whose workflows may assume the roles. */
  readonly repository: string;
  readonly environments: readonly CiEnvironment[];
  /** State bucket and state key. */
  readonly state: StateLocation;
  /** Names of the permissions boundaries (src/modules/identity/permission-boundaries.ts). */
  readonly boundaryNames: BoundaryPolicyNames;
}

const ISSUER = "token.actions.githubusercontent.com";

/**
 * GitHub Actions' OIDC identity provider and, per environment, the two roles the workflows
 * assume (no AWS key is stored in GitHub), with the permissions of src/modules/identity/ci-role.ts:
 * - plan: pull requests of this repository; takes no lock (PR plans run `-lock=false`).
 * - deploy: jobs of the environment's GitHub environment only (prod's: `production`, with
 *   required reviewers).
 */
export class GithubOidcRoles extends Construct {
  /** Environment → role ARNs. */
  readonly roleArns: ReadonlyMap<string, { readonly plan: string; readonly deploy: string }>;
  readonly providerArn: string;

  constructor(scope: Construct, id: string, props: GithubOidcRolesProps) {
    super(scope, id);
    checkProps(this, props, (problems) => {
      problems.check(isGithubRepository(props.repository), "repository", `${quote(props.repository)} is not an owner/name GitHub repository (no URL, no .git)`);
      problems.check(props.environments.length > 0, "environments", "must list at least one environment");
    });
    const { account, repository } = props;

    const provider = new IamOpenidConnectProvider(this, "provider", { url: `https://${ISSUER}`, clientIdList: ["sts.amazonaws.com"] });
    const trust = (trustId: string, subject: string): string =>
      oidcTrustPolicy(this, trustId, { providerArn: provider.arn, issuer: ISSUER, audience: "sts.amazonaws.com", subject });

    const roleArns = new Map<string, { plan: string; deploy: string }>();
    for (const env of props.environments) {
      const common = { account, project: props.project, scope: env, boundaryNames: props.boundaryNames };
      const plan = new CiRole(this, `${env.environment}-plan`, {
        ...common,
        kind: "plan",
        roleName: env.roleNames.plan,
        description: `cdktf diff of ${env.environment} from pull requests of ${repository}`,
        assumeRolePolicy: trust(`${env.environment}-plan-trust`, `repo:${repository}:pull_request`),
        state: props.state,
      });
      const deploy = new CiRole(this, `${env.environment}-deploy`, {
        ...common,
        kind: "deploy",
        roleName: env.roleNames.deploy,
        description: `cdktf deploy of ${env.environment} from the ${env.githubEnvironment} GitHub environment of ${repository}`,
        assumeRolePolicy: trust(`${env.environment}-deploy-trust`, `repo:${repository}:environment:${env.githubEnvironment}`),
        state: props.state,
      });
      roleArns.set(env.environment, { plan: plan.roleArn, deploy: deploy.roleArn });
    }
    this.roleArns = roleArns;
    this.providerArn = provider.arn;
  }
}
