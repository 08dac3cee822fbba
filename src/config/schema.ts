/**
 * Runtime specs of the configuration types, field for field (the compiler checks they match
 * src/config/types.ts). Used before any other check, so later checks can trust the types.
 */
import { BOOLEAN, listOf, NUMBER, object, oneOf, optional, Spec, STRING } from "./shape";
import type { EnvironmentConfig, ProjectSettings } from "./types";

export const PROJECT_SPEC: Spec<ProjectSettings> = object({
  project: STRING,
  managedBy: STRING,
  domain: STRING,
  dns: object({ createHostedZone: BOOLEAN, delegations: listOf(object({ zone: STRING, nameServers: listOf(STRING) })) }),
  accountBaseline: object({ provider: oneOf("project", "organization"), alertEmails: listOf(STRING) }),
  state: object({ lockTable: STRING, region: STRING, useS3NativeLocking: BOOLEAN }),
  github: object({ repository: STRING, deployBranch: STRING }),
});

export const ENVIRONMENT_SPEC: Spec<EnvironmentConfig> = object({
  name: STRING,
  account: STRING,
  identity: optional(
    object({
      environment: optional(STRING),
      resourceName: optional(STRING),
      repositoryNamespace: optional(STRING),
      host: optional(STRING),
      valuesFile: optional(STRING),
      githubEnvironment: optional(STRING),
      stateBucket: optional(STRING),
    }),
  ),
  tier: oneOf("production", "non-production"),
  region: STRING,
  azs: listOf(STRING),
  network: object({
    vpcCidr: STRING,
    publicSubnetCidrs: listOf(STRING),
    privateSubnetCidrs: listOf(STRING),
    natGateways: oneOf("single", "one-per-az"),
  }),
  cluster: object({
    version: STRING,
    nodeInstanceTypes: listOf(STRING),
    nodeDesiredSize: NUMBER,
    nodeMinSize: NUMBER,
    nodeMaxSize: NUMBER,
    publicAccessCidrs: listOf(STRING),
    adminPrincipalArns: listOf(STRING),
    deletionProtection: BOOLEAN,
    spotNodeGroup: object({ enabled: BOOLEAN, instanceTypes: listOf(STRING), minSize: NUMBER, desiredSize: NUMBER, maxSize: NUMBER }),
  }),
  database: object({
    instanceClass: STRING,
    dbName: STRING,
    multiAz: BOOLEAN,
    deletionProtection: BOOLEAN,
    backupRetentionPeriod: NUMBER,
    backupWindow: STRING,
    maintenanceWindow: STRING,
  }),
  cache: object({ nodeType: STRING, replicas: NUMBER, snapshotRetentionLimit: NUMBER, snapshotWindow: STRING, maintenanceWindow: STRING }),
  registry: object({ imageTagMutability: oneOf("MUTABLE", "IMMUTABLE") }),
  release: object({ apiImageTag: STRING, workerImageTag: STRING, timeoutSeconds: NUMBER }),
  alerting: object({
    emails: listOf(STRING),
    slack: optional(object({ workspaceId: STRING, channelId: STRING, chatbotRegion: optional(STRING) })),
    thresholds: object({
      rdsCpuPercent: NUMBER,
      rdsFreeStorageGiB: NUMBER,
      rdsFreeableMemoryMiB: NUMBER,
      rdsConnections: NUMBER,
      cacheCpuPercent: NUMBER,
      cacheMemoryPercent: NUMBER,
      cacheEvictions: NUMBER,
      nodeCpuPercent: NUMBER,
      nodeMemoryPercent: NUMBER,
      alb5xxCount: NUMBER,
      albTargetResponseSeconds: NUMBER,
    }),
  }),
  backup: object({
    objectLockDays: NUMBER,
    vault: object({ retentionDays: NUMBER, lock: oneOf("off", "governance", "compliance"), copyToVaultArn: optional(STRING) }),
    logicalDumps: object({ enabled: BOOLEAN, schedule: STRING }),
  }),
  assets: object({ enabled: BOOLEAN, priceClass: oneOf("PriceClass_100", "PriceClass_200", "PriceClass_All") }),
  prometheus: object({ enabled: BOOLEAN, retentionDays: NUMBER, storageGiB: NUMBER }),
  waf: object({ rateLimitPerIp: NUMBER, countRules: listOf(object({ group: STRING, rule: STRING })) }),
});
