import { DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { ElasticacheReplicationGroup } from "@cdktf/provider-aws/lib/elasticache-replication-group";
import { ElasticacheSubnetGroup } from "@cdktf/provider-aws/lib/elasticache-subnet-group";
import { ElasticacheUser } from "@cdktf/provider-aws/lib/elasticache-user";
import { ElasticacheUserGroup } from "@cdktf/provider-aws/lib/elasticache-user-group";
import { Construct } from "constructs";
import { checkCacheNodeType, checkPlacement, checkWhole, checkWindows, isLowercaseHyphenatedId, ProblemSink, checkProps, quote } from "../validation";
import type { AwsAccount } from "./shared/aws-account";
import { EncryptionKey } from "./shared/encryption-key";
import { Defaults, withDefaults } from "./shared/defaults";
import { addDataStoreNetwork, DataStorePlacement } from "./shared/security-group";

/** Placed in private subnets: one zone will do, two are needed once there are replicas. */
export interface ElastiCacheProps extends DataStorePlacement {
  /** Replication group id; also names the subnet group, security group and RBAC users. Seed: `mindhit-production`. */
  readonly clusterId: string;
  /** @default "cache.t3.micro" */
  readonly nodeType?: string;
  /** Redis OSS 7.x as major.minor (IAM authentication needs 7.0 or later). @default "7.1" */
  readonly engineVersion?: string;
  /** @default "default.redis7" (the seed's) */
  readonly parameterGroupName?: string;
  /** @default 6379 */
  readonly port?: number;
  /** Read replicas beside the primary (0-5); ≥ 1 turns on automatic failover and multi-AZ. @default 0 */
  readonly replicas?: number;
  /** Days of daily snapshots to keep (0-35, 0 turns snapshots off). The seed's cluster kept none. @default 7 */
  readonly snapshotRetentionLimit?: number;
  /** Daily snapshot window, UTC, at least 60 minutes. @default "17:00-18:00" (02:00-03:00 KST) */
  readonly snapshotWindow?: string;
  /** Weekly maintenance window, UTC, 60 minutes to 24 hours; must not overlap the snapshot window. @default "sun:20:00-sun:21:00" (Mon 05:00-06:00 KST) */
  readonly maintenanceWindow?: string;
  /**
   * RBAC user the application connects as with IAM authentication (user id = user name, as IAM
   * authentication requires). User ids are unique per account and region, so the default is
   * derived from `clusterId` to let two environments share an account.
   * @default `${clusterId}-app`
   */
  readonly appUserName?: string;
}

export const ELASTICACHE_DEFAULTS = {
  nodeType: "cache.t3.micro",
  engineVersion: "7.1",
  parameterGroupName: "default.redis7",
  port: 6379,
  replicas: 0,
  snapshotRetentionLimit: 7,
  snapshotWindow: "17:00-18:00",
  maintenanceWindow: "sun:20:00-sun:21:00",
} as const satisfies Defaults<ElastiCacheProps, "appUserName">;

/** Every command except the `@dangerous` category (FLUSHALL, CONFIG, KEYS, DEBUG …) on every key. */
export const APP_ACCESS_STRING = "on ~* +@all -@dangerous";
/** The user group's mandatory `default` user, switched off: unauthenticated connections get nothing. */
export const DEFAULT_USER_ACCESS_STRING = "off -@all";

/** The props that are settings (not wiring), which config validation checks before any construct exists. */
export type ElastiCacheSettings = Omit<ElastiCacheProps, "vpcId" | "subnetIds" | "allowedSecurityGroupIds" | "account">;

/** The replication group's rules: ids (its own and the RBAC ids built from it), node type, engine, replicas, snapshots, windows. */
export function checkElastiCacheProps(problems: ProblemSink, settings: ElastiCacheSettings): void {
  const props = withDefaults(settings, ELASTICACHE_DEFAULTS);
  const { clusterId, engineVersion, parameterGroupName } = props;
  const appUserName = props.appUserName ?? defaultAppUserName(clusterId);
  const clusterIdOk = isLowercaseHyphenatedId(clusterId, 40);
  problems.check(
    clusterIdOk,
    "clusterId",
    `${quote(clusterId)} is not a replication group id (lowercase letter first, then lowercase letters, digits and single hyphens, at most 40, not ending with a hyphen)`,
  );
  if (clusterIdOk) {
    // The RBAC ids derived from it share the 40-character limit.
    const defaultUserId = `${clusterId}-default`;
    problems.check(
      defaultUserId.length <= 40,
      "clusterId",
      `${quote(clusterId)} is too long for the derived user id ${quote(defaultUserId)} (at most 32 characters)`,
    );
  }
  checkCacheNodeType(problems, "nodeType", props.nodeType);
  problems.check(
    /^7\.\d+$/.test(engineVersion),
    "engineVersion",
    `${quote(engineVersion)} is not allowed (Redis 7 as major.minor, e.g. "7.1"; IAM authentication needs 7.0 or later)`,
  );
  problems.check(
    /^[A-Za-z][A-Za-z0-9.-]{0,254}$/.test(parameterGroupName) && (!parameterGroupName.startsWith("default.") || parameterGroupName === "default.redis7"),
    "parameterGroupName",
    `${quote(parameterGroupName)} is not allowed (a custom redis7 parameter group, or "default.redis7" for this non-clustered group)`,
  );
  checkWhole(problems, "port", props.port, 1024, 65535);
  checkWhole(problems, "replicas", props.replicas, 0, 5);
  checkWhole(problems, "snapshotRetentionLimit", props.snapshotRetentionLimit, 0, 35);
  checkWindows(problems, 60, ["snapshotWindow", props.snapshotWindow], ["maintenanceWindow", props.maintenanceWindow]);
  problems.check(
    isLowercaseHyphenatedId(appUserName, 40) && appUserName !== "default",
    "appUserName",
    `${quote(appUserName)} is not allowed (lowercase letter first, then lowercase letters, digits and single hyphens, at most 40, not "default")`,
  );
}

/**
 * The seed's `modules/elasticache`, as a replication group so it can be encrypted and gain
 * replicas: Redis in private subnets, reachable on its port only from the listed security
 * groups, TLS required, encrypted at rest with a customer KMS key, and Redis RBAC with IAM
 * authentication instead of a shared AUTH token, so no secret exists in code, plan or state.
 */
export class ElastiCache extends Construct {
  /** Primary endpoint address (the seed's `endpoint`). */
  readonly endpoint: string;
  readonly readerEndpoint: string;
  readonly port: number;
  readonly securityGroupId: string;
  readonly replicationGroupArn: string;
  /** The RBAC user (and IAM-auth user id) the application connects as. */
  readonly appUserName: string;
  readonly userGroupId: string;
  private readonly appUserArn: string;

  constructor(scope: Construct, id: string, cacheProps: ElastiCacheProps) {
    super(scope, id);
    const props = withDefaults(cacheProps, ELASTICACHE_DEFAULTS);
    const { clusterId, account, nodeType, engineVersion, parameterGroupName, port, replicas, snapshotWindow, maintenanceWindow } = props;
    const snapshotRetention = props.snapshotRetentionLimit;
    const appUserName = props.appUserName ?? defaultAppUserName(clusterId);
    const defaultUserId = `${clusterId}-default`;
    const userGroupId = `${clusterId}-users`;

    checkProps(this, props, checkElastiCacheProps, (problems) => {
      const why = replicas > 0 ? "replicas need subnets in at least 2 availability zones" : "a subnet group needs at least 1 subnet";
      checkPlacement(problems, props, replicas > 0 ? 2 : 1, why);
    });

    // ElastiCache uses the key through grants of the calling principal: the default policy suffices.
    const key = new EncryptionKey(this, "key", {
      alias: `${clusterId}-elasticache`,
      description: `Encrypts data at rest and snapshots of ElastiCache replication group ${clusterId}`,
      account,
    });

    const network = addDataStoreNetwork(
      this,
      props,
      { name: clusterId, kind: "ElastiCache replication group", engine: "Redis", port, securityGroupName: `${clusterId}-redis-sg` },
      (settings) => new ElasticacheSubnetGroup(this, "subnet-group", settings),
    );

    // A user group must contain a user named "default"; ours is disabled, so a connection that
    // has not authenticated as the app user can run nothing.
    const defaultUser = new ElasticacheUser(this, "default-user", {
      userId: defaultUserId,
      userName: "default",
      engine: "redis",
      accessString: DEFAULT_USER_ACCESS_STRING,
      authenticationMode: { type: "no-password-required" },
    });
    // IAM authentication: the app signs a short-lived token with its role (elasticache:Connect).
    const appUser = new ElasticacheUser(this, "app-user", {
      userId: appUserName,
      userName: appUserName,
      engine: "redis",
      accessString: APP_ACCESS_STRING,
      authenticationMode: { type: "iam" },
    });
    const userGroup = new ElasticacheUserGroup(this, "user-group", {
      userGroupId,
      engine: "redis",
      userIds: [defaultUser.userId, appUser.userId],
    });

    const replicated = replicas > 0;
    const group = new ElasticacheReplicationGroup(this, "replication-group", {
      replicationGroupId: clusterId,
      description: `Redis for ${clusterId}`,
      engine: "redis",
      engineVersion,
      nodeType,
      port,
      parameterGroupName,
      numCacheClusters: 1 + replicas,
      automaticFailoverEnabled: replicated,
      multiAzEnabled: replicated,
      subnetGroupName: network.subnetGroupName,
      securityGroupIds: [network.securityGroupId],
      userGroupIds: [userGroup.userGroupId],
      transitEncryptionEnabled: true,
      transitEncryptionMode: "required",
      atRestEncryptionEnabled: "true",
      kmsKeyId: key.keyArn,
      snapshotRetentionLimit: snapshotRetention,
      snapshotWindow,
      maintenanceWindow,
      autoMinorVersionUpgrade: "true",
      // Changes wait for the maintenance window instead of failing over mid-day.
      applyImmediately: false,
    });

    this.endpoint = group.primaryEndpointAddress;
    this.readerEndpoint = group.readerEndpointAddress;
    this.port = group.port;
    this.securityGroupId = network.securityGroupId;
    this.replicationGroupArn = group.arn;
    this.appUserName = appUser.userName;
    this.userGroupId = userGroup.userGroupId;
    this.appUserArn = appUser.arn;
  }

  /**
   * The statement granting a role to connect as the app user with IAM authentication:
   * `elasticache:Connect` on both the replication group and the user, as ElastiCache's IAM-auth
   * documentation requires. Give it to the role's policy.
   */
  grantConnect(sid?: string): DataAwsIamPolicyDocumentStatement {
    return connectStatement([this.replicationGroupArn, this.appUserArn], sid);
  }

  /**
   * The cache of another stack (the in-cluster stack's view of the platform's), by its names: ARNs
   * follow from them, so nothing crosses stacks but the names both derive from config.
   */
  static fromAttributes(attributes: ElastiCacheAttributes): ElastiCacheReference {
    const arn = (resource: string): string =>
      `arn:${attributes.account.partition}:elasticache:${attributes.region}:${attributes.account.accountId}:${resource}`;
    const replicationGroupArn = arn(`replicationgroup:${attributes.replicationGroupId}`);
    const appUserArn = arn(`user:${attributes.appUserName ?? defaultAppUserName(attributes.replicationGroupId)}`);
    return { replicationGroupArn, appUserArn, grantConnect: (sid?: string) => connectStatement([replicationGroupArn, appUserArn], sid) };
  }
}

export interface ElastiCacheAttributes {
  readonly account: Pick<AwsAccount, "partition" | "accountId">;
  readonly region: string;
  readonly replicationGroupId: string;
  /** The app user's id. @default defaultAppUserName(replicationGroupId) */
  readonly appUserName?: string;
}

/** An ElastiCache replication group another stack created. */
export interface ElastiCacheReference {
  readonly replicationGroupArn: string;
  readonly appUserArn: string;
  /** See ElastiCache.grantConnect. */
  grantConnect(sid?: string): DataAwsIamPolicyDocumentStatement;
}

function connectStatement(resources: string[], sid: string | undefined): DataAwsIamPolicyDocumentStatement {
  return { ...(sid === undefined ? {} : { sid }), effect: "Allow", actions: ["elasticache:Connect"], resources };
}

/** The app user's id and name unless overridden; the in-cluster stack derives IAM grants from it. */
export function defaultAppUserName(clusterId: string): string {
  return `${clusterId}-app`;
}
