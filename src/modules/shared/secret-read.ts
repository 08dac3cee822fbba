import { DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { keyUseThrough } from "./policy-statements";

/** A Secrets Manager secret (often another stack's), with the customer key that encrypts it. */
export interface SecretReference {
  readonly secretArn: string;
  readonly kmsKeyArn: string;
}

/** Statement ids of the two grants, as the role's policy names them. */
export interface SecretsReadSids {
  readonly read: string;
  readonly decrypt: string;
}

/**
 * The statements granting a role to read `secrets`: their values and metadata, and decrypting
 * with their keys only through Secrets Manager in `region` (the key is no general decryption
 * grant). Give them to the role's policy; the secrets' and keys' own policies must name the role.
 */
export function grantSecretsRead(
  secrets: readonly SecretReference[],
  via: { readonly region: string; readonly dnsSuffix: string },
  sids: SecretsReadSids,
): DataAwsIamPolicyDocumentStatement[] {
  return [
    {
      sid: sids.read,
      effect: "Allow",
      actions: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
      resources: secrets.map((s) => s.secretArn),
    },
    keyUseThrough(
      sids.decrypt,
      ["kms:Decrypt"],
      secrets.map((s) => s.kmsKeyArn),
      "secretsmanager",
      via,
    ),
  ];
}
