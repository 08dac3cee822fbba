import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { Construct } from "constructs";
import { checkProps } from "../../validation";
import type { AwsAccount } from "./aws-account";
import { Defaults, withDefaults } from "./defaults";
import { EncryptionKey } from "./encryption-key";
import type { ProviderPlacement } from "./placement";

export interface EncryptedLogGroupProps {
  /** Log group name, e.g. `/aws/eks/mindhit-production/cluster`. */
  readonly name: string;
  /** Alias of the group's KMS key (without `alias/`). */
  readonly keyAlias: string;
  readonly account: AwsAccount;
  /** Days to keep events; a year covers audit and incident look-backs. @default 365 */
  readonly retentionInDays?: number;
  /** Another provider and region for the group and its key. @default the stack's default provider and region */
  readonly placement?: ProviderPlacement;
}

export const LOG_GROUP_DEFAULTS = { retentionInDays: 365 } as const satisfies Defaults<EncryptedLogGroupProps, "placement">;

/** Retention values CloudWatch Logs accepts. */
const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/** A CloudWatch log group encrypted with its own KMS key, usable only by CloudWatch Logs for log groups of this account. */
export class EncryptedLogGroup extends Construct {
  readonly logGroupName: string;
  readonly logGroupArn: string;
  /** The resource itself, for `dependsOn` where a service would otherwise create the group. */
  readonly resource: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, groupProps: EncryptedLogGroupProps) {
    super(scope, id);
    const { account, retentionInDays, keyAlias, name, placement } = withDefaults(groupProps, LOG_GROUP_DEFAULTS);
    const region = placement?.region ?? account.region;
    const retention = retentionInDays;
    checkProps(this, groupProps, (problems) => {
      problems.check(RETENTION_DAYS.includes(retention), "retentionInDays", `${retention} is not allowed (allowed: ${RETENTION_DAYS.join(", ")})`);
    });

    const key = new EncryptionKey(this, "key", {
      alias: keyAlias,
      description: `Encrypts CloudWatch log group ${name}`,
      account,
      placement,
      servicePrincipals: [`logs.${region}.${account.dnsSuffix}`],
      serviceConditions: [
        {
          test: "ArnLike",
          variable: "kms:EncryptionContext:aws:logs:arn",
          // This group only: the key is the group's own, no other log group may use it.
          values: [`arn:${account.partition}:logs:${region}:${account.accountId}:log-group:${name}`],
        },
      ],
    });
    const group = new CloudwatchLogGroup(this, "group", { name, retentionInDays: retention, kmsKeyId: key.keyArn, provider: placement?.provider });
    this.logGroupName = group.name;
    this.logGroupArn = group.arn;
    this.resource = group;
  }
}
