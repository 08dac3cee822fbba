import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Construct } from "constructs";
import type { AwsAccount } from "../shared/aws-account";

export interface BreakGlassRoleProps {
  readonly roleName: string;
  readonly account: AwsAccount;
  /** Secrets the role may read. */
  readonly secretArns: readonly string[];
  /**
   * Secrets whose values people set (the app secret). Writing needs kms:Decrypt as well as
   * kms:GenerateDataKey, and the key policy grants Decrypt to the named readers only, so the
   * writer has to be one of them.
   * @default none
   */
  readonly writableSecretArns?: readonly string[];
  /** Their KMS keys (decrypt through Secrets Manager only). */
  readonly keyArns: readonly string[];
}

/**
 * The one human path to the environment's secret values: assumable by this account's principals
 * with MFA, for an hour, and able to read exactly the listed secrets and set the writable ones. Every assumption is a
 * CloudTrail event (the account baseline alarms on it).
 */
export class BreakGlassRole extends Construct {
  readonly roleArn: string;

  constructor(scope: Construct, id: string, props: BreakGlassRoleProps) {
    super(scope, id);
    const { account } = props;
    const trust = new DataAwsIamPolicyDocument(this, "trust", {
      statement: [
        {
          effect: "Allow",
          actions: ["sts:AssumeRole"],
          principals: [{ type: "AWS", identifiers: [account.rootArn] }],
          condition: [
            { test: "Bool", variable: "aws:MultiFactorAuthPresent", values: ["true"] },
            { test: "NumericLessThan", variable: "aws:MultiFactorAuthAge", values: ["3600"] },
          ],
        },
      ],
    });
    const role = new IamRole(this, "role", {
      name: props.roleName,
      description: "Break-glass read of the environment's secrets, and setting the app secret (MFA; audited)",
      assumeRolePolicy: trust.json,
      maxSessionDuration: 3600,
    });
    const read = new DataAwsIamPolicyDocument(this, "read", {
      statement: [
        {
          sid: "ReadTheSecrets",
          effect: "Allow",
          actions: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
          resources: [...props.secretArns],
        },
        ...(props.writableSecretArns !== undefined && props.writableSecretArns.length > 0
          ? [{ sid: "SetTheWritableSecrets", effect: "Allow", actions: ["secretsmanager:PutSecretValue"], resources: [...props.writableSecretArns] }]
          : []),
        {
          sid: "UseTheKeysThroughSecretsManager",
          effect: "Allow",
          actions: ["kms:Decrypt", "kms:GenerateDataKey"],
          resources: [...props.keyArns],
          condition: [{ test: "StringLike", variable: "kms:ViaService", values: ["secretsmanager.*.amazonaws.com"] }],
        },
      ],
    });
    new IamRolePolicy(this, "policy", { name: "secrets", role: role.name, policy: read.json });
    this.roleArn = role.arn;
  }
}
