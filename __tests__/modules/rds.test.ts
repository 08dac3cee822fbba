import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsDbInstance } from "@cdktf/provider-aws/lib/data-aws-db-instance";
import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { DbParameterGroup } from "@cdktf/provider-aws/lib/db-parameter-group";
import { DbSubnetGroup } from "@cdktf/provider-aws/lib/db-subnet-group";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { AwsAccount } from "../../src/modules/shared/aws-account";
import { Rds, RdsProps } from "../../src/modules/rds";
import { dataStoreModule, expectAdmitsOnly, keyBehindAlias, OTHER_SECURITY_GROUP, TEST_NETWORK } from "../helpers/data-store";
import { attributeNames } from "../helpers/synth";
import { Template } from "../helpers/template";

type Props = Omit<RdsProps, "account">;

const APP_SG = TEST_NETWORK.appSecurityGroupId;
const { base, synth, expectAttributes } = dataStoreModule((scope, props: RdsProps) => new Rds(scope, "db", props), { identifier: "mindhit-test" });

describe("Rds.fromLookup (the in-cluster stack's view)", () => {
  it("reads the instance by identifier and grants rds-db:connect as one user of its resource id", () => {
    const template = Template.withOutputs((scope) => {
      const database = Rds.fromLookup(scope, "database", {
        account: { partition: "aws", accountId: "111111111111" },
        region: "ap-northeast-2",
        identifier: "mindhit-test",
      });
      return { grant: database.grantConnect("mindhit_app", "Connect") };
    });
    expect(template.dataSourcesById(DataAwsDbInstance)).toEqual({ database: { db_instance_identifier: "mindhit-test" } });
    expect(template.outputValues().grant).toEqual({
      sid: "Connect",
      effect: "Allow",
      actions: ["rds-db:connect"],
      resources: ["arn:aws:rds-db:ap-northeast-2:111111111111:dbuser:${data.aws_db_instance.database.resource_id}/mindhit_app"],
    });
  });
});

describe("Rds", () => {
  const template = synth();
  const instance = template.only(DbInstance);
  /** The module's own key: storage, Performance Insights and the master password's secret use it. */
  const ownKey = keyBehindAlias(template, "mindhit-test-rds");

  it("defaults to the seed's PostgreSQL 16 instance", () => {
    expect(instance).toMatchObject({
      identifier: "mindhit-test",
      engine: "postgres",
      engine_version: "16",
      instance_class: "db.t3.small",
      db_name: "mindhit",
      port: 5432,
      allocated_storage: 20,
      max_allocated_storage: 100,
      storage_type: "gp3",
      backup_retention_period: 7,
      backup_window: "18:00-19:00",
      maintenance_window: "sun:19:30-sun:20:30",
      multi_az: false,
      deletion_protection: false,
      username: "mindhit_admin",
      performance_insights_enabled: true,
      performance_insights_retention_period: 7,
      monitoring_interval: 60,
    });
  });

  it("applies overrides", () => {
    const db = synth({
      dbName: "app",
      instanceClass: "db.r6g.large",
      engineVersion: "17.2",
      allocatedStorage: 50,
      maxAllocatedStorage: 500,
      storageType: "io2",
      backupRetentionPeriod: 14,
      backupWindow: "16:00-16:30",
      maintenanceWindow: "sat:20:00-sat:21:00",
      multiAz: true,
      deletionProtection: true,
      masterUsername: "owner",
      performanceInsightsRetentionDays: 731,
      monitoringInterval: 15,
    }).only(DbInstance);
    expect(db).toMatchObject({
      db_name: "app",
      instance_class: "db.r6g.large",
      engine_version: "17.2",
      allocated_storage: 50,
      max_allocated_storage: 500,
      storage_type: "io2",
      backup_retention_period: 14,
      backup_window: "16:00-16:30",
      maintenance_window: "sat:20:00-sat:21:00",
      multi_az: true,
      deletion_protection: true,
      username: "owner",
      performance_insights_retention_period: 731,
      monitoring_interval: 15,
    });
  });

  it("lets RDS manage the master password in Secrets Manager, encrypted with the module's key", () => {
    expect(instance.manage_master_user_password).toBe(true);
    expect(instance.master_user_secret_kms_key_id).toBe(ownKey.arn);
  });

  it("puts no password or auth token anywhere in the configuration", () => {
    const names = attributeNames({ resource: template.json.resource, data: template.json.data });
    expect(names.filter((n) => /password|auth_token/.test(n))).toEqual(["manage_master_user_password"]);
  });

  it("encrypts storage and Performance Insights with its own rotating key", () => {
    expect(instance).toMatchObject({ storage_encrypted: true, kms_key_id: ownKey.arn, performance_insights_kms_key_id: ownKey.arn });
    expect(ownKey.key).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 30 });
  });

  it("is private, TLS-only, IAM-authenticating and on the RSA 2048 CA", () => {
    expect(instance).toMatchObject({
      publicly_accessible: false,
      iam_database_authentication_enabled: true,
      ca_cert_identifier: "rds-ca-rsa2048-g1",
    });
    expect(template.only(DbParameterGroup)).toMatchObject({
      name: "mindhit-test-postgres16",
      family: "postgres16",
      parameter: [{ name: "rds.force_ssl", value: "1" }],
      lifecycle: { create_before_destroy: true },
    });
    expect(instance.parameter_group_name).toMatch(/^\$\{aws_db_parameter_group\..+\.name\}$/);
  });

  it("takes the parameter group family from the major version", () => {
    expect(synth({ engineVersion: "15.8" }).only(DbParameterGroup)).toMatchObject({ family: "postgres15", name: "mindhit-test-postgres15" });
  });

  it("places the instance in a subnet group named after it", () => {
    expect(template.only(DbSubnetGroup)).toMatchObject({ name: "mindhit-test", subnet_ids: base.subnetIds });
    expect(instance.db_subnet_group_name).toMatch(/^\$\{aws_db_subnet_group\..+\.name\}$/);
  });

  it("admits only the allowed security groups, only on tcp 5432, and allows no egress", () => {
    const twoGroups = synth({ allowedSecurityGroupIds: [APP_SG, OTHER_SECURITY_GROUP] });
    expectAdmitsOnly(twoGroups, { name: "mindhit-test-rds-sg", port: 5432, allowed: [APP_SG, OTHER_SECURITY_GROUP] });
    expect(twoGroups.only(DbInstance).vpc_security_group_ids).toEqual([expect.stringMatching(/^\$\{aws_security_group\..+\.id\}$/)]);
  });

  it("accepts security groups created in the same stack", () => {
    const sameStack = Template.fromScope((scope) => {
      const app = new SecurityGroup(scope, "app", { name: "app" });
      new Rds(scope, "db", { ...base, allowedSecurityGroupIds: [app.id], account: new AwsAccount(scope, "account") });
    });
    expect(sameStack.only(VpcSecurityGroupIngressRule).referenced_security_group_id).toBe("${aws_security_group.app.id}");
  });

  it("keeps a final snapshot, its backups and tags on snapshots", () => {
    expect(instance).toMatchObject({
      skip_final_snapshot: false,
      final_snapshot_identifier: "mindhit-test-final",
      copy_tags_to_snapshot: true,
      delete_automated_backups: false,
    });
  });

  it("upgrades minor versions and applies changes in the maintenance window", () => {
    expect(instance).toMatchObject({ auto_minor_version_upgrade: true, apply_immediately: false });
  });

  it("runs Enhanced Monitoring with a role only RDS monitoring of this account can assume", () => {
    expect(template.only(IamRole).name).toBe("mindhit-test-rds-monitoring");
    expect(instance.monitoring_role_arn).toMatch(/^\$\{aws_iam_role\..+\.arn\}$/);
    expect(template.trustFor("mindhit-test-rds-monitoring")).toEqual([
      {
        effect: "Allow",
        actions: ["sts:AssumeRole"],
        principals: [{ type: "Service", identifiers: ["monitoring.rds.amazonaws.com"] }],
        condition: [
          { test: "StringEquals", variable: "aws:SourceAccount", values: [expect.stringMatching(/^\$\{data\.aws_caller_identity\..+\.account_id\}$/)] },
        ],
      },
    ]);
    expect(template.only(IamRolePolicyAttachment).policy_arn).toMatch(
      /^arn:\$\{data\.aws_partition\..+\.partition\}:iam::aws:policy\/service-role\/AmazonRDSEnhancedMonitoringRole$/,
    );
    expect(instance.depends_on).toContainEqual(expect.stringMatching(/^aws_iam_role_policy_attachment\./));
  });

  it("exports PostgreSQL and upgrade logs into encrypted groups it creates first", () => {
    expect(instance.enabled_cloudwatch_logs_exports).toEqual(["postgresql", "upgrade"]);
    expect(template.resources(CloudwatchLogGroup)).toMatchObject(
      ["postgresql", "upgrade"].map((log) => ({
        name: `/aws/rds/instance/mindhit-test/${log}`,
        retention_in_days: 365,
        kms_key_id: expect.stringMatching(/^\$\{aws_kms_key\..+\.arn\}$/),
      })),
    );
    expect((instance.depends_on as string[]).filter((d) => d.startsWith(`${CloudwatchLogGroup.tfResourceType}.`))).toHaveLength(2);
  });

  it("exposes outputs that reference the instance's attributes", () => {
    expectAttributes(DbInstance, {
      endpoint: "endpoint",
      address: "address",
      port: "port",
      databaseName: "db_name",
      masterUserSecretArn: "master_user_secret[0].secret_arn",
      securityGroupId: [SecurityGroup, "id"],
      instanceArn: "arn",
      instanceIdentifier: "identifier",
      encryptionKeyArn: [KmsKey, "arn"],
    });
  });

  it.each<[string, Partial<Props>, string]>([
    [
      "an identifier with uppercase and _",
      { identifier: "Mindhit_DB" },
      'identifier "Mindhit_DB" is not an RDS identifier (lowercase letter first, then lowercase letters, digits and single hyphens, at most 63, not ending with a hyphen)',
    ],
    ["an identifier starting with a digit", { identifier: "1mindhit" }, 'identifier "1mindhit" is not an RDS identifier'],
    ["an identifier with a double hyphen", { identifier: "mindhit--db" }, 'identifier "mindhit--db" is not an RDS identifier'],
    ["an identifier ending with a hyphen", { identifier: "mindhit-" }, 'identifier "mindhit-" is not an RDS identifier'],
    ["an identifier over 63 characters", { identifier: `m${"x".repeat(63)}` }, `identifier "m${"x".repeat(63)}" is not an RDS identifier`],
    [
      "an identifier too long for the monitoring role",
      { identifier: `m${"x".repeat(49)}` },
      `identifier "m${"x".repeat(49)}" is too long for the monitoring role name "m${"x".repeat(49)}-rds-monitoring" (at most 49 characters)`,
    ],
    ["one subnet", { subnetIds: ["subnet-0aaaaaaaaaaaaaaaa"] }, "subnetIds lists 1 subnet(s); RDS subnet groups need subnets in at least 2 availability zones"],
    [
      "a malformed subnet id",
      { subnetIds: ["subnet-0aaaaaaaaaaaaaaaa", "private-a"] },
      'subnetIds "private-a" is not a subnet id (e.g. "subnet-0123456789abcdef0")',
    ],
    ["a repeated subnet", { subnetIds: ["subnet-0aaaaaaaaaaaaaaaa", "subnet-0aaaaaaaaaaaaaaaa"] }, 'subnetIds lists "subnet-0aaaaaaaaaaaaaaaa" more than once'],
    [
      "no allowed security group",
      { allowedSecurityGroupIds: [] },
      "allowedSecurityGroupIds must list at least one security group (nothing could connect otherwise)",
    ],
    [
      "a malformed security group id",
      { allowedSecurityGroupIds: ["default"] },
      'allowedSecurityGroupIds "default" is not a security group id (e.g. "sg-0123456789abcdef0")',
    ],
    ["a repeated security group", { allowedSecurityGroupIds: [APP_SG, APP_SG] }, `allowedSecurityGroupIds lists "${APP_SG}" more than once`],
    ["a bad database name", { dbName: "1db" }, 'dbName "1db" is not a PostgreSQL database name (letter first, then letters, digits or _, at most 63)'],
    [
      "a bad instance class",
      { instanceClass: "t3.small" },
      'instanceClass "t3.small" is not an RDS instance class (db.<family>.<size>, e.g. "db.t3.small", "db.r7g.large")',
    ],
    ["an unsupported major version", { engineVersion: "13" }, 'engineVersion "13" is not allowed (PostgreSQL major 14, 15, 16, 17, as "16" or "16.x")'],
    ["a malformed version", { engineVersion: "postgres16" }, 'engineVersion "postgres16" is not allowed'],
    ["storage under 20 GiB", { allocatedStorage: 10 }, "allocatedStorage 10 is not allowed (whole number 20-65536)"],
    [
      "a storage ceiling not above the storage",
      { maxAllocatedStorage: 20 },
      "maxAllocatedStorage 20 is not allowed (whole number above allocatedStorage 20, at most 65536)",
    ],
    ["magnetic storage", { storageType: "standard" }, 'storageType "standard" is not allowed (allowed: gp2, gp3, io1, io2)'],
    ["backups off", { backupRetentionPeriod: 0 }, "backupRetentionPeriod 0 is not allowed (whole number 1-35)"],
    ["backups kept over 35 days", { backupRetentionPeriod: 36 }, "backupRetentionPeriod 36 is not allowed (whole number 1-35)"],
    [
      "a malformed backup window",
      { backupWindow: "3am-4am" },
      'backupWindow "3am-4am" is not allowed (hh24:mi-hh24:mi in UTC, at least 30 minutes, e.g. "18:00-19:00")',
    ],
    [
      "a backup window under 30 minutes",
      { backupWindow: "18:00-18:15" },
      'backupWindow "18:00-18:15" is not allowed (hh24:mi-hh24:mi in UTC, at least 30 minutes',
    ],
    [
      "a malformed maintenance window",
      { maintenanceWindow: "sunday:19:00-sunday:20:00" },
      'maintenanceWindow "sunday:19:00-sunday:20:00" is not allowed (ddd:hh24:mi-ddd:hh24:mi in UTC with ddd one of mon, tue, wed, thu, fri, sat, sun, 30 minutes to 24 hours, e.g. "sun:19:00-sun:20:00")',
    ],
    ["a maintenance window over 24 hours", { maintenanceWindow: "sat:19:00-sun:20:00" }, 'maintenanceWindow "sat:19:00-sun:20:00" is not allowed'],
    [
      "overlapping windows",
      { backupWindow: "20:00-21:00" },
      'backupWindow "20:00-21:00" overlaps maintenanceWindow "sun:19:30-sun:20:30" (they must not overlap)',
    ],
    [
      "windows overlapping across the week's end",
      { backupWindow: "00:00-00:30", maintenanceWindow: "sun:23:45-mon:00:15" },
      'backupWindow "00:00-00:30" overlaps maintenanceWindow "sun:23:45-mon:00:15" (they must not overlap)',
    ],
    [
      "a reserved master user name",
      { masterUsername: "rdsadmin" },
      'masterUsername "rdsadmin" is not allowed (letter first, then letters, digits or _, at most 63, not "rdsadmin")',
    ],
    ["a master user name with a hyphen", { masterUsername: "mindhit-admin" }, 'masterUsername "mindhit-admin" is not allowed'],
    [
      "an unsupported Performance Insights retention",
      { performanceInsightsRetentionDays: 30 },
      "performanceInsightsRetentionDays 30 is not allowed (7, a multiple of 31 up to 713, or 731)",
    ],
    ["Enhanced Monitoring off", { monitoringInterval: 0 }, "monitoringInterval 0 is not allowed (allowed: 1, 5, 10, 15, 30, 60)"],
  ])("rejects %s", (_label, props, expected) => {
    expect(() => synth(props)).toThrow(`stack/db: ${expected}`);
  });

  it("reports every problem at once, one line each", () => {
    expect(() => synth({ backupRetentionPeriod: 0, monitoringInterval: 7 })).toThrow(
      "stack/db: backupRetentionPeriod 0 is not allowed (whole number 1-35)\nstack/db: monitoringInterval 7 is not allowed (allowed: 1, 5, 10, 15, 30, 60)",
    );
  });

  it("accepts windows that touch without overlapping", () => {
    expect(() => synth({ backupWindow: "20:00-21:00", maintenanceWindow: "sun:19:00-sun:20:00" })).not.toThrow();
    expect(() => synth({ backupWindow: "23:30-00:30", maintenanceWindow: "mon:00:30-mon:01:00" })).not.toThrow();
  });
});
