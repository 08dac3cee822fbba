import {
  DataAwsIamPolicyDocument,
  DataAwsIamPolicyDocumentStatement,
  DataAwsIamPolicyDocumentStatementCondition,
} from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { Construct } from "constructs";
import { checkProps, ProblemSink } from "../../validation";
import type { AwsAccount } from "./aws-account";
import type { ProviderPlacement } from "./placement";
import { Defaults, withDefaults } from "./defaults";
import { onlyPrincipalsMay } from "./policy-statements";

export interface EncryptionKeyProps {
  /** Alias without the `alias/` prefix, e.g. `mindhit-terraform-state`. */
  readonly alias: string;
  readonly description: string;
  readonly account: AwsAccount;
  /**
   * AWS service principals (e.g. `logs.ap-northeast-2.amazonaws.com`) that may use the key
   * for encryption on this account's behalf. Callers are limited to this account.
   * @default []
   */
  readonly servicePrincipals?: readonly string[];
  /**
   * Conditions on the services' use of the key. Each service documents its own: CloudWatch Logs
   * sends an encryption context naming the log group, most others `aws:SourceAccount`.
   * An empty list means none, for services that sign KMS calls without a source (CloudWatch
   * alarms publishing to an encrypted topic).
   * @default aws:SourceAccount equals this account
   */
  readonly serviceConditions?: readonly DataAwsIamPolicyDocumentStatementCondition[];
  /**
   * When set, only these principals (ARNs, wildcards allowed) may decrypt with the key, whatever
   * their IAM policies say: a key-policy deny for everyone else (administrators keep the key
   * policy itself, so they can still change this). @default anyone IAM allows
   */
  readonly decryptOnlyBy?: readonly string[];
  /** Days KMS waits before deleting the key (7-30). @default 30 */
  readonly deletionWindowInDays?: number;
  /** Another provider and region for the key (e.g. us-east-1 for CloudFront's). @default the stack's default provider */
  readonly placement?: ProviderPlacement;
}

export const ENCRYPTION_KEY_DEFAULTS = { servicePrincipals: [], deletionWindowInDays: 30 } as const satisfies Defaults<
  EncryptionKeyProps,
  "serviceConditions" | "decryptOnlyBy" | "placement"
>;

/** The key's rules: a deletion window KMS accepts, an alias of a customer key. */
function checkEncryptionKeyProps(problems: ProblemSink, props: EncryptionKeyProps): void {
  const { deletionWindowInDays: deletionWindow, alias } = withDefaults(props, ENCRYPTION_KEY_DEFAULTS);
  problems.check(
    Number.isInteger(deletionWindow) && deletionWindow >= 7 && deletionWindow <= 30,
    "deletionWindowInDays",
    `${deletionWindow} is not allowed (7-30)`,
  );
  problems.check(
    /^[A-Za-z0-9/_-]+$/.test(alias) && !alias.startsWith("aws/"),
    "alias",
    `${JSON.stringify(alias)} is not allowed (A-Z a-z 0-9 / _ -, not starting with aws/)`,
  );
}

/**
 * A customer-managed KMS key with yearly rotation and an explicit key policy.
 * The policy keeps the account root as administrator (AWS's default key policy, so IAM
 * policies keep working) and grants listed services use of the key, as AWS documents for
 * CloudWatch Logs, SNS and similar integrations.
 */
export class EncryptionKey extends Construct {
  readonly keyArn: string;
  readonly keyId: string;
  readonly aliasName: string;

  constructor(scope: Construct, id: string, keyProps: EncryptionKeyProps) {
    super(scope, id);
    checkProps(this, keyProps, checkEncryptionKeyProps);
    const {
      deletionWindowInDays: deletionWindow,
      servicePrincipals: services,
      alias,
      account,
      serviceConditions,
      decryptOnlyBy,
      description,
      placement,
    } = withDefaults(keyProps, ENCRYPTION_KEY_DEFAULTS);

    const statements: DataAwsIamPolicyDocumentStatement[] = [
      {
        sid: "AccountAdministersKey",
        effect: "Allow",
        principals: [{ type: "AWS", identifiers: [account.rootArn] }],
        actions: ["kms:*"],
        resources: ["*"],
      },
    ];
    const conditions = [...(serviceConditions ?? [{ test: "StringEquals", variable: "aws:SourceAccount", values: [account.accountId] }])];
    if (services.length > 0) {
      statements.push({
        sid: "ServicesUseKeyForThisAccount",
        effect: "Allow",
        principals: [{ type: "Service", identifiers: [...services] }],
        actions: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
        resources: ["*"],
        condition: conditions.length > 0 ? conditions : undefined,
      });
    }
    if (decryptOnlyBy !== undefined) {
      statements.push(onlyPrincipalsMay("DecryptOnlyByTheNamedReaders", ["kms:Decrypt"], decryptOnlyBy, ["*"]));
    }
    const policy = new DataAwsIamPolicyDocument(this, "policy", { statement: statements });
    const key = new KmsKey(this, "key", {
      description,
      provider: placement?.provider,
      enableKeyRotation: true,
      deletionWindowInDays: deletionWindow,
      policy: policy.json,
    });
    const keyAlias = new KmsAlias(this, "alias", { name: `alias/${alias}`, targetKeyId: key.keyId, provider: placement?.provider });
    this.keyArn = key.arn;
    this.keyId = key.keyId;
    this.aliasName = keyAlias.name;
  }
}
