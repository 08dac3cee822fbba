import { DataAwsDbInstance } from "@cdktf/provider-aws/lib/data-aws-db-instance";
import { DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { DbParameterGroup } from "@cdktf/provider-aws/lib/db-parameter-group";
import { DbSubnetGroup } from "@cdktf/provider-aws/lib/db-subnet-group";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { Construct } from "constructs";
import {
  checkDbInstanceClass,
  checkPlacement,
  checkWhole,
  checkWindows,
  isLowercaseHyphenatedId,
  isPostgresIdentifier,
  ProblemSink,
  checkProps,
  quote,
} from "../validation";
import type { AwsAccount } from "./shared/aws-account";
import { EncryptionKey } from "./shared/encryption-key";
import { addDataStoreNetwork, DataStorePlacement } from "./shared/security-group";
import { EncryptedLogGroup } from "./shared/log-group";
import { Defaults, withDefaults } from "./shared/defaults";
import { serviceTrustPolicy } from "./shared/policy-statements";

/** Placed in private subnets of at least two availability zones; the account also names the monitoring role's ARNs. */
export interface RdsProps extends DataStorePlacement {
  /** DB instance identifier; also names the subnet group, security group and final snapshot. Seed: `mindhit-production`. */
  readonly identifier: string;
  /** Initial database. @default "mindhit" */
  readonly dbName?: string;
  /** @default "db.t3.small" */
  readonly instanceClass?: string;
  /** PostgreSQL version: a major ("16") lets RDS pick and upgrade the minor, "16.x" pins it. @default "16" */
  readonly engineVersion?: string;
  /** GiB. @default 20 */
  readonly allocatedStorage?: number;
  /** Storage autoscaling ceiling in GiB; must exceed `allocatedStorage`. @default 100 */
  readonly maxAllocatedStorage?: number;
  /** @default "gp3" */
  readonly storageType?: string;
  /** Days of automated backups (1-35; 0 would turn backups and point-in-time recovery off). @default 7 */
  readonly backupRetentionPeriod?: number;
  /** Daily backup window, UTC. @default "18:00-19:00" (03:00-04:00 KST) */
  readonly backupWindow?: string;
  /**
   * Weekly maintenance window, UTC; must not overlap the backup window. Starts 30 minutes after
   * the backup window ends, so a backup that overruns its window does not meet maintenance.
   * @default "sun:19:30-sun:20:30" (Mon 04:30-05:30 KST)
   */
  readonly maintenanceWindow?: string;
  /** Synchronous standby in a second AZ. @default false */
  readonly multiAz?: boolean;
  /** Refuse deletion of the instance; the environment config turns it on for prod. @default false */
  readonly deletionProtection?: boolean;
  /** Master user name. Not a secret: the password is generated and kept in Secrets Manager by RDS. @default "mindhit_admin" */
  readonly masterUsername?: string;
  /** Performance Insights retention: 7 (free tier), a multiple of 31 up to 713, or 731. @default 7 */
  readonly performanceInsightsRetentionDays?: number;
  /** Enhanced Monitoring granularity in seconds (1, 5, 10, 15, 30, 60). @default 60 */
  readonly monitoringInterval?: number;
  /** Retention of the exported `postgresql` and `upgrade` log groups. @default 365 */
  readonly logRetentionDays?: number;
}

export const RDS_DEFAULTS = {
  dbName: "mindhit",
  instanceClass: "db.t3.small",
  engineVersion: "16",
  allocatedStorage: 20,
  maxAllocatedStorage: 100,
  storageType: "gp3",
  backupRetentionPeriod: 7,
  backupWindow: "18:00-19:00",
  maintenanceWindow: "sun:19:30-sun:20:30",
  masterUsername: "mindhit_admin",
  performanceInsightsRetentionDays: 7,
  monitoringInterval: 60,
  multiAz: false,
  deletionProtection: false,
  logRetentionDays: 365,
} as const satisfies Defaults<RdsProps>;

/** RDS PostgreSQL listens on the engine default; the in-cluster stack needs it as a plain number. */
export const POSTGRES_PORT = 5432;
const SUPPORTED_MAJORS = ["14", "15", "16", "17"];
const STORAGE_TYPES = ["gp2", "gp3", "io1", "io2"];
const MONITORING_INTERVALS = [1, 5, 10, 15, 30, 60];
const LOG_EXPORTS = ["postgresql", "upgrade"];
const MONITORING_ROLE_SUFFIX = "-rds-monitoring";

/** The props that are settings (not wiring), which config validation checks before any construct exists. */
export type RdsSettings = Omit<RdsProps, "vpcId" | "subnetIds" | "allowedSecurityGroupIds" | "account">;

/** The instance's rules: names, class, engine, storage, backups and windows, monitoring. */
export function checkRdsProps(problems: ProblemSink, settings: RdsSettings): void {
  const props = withDefaults(settings, RDS_DEFAULTS);
  const { dbName, engineVersion, allocatedStorage, maxAllocatedStorage, storageType, masterUsername, monitoringInterval } = props;
  const piRetention = props.performanceInsightsRetentionDays;
  checkRdsIdentifier(problems, props.identifier);
  problems.check(
    isPostgresIdentifier(dbName),
    "dbName",
    `${quote(dbName)} is not a PostgreSQL database name (letter first, then letters, digits or _, at most 63)`,
  );
  checkDbInstanceClass(problems, "instanceClass", props.instanceClass);
  const major = postgresMajor(engineVersion);
  problems.check(
    SUPPORTED_MAJORS.includes(major),
    "engineVersion",
    `${quote(engineVersion)} is not allowed (PostgreSQL major ${SUPPORTED_MAJORS.join(", ")}, as "16" or "16.x")`,
  );
  checkWhole(problems, "allocatedStorage", allocatedStorage, 20, 65536);
  problems.check(
    Number.isInteger(maxAllocatedStorage) && maxAllocatedStorage > allocatedStorage && maxAllocatedStorage <= 65536,
    "maxAllocatedStorage",
    `${maxAllocatedStorage} is not allowed (whole number above allocatedStorage ${allocatedStorage}, at most 65536)`,
  );
  problems.check(STORAGE_TYPES.includes(storageType), "storageType", `${quote(storageType)} is not allowed (allowed: ${STORAGE_TYPES.join(", ")})`);
  checkWhole(problems, "backupRetentionPeriod", props.backupRetentionPeriod, 1, 35);
  checkWindows(problems, 30, ["backupWindow", props.backupWindow], ["maintenanceWindow", props.maintenanceWindow]);
  problems.check(
    isPostgresIdentifier(masterUsername) && masterUsername !== "rdsadmin",
    "masterUsername",
    `${quote(masterUsername)} is not allowed (letter first, then letters, digits or _, at most 63, not "rdsadmin")`,
  );
  problems.check(
    piRetention === 7 || piRetention === 731 || (Number.isInteger(piRetention) && piRetention % 31 === 0 && piRetention >= 31 && piRetention <= 713),
    "performanceInsightsRetentionDays",
    `${piRetention} is not allowed (7, a multiple of 31 up to 713, or 731)`,
  );
  problems.check(
    MONITORING_INTERVALS.includes(monitoringInterval),
    "monitoringInterval",
    `${monitoringInterval} is not allowed (allowed: ${MONITORING_INTERVALS.join(", ")})`,
  );
}

/**
 * The seed's `modules/rds` (terraform-aws-modules/rds): one PostgreSQL instance in private
 * subnets, reachable on 5432 only from the listed security groups. Beyond the seed: no password
 * in config or state (RDS manages the master secret in Secrets Manager), storage, Performance
 * Insights and the secret encrypted with a customer KMS key, TLS forced, IAM database
 * authentication, Enhanced Monitoring, and exported logs kept in encrypted log groups.
 */
export class Rds extends Construct {
  /** `address:port` (the seed's `db_instance_endpoint`). */
  readonly endpoint: string;
  readonly address: string;
  readonly port: number;
  readonly databaseName: string;
  /** Secrets Manager secret RDS keeps the master credentials in. */
  readonly masterUserSecretArn: string;
  readonly securityGroupId: string;
  readonly instanceArn: string;
  readonly instanceIdentifier: string;
  /** Key of storage, Performance Insights and the master secret; readers of the secret need kms:Decrypt on it. */
  readonly encryptionKeyArn: string;

  constructor(scope: Construct, id: string, rdsProps: RdsProps) {
    super(scope, id);
    const props = withDefaults(rdsProps, RDS_DEFAULTS);
    const { identifier, account, dbName, instanceClass, engineVersion, allocatedStorage, maxAllocatedStorage, storageType } = props;
    const { backupWindow, maintenanceWindow, masterUsername, monitoringInterval } = props;
    const major = postgresMajor(engineVersion);

    checkProps(this, props, checkRdsProps, (problems) => {
      checkPlacement(problems, props, 2, "RDS subnet groups need subnets in at least 2 availability zones");
    });

    // One key for the data, the Performance Insights data and the generated master secret:
    // RDS and Secrets Manager use it through grants of the calling principal, so the account-
    // administered default policy is enough (no service-principal statement).
    const key = new EncryptionKey(this, "key", {
      alias: `${identifier}-rds`,
      description: `Encrypts storage, Performance Insights and the master secret of RDS instance ${identifier}`,
      account,
    });

    const network = addDataStoreNetwork(
      this,
      props,
      { name: identifier, kind: "RDS instance", engine: "PostgreSQL", port: POSTGRES_PORT, securityGroupName: `${identifier}-rds-sg` },
      (settings) => new DbSubnetGroup(this, "subnet-group", settings),
    );

    const parameterGroup = new DbParameterGroup(this, "parameter-group", {
      // The family is part of the name, so a major upgrade creates the new group before the old goes.
      name: `${identifier}-postgres${major}`,
      family: `postgres${major}`,
      description: `PostgreSQL ${major} settings of RDS instance ${identifier}: TLS required`,
      parameter: [{ name: "rds.force_ssl", value: "1" }],
      lifecycle: { createBeforeDestroy: true },
    });

    const monitoringRole = this.monitoringRole(identifier, account);

    // Created first so RDS writes into groups with our retention and key rather than making
    // never-expiring, AWS-key groups itself.
    const logGroups = LOG_EXPORTS.map(
      (log) =>
        new EncryptedLogGroup(this, `${log}-logs`, {
          name: `/aws/rds/instance/${identifier}/${log}`,
          keyAlias: `${identifier}-rds-${log}-logs`,
          account,
          retentionInDays: props.logRetentionDays,
        }),
    );

    const instance = new DbInstance(this, "instance", {
      identifier,
      engine: "postgres",
      engineVersion,
      instanceClass,
      dbName,
      port: POSTGRES_PORT,
      username: masterUsername,
      // RDS generates and rotates the password in Secrets Manager: none in code, plan or state.
      manageMasterUserPassword: true,
      masterUserSecretKmsKeyId: key.keyArn,
      iamDatabaseAuthenticationEnabled: true,
      allocatedStorage,
      maxAllocatedStorage,
      storageType,
      storageEncrypted: true,
      kmsKeyId: key.keyArn,
      dbSubnetGroupName: network.subnetGroupName,
      vpcSecurityGroupIds: [network.securityGroupId],
      publiclyAccessible: false,
      multiAz: props.multiAz,
      parameterGroupName: parameterGroup.name,
      caCertIdentifier: "rds-ca-rsa2048-g1",
      backupRetentionPeriod: props.backupRetentionPeriod,
      backupWindow,
      maintenanceWindow,
      copyTagsToSnapshot: true,
      // Keep automated backups for their retention period even after the instance is deleted.
      deleteAutomatedBackups: false,
      skipFinalSnapshot: false,
      finalSnapshotIdentifier: `${identifier}-final`,
      deletionProtection: props.deletionProtection,
      performanceInsightsEnabled: true,
      performanceInsightsKmsKeyId: key.keyArn,
      performanceInsightsRetentionPeriod: props.performanceInsightsRetentionDays,
      monitoringInterval,
      monitoringRoleArn: monitoringRole.role.arn,
      enabledCloudwatchLogsExports: [...LOG_EXPORTS],
      autoMinorVersionUpgrade: true,
      // Changes wait for the maintenance window instead of restarting the database mid-day.
      applyImmediately: false,
      // RDS rejects a monitoring role whose policy is not attached yet.
      dependsOn: [monitoringRole.attachment, ...logGroups.map((g) => g.resource)],
    });

    this.endpoint = instance.endpoint;
    this.address = instance.address;
    this.port = instance.port;
    this.databaseName = instance.dbName;
    this.masterUserSecretArn = instance.masterUserSecret.get(0).secretArn;
    this.securityGroupId = network.securityGroupId;
    this.instanceArn = instance.arn;
    this.instanceIdentifier = instance.identifier;
    this.encryptionKeyArn = key.keyArn;
  }

  /** The role Enhanced Monitoring assumes to publish OS metrics, trusted only for this account. */
  private monitoringRole(identifier: string, account: AwsAccount): { role: IamRole; attachment: IamRolePolicyAttachment } {
    // RDS may assume it only for this account's instances.
    const trust = serviceTrustPolicy(this, "monitoring-role-trust", "monitoring.rds.amazonaws.com", account.accountId);
    const role = new IamRole(this, "monitoring-role", {
      name: `${identifier}${MONITORING_ROLE_SUFFIX}`,
      description: `Enhanced Monitoring of RDS instance ${identifier}`,
      assumeRolePolicy: trust.json,
    });
    const attachment = new IamRolePolicyAttachment(this, "monitoring-role-policy", {
      role: role.name,
      policyArn: `arn:${account.partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole`,
    });
    return { role, attachment };
  }

  /**
   * The instance of another stack (the in-cluster stack's view of the platform's), found by its
   * identifier when planned: its endpoint, its RDS-managed master secret, and IAM connect grants.
   */
  static fromLookup(scope: Construct, id: string, attributes: RdsLookupAttributes): RdsReference {
    return new RdsReference(scope, id, attributes);
  }
}

export interface RdsLookupAttributes {
  readonly account: Pick<AwsAccount, "partition" | "accountId">;
  readonly region: string;
  readonly identifier: string;
}

/** An RDS instance another stack created, read through the `aws_db_instance` data source. */
export class RdsReference {
  readonly instance: DataAwsDbInstance;
  private readonly attributes: RdsLookupAttributes;

  constructor(scope: Construct, id: string, attributes: RdsLookupAttributes) {
    this.instance = new DataAwsDbInstance(scope, id, { dbInstanceIdentifier: attributes.identifier });
    this.attributes = attributes;
  }

  /**
   * The statement granting a role to log in as `user` with IAM database authentication
   * (`rds-db:connect` on that user of this instance's resource id). Give it to the role's policy.
   */
  grantConnect(user: string, sid?: string): DataAwsIamPolicyDocumentStatement {
    const { account, region } = this.attributes;
    return {
      ...(sid === undefined ? {} : { sid }),
      effect: "Allow",
      actions: ["rds-db:connect"],
      resources: [`arn:${account.partition}:rds-db:${region}:${account.accountId}:dbuser:${this.instance.resourceId}/${user}`],
    };
  }
}

/** "16" of "16" or "16.4"; empty for anything else. */
function postgresMajor(engineVersion: string): string {
  return /^(\d+)(\.\d+)?$/.exec(engineVersion)?.[1] ?? "";
}

function checkRdsIdentifier(problems: ProblemSink, identifier: string): void {
  const ok = isLowercaseHyphenatedId(identifier, 63);
  problems.check(
    ok,
    "identifier",
    `${quote(identifier)} is not an RDS identifier (lowercase letter first, then lowercase letters, digits and single hyphens, at most 63, not ending with a hyphen)`,
  );
  const roleName = `${identifier}${MONITORING_ROLE_SUFFIX}`;
  if (ok) {
    problems.check(
      roleName.length <= 64,
      "identifier",
      `${quote(identifier)} is too long for the monitoring role name ${quote(roleName)} (at most ${64 - MONITORING_ROLE_SUFFIX.length} characters)`,
    );
  }
}
