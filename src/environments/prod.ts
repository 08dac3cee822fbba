import type { EnvironmentConfig } from "../config";

/** Production: the seed's `infra/environments/prod` values, with HA where the seed leaves it open. */
export const prod: EnvironmentConfig = {
  name: "prod",
  // Production's own account: nothing else lives in it (validation refuses another environment
  // there). The AWS documentation's example ID: put your production account's here.
  account: "111122223333",
  // The seed's names: state key production/terraform.tfstate, resources mindhit-production,
  // repositories mindhit/api and mindhit/worker, the bare API host, and the state bucket
  // mindhit-terraform-state. Derived from "prod" and the account otherwise.
  identity: { environment: "production", repositoryNamespace: "mindhit", host: "api.mindhit.io", stateBucket: "mindhit-terraform-state" },
  tier: "production",
  region: "ap-northeast-2",
  azs: ["ap-northeast-2a", "ap-northeast-2c"],
  network: {
    vpcCidr: "10.0.0.0/16",
    publicSubnetCidrs: ["10.0.1.0/24", "10.0.2.0/24"],
    privateSubnetCidrs: ["10.0.10.0/24", "10.0.20.0/24"],
    // One NAT per AZ: losing a zone must not cut the other zone's egress.
    natGateways: "one-per-az",
  },
  cluster: {
    version: "1.35",
    nodeInstanceTypes: ["t3.medium"],
    nodeDesiredSize: 2,
    nodeMinSize: 1,
    nodeMaxSize: 5,
    // No public API endpoint: CI's production job and operators reach the private endpoint from
    // inside the VPC (a self-hosted runner; SECURITY.md). List office or VPN egress CIDRs here to
    // open a public endpoint to them instead; the whole internet is refused for production.
    publicAccessCidrs: [],
    adminPrincipalArns: [],
    deletionProtection: true,
    // The seed's Spot group: the worker (stateless) may run there, tolerating the taint.
    spotNodeGroup: { enabled: true, instanceTypes: ["t3.large", "t3a.large"], minSize: 1, desiredSize: 2, maxSize: 5 },
  },
  database: {
    instanceClass: "db.t3.small",
    dbName: "mindhit",
    multiAz: true,
    deletionProtection: true,
    // Backup and maintenance windows in UTC (KST = UTC+9): 03:00 KST backups.
    backupRetentionPeriod: 14,
    backupWindow: "18:00-19:00",
    // 30 minutes after the backup window, so an overrunning backup does not meet maintenance.
    maintenanceWindow: "sun:19:30-sun:20:30",
  },
  cache: {
    nodeType: "cache.t3.micro",
    replicas: 1,
    snapshotRetentionLimit: 7,
    snapshotWindow: "17:00-18:00",
    maintenanceWindow: "sun:20:00-sun:21:00",
  },
  registry: {
    // Deploys name images by git SHA; an immutable tag cannot be re-pointed to another image.
    imageTagMutability: "IMMUTABLE",
  },
  release: {
    // Only the first value of each environment's image-tag SSM parameters (the chart's appVersion);
    // app-release.yml records each release's git SHA there, and infrastructure deploys keep it.
    apiImageTag: "0.1.0",
    workerImageTag: "0.1.0",
    timeoutSeconds: 600,
  },
  alerting: {
    emails: ["ops@mindhit.io"],
    thresholds: {
      rdsCpuPercent: 80,
      rdsFreeStorageGiB: 5,
      rdsFreeableMemoryMiB: 256,
      // db.t3.small allows about 225 connections; alarm at 80% (seed: connections > 80% of max).
      rdsConnections: 180,
      cacheCpuPercent: 80,
      cacheMemoryPercent: 90,
      cacheEvictions: 100,
      nodeCpuPercent: 80,
      nodeMemoryPercent: 90,
      alb5xxCount: 50,
      albTargetResponseSeconds: 2,
    },
  },
  backup: {
    // Dumps in the backups bucket cannot be deleted for 30 days, not even by CI's deploy role.
    objectLockDays: 30,
    vault: { retentionDays: 35, lock: "governance" },
    // pg_dump to the backups bucket nightly at 06:00 KST, after the backup and maintenance windows.
    logicalDumps: { enabled: true, schedule: "0 21 * * *" },
  },
  // The seed's CDN for static assets: cdn.mindhit.io, PriceClass_200.
  assets: { enabled: true, priceClass: "PriceClass_200" },
  // Prometheus (seed 004) keeps 15 days of samples on a 50 GiB gp3 volume; Alertmanager to the alert topic.
  prometheus: { enabled: true, retentionDays: 15, storageGiB: 50 },
  waf: {
    rateLimitPerIp: 2000,
    countRules: [],
  },
};
