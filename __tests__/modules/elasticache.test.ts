import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { ElasticacheReplicationGroup } from "@cdktf/provider-aws/lib/elasticache-replication-group";
import { ElasticacheSubnetGroup } from "@cdktf/provider-aws/lib/elasticache-subnet-group";
import { ElasticacheUser } from "@cdktf/provider-aws/lib/elasticache-user";
import { ElasticacheUserGroup } from "@cdktf/provider-aws/lib/elasticache-user-group";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { AwsAccount } from "../../src/modules/shared/aws-account";
import { ElastiCache, ElastiCacheProps } from "../../src/modules/elasticache";
import { dataStoreModule, expectAdmitsOnly, keyBehindAlias, OTHER_SECURITY_GROUP, TEST_NETWORK } from "../helpers/data-store";
import { attributeNames } from "../helpers/synth";
import { Template } from "../helpers/template";

type Props = Omit<ElastiCacheProps, "account">;

const APP_SG = TEST_NETWORK.appSecurityGroupId;
const { base, synth, expectAttributes } = dataStoreModule((scope, props: ElastiCacheProps) => new ElastiCache(scope, "cache", props), {
  clusterId: "mindhit-test",
});

/** An RBAC user as the module writes it. */
const redisUser = (userId: string, userName: string, accessString: string, authentication: string): Record<string, unknown> => ({
  user_id: userId,
  user_name: userName,
  engine: "redis",
  access_string: accessString,
  authentication_mode: { type: authentication },
});

describe("ElastiCache", () => {
  const template = synth();
  const group = template.only(ElasticacheReplicationGroup);

  it("defaults to the seed's single Redis 7 node", () => {
    expect(group).toMatchObject({
      replication_group_id: base.clusterId,
      engine: "redis",
      engine_version: "7.1",
      node_type: "cache.t3.micro",
      parameter_group_name: "default.redis7",
      port: 6379,
      num_cache_clusters: 1,
      automatic_failover_enabled: false,
      multi_az_enabled: false,
      snapshot_retention_limit: 7,
      snapshot_window: "17:00-18:00",
      maintenance_window: "sun:20:00-sun:21:00",
    });
  });

  it("adds replicas with automatic failover across AZs", () => {
    const g = synth({
      replicas: 2,
      nodeType: "cache.r7g.large",
      engineVersion: "7.0",
      port: 6380,
      snapshotRetentionLimit: 0,
      snapshotWindow: "15:00-16:00",
      maintenanceWindow: "sat:20:00-sat:21:00",
      parameterGroupName: "mindhit-redis7",
    }).only(ElasticacheReplicationGroup);
    expect(g).toMatchObject({
      num_cache_clusters: 3,
      automatic_failover_enabled: true,
      multi_az_enabled: true,
      node_type: "cache.r7g.large",
      engine_version: "7.0",
      port: 6380,
      snapshot_retention_limit: 0,
      snapshot_window: "15:00-16:00",
      maintenance_window: "sat:20:00-sat:21:00",
      parameter_group_name: "mindhit-redis7",
    });
  });

  it("requires TLS and encrypts at rest with its own rotating key", () => {
    const { arn, key } = keyBehindAlias(template, "mindhit-test-elasticache");
    expect(group).toMatchObject({
      transit_encryption_enabled: true,
      transit_encryption_mode: "required",
      at_rest_encryption_enabled: "true",
      kms_key_id: arn,
    });
    expect(key).toMatchObject({ enable_key_rotation: true });
  });

  it("authenticates with RBAC and IAM: the default user is off and the app user signs in with IAM", () => {
    // Exactly these two users.
    expect(template.resources(ElasticacheUser)).toEqual([
      redisUser("mindhit-test-app", "mindhit-test-app", "on ~* +@all -@dangerous", "iam"),
      redisUser("mindhit-test-default", "default", "off -@all", "no-password-required"),
    ]);
    expect(template.only(ElasticacheUserGroup)).toEqual({
      user_group_id: "mindhit-test-users",
      engine: "redis",
      user_ids: [expect.stringMatching(/^\$\{aws_elasticache_user\..+\.user_id\}$/), expect.stringMatching(/^\$\{aws_elasticache_user\..+\.user_id\}$/)],
    });
    expect(group.user_group_ids).toEqual([expect.stringMatching(/^\$\{aws_elasticache_user_group\..+\.user_group_id\}$/)]);
  });

  it("takes a custom app user name", () => {
    expect(synth({ appUserName: "worker" }).only(ElasticacheUser, { user_name: "worker" })).toMatchObject({
      user_id: "worker",
      authentication_mode: { type: "iam" },
    });
  });

  it("puts no password or auth token anywhere in the configuration", () => {
    expect(attributeNames({ resource: template.json.resource, data: template.json.data }).filter((n) => /password|auth_token/i.test(n))).toEqual([]);
  });

  it("places the group in a subnet group named after it", () => {
    expect(template.only(ElasticacheSubnetGroup)).toMatchObject({ name: "mindhit-test", subnet_ids: base.subnetIds });
    expect(group.subnet_group_name).toMatch(/^\$\{aws_elasticache_subnet_group\..+\.name\}$/);
  });

  it("admits only the allowed security groups, only on the Redis port, and allows no egress", () => {
    const twoGroups = synth({ allowedSecurityGroupIds: [APP_SG, OTHER_SECURITY_GROUP], port: 6380 });
    expectAdmitsOnly(twoGroups, { name: "mindhit-test-redis-sg", port: 6380, allowed: [APP_SG, OTHER_SECURITY_GROUP] });
    expect(twoGroups.only(ElasticacheReplicationGroup).security_group_ids).toEqual([expect.stringMatching(/^\$\{aws_security_group\..+\.id\}$/)]);
  });

  it("upgrades minor versions and applies changes in the maintenance window", () => {
    expect(group).toMatchObject({ auto_minor_version_upgrade: "true", apply_immediately: false });
  });

  it("exposes outputs that reference the group's attributes", () => {
    expectAttributes(ElasticacheReplicationGroup, {
      endpoint: "primary_endpoint_address",
      readerEndpoint: "reader_endpoint_address",
      port: "port",
      securityGroupId: [SecurityGroup, "id"],
      replicationGroupArn: "arn",
      appUserName: [ElasticacheUser, "user_name"],
      userGroupId: [ElasticacheUserGroup, "user_group_id"],
    });
  });

  it("from another stack, grants the same by the names both stacks derive", () => {
    const reference = ElastiCache.fromAttributes({
      account: { partition: "aws", accountId: "111111111111" },
      region: "ap-northeast-2",
      replicationGroupId: "mindhit-test",
    });
    expect(reference.grantConnect("Connect")).toEqual({
      sid: "Connect",
      effect: "Allow",
      actions: ["elasticache:Connect"],
      resources: [
        "arn:aws:elasticache:ap-northeast-2:111111111111:replicationgroup:mindhit-test",
        "arn:aws:elasticache:ap-northeast-2:111111111111:user:mindhit-test-app",
      ],
    });
  });

  it("grants elasticache:Connect on the group and the app user only", () => {
    const doc = Template.fromScope((scope) => {
      const cache = new ElastiCache(scope, "cache", { ...base, account: new AwsAccount(scope, "account") });
      new DataAwsIamPolicyDocument(scope, "app-policy", { statement: [cache.grantConnect()] });
    }).dataSourcesById(DataAwsIamPolicyDocument)["app-policy"];
    expect(doc.statement).toEqual([
      {
        effect: "Allow",
        actions: ["elasticache:Connect"],
        resources: [
          expect.stringMatching(/^\$\{aws_elasticache_replication_group\..+\.arn\}$/),
          expect.stringMatching(/^\$\{aws_elasticache_user\.cache_app-user_[A-F0-9]+\.arn\}$/),
        ],
      },
    ]);
  });

  it.each<[string, Partial<Props>, string]>([
    [
      "an id with uppercase letters",
      { clusterId: "Mindhit" },
      'clusterId "Mindhit" is not a replication group id (lowercase letter first, then lowercase letters, digits and single hyphens, at most 40, not ending with a hyphen)',
    ],
    ["an id over 40 characters", { clusterId: `m${"x".repeat(40)}` }, `clusterId "m${"x".repeat(40)}" is not a replication group id`],
    ["an id with a double hyphen", { clusterId: "mindhit--test" }, 'clusterId "mindhit--test" is not a replication group id'],
    ["an id ending with a hyphen", { clusterId: "mindhit-" }, 'clusterId "mindhit-" is not a replication group id'],
    [
      "an id too long for the RBAC user ids",
      { clusterId: `m${"x".repeat(32)}` },
      `clusterId "m${"x".repeat(32)}" is too long for the derived user id "m${"x".repeat(32)}-default" (at most 32 characters)`,
    ],
    [
      "a bad node type",
      { nodeType: "t3.micro" },
      'nodeType "t3.micro" is not an ElastiCache node type (cache.<family>.<size>, e.g. "cache.t3.micro", "cache.r7g.large")',
    ],
    ["Redis 6", { engineVersion: "6.2" }, 'engineVersion "6.2" is not allowed (Redis 7 as major.minor, e.g. "7.1"; IAM authentication needs 7.0 or later)'],
    ["a bare major version", { engineVersion: "7" }, 'engineVersion "7" is not allowed'],
    [
      "a default parameter group of another family",
      { parameterGroupName: "default.redis6.x" },
      'parameterGroupName "default.redis6.x" is not allowed (a custom redis7 parameter group, or "default.redis7" for this non-clustered group)',
    ],
    [
      "the cluster-mode default parameter group",
      { parameterGroupName: "default.redis7.cluster.on" },
      'parameterGroupName "default.redis7.cluster.on" is not allowed',
    ],
    ["a privileged port", { port: 80 }, "port 80 is not allowed (whole number 1024-65535)"],
    ["six replicas", { replicas: 6 }, "replicas 6 is not allowed (whole number 0-5)"],
    ["a negative replica count", { replicas: -1 }, "replicas -1 is not allowed (whole number 0-5)"],
    ["snapshots kept over 35 days", { snapshotRetentionLimit: 36 }, "snapshotRetentionLimit 36 is not allowed (whole number 0-35)"],
    [
      "a snapshot window under an hour",
      { snapshotWindow: "17:00-17:30" },
      'snapshotWindow "17:00-17:30" is not allowed (hh24:mi-hh24:mi in UTC, at least 60 minutes, e.g. "18:00-19:00")',
    ],
    ["a malformed snapshot window", { snapshotWindow: "5pm" }, 'snapshotWindow "5pm" is not allowed'],
    [
      "a maintenance window under an hour",
      { maintenanceWindow: "sun:20:00-sun:20:30" },
      'maintenanceWindow "sun:20:00-sun:20:30" is not allowed (ddd:hh24:mi-ddd:hh24:mi in UTC with ddd one of mon, tue, wed, thu, fri, sat, sun, 60 minutes to 24 hours, e.g. "sun:19:00-sun:20:00")',
    ],
    [
      "overlapping windows",
      { snapshotWindow: "20:30-21:30" },
      'snapshotWindow "20:30-21:30" overlaps maintenanceWindow "sun:20:00-sun:21:00" (they must not overlap)',
    ],
    [
      "an app user named default",
      { appUserName: "default" },
      'appUserName "default" is not allowed (lowercase letter first, then lowercase letters, digits and single hyphens, at most 40, not "default")',
    ],
    ["an app user name with uppercase letters", { appUserName: "MindhitApp" }, 'appUserName "MindhitApp" is not allowed'],
    [
      "no allowed security group",
      { allowedSecurityGroupIds: [] },
      "allowedSecurityGroupIds must list at least one security group (nothing could connect otherwise)",
    ],
    [
      "a malformed security group id",
      { allowedSecurityGroupIds: ["eks"] },
      'allowedSecurityGroupIds "eks" is not a security group id (e.g. "sg-0123456789abcdef0")',
    ],
    ["no subnet", { subnetIds: [] }, "subnetIds lists 0 subnet(s); a subnet group needs at least 1 subnet"],
    [
      "replicas in one subnet",
      { replicas: 1, subnetIds: ["subnet-0aaaaaaaaaaaaaaaa"] },
      "subnetIds lists 1 subnet(s); replicas need subnets in at least 2 availability zones",
    ],
  ])("rejects %s", (_label, props, expected) => {
    expect(() => synth(props)).toThrow(`stack/cache: ${expected}`);
  });
});
