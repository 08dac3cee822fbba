import { DataAwsIamPolicyDocument, DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { Construct } from "constructs";
import type { BoundaryPolicyNames } from "../../config";
import type { AwsAccount } from "../shared/aws-account";
import { CiRoleScope, ciGuardrailStatements } from "./ci-role";

/** Every IAM action that changes an identity, a policy or a credential (iam:CreateServiceLinkedRole excepted). */
export const IAM_WRITE_ACTIONS: readonly string[] = [
  "iam:Add*",
  "iam:Attach*",
  "iam:Change*",
  "iam:CreateAccessKey",
  "iam:CreateGroup",
  "iam:CreateInstanceProfile",
  "iam:CreateLoginProfile",
  "iam:CreateOpenIDConnectProvider",
  "iam:CreatePolicy",
  "iam:CreatePolicyVersion",
  "iam:CreateRole",
  "iam:CreateSAMLProvider",
  "iam:CreateUser",
  "iam:CreateVirtualMFADevice",
  "iam:Delete*",
  "iam:Detach*",
  "iam:Enable*",
  "iam:PassRole",
  "iam:Put*",
  "iam:Remove*",
  "iam:Reset*",
  "iam:Set*",
  "iam:Tag*",
  "iam:Untag*",
  "iam:Update*",
  "iam:Upload*",
];

export interface PermissionBoundariesProps {
  readonly account: AwsAccount;
  readonly project: string;
  readonly names: BoundaryPolicyNames;
  /** One workload boundary each, walled in as its CI roles are. */
  readonly environments: readonly CiRoleScope[];
}

/**
 * The permissions boundaries of the project, created once per account (bootstrap stack):
 * - workload, one per environment: carried by every role that environment's stacks create (an
 *   aspect attaches it; its CI deploy role can create or change a role only with it attached).
 *   Whatever policy such a role is given, it cannot administer IAM, assume a CI role, delete keys
 *   or backups, blind the audit trail, or reach another environment's resources.
 * - ci: carried by the CI roles; the same walls as their inline denies, which a CI role cannot
 *   remove because it cannot touch its own role or this policy.
 */
export class PermissionBoundaries extends Construct {
  /** Environment → the ARN of its workload boundary. */
  readonly workloadBoundaryArns: ReadonlyMap<string, string>;
  readonly ciBoundaryArn: string;

  constructor(scope: Construct, id: string, props: PermissionBoundariesProps) {
    super(scope, id);
    const { account } = props;
    const guardrails = (environment?: CiRoleScope): DataAwsIamPolicyDocumentStatement[] =>
      ciGuardrailStatements({ partition: account.partition, accountId: account.accountId, project: props.project, environment, boundaryNames: props.names });
    const allowAll: DataAwsIamPolicyDocumentStatement = { sid: "WithinTheseLimits", effect: "Allow", actions: ["*"], resources: ["*"] };
    const keep = (statements: DataAwsIamPolicyDocumentStatement[], sids: string[]): DataAwsIamPolicyDocumentStatement[] =>
      statements.filter((s) => sids.includes(s.sid ?? ""));

    const workloadBoundaryArns = new Map<string, string>();
    for (const scope of props.environments) {
      const environment = scope.environment;
      const document = new DataAwsIamPolicyDocument(this, `${environment}-workload-document`, {
        statement: [
          allowAll,
          {
            // Workloads read IAM (the load balancer controller reads server certificates) and create
            // service-linked roles; nothing else in IAM.
            sid: "NoIamAdministration",
            effect: "Deny",
            actions: [...IAM_WRITE_ACTIONS],
            resources: ["*"],
          },
          {
            sid: "NoAssumingCiRoles",
            effect: "Deny",
            actions: ["sts:AssumeRole*"],
            resources: [`arn:${account.partition}:iam::${account.accountId}:role/${props.project}-ci-*`],
          },
          ...keep(guardrails(scope), [
            "NoDestroyingBackups",
            "NoDestroyingKeys",
            "NoBlindingTheAuditTrail",
            "NoOtherEnvironments",
            "NoCreatingForOtherEnvironments",
            "NoOtherEnvironmentsBuckets",
          ]),
        ],
      });
      const policy = new IamPolicy(this, `${environment}-workload`, {
        name: props.names.workload(environment),
        description: `Permissions boundary of every role the ${props.project} ${environment} stacks create`,
        policy: document.json,
      });
      workloadBoundaryArns.set(environment, policy.arn);
    }
    const ci = new DataAwsIamPolicyDocument(this, "ci-document", { statement: [allowAll, ...guardrails()] });
    this.workloadBoundaryArns = workloadBoundaryArns;
    this.ciBoundaryArn = new IamPolicy(this, "ci", {
      name: props.names.ci,
      description: `Permissions boundary of the ${props.project} CI roles`,
      policy: ci.json,
    }).arn;
  }
}
