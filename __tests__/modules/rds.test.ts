import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { TerraformOutput } from "../../src/cdktf";
import { AwsAccount } from "../../src/modules/shared/aws-account";
import { Rds, RdsProps } from "../../src/modules/rds";
import { Block, onlyResource, policyDocumentFor, resources, synthScopeJson, SynthJson, attributeNames, moduleSynth, TEST_NETWORK } from "../helpers/synth";

type Props = Omit<RdsProps, "account">;

const APP_SG = TEST_NETWORK.appSecurityGroupId;
const base: Props = {
  identifier: "mindhit-test",
  vpcId: TEST_NETWORK.vpcId,
  subnetIds: [...TEST_NETWORK.subnetIds],
  allowedSecurityGroupIds: [APP_SG],
};

const synth = moduleSynth((scope, props: RdsProps) => new Rds(scope, "db", props), base);

describe("Rds.fromLookup (the in-cluster stack's view)", () => {
  it("reads the instance by identifier and grants rds-db:connect as one user of its resource id", () => {
    const json = synthScopeJson((scope) => {
      const database = Rds.fromLookup(scope, "database", {
        account: { partition: "aws", accountId: "111111111111" },
        region: "ap-northeast-2",
        identifier: "mindhit-test",
      });
      new TerraformOutput(scope, "grant", { value: database.grantConnect("mindhit_app", "Connect") });
    });
    expect(json.data?.aws_db_instance?.database).toEqual({ db_instance_identifier: "mindhit-test" });
    expect(json.output?.grant?.value).toEqual({
      sid: "Connect",
      effect: "Allow",
      actions: ["rds-db:connect"],
      resources: ["arn:aws:rds-db:ap-northeast-2:111111111111:dbuser:${data.aws_db_instance.database.resource_id}/mindhit_app"],
    });
  });
});

/** The `${aws_kms_key.<name>.arn}` reference of the key behind `alias/<alias>`. */
function keyArnReference(json: SynthJson, alias: string): string {
  const found = resources(json, "aws_kms_alias").find((a) => a.name === `alias/${alias}`);
  const match = /^\$\{aws_kms_key\.([^.]+)\.key_id\}$/.exec(String(found?.target_key_id));
  if (!match) throw new Error(`no KMS alias ${alias}`);
  return `\${aws_kms_key.${match[1]}.arn}`;
}

describe("Rds", () => {
  const json = synth();
  const instance = onlyResource(json, "aws_db_instance");

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
    const db = onlyResource(
      synth({
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
      }),
      "aws_db_instance",
    );
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
    expect(instance.master_user_secret_kms_key_id).toBe(keyArnReference(json, "mindhit-test-rds"));
  });

  it("puts no password or auth token anywhere in the configuration", () => {
    const names = attributeNames({ resource: json.resource, data: json.data });
    expect(names.filter((n) => /password|auth_token/.test(n))).toEqual(["manage_master_user_password"]);
  });

  it("encrypts storage and Performance Insights with its own rotating key", () => {
    const keyArn = keyArnReference(json, "mindhit-test-rds");
    expect(instance).toMatchObject({ storage_encrypted: true, kms_key_id: keyArn, performance_insights_kms_key_id: keyArn });
    const keyName = /^\$\{aws_kms_key\.([^.]+)\.arn\}$/.exec(keyArn)?.[1] ?? "";
    expect(json.resource?.aws_kms_key?.[keyName]).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 30 });
  });

  it("is private, TLS-only, IAM-authenticating and on the RSA 2048 CA", () => {
    expect(instance).toMatchObject({
      publicly_accessible: false,
      iam_database_authentication_enabled: true,
      ca_cert_identifier: "rds-ca-rsa2048-g1",
    });
    const group = onlyResource(json, "aws_db_parameter_group");
    expect(group).toMatchObject({
      name: "mindhit-test-postgres16",
      family: "postgres16",
      parameter: [{ name: "rds.force_ssl", value: "1" }],
      lifecycle: { create_before_destroy: true },
    });
    expect(instance.parameter_group_name).toMatch(/^\$\{aws_db_parameter_group\..+\.name\}$/);
  });

  it("takes the parameter group family from the major version", () => {
    expect(onlyResource(synth({ engineVersion: "15.8" }), "aws_db_parameter_group")).toMatchObject({ family: "postgres15", name: "mindhit-test-postgres15" });
  });

  it("places the instance in a subnet group named after it", () => {
    expect(onlyResource(json, "aws_db_subnet_group")).toMatchObject({ name: "mindhit-test", subnet_ids: base.subnetIds });
    expect(instance.db_subnet_group_name).toMatch(/^\$\{aws_db_subnet_group\..+\.name\}$/);
  });

  it("admits only the allowed security groups, only on tcp 5432, and allows no egress", () => {
    const json2 = synth({ allowedSecurityGroupIds: [APP_SG, "sg-0fedcba9876543210"] });
    const group = onlyResource(json2, "aws_security_group");
    expect(group).toMatchObject({ name: "mindhit-test-rds-sg", vpc_id: base.vpcId });
    expect(group).not.toHaveProperty("ingress");
    expect(group).not.toHaveProperty("egress");
    const rules = resources(json2, "aws_vpc_security_group_ingress_rule");
    expect(rules.map((r) => r.referenced_security_group_id)).toEqual([APP_SG, "sg-0fedcba9876543210"]);
    for (const rule of rules) {
      expect(rule).toMatchObject({
        ip_protocol: "tcp",
        from_port: 5432,
        to_port: 5432,
        security_group_id: expect.stringMatching(/^\$\{aws_security_group\..+\.id\}$/),
      });
      expect(rule).not.toHaveProperty("cidr_ipv4");
      expect(rule).not.toHaveProperty("cidr_ipv6");
    }
    expect(resources(json2, "aws_vpc_security_group_egress_rule")).toEqual([]);
    expect(onlyResource(json2, "aws_db_instance").vpc_security_group_ids).toEqual([expect.stringMatching(/^\$\{aws_security_group\..+\.id\}$/)]);
  });

  it("accepts security groups created in the same stack", () => {
    const json2 = synthScopeJson((scope) => {
      const account = new AwsAccount(scope, "account");
      const app = new SecurityGroup(scope, "app", { name: "app" });
      new Rds(scope, "db", { ...base, allowedSecurityGroupIds: [app.id], account });
    });
    expect(onlyResource(json2, "aws_vpc_security_group_ingress_rule").referenced_security_group_id).toBe("${aws_security_group.app.id}");
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
    const role = onlyResource(json, "aws_iam_role");
    expect(role.name).toBe("mindhit-test-rds-monitoring");
    expect(instance.monitoring_role_arn).toMatch(/^\$\{aws_iam_role\..+\.arn\}$/);
    expect(policyDocumentFor(json, role.assume_role_policy).statement).toEqual([
      {
        effect: "Allow",
        actions: ["sts:AssumeRole"],
        principals: [{ type: "Service", identifiers: ["monitoring.rds.amazonaws.com"] }],
        condition: [
          { test: "StringEquals", variable: "aws:SourceAccount", values: [expect.stringMatching(/^\$\{data\.aws_caller_identity\..+\.account_id\}$/)] },
        ],
      },
    ]);
    expect(onlyResource(json, "aws_iam_role_policy_attachment").policy_arn).toMatch(
      /^arn:\$\{data\.aws_partition\..+\.partition\}:iam::aws:policy\/service-role\/AmazonRDSEnhancedMonitoringRole$/,
    );
    expect(instance.depends_on).toContainEqual(expect.stringMatching(/^aws_iam_role_policy_attachment\./));
  });

  it("exports PostgreSQL and upgrade logs into encrypted groups it creates first", () => {
    expect(instance.enabled_cloudwatch_logs_exports).toEqual(["postgresql", "upgrade"]);
    const groups = resources(json, "aws_cloudwatch_log_group");
    expect(groups.map((g) => g.name)).toEqual(["/aws/rds/instance/mindhit-test/postgresql", "/aws/rds/instance/mindhit-test/upgrade"]);
    for (const group of groups) expect(group).toMatchObject({ retention_in_days: 365, kms_key_id: expect.stringMatching(/^\$\{aws_kms_key\..+\.arn\}$/) });
    expect((instance.depends_on as string[]).filter((d) => d.startsWith("aws_cloudwatch_log_group."))).toHaveLength(2);
  });

  it("exposes outputs that reference the instance's attributes", () => {
    const out = synthScopeJson((scope) => {
      const account = new AwsAccount(scope, "account");
      const db = new Rds(scope, "db", { ...base, account });
      const outputs: Record<string, string | number> = {
        endpoint: db.endpoint,
        address: db.address,
        port: db.port,
        databaseName: db.databaseName,
        masterUserSecretArn: db.masterUserSecretArn,
        securityGroupId: db.securityGroupId,
        instanceArn: db.instanceArn,
        instanceIdentifier: db.instanceIdentifier,
        encryptionKeyArn: db.encryptionKeyArn,
      };
      for (const [name, value] of Object.entries(outputs)) new TerraformOutput(scope, name, { value });
    }).output as Record<string, Block>;
    const values = Object.fromEntries(Object.entries(out).map(([name, o]) => [name, o.value]));
    expect(values).toEqual({
      endpoint: expect.stringMatching(/^\$\{aws_db_instance\..+\.endpoint\}$/),
      address: expect.stringMatching(/^\$\{aws_db_instance\..+\.address\}$/),
      port: expect.stringMatching(/^\$\{aws_db_instance\..+\.port\}$/),
      databaseName: expect.stringMatching(/^\$\{aws_db_instance\..+\.db_name\}$/),
      masterUserSecretArn: expect.stringMatching(/^\$\{aws_db_instance\..+\.master_user_secret\[0\]\.secret_arn\}$/),
      securityGroupId: expect.stringMatching(/^\$\{aws_security_group\..+\.id\}$/),
      instanceArn: expect.stringMatching(/^\$\{aws_db_instance\..+\.arn\}$/),
      instanceIdentifier: expect.stringMatching(/^\$\{aws_db_instance\..+\.identifier\}$/),
      encryptionKeyArn: expect.stringMatching(/^\$\{aws_kms_key\..+\.arn\}$/),
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
