import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { TerraformOutput } from "../../src/cdktf";
import { AwsAccount } from "../../src/modules/shared/aws-account";
import { ElastiCache, ElastiCacheProps } from "../../src/modules/elasticache";
import { Block, onlyResource, resources, synthScopeJson, SynthJson, attributeNames, moduleSynth, TEST_NETWORK } from "../helpers/synth";

type Props = Omit<ElastiCacheProps, "account">;

const APP_SG = TEST_NETWORK.appSecurityGroupId;
const base: Props = {
  clusterId: "mindhit-test",
  vpcId: TEST_NETWORK.vpcId,
  subnetIds: [...TEST_NETWORK.subnetIds],
  allowedSecurityGroupIds: [APP_SG],
};

const synth = moduleSynth((scope, props: ElastiCacheProps) => new ElastiCache(scope, "cache", props), base);

function user(json: SynthJson, userName: string): Block {
  const found = resources(json, "aws_elasticache_user").find((u) => u.user_name === userName);
  if (!found) throw new Error(`no ElastiCache user ${userName}`);
  return found;
}

describe("ElastiCache", () => {
  const json = synth();
  const group = onlyResource(json, "aws_elasticache_replication_group");

  it("defaults to the seed's single Redis 7 node", () => {
    expect(group).toMatchObject({
      replication_group_id: "mindhit-test",
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
    const g = onlyResource(
      synth({
        replicas: 2,
        nodeType: "cache.r7g.large",
        engineVersion: "7.0",
        port: 6380,
        snapshotRetentionLimit: 0,
        snapshotWindow: "15:00-16:00",
        maintenanceWindow: "sat:20:00-sat:21:00",
        parameterGroupName: "mindhit-redis7",
      }),
      "aws_elasticache_replication_group",
    );
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
    const alias = resources(json, "aws_kms_alias").find((a) => a.name === "alias/mindhit-test-elasticache");
    const keyName = /^\$\{aws_kms_key\.([^.]+)\.key_id\}$/.exec(String(alias?.target_key_id))?.[1] ?? "";
    expect(group).toMatchObject({
      transit_encryption_enabled: true,
      transit_encryption_mode: "required",
      at_rest_encryption_enabled: "true",
      kms_key_id: `\${aws_kms_key.${keyName}.arn}`,
    });
    expect(json.resource?.aws_kms_key?.[keyName]).toMatchObject({ enable_key_rotation: true });
  });

  it("authenticates with RBAC and IAM: the default user is off and the app user signs in with IAM", () => {
    expect(user(json, "default")).toEqual({
      user_id: "mindhit-test-default",
      user_name: "default",
      engine: "redis",
      access_string: "off -@all",
      authentication_mode: { type: "no-password-required" },
    });
    expect(user(json, "mindhit-test-app")).toEqual({
      user_id: "mindhit-test-app",
      user_name: "mindhit-test-app",
      engine: "redis",
      access_string: "on ~* +@all -@dangerous",
      authentication_mode: { type: "iam" },
    });
    const userGroup = onlyResource(json, "aws_elasticache_user_group");
    expect(userGroup).toEqual({
      user_group_id: "mindhit-test-users",
      engine: "redis",
      user_ids: [expect.stringMatching(/^\$\{aws_elasticache_user\..+\.user_id\}$/), expect.stringMatching(/^\$\{aws_elasticache_user\..+\.user_id\}$/)],
    });
    expect(group.user_group_ids).toEqual([expect.stringMatching(/^\$\{aws_elasticache_user_group\..+\.user_group_id\}$/)]);
  });

  it("takes a custom app user name", () => {
    expect(user(synth({ appUserName: "worker" }), "worker")).toMatchObject({ user_id: "worker", authentication_mode: { type: "iam" } });
  });

  it("puts no password or auth token anywhere in the configuration", () => {
    expect(attributeNames({ resource: json.resource, data: json.data }).filter((n) => /password|auth_token/i.test(n))).toEqual([]);
  });

  it("places the group in a subnet group named after it", () => {
    expect(onlyResource(json, "aws_elasticache_subnet_group")).toMatchObject({ name: "mindhit-test", subnet_ids: base.subnetIds });
    expect(group.subnet_group_name).toMatch(/^\$\{aws_elasticache_subnet_group\..+\.name\}$/);
  });

  it("admits only the allowed security groups, only on the Redis port, and allows no egress", () => {
    const json2 = synth({ allowedSecurityGroupIds: [APP_SG, "sg-0fedcba9876543210"], port: 6380 });
    const sg = onlyResource(json2, "aws_security_group");
    expect(sg).toMatchObject({ name: "mindhit-test-redis-sg", vpc_id: base.vpcId });
    expect(sg).not.toHaveProperty("ingress");
    expect(sg).not.toHaveProperty("egress");
    const rules = resources(json2, "aws_vpc_security_group_ingress_rule");
    expect(rules.map((r) => r.referenced_security_group_id)).toEqual([APP_SG, "sg-0fedcba9876543210"]);
    for (const rule of rules) {
      expect(rule).toMatchObject({
        ip_protocol: "tcp",
        from_port: 6380,
        to_port: 6380,
        security_group_id: expect.stringMatching(/^\$\{aws_security_group\..+\.id\}$/),
      });
      expect(rule).not.toHaveProperty("cidr_ipv4");
    }
    expect(resources(json2, "aws_vpc_security_group_egress_rule")).toEqual([]);
    expect(onlyResource(json2, "aws_elasticache_replication_group").security_group_ids).toEqual([expect.stringMatching(/^\$\{aws_security_group\..+\.id\}$/)]);
  });

  it("upgrades minor versions and applies changes in the maintenance window", () => {
    expect(group).toMatchObject({ auto_minor_version_upgrade: "true", apply_immediately: false });
  });

  it("exposes outputs that reference the group's attributes", () => {
    const out = synthScopeJson((scope) => {
      const account = new AwsAccount(scope, "account");
      const cache = new ElastiCache(scope, "cache", { ...base, account });
      const outputs: Record<string, string | number> = {
        endpoint: cache.endpoint,
        readerEndpoint: cache.readerEndpoint,
        port: cache.port,
        securityGroupId: cache.securityGroupId,
        replicationGroupArn: cache.replicationGroupArn,
        appUserName: cache.appUserName,
        userGroupId: cache.userGroupId,
      };
      for (const [name, value] of Object.entries(outputs)) new TerraformOutput(scope, name, { value });
    }).output as Record<string, Block>;
    expect(Object.fromEntries(Object.entries(out).map(([name, o]) => [name, o.value]))).toEqual({
      endpoint: expect.stringMatching(/^\$\{aws_elasticache_replication_group\..+\.primary_endpoint_address\}$/),
      readerEndpoint: expect.stringMatching(/^\$\{aws_elasticache_replication_group\..+\.reader_endpoint_address\}$/),
      port: expect.stringMatching(/^\$\{aws_elasticache_replication_group\..+\.port\}$/),
      securityGroupId: expect.stringMatching(/^\$\{aws_security_group\..+\.id\}$/),
      replicationGroupArn: expect.stringMatching(/^\$\{aws_elasticache_replication_group\..+\.arn\}$/),
      appUserName: expect.stringMatching(/^\$\{aws_elasticache_user\..+\.user_name\}$/),
      userGroupId: expect.stringMatching(/^\$\{aws_elasticache_user_group\..+\.user_group_id\}$/),
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
    const doc = synthScopeJson((scope) => {
      const account = new AwsAccount(scope, "account");
      const cache = new ElastiCache(scope, "cache", { ...base, account });
      new DataAwsIamPolicyDocument(scope, "app-policy", { statement: [cache.grantConnect()] });
    }).data?.aws_iam_policy_document?.["app-policy"];
    expect(doc?.statement).toEqual([
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
