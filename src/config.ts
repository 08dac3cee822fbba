/**
 * The typed shape of an environment, the project-wide settings, and their validation.
 *
 * Flow: src/environments/<env>.ts (plain values) → validateEnvironment() here → main.ts → stacks.
 * Defaults are the seed's documented values (docs/seed-mapping in the README lists them).
 */
import * as fs from "fs";
import * as path from "path";
import { availabilityZonesOf, AWS_REGIONS, isAvailabilityZoneOf, isAwsRegion } from "./aws-regions";
import { chartDir } from "./paths";
import {
  checkAzList,
  checkKubernetesVersion,
  checkNetworkPlan,
  checkNonEmpty,
  checkScaling,
  checkWindows,
  isIpv4NetworkCidr,
  Problems,
  quote,
} from "./validation";

/** Settings shared by every environment: who owns the state and how resources are tagged. */
export interface ProjectSettings {
  /** Project name; prefixes stack names and is the `Project` default tag. */
  readonly project: string;
  /** The `ManagedBy` default tag. */
  readonly managedBy: string;
  readonly state: StateSettings;
  readonly github: GithubSettings;
}

/** Where Terraform state lives. The bootstrap stack creates the bucket and the table. */
export interface StateSettings {
  /** S3 bucket for state (seed: `mindhit-terraform-state`). */
  readonly bucket: string;
  /** DynamoDB lock table (seed: `mindhit-terraform-locks`). */
  readonly lockTable: string;
  /** Region of the bucket and table (seed: `ap-northeast-2`). */
  readonly region: string;
  /**
   * Also take Terraform's S3-native lock (`use_lockfile`, Terraform ≥ 1.10) beside the
   * DynamoDB lock, the documented migration path away from DynamoDB locking.
   * @default false
   */
  readonly useS3NativeLocking: boolean;
}

/** The GitHub repository whose Actions runs may assume this project's AWS roles (OIDC). */
export interface GithubSettings {
  /** `owner/name`. */
  readonly repository: string;
  /** Branch whose pushes may deploy. @default "main" */
  readonly deployBranch: string;
  /** GitHub environments whose jobs may deploy (the production one has required reviewers). */
  readonly environments: readonly string[];
}

/** How Terraform is run for this synth: state in S3 (default) or in HCP Terraform. */
export type StateBackend =
  | { readonly kind: "s3" }
  | {
      readonly kind: "cloud";
      /** HCP Terraform / Terraform Cloud organization. */
      readonly organization: string;
      /** @default "app.terraform.io" */
      readonly hostname: string;
    };

export type NatGatewayMode = "single" | "one-per-az";

export interface NetworkConfig {
  /** @default "10.0.0.0/16" */
  readonly vpcCidr: string;
  /** One per AZ, in `azs` order. @default ["10.0.1.0/24", "10.0.2.0/24"] */
  readonly publicSubnetCidrs: readonly string[];
  /** One per AZ, in `azs` order. @default ["10.0.10.0/24", "10.0.20.0/24"] */
  readonly privateSubnetCidrs: readonly string[];
  /** The seed runs a single NAT gateway; prod can afford one per AZ so one zone's loss does not cut egress. @default "single" */
  readonly natGateways: NatGatewayMode;
}

export interface ClusterConfig {
  /** EKS Kubernetes minor version. The seed's 1.29 is past end of support. @default "1.35" */
  readonly version: string;
  /** @default ["t3.medium"] */
  readonly nodeInstanceTypes: readonly string[];
  /** @default 2 */
  readonly nodeDesiredSize: number;
  /** @default 1 */
  readonly nodeMinSize: number;
  /** @default 5 */
  readonly nodeMaxSize: number;
  /** CIDRs allowed to reach the public API endpoint. @default ["0.0.0.0/0"] (the seed's public endpoint) */
  readonly publicAccessCidrs: readonly string[];
  /** IAM principals given cluster-admin access entries, besides the cluster's own admin role. @default [] */
  readonly adminPrincipalArns: readonly string[];
  /** Refuse deletion of the cluster. */
  readonly deletionProtection: boolean;
}

export interface DatabaseConfig {
  /** @default "db.t3.small" */
  readonly instanceClass: string;
  /** @default "mindhit" */
  readonly dbName: string;
  /** Standby in a second AZ. */
  readonly multiAz: boolean;
  /** Refuse `terraform destroy` of the instance. */
  readonly deletionProtection: boolean;
}

export interface CacheConfig {
  /** @default "cache.t3.micro" */
  readonly nodeType: string;
  /** Read replicas besides the primary; ≥ 1 turns on automatic failover and multi-AZ. @default 0 */
  readonly replicas: number;
}

export interface RegistryConfig {
  /**
   * ECR repository names. Repository names are unique per account and both environments share
   * one account (the seed's single state bucket), so only prod keeps the seed's bare names.
   * @default ["mindhit/api", "mindhit/worker"]
   */
  readonly repositoryNames: readonly string[];
  /** `IMMUTABLE`: a tag names one image forever, so a deployed tag pins its digest. The seed had `MUTABLE`. */
  readonly imageTagMutability: "MUTABLE" | "IMMUTABLE";
}

/** Where alarms go and when they fire. Thresholds are per environment. */
export interface AlertingConfig {
  /** Email addresses subscribed to the environment's alert topic (each confirms once). */
  readonly emails: readonly string[];
  /** Slack channel fed by AWS Chatbot (workspace authorised once in the Chatbot console). @default none */
  readonly slack?: { readonly workspaceId: string; readonly channelId: string };
  readonly thresholds: AlarmThresholds;
}

export interface AlarmThresholds {
  /** RDS CPUUtilization, percent, average over 5 minutes. */
  readonly rdsCpuPercent: number;
  /** RDS FreeStorageSpace, GiB, below which the alarm fires. */
  readonly rdsFreeStorageGiB: number;
  /** RDS FreeableMemory, MiB, below which the alarm fires. */
  readonly rdsFreeableMemoryMiB: number;
  /** RDS DatabaseConnections, maximum over 5 minutes (about 80% of the class's max_connections). */
  readonly rdsConnections: number;
  /** ElastiCache EngineCPUUtilization, percent. */
  readonly cacheCpuPercent: number;
  /** ElastiCache DatabaseMemoryUsagePercentage, percent. */
  readonly cacheMemoryPercent: number;
  /** ElastiCache Evictions per 5 minutes. */
  readonly cacheEvictions: number;
  /** Container Insights node_cpu_utilization, percent. */
  readonly nodeCpuPercent: number;
  /** Container Insights node_memory_utilization, percent. */
  readonly nodeMemoryPercent: number;
  /** ALB 5xx responses (load balancer and targets) per 5 minutes. */
  readonly alb5xxCount: number;
  /** ALB TargetResponseTime p95, seconds. */
  readonly albTargetResponseSeconds: number;
}

/** Backup windows and retention (UTC windows; KST = UTC+9). */
export interface BackupConfig {
  /** Days of RDS automated backups (point-in-time recovery window). */
  readonly rdsRetentionDays: number;
  /** @default "18:00-19:00" (03:00 KST) */
  readonly rdsBackupWindow: string;
  /** @default "sun:19:00-sun:20:00" */
  readonly rdsMaintenanceWindow: string;
  /** Days of ElastiCache daily snapshots kept. */
  readonly cacheSnapshotRetentionDays: number;
  /** @default "17:00-18:00" */
  readonly cacheSnapshotWindow: string;
  /** @default "sun:20:00-sun:21:00" */
  readonly cacheMaintenanceWindow: string;
}

/** The WAFv2 web ACL in front of the ingress ALB. */
export interface WafConfig {
  /** Requests per IP per 5 minutes before the IP is blocked. @default 2000 (seed) */
  readonly rateLimitPerIp: number;
  /**
   * Managed rules switched from block to count (logged, not enforced), for a rule that blocks
   * legitimate traffic, e.g. `{ group: "AWSManagedRulesCommonRuleSet", rule: "SizeRestrictions_BODY" }`.
   * @default []
   */
  readonly countRules: readonly WafRuleRef[];
}

export interface WafRuleRef {
  readonly group: string;
  readonly rule: string;
}

/** The in-cluster release of the application chart. */
export interface ReleaseConfig {
  /** Image tag of `api` unless `-var api_image_tag=…` overrides it at deploy time. @default "latest" (seed) */
  readonly apiImageTag: string;
  /** Image tag of `worker` unless `-var worker_image_tag=…` overrides it. @default "latest" (seed) */
  readonly workerImageTag: string;
  /** Seconds Helm waits for the rollout before it rolls back. @default 600 (the seed's `--timeout 10m`) */
  readonly timeoutSeconds: number;
  /** The chart's values file for this environment, in helm/mindhit/ (e.g. `values-prod.yaml`). */
  readonly valuesFile: string;
}

export interface EnvironmentConfig {
  /** Short key used in stack names and file names: `prod`, `staging`. */
  readonly name: string;
  /** The environment's full name: `Environment` tag, state key prefix, chart `global.environment`. */
  readonly environment: string;
  /** Name given to the environment's AWS resources (the seed's `mindhit-production`). */
  readonly resourceName: string;
  /** @default "ap-northeast-2" */
  readonly region: string;
  /** @default ["ap-northeast-2a", "ap-northeast-2c"] */
  readonly azs: readonly string[];
  readonly network: NetworkConfig;
  readonly cluster: ClusterConfig;
  readonly database: DatabaseConfig;
  readonly cache: CacheConfig;
  readonly registry: RegistryConfig;
  readonly release: ReleaseConfig;
  readonly alerting: AlertingConfig;
  readonly backup: BackupConfig;
  readonly waf: WafConfig;
}

/** Docker's tag grammar. */
export const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const NAME_PATTERN = /^[a-z][a-z0-9-]*[a-z0-9]$/;
/** ElastiCache replication group ids are the tightest AWS name limit this project meets (40). */
const MAX_RESOURCE_NAME_LENGTH = 40;

/** Stack names derived from config, so no file repeats them. */
export function stackNames(project: ProjectSettings, env: EnvironmentConfig): { platform: string; apps: string } {
  return { platform: `${project.project}-${env.name}`, apps: `${project.project}-${env.name}-apps` };
}

/** State object key per stack: the seed's `production/terraform.tfstate` for the platform. */
export function stateKey(env: EnvironmentConfig, layer: "platform" | "apps"): string {
  return layer === "platform" ? `${env.environment}/terraform.tfstate` : `${env.environment}/apps/terraform.tfstate`;
}

export function validateProject(project: ProjectSettings): void {
  const problems = new Problems("project settings");
  checkName(problems, "project", project.project);
  problems.check(project.managedBy.trim() !== "", "managedBy", "must not be empty");
  checkS3BucketName(problems, "state.bucket", project.state.bucket);
  problems.check(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(project.github.repository), "github.repository", `${quote(project.github.repository)} is not an owner/name GitHub repository`);
  problems.check(/^[A-Za-z0-9._/-]+$/.test(project.github.deployBranch), "github.deployBranch", `${quote(project.github.deployBranch)} is not a branch name`);
  problems.check(
    /^[A-Za-z0-9_.-]{3,255}$/.test(project.state.lockTable),
    "state.lockTable",
    `${quote(project.state.lockTable)} is not a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)`,
  );
  checkRegion(problems, "state.region", project.state.region);
  problems.throwIfAny();
}

/** Throws a ValidationError listing every bad field of `env`, one line each. */
export function validateEnvironment(env: EnvironmentConfig): void {
  const problems = new Problems(`environment ${quote(env.name)}`);
  checkName(problems, "name", env.name);
  problems.check(env.environment.trim() !== "", "environment", "must not be empty (e.g. \"production\")");
  checkName(problems, "resourceName", env.resourceName);
  const regionOk = checkRegion(problems, "region", env.region);
  checkAzs(problems, env, regionOk);
  checkNetwork(problems, env);
  checkCluster(problems, env.cluster);
  checkDatabase(problems, env.database);
  problems.check(
    Number.isInteger(env.cache.replicas) && env.cache.replicas >= 0 && env.cache.replicas <= 5,
    "cache.replicas",
    `${quote(env.cache.replicas)} is not allowed (whole number 0-5)`,
  );
  problems.check(/^cache\.[a-z0-9]+\.[a-z0-9]+$/.test(env.cache.nodeType), "cache.nodeType", `${quote(env.cache.nodeType)} is not an ElastiCache node type (e.g. "cache.t3.micro")`);
  for (const [field, tag] of [["release.apiImageTag", env.release.apiImageTag], ["release.workerImageTag", env.release.workerImageTag]] as const) {
    problems.check(IMAGE_TAG.test(tag), field, `${quote(tag)} is not a container image tag (1-128 of A-Z a-z 0-9 _ . -, not starting with . or -)`);
  }
  problems.check(
    Number.isInteger(env.release.timeoutSeconds) && env.release.timeoutSeconds >= 60 && env.release.timeoutSeconds <= 3600,
    "release.timeoutSeconds",
    `${quote(env.release.timeoutSeconds)} is not allowed (whole number 60-3600)`,
  );
  const valuesPath = path.join(chartDir(), env.release.valuesFile);
  problems.check(
    /^values-[a-z0-9-]+\.yaml$/.test(env.release.valuesFile) && fs.existsSync(valuesPath),
    "release.valuesFile",
    `${quote(env.release.valuesFile)} is not a values file of the chart (allowed: ${chartValuesFiles().join(", ")})`,
  );
  problems.check(
    env.registry.imageTagMutability === "MUTABLE" || env.registry.imageTagMutability === "IMMUTABLE",
    "registry.imageTagMutability",
    `${quote(env.registry.imageTagMutability)} is not allowed (allowed: "MUTABLE", "IMMUTABLE")`,
  );
  checkNonEmpty(problems, "registry.repositoryNames", env.registry.repositoryNames, '"mindhit/api"');
  checkOperations(problems, env);
  for (const component of ["api", "worker"]) {
    problems.check(
      env.registry.repositoryNames.some((n) => n.endsWith(`/${component}`)),
      "registry.repositoryNames",
      `has no repository for the ${component} image (a name ending in "/${component}", e.g. "mindhit/${component}")`,
    );
  }
  problems.throwIfAny();
}

function checkOperations(problems: Problems, env: EnvironmentConfig): void {
  for (const email of env.alerting.emails) {
    problems.check(/^[^@\s]+@[^@\s]+\.[a-z]{2,}$/i.test(email), "alerting.emails", `${quote(email)} is not an email address`);
  }
  const slack = env.alerting.slack;
  if (slack) {
    problems.check(/^[A-Z0-9]{9,11}$/.test(slack.workspaceId), "alerting.slack.workspaceId", `${quote(slack.workspaceId)} is not a Slack workspace (team) id (e.g. "T0123ABCD")`);
    problems.check(/^[A-Z0-9]{9,11}$/.test(slack.channelId), "alerting.slack.channelId", `${quote(slack.channelId)} is not a Slack channel id (e.g. "C0123ABCD")`);
  }
  for (const [name, value] of Object.entries(env.alerting.thresholds)) {
    problems.check(typeof value === "number" && Number.isFinite(value) && value > 0, `alerting.thresholds.${name}`, `${quote(value)} is not allowed (a positive number)`);
  }
  for (const name of ["rdsCpuPercent", "cacheCpuPercent", "cacheMemoryPercent", "nodeCpuPercent", "nodeMemoryPercent"] as const) {
    const value = env.alerting.thresholds[name];
    problems.check(value <= 100, `alerting.thresholds.${name}`, `${quote(value)} is not allowed (a percentage, at most 100)`);
  }
  const b = env.backup;
  problems.check(Number.isInteger(b.rdsRetentionDays) && b.rdsRetentionDays >= 1 && b.rdsRetentionDays <= 35, "backup.rdsRetentionDays", `${quote(b.rdsRetentionDays)} is not allowed (whole number 1-35)`);
  problems.check(
    Number.isInteger(b.cacheSnapshotRetentionDays) && b.cacheSnapshotRetentionDays >= 1 && b.cacheSnapshotRetentionDays <= 35,
    "backup.cacheSnapshotRetentionDays",
    `${quote(b.cacheSnapshotRetentionDays)} is not allowed (whole number 1-35)`,
  );
  checkWindows(problems, { field: "backup.rdsBackupWindow", value: b.rdsBackupWindow, minMinutes: 30 }, { field: "backup.rdsMaintenanceWindow", value: b.rdsMaintenanceWindow, minMinutes: 30 });
  checkWindows(problems, { field: "backup.cacheSnapshotWindow", value: b.cacheSnapshotWindow, minMinutes: 60 }, { field: "backup.cacheMaintenanceWindow", value: b.cacheMaintenanceWindow, minMinutes: 60 });
  problems.check(
    Number.isInteger(env.waf.rateLimitPerIp) && env.waf.rateLimitPerIp >= 10 && env.waf.rateLimitPerIp <= 2_000_000_000,
    "waf.rateLimitPerIp",
    `${quote(env.waf.rateLimitPerIp)} is not allowed (whole number 10-2000000000, requests per IP per 5 minutes)`,
  );
}

function checkName(problems: Problems, field: string, value: string): void {
  if (value.trim() === "") {
    problems.add(field, "must not be empty");
  } else if (!NAME_PATTERN.test(value) || value.length > MAX_RESOURCE_NAME_LENGTH) {
    problems.add(
      field,
      `${quote(value)} is not allowed (lowercase letters, digits and hyphens, starting with a letter, at most ${MAX_RESOURCE_NAME_LENGTH} characters)`,
    );
  }
}

function checkS3BucketName(problems: Problems, field: string, value: string): void {
  problems.check(
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(value),
    field,
    `${quote(value)} is not an S3 bucket name (3-63 of a-z 0-9 . -, starting and ending with a letter or digit)`,
  );
}

function checkRegion(problems: Problems, field: string, region: string): boolean {
  const ok = isAwsRegion(region);
  problems.check(ok, field, `${quote(region)} is not an AWS region (allowed: ${AWS_REGIONS.join(", ")})`);
  return ok;
}

function checkAzs(problems: Problems, env: EnvironmentConfig, regionOk: boolean): void {
  checkAzList(problems, "azs", env.azs, env.region);
  if (!regionOk) return;
  for (const az of env.azs) {
    problems.check(
      isAvailabilityZoneOf(az, env.region),
      "azs",
      `${quote(az)} is not an availability zone of region ${quote(env.region)} (allowed: ${availabilityZonesOf(env.region).join(", ")})`,
    );
  }
}

function checkNetwork(problems: Problems, env: EnvironmentConfig): void {
  const { vpcCidr, publicSubnetCidrs, privateSubnetCidrs, natGateways } = env.network;
  checkNetworkPlan(
    problems,
    "network.vpcCidr",
    vpcCidr,
    [
      ["network.publicSubnetCidrs", publicSubnetCidrs],
      ["network.privateSubnetCidrs", privateSubnetCidrs],
    ],
    env.azs.length,
  );
  problems.check(
    natGateways === "single" || natGateways === "one-per-az",
    "network.natGateways",
    `${quote(natGateways)} is not allowed (allowed: "single", "one-per-az")`,
  );
}

function checkCluster(problems: Problems, cluster: ClusterConfig): void {
  checkKubernetesVersion(problems, "cluster.version", cluster.version);
  checkNonEmpty(problems, "cluster.nodeInstanceTypes", cluster.nodeInstanceTypes, '"t3.medium"');
  checkScaling(problems, "cluster.nodeMinSize/nodeDesiredSize/nodeMaxSize", cluster.nodeMinSize, cluster.nodeDesiredSize, cluster.nodeMaxSize);
  for (const cidr of cluster.publicAccessCidrs) {
    problems.check(isIpv4NetworkCidr(cidr), "cluster.publicAccessCidrs", `${quote(cidr)} is not an IPv4 network CIDR`);
  }
  for (const arn of cluster.adminPrincipalArns) {
    problems.check(/^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/.+$/.test(arn), "cluster.adminPrincipalArns", `${quote(arn)} is not an IAM role or user ARN`);
  }
}

function checkDatabase(problems: Problems, db: DatabaseConfig): void {
  problems.check(/^db\.[a-z0-9]+\.[a-z0-9]+$/.test(db.instanceClass), "database.instanceClass", `${quote(db.instanceClass)} is not an RDS instance class (e.g. "db.t3.small")`);
  problems.check(
    /^[A-Za-z][A-Za-z0-9_]{0,62}$/.test(db.dbName),
    "database.dbName",
    `${quote(db.dbName)} is not a PostgreSQL database name (letter first, then letters, digits or _, at most 63)`,
  );
}

/** The environment values files the chart ships (values-<name>.yaml). */
function chartValuesFiles(): string[] {
  return fs.readdirSync(chartDir()).filter((f) => /^values-[a-z0-9-]+\.yaml$/.test(f)).sort();
}
