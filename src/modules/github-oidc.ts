import { DataAwsIamPolicyDocument, DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { Construct } from "constructs";
import { Problems, quote } from "../validation";
import type { AwsAccount } from "./aws-account";

export interface GithubOidcRolesProps {
  readonly account: AwsAccount;
  /** Prefix of the roles (`<prefix>-github-plan`, `<prefix>-github-deploy`) and of what deploy may manage in IAM. */
  readonly prefix: string;
  /** `owner/name` of the repository whose workflows may assume the roles. */
  readonly repository: string;
  /** Branch whose pushes may deploy. */
  readonly deployBranch: string;
  /** GitHub environments whose jobs may deploy. */
  readonly deployEnvironments: readonly string[];
  /** State bucket, lock table and state key, which the plan role may read and lock. */
  readonly state: { readonly bucketArn: string; readonly lockTableArn: string; readonly keyArn: string };
}

const ISSUER = "token.actions.githubusercontent.com";

/** The role names GitHub Actions assume, from the prefix: stacks grant them cluster access by name. */
export function githubRoleNames(prefix: string): { readonly plan: string; readonly deploy: string } {
  return { plan: `${prefix}-github-plan`, deploy: `${prefix}-github-deploy` };
}

/**
 * GitHub Actions' OIDC identity provider and the two roles this repository's workflows assume,
 * so no long-lived AWS key is stored in GitHub:
 * - plan: pull requests of this repository only; read-only, plus taking the state lock.
 * - deploy: pushes to the deploy branch and jobs of the listed GitHub environments (prod's has
 *   required reviewers); PowerUserAccess plus IAM limited to this project's own names.
 */
export class GithubOidcRoles extends Construct {
  readonly planRoleArn: string;
  readonly deployRoleArn: string;
  readonly providerArn: string;

  constructor(scope: Construct, id: string, props: GithubOidcRolesProps) {
    super(scope, id);
    const problems = new Problems(this.node.path);
    problems.check(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(props.repository), "repository", `${quote(props.repository)} is not owner/name`);
    problems.check(props.deployEnvironments.length > 0, "deployEnvironments", "must list at least one GitHub environment");
    problems.throwIfAny();
    const { account, repository } = props;
    const awsPolicy = (name: string): string => `arn:${account.partition}:iam::aws:policy/${name}`;

    const provider = new IamOpenidConnectProvider(this, "provider", { url: `https://${ISSUER}`, clientIdList: ["sts.amazonaws.com"] });
    const trust = (id: string, subjects: string[]): DataAwsIamPolicyDocument =>
      new DataAwsIamPolicyDocument(this, id, {
        statement: [
          {
            effect: "Allow",
            actions: ["sts:AssumeRoleWithWebIdentity"],
            principals: [{ type: "Federated", identifiers: [provider.arn] }],
            condition: [
              { test: "StringEquals", variable: `${ISSUER}:aud`, values: ["sts.amazonaws.com"] },
              { test: "StringEquals", variable: `${ISSUER}:sub`, values: subjects },
            ],
          },
        ],
      });

    const plan = new IamRole(this, "plan-role", {
      name: githubRoleNames(props.prefix).plan,
      description: `cdktf diff from pull requests of ${repository}`,
      assumeRolePolicy: trust("plan-trust", [`repo:${repository}:pull_request`]).json,
      maxSessionDuration: 3600,
    });
    new IamRolePolicyAttachment(this, "plan-read-only", { role: plan.name, policyArn: awsPolicy("ReadOnlyAccess") });
    this.inline("plan-state-lock", plan, [
      { sid: "TakeTheStateLock", effect: "Allow", actions: ["dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:GetItem"], resources: [props.state.lockTableArn] },
      // S3-native locking (use_lockfile) writes and removes <key>.tflock beside each state object.
      { sid: "TakeTheS3NativeLock", effect: "Allow", actions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], resources: [`${props.state.bucketArn}/*.tflock`] },
      // State and lock objects are SSE-KMS with the state key (the backends' kms_key_id).
      { sid: "UseTheStateKey", effect: "Allow", actions: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"], resources: [props.state.keyArn] },
    ]);

    const deploySubjects = [`repo:${repository}:ref:refs/heads/${props.deployBranch}`, ...props.deployEnvironments.map((e) => `repo:${repository}:environment:${e}`)];
    const deploy = new IamRole(this, "deploy-role", {
      name: githubRoleNames(props.prefix).deploy,
      description: `cdktf deploy from ${repository} (${props.deployBranch} and its GitHub environments)`,
      assumeRolePolicy: trust("deploy-trust", deploySubjects).json,
      maxSessionDuration: 3600,
    });
    new IamRolePolicyAttachment(this, "deploy-power-user", { role: deploy.name, policyArn: awsPolicy("PowerUserAccess") });
    const iam = (resource: string): string => `arn:${account.partition}:iam::${account.accountId}:${resource}`;
    this.inline("deploy-project-iam", deploy, [
      {
        sid: "ManageThisProjectsRolesAndPolicies",
        effect: "Allow",
        actions: ["iam:*Role", "iam:*RolePolicy", "iam:*RolePolicies", "iam:*RolePolicyAttachment", "iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:TagRole", "iam:UntagRole", "iam:UpdateAssumeRolePolicy", "iam:ListInstanceProfilesForRole", "iam:PassRole"],
        resources: [iam(`role/${props.prefix}-*`)],
      },
      {
        sid: "ManageTheClustersOidcProviders",
        effect: "Allow",
        actions: ["iam:CreateOpenIDConnectProvider", "iam:DeleteOpenIDConnectProvider", "iam:GetOpenIDConnectProvider", "iam:TagOpenIDConnectProvider", "iam:UntagOpenIDConnectProvider", "iam:UpdateOpenIDConnectProviderThumbprint", "iam:AddClientIDToOpenIDConnectProvider"],
        resources: [iam("oidc-provider/oidc.eks.*")],
      },
      {
        sid: "CreateServiceLinkedRolesTheStacksNeed",
        effect: "Allow",
        actions: ["iam:CreateServiceLinkedRole"],
        resources: [iam("role/aws-service-role/*")],
      },
    ]);

    this.planRoleArn = plan.arn;
    this.deployRoleArn = deploy.arn;
    this.providerArn = provider.arn;
  }

  private inline(id: string, role: IamRole, statements: DataAwsIamPolicyDocumentStatement[]): void {
    const doc = new DataAwsIamPolicyDocument(this, `${id}-document`, { statement: statements });
    new IamRolePolicy(this, id, { name: id, role: role.name, policy: doc.json });
  }
}
