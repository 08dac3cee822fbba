/**
 * The typed shape of the configuration: project-wide settings, what an environment file writes
 * (`EnvironmentConfig`), and what the stacks receive once its identity is resolved (`Environment`).
 *
 * Flow: src/environments/<env>.ts (plain values) → validation (src/config/validate.ts) →
 * identity (src/config/identity.ts) → src/app.ts → stacks.
 */

import type { EcrProps } from "../modules/ecr";
import type { EksSettings, SpotNodeGroupSettings } from "../modules/eks";
import type { ElastiCacheSettings } from "../modules/elasticache";
import type { SlackChannel } from "../modules/operations/alert-topic";
import type { BackupVaultSettings } from "../modules/operations/backup-vault";
import type { AlarmThresholds } from "../modules/operations/monitoring";
import type { StaticAssetsProps } from "../modules/operations/static-assets";
import type { WebAclSettings } from "../modules/operations/waf";
import type { PrometheusSettings } from "../modules/controllers/kube-prometheus-stack";
import type { RdsSettings } from "../modules/rds";
import type { VpcSettings } from "../modules/vpc";

/** Settings shared by every environment: who owns the state, how resources are tagged, the DNS domain. */
export interface ProjectSettings {
  /** Project name; prefixes stack names and derived resource names, and is the `Project` default tag. */
  readonly project: string;
  /** The `ManagedBy` default tag. */
  readonly managedBy: string;
  /**
   * DNS domain every environment's host lies in (derived hosts are `api.<environment>.<domain>`),
   * and the public Route53 hosted zone that holds their records and certificate validations.
   */
  readonly domain: string;
  readonly dns: DnsSettings;
  readonly accountBaseline: AccountBaselineSettings;
  readonly state: StateSettings;
  readonly github: GithubSettings;
}

/** The hosted zone of `domain`. */
export interface DnsSettings {
  /**
   * `false`: the zone exists (registered domain, or created by hand) in the account of the
   * environments whose hosts lie directly in it (prod's), and stacks look it up by name. `true`:
   * that account's bootstrap stack creates it; delegate the domain to the name servers it outputs
   * before the first environment deploy, or certificate validation waits until it times out.
   */
  readonly createHostedZone: boolean;
  /**
   * Zones below the domain that another account holds (`staging.mindhit.io`, created by that
   * account's bootstrap) and the name servers its bootstrap printed: the domain's account delegates
   * to them with NS records. No account trusts another for this.
   */
  readonly delegations: readonly ZoneDelegation[];
}

export interface ZoneDelegation {
  readonly zone: string;
  readonly nameServers: readonly string[];
}

/** Detective controls: CloudTrail, GuardDuty, alarms on security-relevant changes. */
export interface AccountBaselineSettings {
  /**
   * `project`: the account-baseline stack creates them. `organization`: an organization-wide trail
   * and GuardDuty already cover this account (SECURITY.md lists what to check), so no stack.
   */
  readonly provider: "project" | "organization";
  /** Who receives the security alarms (e.g. the security team's list). */
  readonly alertEmails: readonly string[];
}

/**
 * Where Terraform state lives: in every account, a bucket, a lock table and a key that its
 * bootstrap stack creates. The bucket is named per account (`identity.stateBucket`), as bucket
 * names are global; the table and the key alias have the same name in every account.
 */
export interface StateSettings {
  /** DynamoDB lock table (seed: `mindhit-terraform-locks`). */
  readonly lockTable: string;
  /** Region of each account's bucket and table (seed: `ap-northeast-2`). */
  readonly region: string;
  /**
   * Also take Terraform's S3-native lock (`use_lockfile`, Terraform ≥ 1.10) beside the
   * DynamoDB lock, the documented migration path away from DynamoDB locking.
   */
  readonly useS3NativeLocking: boolean;
}

/**
 * The GitHub repository whose Actions runs may assume this project's AWS roles (OIDC). The GitHub
 * environments that may deploy are the environments' own (`identity.githubEnvironment`).
 */
export interface GithubSettings {
  /** `owner/name`. */
  readonly repository: string;
  /** Branch whose pushes may deploy. */
  readonly deployBranch: string;
}

/** The two stacks of an environment: AWS resources, and what runs inside the cluster. */
export const STACK_LAYERS = ["platform", "apps"] as const;
export type StackLayer = (typeof STACK_LAYERS)[number];

/** How Terraform is run for this synth: state in S3 (default) or in HCP Terraform. */
export type StateBackend = { readonly kind: "s3" } | HcpTerraformBackend;

export interface HcpTerraformBackend {
  readonly kind: "cloud";
  /** HCP Terraform / Terraform Cloud organization. */
  readonly organization: string;
  /** `app.terraform.io` unless a Terraform Enterprise host is named. */
  readonly hostname: string;
  /**
   * HCP Terraform project holding the workspaces; the roles' trust names it.
   * @default the project's name (`project.project`)
   */
  readonly project?: string;
}

/**
 * How the Kubernetes and Helm providers authenticate to EKS:
 * - `exec`: `aws eks get-token` on every request (the seed's form; needs the AWS CLI where Terraform runs);
 * - `token`: a token from the AWS provider's ephemeral `aws_eks_cluster_auth` (no CLI needed, never in
 *   plan or state, valid 15 minutes; needs Terraform ≥ 1.10).
 */
export type ClusterAuth = "exec" | "token";

/** Per phase of an HCP Terraform run: the role plans and the role applies. */
export interface HcpTerraformRoleNames {
  readonly plan: string;
  readonly apply: string;
}

/**
 * `production` environments must alert someone, keep their database from deletion, and keep at
 * least a week of backups; validation enforces it. A copy of prod (`variantOf(prod, …)`) is
 * production unless it says otherwise.
 */
export type EnvironmentTier = "production" | "non-production";

/**
 * The sections below are the modules' own settings, under the modules' own names and documented
 * there (with their defaults): an environment states each one, so `staging = prod + differences`
 * reads as a complete list, and a value means the same in config, module, and error message.
 */

/** The VPC (src/modules/vpc.ts): addresses and NAT. Its zones are the environment's `azs`. */
export type NetworkConfig = Required<Pick<VpcSettings, "vpcCidr" | "publicSubnetCidrs" | "privateSubnetCidrs" | "natGateways">>;

/** The EKS cluster and its node groups (src/modules/eks.ts). */
export type ClusterConfig = Required<
  Pick<
    EksSettings,
    "version" | "nodeInstanceTypes" | "nodeDesiredSize" | "nodeMinSize" | "nodeMaxSize" | "publicAccessCidrs" | "adminPrincipalArns" | "deletionProtection"
  >
> & {
  /** The Spot node group, on or off (the seed's: t3.large and t3a.large, 1 / 2 / 5); the worker may run there. */
  readonly spotNodeGroup: SpotNodeGroupConfig;
};

export type SpotNodeGroupConfig = { readonly enabled: boolean } & SpotNodeGroupSettings;

/** The PostgreSQL instance (src/modules/rds.ts): size, availability, protection, backups and windows (UTC; KST = UTC+9). */
export type DatabaseConfig = Required<
  Pick<RdsSettings, "instanceClass" | "dbName" | "multiAz" | "deletionProtection" | "backupRetentionPeriod" | "backupWindow" | "maintenanceWindow">
>;

/** The Redis replication group (src/modules/elasticache.ts): size, replicas, snapshots and windows (UTC). */
export type CacheConfig = Required<Pick<ElastiCacheSettings, "nodeType" | "replicas" | "snapshotRetentionLimit" | "snapshotWindow" | "maintenanceWindow">>;

/** The image repositories (src/modules/ecr.ts). */
export type RegistryConfig = Required<Pick<EcrProps, "imageTagMutability">>;

/** Static assets behind CloudFront (src/modules/operations/static-assets.ts), on the host `identity.assetsHost`. */
export type AssetsConfig = { readonly enabled: boolean } & Required<Pick<StaticAssetsProps, "priceClass">>;

/** The WAFv2 web ACL in front of the ingress ALB (src/modules/operations/waf.ts). */
export type WafConfig = Required<Pick<WebAclSettings, "rateLimitPerIp" | "countRules">>;

/**
 * In-cluster monitoring (src/modules/controllers/kube-prometheus-stack.ts): Prometheus with the
 * app's ServiceMonitor and alert rules, Alertmanager to the alert topic, Grafana.
 */
export type PrometheusConfig = { readonly enabled: boolean } & Required<PrometheusSettings>;

/** Where alarms go and when they fire. Thresholds are per environment. */
export interface AlertingConfig {
  /** Email addresses subscribed to the environment's alert topic (each confirms once). */
  readonly emails: readonly string[];
  /** Slack channel fed by AWS Chatbot. @default none */
  readonly slack?: SlackChannel;
  readonly thresholds: AlarmThresholds;
}

/** Backups beyond the data stores' own (their retention and windows are in `database` and `cache`). */
export interface BackupConfig {
  /** Days every object version in the backups bucket is locked (S3 Object Lock, governance); 0 = off. Only settable when the bucket is created. */
  readonly objectLockDays: number;
  /** AWS Backup of the database into the environment's vault (src/modules/operations/backup-vault.ts). */
  readonly vault: BackupVaultConfig;
  /** Logical dumps of the database into the backups bucket (the chart's `logicalBackup` CronJob). */
  readonly logicalDumps: LogicalDumpsConfig;
}

export interface LogicalDumpsConfig {
  /** A nightly `pg_dump` to `<backups bucket>/postgres/<database>/`, as the seed's backup script. */
  readonly enabled: boolean;
  /** When it runs: a five-field cron expression in UTC (seed: nightly; prod `0 21 * * *`, 06:00 KST). */
  readonly schedule: string;
}

export type BackupVaultConfig = Required<Pick<BackupVaultSettings, "retentionDays" | "lock">> & Pick<BackupVaultSettings, "copyToVaultArn">;

/** The in-cluster release of the application chart. */
export interface ReleaseConfig {
  /** Image tag of `api` unless `-var api_image_tag=…` overrides it at deploy time. */
  readonly apiImageTag: string;
  /** Image tag of `worker` unless `-var worker_image_tag=…` overrides it. */
  readonly workerImageTag: string;
  /** Seconds Helm waits for the rollout before it rolls back (the seed's `--timeout 10m` is 600). */
  readonly timeoutSeconds: number;
}

/** Everything about an environment except who it is: what `variantOf` copies from its base. */
export interface EnvironmentSettings {
  readonly tier: EnvironmentTier;
  readonly region: string;
  /** At least two, in the region. Subnet lists follow this order. */
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
  readonly assets: AssetsConfig;
  readonly prometheus: PrometheusConfig;
}

/**
 * Overrides of identities that are otherwise derived from the environment's `name` (the rule is
 * in src/config/identity.ts and docs/design-decisions.md). Prod uses them to keep the seed's names; a new
 * environment normally needs none. `variantOf` never copies them to the variant.
 */
export interface IdentityOverrides {
  /** Long name: `Environment` tag, state key prefix, chart `global.environment`. @default name */
  readonly environment?: string;
  /** Prefix of every AWS resource name (cluster, database, roles, keys). @default `<project>-<environment>` */
  readonly resourceName?: string;
  /** ECR namespace: repositories `<namespace>/api` and `<namespace>/worker`. @default resourceName */
  readonly repositoryNamespace?: string;
  /** Public host of the API. @default `api.<environment>.<project domain>` */
  readonly host?: string;
  /** The chart values file (in helm/mindhit/). @default `values-<name>.yaml` if it exists, else the chart's defaults alone */
  readonly valuesFile?: string;
  /** GitHub environment whose jobs deploy it (give prod's required reviewers). @default environment */
  readonly githubEnvironment?: string;
  /**
   * The state bucket of the environment's account (environments sharing an account share it, and
   * must agree on it). @default `<project>-terraform-state-<account>`
   */
  readonly stateBucket?: string;
}

/** What an environment file writes: a name, its account, optional identity overrides, and its settings. */
export interface EnvironmentConfig extends EnvironmentSettings {
  /** Short key (`prod`, `staging`, `dev`): stack names `<project>-<name>`, `<project>-<name>-apps`; every identity derives from it. */
  readonly name: string;
  /**
   * The 12-digit AWS account the environment lives in (with `region`): the wall between
   * environments. A production-tier environment must be alone in its account; non-production ones
   * may share one, and then nothing isolates them from each other. Every AWS provider refuses other
   * credentials (`allowed_account_ids`). `variantOf` never copies it.
   */
  readonly account: string;
  /** @default {} (every identity derived from name) */
  readonly identity?: IdentityOverrides;
}

/** An application component: one image, one IRSA role, one Deployment. */
export type AppComponent = "api" | "worker";
export const APP_COMPONENTS: readonly AppComponent[] = ["api", "worker"];

/** Every name an environment owns, resolved from its config (see src/config/identity.ts). */
export interface EnvironmentIdentity {
  readonly name: string;
  /** The AWS account (12 digits). */
  readonly account: string;
  /** The state bucket of its account. */
  readonly stateBucket: string;
  readonly environment: string;
  readonly resourceName: string;
  readonly stackNames: Readonly<Record<StackLayer, string>>;
  /** Object keys in the state bucket (also HCP Terraform workspaces are named after the stacks). */
  readonly stateKeys: { readonly platform: string; readonly apps: string };
  readonly repositoryNames: Readonly<Record<AppComponent, string>>;
  /** The chart values file, or undefined when the environment uses the chart's defaults. */
  readonly valuesFile: string | undefined;
  readonly host: string;
  /**
   * The public hosted zone, in the environment's own account, that holds its host, its assets host
   * and their certificate validations: the host without its first label (`mindhit.io` for
   * `api.mindhit.io`, `staging.mindhit.io` for `api.staging.mindhit.io`). A zone below the project's
   * domain is delegated to from the domain's zone (`dns.delegations`).
   */
  readonly hostedZone: string;
  /** Host of the static assets' CDN: the API host with its leading `api.` as `cdn.` (seed: `cdn.<domain>`). */
  readonly assetsHost: string;
  readonly githubEnvironment: string;
  /** SNS topic the environment's alarms notify. */
  readonly alertTopicName: string;
  /**
   * Start of the backups bucket's name; the bucket is `<prefix><account id>` (bucket names are
   * global, so the account id keeps two accounts' environments apart).
   */
  readonly backupsBucketPrefix: string;
  /** KMS alias (without `alias/`) of the key the backups bucket encrypts with; the dump job writes through it. */
  readonly backupsKeyAlias: string;
  /** SQS queue of the EC2 node events (Spot interruptions …) the Node Termination Handler drains nodes on. */
  readonly nodeEventQueueName: string;
  /** Secrets Manager secret holding Grafana's admin login (generated at apply, never in state). */
  readonly grafanaAdminSecretName: string;
  /** Secrets Manager secret holding the application's secret values. */
  readonly appSecretName: string;
  /** Fixed name of the ingress ALB (≤ 32 characters), so alarms and the dashboard can find it. */
  readonly loadBalancerName: string;
  /**
   * SSM parameters holding the image tag each component runs. The app release writes them; every
   * deploy of the -apps stack reads them, so an infrastructure deploy never changes the app version.
   */
  readonly imageTagParameters: Readonly<Record<AppComponent, string>>;
  /** The roles GitHub Actions assume for this environment (created by the bootstrap stack). */
  readonly ciRoleNames: { readonly plan: string; readonly deploy: string };
  /**
   * The roles HCP Terraform runs assume for this environment's workspaces (one pair per stack,
   * created by the bootstrap stack in HCP Terraform mode).
   */
  readonly hcpTerraformRoleNames: Readonly<Record<StackLayer, HcpTerraformRoleNames>>;
  /** The role people assume (MFA) to read the app's secrets in an emergency. */
  readonly breakGlassRoleName: string;
  /** The role people assume (MFA) to administer the EKS cluster (the platform stack creates it). */
  readonly clusterAdminRoleName: string;
  /** External Secrets' IRSA role: with break-glass, the only readers of the app secret. */
  readonly externalSecretsRoleName: string;
  /** The monitoring namespace's SecretStore role: with break-glass, the only readers of the Grafana admin secret. */
  readonly grafanaSecretsRoleName: string;
}

/** A validated environment with its identity resolved: what the stacks build from. */
export interface Environment extends EnvironmentSettings {
  readonly identity: EnvironmentIdentity;
}
