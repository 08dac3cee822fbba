import { DataAwsIamPolicyDocument, DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { Construct } from "constructs";
import { Problems, quote } from "../validation";
import type { AwsAccount } from "./aws-account";

/** One environment CI deploys, as the roles see it. */
export interface CiEnvironment {
  /** Environment tag value of its resources (`production`): the roles may touch nothing tagged otherwise. */
  readonly environment: string;
  /** GitHub environment whose jobs may assume its deploy role (prod's has required reviewers). */
  readonly githubEnvironment: string;
  /** Prefix of its resource names: the only IAM roles its deploy role may manage. */
  readonly resourceName: string;
  readonly roleNames: { readonly plan: string; readonly deploy: string };
}

export interface GithubOidcRolesProps {
  readonly account: AwsAccount;
  /** Project name: prefixes the CI roles (`<project>-ci-*`) and the boundary policies. */
  readonly project: string;
  /** `owner/name` of the repository whose workflows may assume the roles. */
  readonly repository: string;
  readonly environments: readonly CiEnvironment[];
  /** State bucket, lock table and state key. */
  readonly state: { readonly bucketArn: string; readonly lockTableArn: string; readonly keyArn: string };
  /** Names of the permissions boundaries (src/modules/permission-boundaries.ts). */
  readonly boundaryNames: { readonly workload: string; readonly ci: string };
}

const ISSUER = "token.actions.githubusercontent.com";
/** Services CI may pass the stacks' roles to (EKS, its node groups and add-ons; RDS monitoring; flow logs; Chatbot; AWS Backup). */
export const PASS_ROLE_SERVICES: readonly string[] = ["eks.amazonaws.com", "monitoring.rds.amazonaws.com", "vpc-flow-logs.amazonaws.com", "chatbot.amazonaws.com", "backup.amazonaws.com"];

/**
 * GitHub Actions' OIDC identity provider and, per environment, the two roles the workflows
 * assume (no AWS key is stored in GitHub):
 * - plan: pull requests of this repository; reads what `terraform plan` refreshes, never the
 *   contents of logs, images, backups or secrets, and takes no lock (PR plans run `-lock=false`).
 * - deploy: jobs of the environment's GitHub environment only (prod's: `production`, with
 *   required reviewers); PowerUserAccess, plus IAM on the environment's own roles, each of which
 *   must carry the workload permissions boundary.
 * Every CI role carries the CI boundary, whose denies (also written inline) no CI role can lift:
 * no IAM on the CI roles or the boundaries, no reading secrets, no destroying backups, keys or
 * the audit trail, and nothing on resources tagged for another environment.
 */
export class GithubOidcRoles extends Construct {
  /** Environment → role ARNs. */
  readonly roleArns: ReadonlyMap<string, { readonly plan: string; readonly deploy: string }>;
  readonly providerArn: string;

  constructor(scope: Construct, id: string, props: GithubOidcRolesProps) {
    super(scope, id);
    const problems = new Problems(this.node.path);
    problems.check(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(props.repository), "repository", `${quote(props.repository)} is not owner/name`);
    problems.check(props.environments.length > 0, "environments", "must list at least one environment");
    problems.throwIfAny();
    const { account, repository } = props;
    const arn = (resource: string): string => `arn:${account.partition}:iam::${account.accountId}:${resource}`;
    const awsPolicy = (name: string): string => `arn:${account.partition}:iam::aws:policy/${name}`;

    const provider = new IamOpenidConnectProvider(this, "provider", { url: `https://${ISSUER}`, clientIdList: ["sts.amazonaws.com"] });
    const trust = (trustId: string, subject: string): DataAwsIamPolicyDocument =>
      new DataAwsIamPolicyDocument(this, trustId, {
        statement: [
          {
            effect: "Allow",
            actions: ["sts:AssumeRoleWithWebIdentity"],
            principals: [{ type: "Federated", identifiers: [provider.arn] }],
            condition: [
              { test: "StringEquals", variable: `${ISSUER}:aud`, values: ["sts.amazonaws.com"] },
              { test: "StringEquals", variable: `${ISSUER}:sub`, values: [subject] },
            ],
          },
        ],
      });

    const ciBoundary = arn(`policy/${props.boundaryNames.ci}`);
    const roleArns = new Map<string, { plan: string; deploy: string }>();
    for (const env of props.environments) {
      const guardrails = ciGuardrailStatements({ partition: account.partition, accountId: account.accountId, project: props.project, environment: env.environment, boundaryNames: props.boundaryNames });

      const plan = new IamRole(this, `${env.environment}-plan-role`, {
        name: env.roleNames.plan,
        description: `cdktf diff of ${env.environment} from pull requests of ${repository}`,
        assumeRolePolicy: trust(`${env.environment}-plan-trust`, `repo:${repository}:pull_request`).json,
        permissionsBoundary: ciBoundary,
        maxSessionDuration: 3600,
      });
      new IamRolePolicyAttachment(this, `${env.environment}-plan-read-only`, { role: plan.name, policyArn: awsPolicy("ReadOnlyAccess") });
      this.inline(`${env.environment}-plan-state`, plan, [
        // PR plans run -lock=false: the plan role takes no lock, so it can never remove an apply's.
        { sid: "DecryptState", effect: "Allow", actions: ["kms:Decrypt"], resources: [props.state.keyArn] },
        {
          // ReadOnlyAccess reads far more than a plan refreshes: not the contents of logs, images or objects.
          sid: "NotNeededToPlan",
          effect: "Deny",
          actions: ["logs:GetLogEvents", "logs:FilterLogEvents", "logs:StartQuery", "logs:GetQueryResults", "logs:StartLiveTail", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:UpdateItem"],
          resources: ["*"],
        },
        { sid: "OnlyStateObjects", effect: "Deny", actions: ["s3:GetObject", "s3:GetObjectVersion"], notResources: [`${props.state.bucketArn}/*`] },
        ...guardrails,
      ]);

      const deploy = new IamRole(this, `${env.environment}-deploy-role`, {
        name: env.roleNames.deploy,
        description: `cdktf deploy of ${env.environment} from the ${env.githubEnvironment} GitHub environment of ${repository}`,
        assumeRolePolicy: trust(`${env.environment}-deploy-trust`, `repo:${repository}:environment:${env.githubEnvironment}`).json,
        permissionsBoundary: ciBoundary,
        maxSessionDuration: 3600,
      });
      new IamRolePolicyAttachment(this, `${env.environment}-deploy-power-user`, { role: deploy.name, policyArn: awsPolicy("PowerUserAccess") });
      this.inline(`${env.environment}-deploy-iam`, deploy, [
        ...environmentIamStatements({ partition: account.partition, accountId: account.accountId, resourceName: env.resourceName, environment: env.environment, workloadBoundary: arn(`policy/${props.boundaryNames.workload}`) }),
        ...guardrails,
      ]);
      roleArns.set(env.environment, { plan: plan.arn, deploy: deploy.arn });
    }
    this.roleArns = roleArns;
    this.providerArn = provider.arn;
  }

  private inline(id: string, role: IamRole, statements: DataAwsIamPolicyDocumentStatement[]): void {
    const doc = new DataAwsIamPolicyDocument(this, `${id}-document`, { statement: statements });
    new IamRolePolicy(this, id, { name: id, role: role.name, policy: doc.json });
  }
}

interface EnvironmentIamScope {
  readonly partition: string;
  readonly accountId: string;
  readonly resourceName: string;
  readonly environment: string;
  readonly workloadBoundary: string;
}

/**
 * IAM a deploy role needs for its environment's stacks, and no more: roles named after the
 * environment, created and changed only with the workload boundary attached; passed only to the
 * services that run them; OIDC providers of EKS tagged for the environment.
 */
export function environmentIamStatements(scope: EnvironmentIamScope): DataAwsIamPolicyDocumentStatement[] {
  const arn = (resource: string): string => `arn:${scope.partition}:iam::${scope.accountId}:${resource}`;
  const roles = arn(`role/${scope.resourceName}-*`);
  const bounded = [{ test: "StringEquals", variable: "iam:PermissionsBoundary", values: [scope.workloadBoundary] }];
  return [
    {
      sid: "CreateAndChangeBoundedEnvironmentRoles",
      effect: "Allow",
      actions: ["iam:CreateRole", "iam:PutRolePermissionsBoundary", "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:AttachRolePolicy", "iam:DetachRolePolicy"],
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
      sid: "PassEnvironmentRolesToTheirServices",
      effect: "Allow",
      actions: ["iam:PassRole"],
      resources: [roles],
      condition: [{ test: "StringEquals", variable: "iam:PassedToService", values: [...PASS_ROLE_SERVICES] }],
    },
    {
      sid: "CreateTheClustersOidcProvider",
      effect: "Allow",
      actions: ["iam:CreateOpenIDConnectProvider", "iam:TagOpenIDConnectProvider"],
      resources: [arn("oidc-provider/oidc.eks.*")],
      condition: [{ test: "StringEquals", variable: "aws:RequestTag/Environment", values: [scope.environment] }],
    },
    {
      sid: "ManageTheClustersOidcProvider",
      effect: "Allow",
      actions: [
        "iam:GetOpenIDConnectProvider",
        "iam:DeleteOpenIDConnectProvider",
        "iam:TagOpenIDConnectProvider",
        "iam:UntagOpenIDConnectProvider",
        "iam:UpdateOpenIDConnectProviderThumbprint",
        "iam:AddClientIDToOpenIDConnectProvider",
      ],
      resources: [arn("oidc-provider/oidc.eks.*")],
      condition: [{ test: "StringEquals", variable: "aws:ResourceTag/Environment", values: [scope.environment] }],
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
          values: ["eks.amazonaws.com", "eks-nodegroup.amazonaws.com", "elasticloadbalancing.amazonaws.com", "autoscaling.amazonaws.com", "rds.amazonaws.com", "elasticache.amazonaws.com", "backup.amazonaws.com"],
        },
      ],
    },
  ];
}

export interface GuardrailScope {
  readonly partition: string;
  readonly accountId: string;
  readonly project: string;
  /** The environment the role works for; undefined: none (the CI boundary applies to all CI roles). */
  readonly environment?: string;
  readonly boundaryNames: { readonly workload: string; readonly ci: string };
}

/**
 * What no CI role may do, whatever else it is allowed: the denies of the CI boundary, and
 * (with an environment) the walls between environments.
 */
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
      sid: "NoUnboundedIdentities",
      effect: "Deny",
      actions: ["iam:DeleteRolePermissionsBoundary", "iam:CreateUser", "iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile", "iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion"],
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
      actions: ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "cloudtrail:UpdateTrail", "cloudtrail:PutEventSelectors", "guardduty:DeleteDetector", "guardduty:UpdateDetector", "guardduty:Disassociate*", "organizations:*", "account:*"],
      resources: ["*"],
    },
  ];
  if (scope.environment !== undefined) {
    const others = ["shared", scope.environment];
    statements.push(
      {
        // Another environment's resources are out of reach wherever the service reports tags.
        sid: "NoOtherEnvironments",
        effect: "Deny",
        actions: ["*"],
        resources: ["*"],
        condition: [
          { test: "StringNotEquals", variable: "aws:ResourceTag/Environment", values: others },
          { test: "Null", variable: "aws:ResourceTag/Environment", values: ["false"] },
        ],
      },
      {
        sid: "NoCreatingForOtherEnvironments",
        effect: "Deny",
        actions: ["*"],
        resources: ["*"],
        condition: [
          { test: "StringNotEquals", variable: "aws:RequestTag/Environment", values: [scope.environment] },
          { test: "Null", variable: "aws:RequestTag/Environment", values: ["false"] },
        ],
      },
    );
  }
  return statements;
}
