import { DataAwsIamPolicyDocument, DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { Construct } from "constructs";
import { Fn } from "../../cdktf";
import { checkProps, quote } from "../../validation";
import { Defaults, withDefaults } from "./defaults";
import { oidcTrustPolicy } from "./oidc-trust";

export interface IrsaRoleProps {
  /** IAM role name (≤ 64 characters). */
  readonly roleName: string;
  /** ARN of the cluster's IAM OIDC provider. */
  readonly oidcProviderArn: string;
  /** The cluster's OIDC issuer URL (`https://oidc.eks.<region>.amazonaws.com/id/<id>`). */
  readonly oidcIssuerUrl: string;
  /** Kubernetes namespace of the service account allowed to assume the role. */
  readonly namespace: string;
  /** Name of the only service account allowed to assume the role. */
  readonly serviceAccount: string;
  /** AWS-managed or customer-managed policy ARNs to attach. @default [] */
  readonly managedPolicyArns?: readonly string[];
  /** Inline permissions, built as a policy document so scanners and reviewers can read them. @default [] */
  readonly statements?: readonly DataAwsIamPolicyDocumentStatement[];
}

export const IRSA_ROLE_DEFAULTS = { managedPolicyArns: [], statements: [] } as const satisfies Defaults<IrsaRoleProps>;

const K8S_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * IAM role for a Kubernetes service account (IRSA). The trust policy admits exactly one
 * service account of one namespace, and only tokens minted for STS (`aud`), as AWS documents.
 */
export class IrsaRole extends Construct {
  readonly roleArn: string;
  readonly roleName: string;

  constructor(scope: Construct, id: string, roleProps: IrsaRoleProps) {
    super(scope, id);
    const props = withDefaults(roleProps, IRSA_ROLE_DEFAULTS);
    checkProps(this, props, (problems) => {
      problems.check(/^[\w+=,.@-]{1,64}$/.test(props.roleName), "roleName", `${quote(props.roleName)} is not an IAM role name (1-64 of A-Z a-z 0-9 +=,.@_-)`);
      problems.check(K8S_NAME.test(props.namespace), "namespace", `${quote(props.namespace)} is not a Kubernetes namespace name`);
      problems.check(K8S_NAME.test(props.serviceAccount), "serviceAccount", `${quote(props.serviceAccount)} is not a Kubernetes service account name`);
    });

    const issuer = Fn.replace(props.oidcIssuerUrl, "https://", "");
    // Tokens the cluster mints for STS, for this one service account.
    const trust = oidcTrustPolicy(this, "trust", {
      providerArn: props.oidcProviderArn,
      issuer,
      audience: "sts.amazonaws.com",
      subject: `system:serviceaccount:${props.namespace}:${props.serviceAccount}`,
    });
    const role = new IamRole(this, "role", { name: props.roleName, assumeRolePolicy: trust });
    props.managedPolicyArns.forEach((policyArn, index) => {
      new IamRolePolicyAttachment(this, `managed-${index}`, { role: role.name, policyArn });
    });
    if (props.statements.length > 0) {
      const permissions = new DataAwsIamPolicyDocument(this, "permissions", { statement: [...props.statements] });
      new IamRolePolicy(this, "inline", { name: `${props.roleName}-permissions`, role: role.name, policy: permissions.json });
    }
    this.roleArn = role.arn;
    this.roleName = role.name;
  }
}
