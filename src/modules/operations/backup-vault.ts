import { BackupPlan } from "@cdktf/provider-aws/lib/backup-plan";
import { BackupSelection } from "@cdktf/provider-aws/lib/backup-selection";
import { BackupVault } from "@cdktf/provider-aws/lib/backup-vault";
import { BackupVaultLockConfiguration } from "@cdktf/provider-aws/lib/backup-vault-lock-configuration";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { Construct } from "constructs";
import { ProblemSink, checkProps, quote } from "../../validation";
import type { AwsAccount } from "../shared/aws-account";
import { Defaults, withDefaults } from "../shared/defaults";
import { serviceTrustPolicy } from "../shared/policy-statements";

export type VaultLockMode = "off" | "governance" | "compliance";

export interface BackupVaultProps {
  /** Vault, plan and role names start with it (the environment's resourceName). */
  readonly name: string;
  readonly account: AwsAccount;
  /** KMS key of the vault's recovery points. */
  readonly kmsKeyArn: string;
  /** ARNs of the resources backed up daily (the RDS instance). */
  readonly resourceArns: readonly string[];
  /** Days each daily recovery point is kept. @default 35 */
  readonly retentionDays?: number;
  /**
   * Vault Lock: `governance` keeps recovery points from deletion or early expiry by anyone without
   * the vault-lock permissions (CI never has them); `compliance` by nobody, AWS included, once its
   * 3-day grace has passed (irreversible). @default "governance"
   */
  readonly lock?: VaultLockMode;
  /** A vault in another account (or region) each recovery point is copied to. @default none */
  readonly copyToVaultArn?: string;
  /** Daily schedule (cron, UTC). @default "cron(0 19 * * ? *)" (04:00 KST) */
  readonly schedule?: string;
}

export const BACKUP_VAULT_DEFAULTS = { retentionDays: 35, lock: "governance", schedule: "cron(0 19 * * ? *)" } as const satisfies Defaults<
  BackupVaultProps,
  "copyToVaultArn"
>;

export type BackupVaultSettings = Omit<BackupVaultProps, "account" | "kmsKeyArn" | "resourceArns">;

export function checkBackupVaultProps(problems: ProblemSink, settings: BackupVaultSettings): void {
  const props = withDefaults(settings, BACKUP_VAULT_DEFAULTS);
  const { retentionDays: retention, lock } = props;
  problems.check(Number.isInteger(retention) && retention >= 1 && retention <= 36500, "retentionDays", `${retention} is not allowed (whole number 1-36500)`);
  problems.check(["off", "governance", "compliance"].includes(lock), "lock", `${quote(lock)} is not allowed (allowed: "off", "governance", "compliance")`);
  if (props.copyToVaultArn !== undefined) {
    problems.check(
      /^arn:aws[a-z-]*:backup:[a-z0-9-]+:\d{12}:backup-vault:[A-Za-z0-9_.-]+$/.test(props.copyToVaultArn),
      "copyToVaultArn",
      `${quote(props.copyToVaultArn)} is not a backup vault ARN`,
    );
  }
}

/**
 * AWS Backup for the environment: a KMS-encrypted vault (locked by default), a daily plan with
 * its retention, optional copy of each recovery point to another account's vault, and the role
 * AWS Backup uses (AWS's managed backup and restore policies).
 */
export class EnvironmentBackups extends Construct {
  readonly vaultArn: string;

  constructor(scope: Construct, id: string, vaultProps: BackupVaultProps) {
    super(scope, id);
    checkProps(this, vaultProps, checkBackupVaultProps);
    const props = withDefaults(vaultProps, BACKUP_VAULT_DEFAULTS);
    const { account, retentionDays: retention, lock } = props;

    const vault = new BackupVault(this, "vault", { name: props.name, kmsKeyArn: props.kmsKeyArn, forceDestroy: false });
    if (lock !== "off") {
      new BackupVaultLockConfiguration(this, "lock", {
        backupVaultName: vault.name,
        minRetentionDays: Math.min(7, retention),
        maxRetentionDays: Math.max(retention, 35),
        // Compliance mode becomes immutable after this grace period; governance has none.
        changeableForDays: lock === "compliance" ? 3 : undefined,
      });
    }
    const trust = serviceTrustPolicy(this, "trust", "backup.amazonaws.com");
    const role = new IamRole(this, "role", { name: `${props.name}-backup`, assumeRolePolicy: trust.json });
    for (const policy of ["AWSBackupServiceRolePolicyForBackup", "AWSBackupServiceRolePolicyForRestores"]) {
      new IamRolePolicyAttachment(this, `role-${policy}`, { role: role.name, policyArn: `arn:${account.partition}:iam::aws:policy/service-role/${policy}` });
    }
    const plan = new BackupPlan(this, "plan", {
      name: props.name,
      rule: [
        {
          ruleName: "daily",
          targetVaultName: vault.name,
          schedule: props.schedule,
          lifecycle: { deleteAfter: retention },
          copyAction: props.copyToVaultArn === undefined ? undefined : [{ destinationVaultArn: props.copyToVaultArn, lifecycle: { deleteAfter: retention } }],
        },
      ],
    });
    new BackupSelection(this, "selection", { name: props.name, planId: plan.id, iamRoleArn: role.arn, resources: [...props.resourceArns] });
    this.vaultArn = vault.arn;
  }
}
