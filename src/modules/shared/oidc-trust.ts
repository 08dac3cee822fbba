import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { Construct } from "constructs";

export interface OidcTrustProps {
  /** The account's IAM OIDC identity provider. */
  readonly providerArn: string;
  /** Host (and path) of the issuer, the prefix of its condition keys. */
  readonly issuer: string;
  /** The token's `aud` the provider was registered with. */
  readonly audience: string;
  /** The one token `sub` that may assume the role. */
  readonly subject: string;
}

/** A trust policy (JSON) admitting exactly one subject of one OIDC issuer, for one audience. */
export function oidcTrustPolicy(scope: Construct, id: string, props: OidcTrustProps): string {
  return new DataAwsIamPolicyDocument(scope, id, {
    statement: [
      {
        effect: "Allow",
        actions: ["sts:AssumeRoleWithWebIdentity"],
        principals: [{ type: "Federated", identifiers: [props.providerArn] }],
        condition: [
          { test: "StringEquals", variable: `${props.issuer}:aud`, values: [props.audience] },
          { test: "StringEquals", variable: `${props.issuer}:sub`, values: [props.subject] },
        ],
      },
    ],
  }).json;
}
