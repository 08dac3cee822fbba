import { DataAwsIamPolicyDocument, DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { Construct } from "constructs";
import type { BoundaryPolicyNames } from "../../config";
import type { AwsAccount } from "../shared/aws-account";
import { ciGuardrailStatements } from "./ci-role";

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
}

/**
 * The permissions boundaries of an account, created by its bootstrap stack:
 * - workload: carried by every role the environments' stacks create (an aspect attaches it; a CI
 *   deploy role can create or change a role only with it attached). Whatever policy such a role is
 *   given, it cannot administer IAM, assume a CI role, delete keys or backups, or blind or silence the audit
 *   trail.
 * - ci: carried by the CI roles; the same guardrails as their inline denies, which a CI role cannot
 *   remove because it cannot touch its own role or this policy.
 * Other environments are out of reach by the account boundary, not by these.
 */
export class PermissionBoundaries extends Construct {
  readonly workloadBoundaryArn: string;
  readonly ciBoundaryArn: string;

  constructor(scope: Construct, id: string, props: PermissionBoundariesProps) {
    super(scope, id);
    const { account } = props;
    const guardrails = ciGuardrailStatements({
      partition: account.partition,
      accountId: account.accountId,
      project: props.project,
      boundaryNames: props.names,
    });
    const allowAll: DataAwsIamPolicyDocumentStatement = { sid: "WithinTheseLimits", effect: "Allow", actions: ["*"], resources: ["*"] };
    const keep = (sids: string[]): DataAwsIamPolicyDocumentStatement[] => guardrails.filter((s) => sids.includes(s.sid ?? ""));

    const workload = new DataAwsIamPolicyDocument(this, "workload-document", {
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
        ...keep(["NoDestroyingBackups", "NoDestroyingKeys", "NoBlindingTheAuditTrail", "NoSilencingTheAuditTrail"]),
      ],
    });
    this.workloadBoundaryArn = new IamPolicy(this, "workload", {
      name: props.names.workload,
      description: `Permissions boundary of every role the ${props.project} environment stacks create`,
      policy: workload.json,
    }).arn;
    const ci = new DataAwsIamPolicyDocument(this, "ci-document", { statement: [allowAll, ...guardrails] });
    this.ciBoundaryArn = new IamPolicy(this, "ci", {
      name: props.names.ci,
      description: `Permissions boundary of the ${props.project} CI roles`,
      policy: ci.json,
    }).arn;
  }
}
