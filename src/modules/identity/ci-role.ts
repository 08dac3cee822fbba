import { DataAwsIamPolicyDocument, DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { Construct } from "constructs";
import { auditNames, type BoundaryPolicyNames } from "../../config";
import type { AwsAccount } from "../shared/aws-account";
import { Defaults, withDefaults } from "../shared/defaults";

/**
 * The roles CI systems assume to plan and apply an environment, whoever the CI is (GitHub Actions
 * in src/modules/identity/github-oidc.ts, HCP Terraform in src/modules/identity/hcp-terraform-oidc.ts): the same
 * permissions and the same guardrails, only the trust differs.
 *
 * The wall between environments is the account: these roles exist in their environment's account
 * and no other account trusts them. What is left here protects an account from its own CI.
 */

/** Services CI may pass the stacks' roles to (EKS, its node groups and add-ons; RDS monitoring; flow logs; Chatbot; AWS Backup). */
export const PASS_ROLE_SERVICES: readonly string[] = [
  "eks.amazonaws.com",
  "monitoring.rds.amazonaws.com",
  "vpc-flow-logs.amazonaws.com",
  "chatbot.amazonaws.com",
  "backup.amazonaws.com",
];

/** The environment a CI role works for. */
export interface CiRoleScope {
  /** The environment's long name (`production`): names its roles' construct ids and descriptions. */
  readonly environment: string;
  /** Its region: the only one whose EKS OIDC providers its deploy role may create. */
  readonly region: string;
  /** Prefix of its resource names: the only IAM roles a deploy role may manage. */
  readonly resourceName: string;
  /**
   * Roles people assume (break-glass, cluster admin): a deploy role creates them as configured but
   * can neither retrust nor delete them, so it cannot hand their access to anyone else.
   */
  readonly peopleRoleNames: readonly string[];
}

/** The S3 state of the account's environments: one bucket, one key per stack, one lock table. */
export interface StateLocation {
  readonly bucketArn: string;
  readonly bucketName: string;
  readonly keyArn: string;
}

/** `plan` reads what a plan refreshes; `deploy` changes the environment. */
export type CiRoleKind = "plan" | "deploy";

export interface CiRoleProps {
  readonly account: AwsAccount;
  /** Project name: prefixes the CI roles (`<project>-ci-*`). */
  readonly project: string;
  readonly roleName: string;
  readonly description: string;
  readonly kind: CiRoleKind;
  /** The trust policy (JSON): who may assume the role. */
  readonly assumeRolePolicy: string;
  readonly scope: CiRoleScope;
  /** Names of the permissions boundaries (src/modules/identity/permission-boundaries.ts). */
  readonly boundaryNames: BoundaryPolicyNames;
  /**
   * The S3 state (bucket, its name and key) a plan reads and a deploy writes, its own keys only.
   * Without it the state lives outside the account (HCP Terraform), and a plan role reads no
   * object at all.
   * @default none
   */
  readonly state?: StateLocation;
  /** Longest session, in seconds. @default 3600 */
  readonly maxSessionDuration?: number;
}

export const CI_ROLE_DEFAULTS = { maxSessionDuration: 3600 } as const satisfies Defaults<CiRoleProps, "state">;

/**
 * One CI role. A plan role has ReadOnlyAccess minus the contents a plan never reads (logs,
 * images, lock writes, objects other than state); a deploy role has PowerUserAccess plus IAM on
 * its environment's own roles, each of which must carry the workload boundary. Both carry the CI
 * boundary and, inline, the same denies (ciGuardrailStatements), which no CI role can lift.
 */
export class CiRole extends Construct {
  readonly roleArn: string;
  readonly roleName: string;

  constructor(scope: Construct, id: string, props: CiRoleProps) {
    super(scope, id);
    const { account } = props;
    const arn = (resource: string): string => `arn:${account.partition}:iam::${account.accountId}:${resource}`;
    const role = new IamRole(this, "role", {
      name: props.roleName,
      description: props.description,
      assumeRolePolicy: props.assumeRolePolicy,
      permissionsBoundary: arn(`policy/${props.boundaryNames.ci}`),
      maxSessionDuration: withDefaults(props, CI_ROLE_DEFAULTS).maxSessionDuration,
    });
    const managed = props.kind === "plan" ? "ReadOnlyAccess" : "PowerUserAccess";
    new IamRolePolicyAttachment(this, "managed-policy", { role: role.name, policyArn: `arn:${account.partition}:iam::aws:policy/${managed}` });
    const guardrails = ciGuardrailStatements({
      partition: account.partition,
      accountId: account.accountId,
      project: props.project,
      boundaryNames: props.boundaryNames,
    });
    const ownStatements =
      props.kind === "plan"
        ? planStatements(props.state)
        : environmentIamStatements({
            partition: account.partition,
            accountId: account.accountId,
            resourceName: props.scope.resourceName,
            peopleRoleNames: props.scope.peopleRoleNames,
            region: props.scope.region,
            workloadBoundary: arn(`policy/${props.boundaryNames.workload}`),
          });
    const statements = [...ownStatements, ...guardrails];
    const document = new DataAwsIamPolicyDocument(this, "policy-document", { statement: statements });
    new IamRolePolicy(this, "policy", { name: props.kind === "plan" ? "plan" : "environment-iam", role: role.name, policy: document.json });
    this.roleArn = role.arn;
    this.roleName = role.name;
  }
}

/** What a plan role adds to ReadOnlyAccess: the state key, and denies of what a plan never reads. */
function planStatements(state: CiRoleProps["state"]): DataAwsIamPolicyDocumentStatement[] {
  return [
    // PR plans run -lock=false: the plan role takes no lock, so it can never remove an apply's.
    ...(state === undefined ? [] : [{ sid: "DecryptState", effect: "Allow", actions: ["kms:Decrypt"], resources: [state.keyArn] }]),
    // Terraform opens ephemeral resources in every plan: the Grafana login's password is one
    // (a random string from Secrets Manager, which touches no resource and is never stored).
    { sid: "OpenEphemeralPasswords", effect: "Allow", actions: ["secretsmanager:GetRandomPassword"], resources: ["*"] },
    {
      // ReadOnlyAccess reads far more than a plan refreshes: not the contents of logs, images or objects.
      sid: "NotNeededToPlan",
      effect: "Deny",
      actions: [
        "logs:GetLogEvents",
        "logs:FilterLogEvents",
        "logs:StartQuery",
        "logs:GetQueryResults",
        "logs:StartLiveTail",
        "ecr:BatchGetImage",
        "ecr:GetDownloadUrlForLayer",
        "dynamodb:PutItem",
        "dynamodb:DeleteItem",
        "dynamodb:UpdateItem",
      ],
      resources: ["*"],
    },
    state === undefined
      ? { sid: "NoObjectContents", effect: "Deny", actions: ["s3:GetObject", "s3:GetObjectVersion"], resources: ["*"] }
      : { sid: "OnlyStateObjects", effect: "Deny", actions: ["s3:GetObject", "s3:GetObjectVersion"], notResources: [`${state.bucketArn}/*`] },
  ];
}

interface EnvironmentIamScope {
  readonly partition: string;
  readonly accountId: string;
  readonly resourceName: string;
  readonly peopleRoleNames: readonly string[];
  readonly region: string;
  readonly workloadBoundary: string;
}

/**
 * IAM a deploy role needs for its environment's stacks, and no more: roles named after the
 * environment, created and changed only with the workload boundary attached; passed only to the
 * services that run them; OIDC providers of EKS clusters in the environment's region.
 */
export function environmentIamStatements(scope: EnvironmentIamScope): DataAwsIamPolicyDocumentStatement[] {
  const arn = (resource: string): string => `arn:${scope.partition}:iam::${scope.accountId}:${resource}`;
  const roles = arn(`role/${scope.resourceName}-*`);
  const bounded = [{ test: "StringEquals", variable: "iam:PermissionsBoundary", values: [scope.workloadBoundary] }];
  return [
    {
      sid: "CreateAndChangeBoundedEnvironmentRoles",
      effect: "Allow",
      actions: [
        "iam:CreateRole",
        "iam:PutRolePermissionsBoundary",
        "iam:PutRolePolicy",
        "iam:DeleteRolePolicy",
        "iam:AttachRolePolicy",
        "iam:DetachRolePolicy",
      ],
      resources: [roles],
      condition: bounded,
    },
    {
      sid: "ReadAndTidyEnvironmentRoles",
      effect: "Allow",
      actions: [
        "iam:GetRole",
        "iam:GetRolePolicy",
        "iam:ListRolePolicies",
        "iam:ListAttachedRolePolicies",
        "iam:ListInstanceProfilesForRole",
        "iam:TagRole",
        "iam:UntagRole",
        "iam:UpdateRole",
        "iam:UpdateRoleDescription",
        "iam:UpdateAssumeRolePolicy",
        "iam:DeleteRole",
      ],
      resources: [roles],
    },
    {
      // A changed trust on these is a person's change (applied with the operator's credentials).
      sid: "NoRetrustingPeoplesRoles",
      effect: "Deny",
      actions: ["iam:UpdateAssumeRolePolicy", "iam:DeleteRole"],
      resources: scope.peopleRoleNames.map((name) => arn(`role/${name}`)),
    },
    {
      sid: "PassEnvironmentRolesToTheirServices",
      effect: "Allow",
      actions: ["iam:PassRole"],
      resources: [roles],
      condition: [{ test: "StringEquals", variable: "iam:PassedToService", values: [...PASS_ROLE_SERVICES] }],
    },
    {
      // EKS issuers only (oidc.eks.<region>.amazonaws.com/id/<cluster>): no provider for any other issuer.
      sid: "ManageTheClustersOidcProvider",
      effect: "Allow",
      actions: [
        "iam:CreateOpenIDConnectProvider",
        "iam:GetOpenIDConnectProvider",
        "iam:DeleteOpenIDConnectProvider",
        "iam:TagOpenIDConnectProvider",
        "iam:UntagOpenIDConnectProvider",
        "iam:UpdateOpenIDConnectProviderThumbprint",
        "iam:AddClientIDToOpenIDConnectProvider",
      ],
      resources: [arn(`oidc-provider/oidc.eks.${scope.region}.amazonaws.com/id/*`)],
    },
    {
      sid: "CreateServiceLinkedRolesTheStacksNeed",
      effect: "Allow",
      actions: ["iam:CreateServiceLinkedRole"],
      resources: [arn("role/aws-service-role/*")],
      condition: [
        {
          test: "StringEquals",
          variable: "iam:AWSServiceName",
          values: [
            "eks.amazonaws.com",
            "eks-nodegroup.amazonaws.com",
            "elasticloadbalancing.amazonaws.com",
            "autoscaling.amazonaws.com",
            "rds.amazonaws.com",
            "elasticache.amazonaws.com",
            "backup.amazonaws.com",
          ],
        },
      ],
    },
  ];
}

/** The ARNs of what watches the trail (auditNames), in the scope's account. */
function auditResources(scope: GuardrailScope): string[] {
  const audit = auditNames(scope);
  const inAccount = (service: string, resource: string): string => `arn:${scope.partition}:${service}:*:${scope.accountId}:${resource}`;
  return [
    inAccount("cloudwatch", `alarm:${audit.alarmPrefix}*`),
    inAccount("logs", `log-group:${audit.logGroup}`),
    inAccount("logs", `log-group:${audit.logGroup}:*`),
    inAccount("sns", audit.topic),
    `arn:${scope.partition}:s3:::${audit.bucketPrefix}${scope.accountId}`,
  ];
}

export interface GuardrailScope {
  readonly partition: string;
  readonly accountId: string;
  readonly project: string;
  readonly boundaryNames: BoundaryPolicyNames;
}

/** What no CI role may do, whatever else it is allowed: the denies of the CI boundary, repeated inline. */
export function ciGuardrailStatements(scope: GuardrailScope): DataAwsIamPolicyDocumentStatement[] {
  const iam = (resource: string): string => `arn:${scope.partition}:iam::${scope.accountId}:${resource}`;
  const statements: DataAwsIamPolicyDocumentStatement[] = [
    {
      // A CI role can neither change itself or another CI role nor the boundaries that cap them.
      sid: "NoEscalation",
      effect: "Deny",
      actions: ["iam:*"],
      resources: [iam(`role/${scope.project}-ci-*`), iam(`policy/${scope.boundaryNames.workload}`), iam(`policy/${scope.boundaryNames.ci}`)],
    },
    {
      // No job of CI assumes a role; a role it may create or retrust (its environment's, the
      // break-glass role among them) must not become a way past these walls.
      sid: "NoAssumingRoles",
      effect: "Deny",
      actions: ["sts:AssumeRole"],
      resources: ["*"],
    },
    {
      sid: "NoUnboundedIdentities",
      effect: "Deny",
      actions: [
        "iam:DeleteRolePermissionsBoundary",
        "iam:CreateUser",
        "iam:CreateAccessKey",
        "iam:CreateLoginProfile",
        "iam:UpdateLoginProfile",
        "iam:CreatePolicyVersion",
        "iam:SetDefaultPolicyVersion",
      ],
      resources: ["*"],
    },
    {
      // Secrets are read by the workloads (External Secrets) and the break-glass role, never by CI.
      sid: "NoSecretValues",
      effect: "Deny",
      actions: ["secretsmanager:GetSecretValue", "ssm:GetParameterHistory"],
      resources: ["*"],
    },
    {
      sid: "NoDecryptingSecrets",
      effect: "Deny",
      actions: ["kms:Decrypt"],
      resources: ["*"],
      condition: [{ test: "StringLike", variable: "kms:ViaService", values: ["secretsmanager.*.amazonaws.com"] }],
    },
    {
      // Backups outlive whoever can destroy the environment: CI cannot delete or shorten them.
      sid: "NoDestroyingBackups",
      effect: "Deny",
      actions: [
        "backup:DeleteBackupVault",
        "backup:DeleteBackupVaultLockConfiguration",
        "backup:DeleteRecoveryPoint",
        "backup:UpdateRecoveryPointLifecycle",
        "backup:DeleteBackupVaultAccessPolicy",
        "rds:DeleteDBSnapshot",
        "rds:DeleteDBClusterSnapshot",
        "rds:DeleteDBInstanceAutomatedBackup",
        "rds:ModifyDBSnapshotAttribute",
        "s3:BypassGovernanceRetention",
        "s3:DeleteObjectVersion",
        "s3:PutObjectRetention",
        "s3:PutObjectLegalHold",
      ],
      resources: ["*"],
    },
    {
      // Keys: CI creates them (with their policy) but cannot delete, disable or re-permission them.
      sid: "NoDestroyingKeys",
      effect: "Deny",
      actions: ["kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:PutKeyPolicy"],
      resources: ["*"],
    },
    {
      sid: "NoBlindingTheAuditTrail",
      effect: "Deny",
      actions: [
        "cloudtrail:StopLogging",
        "cloudtrail:DeleteTrail",
        "cloudtrail:UpdateTrail",
        "cloudtrail:PutEventSelectors",
        "guardduty:DeleteDetector",
        "guardduty:UpdateDetector",
        "guardduty:Disassociate*",
        // Suppression: a filter that auto-archives, a trusted IP list, archiving findings by hand.
        "guardduty:CreateFilter",
        "guardduty:UpdateFilter",
        "guardduty:ArchiveFindings",
        "guardduty:CreateIPSet",
        "guardduty:UpdateIPSet",
        "organizations:*",
        "account:*",
      ],
      resources: ["*"],
    },
    {
      // What watches the trail: its alarms and metric filters, its log group, the security topic
      // and the trail's bucket (the account-baseline stack's, by the names it gives them).
      sid: "NoSilencingTheAuditTrail",
      effect: "Deny",
      actions: [
        "cloudwatch:DeleteAlarms",
        "cloudwatch:DisableAlarmActions",
        "cloudwatch:PutMetricAlarm",
        "cloudwatch:SetAlarmState",
        "logs:DeleteLogGroup",
        "logs:DeleteLogStream",
        "logs:DeleteMetricFilter",
        "logs:PutMetricFilter",
        "logs:PutRetentionPolicy",
        "logs:DisassociateKmsKey",
        "sns:DeleteTopic",
        "sns:SetTopicAttributes",
        "sns:Subscribe",
        "sns:Unsubscribe",
        "s3:DeleteBucket",
        "s3:DeleteBucketPolicy",
        "s3:PutBucketAcl",
        "s3:PutBucketPolicy",
        "s3:PutBucketVersioning",
        "s3:PutLifecycleConfiguration",
      ],
      resources: auditResources(scope),
    },
  ];
  return statements;
}
