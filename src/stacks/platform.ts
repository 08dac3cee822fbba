import { DataAwsRoute53Zone } from "@cdktf/provider-aws/lib/data-aws-route53-zone";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretPolicy } from "@cdktf/provider-aws/lib/secretsmanager-secret-policy";
import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import { Construct } from "constructs";
import { TerraformOutput } from "../cdktf";
import { APP_COMPONENTS, Environment, IMAGE_TAG, ProjectSettings, Readable } from "../config";
import { SLACK_CHANNEL_DEFAULTS, AlertTopic, AlertTopicSettings, checkAlertTopicProps } from "../modules/operations/alert-topic";
import { BackupVaultSettings, checkBackupVaultProps, EnvironmentBackups } from "../modules/operations/backup-vault";
import { BreakGlassRole } from "../modules/identity/break-glass-role";
import { DnsValidatedCertificate } from "../modules/operations/certificate";
import { EncryptionKey } from "../modules/shared/encryption-key";
import { GeneratedLoginSecret } from "../modules/shared/generated-secret";
import { GRAFANA_ADMIN_KEYS } from "../modules/controllers/kube-prometheus-stack";
import { checkAlarmThresholds, PlatformMonitoring } from "../modules/operations/monitoring";
import { withDefaults } from "../modules/shared/defaults";
import { SecureBucket } from "../modules/shared/secure-bucket";
import { checkSpotInterruptionQueueProps, SpotInterruptionQueue } from "../modules/operations/spot-interruptions";
import { checkStaticAssetsProps, StaticAssets } from "../modules/operations/static-assets";
import { checkEcrProps, Ecr, EcrProps } from "../modules/ecr";
import { checkEksProps, Eks, EksSettings } from "../modules/eks";
import { checkElastiCacheProps, ElastiCache, ElastiCacheSettings } from "../modules/elasticache";
import { checkRdsProps, Rds, RDS_DEFAULTS, RdsSettings } from "../modules/rds";
import { checkVpcProps, Vpc, VpcSettings } from "../modules/vpc";
import { Problems, quote } from "../validation";
import { EnvironmentStack, EnvironmentStackProps } from "./environment-stack";
import { addAwsProvider } from "./providers";
import { onlyPrincipalsMay } from "../modules/shared/policy-statements";

export type PlatformStackProps = EnvironmentStackProps;

/** CloudFront takes certificates and web ACLs from us-east-1 only. */
const EDGE_REGION = "us-east-1";

/**
 * One environment's AWS platform, composed as the seed's `environments/prod/main.tf` composes
 * its modules: network, cluster, data stores, registry.
 */
export class PlatformStack extends EnvironmentStack {
  readonly vpc: Vpc;
  readonly eks: Eks;
  readonly rds: Rds;
  readonly cache: ElastiCache;
  readonly ecr: Ecr;
  readonly alerts: AlertTopic;
  readonly monitoring: PlatformMonitoring;
  readonly backups: SecureBucket;
  /** The node events queue, where the environment runs Spot capacity. */
  readonly nodeEvents?: SpotInterruptionQueue;

  /**
   * The modules' own checks on the settings this stack would pass them, reported under the config
   * fields those settings come from; run by validation before any construct exists.
   */
  static checkConfig(env: Environment, _project: ProjectSettings, problems: Problems, readable: Readable): void {
    if (readable("azs") && readable("network")) checkVpcProps(problems.mapped(VPC_FIELDS), vpcSettings(env));
    if (readable("cluster")) {
      checkEksProps(problems.mapped(EKS_FIELDS), eksSettings(env));
      // CI's roles get their own access entries here; EKS refuses a second entry for a principal.
      const { ciRoleNames, hcpTerraformRoleNames } = env.identity;
      for (const roleName of [ciRoleNames.plan, ciRoleNames.deploy, hcpTerraformRoleNames.apps.plan, hcpTerraformRoleNames.apps.apply]) {
        for (const arn of env.cluster.adminPrincipalArns.filter((a) => a.endsWith(`:role/${roleName}`))) {
          problems.add("cluster.adminPrincipalArns", `${quote(arn)} is CI's role, which already has an access entry (deploy: admin, plan: read)`);
        }
      }
    }
    if (readable("database")) checkRdsProps(problems.mapped(RDS_FIELDS), rdsSettings(env));
    if (readable("cache")) checkElastiCacheProps(problems.mapped(ELASTICACHE_FIELDS), elastiCacheSettings(env));
    if (readable("backup.vault")) checkBackupVaultProps(problems.mapped(BACKUP_VAULT_FIELDS), backupVaultSettings(env));
    if (readable("cluster.spotNodeGroup") && env.cluster.spotNodeGroup.enabled) {
      checkSpotInterruptionQueueProps(problems.mapped({ queueName: "identity.resourceName" }), { queueName: env.identity.nodeEventQueueName });
    }
    if (readable("assets.priceClass")) checkStaticAssetsProps(problems.mapped(configFields("assets", {})), env.assets);
    if (readable("registry")) checkEcrProps(problems.mapped(ECR_FIELDS), ecrSettings(env));
    if (readable("alerting.emails") && readable("alerting.slack")) checkAlertTopicProps(problems.mapped(ALERT_TOPIC_FIELDS), alertTopicSettings(env));
    if (readable("alerting.thresholds")) {
      checkAlarmThresholds(problems.mapped(THRESHOLD_FIELDS), env.alerting.thresholds);
      // An alarm below a free-storage level the disk never reaches would fire from the first minute.
      const storage = RDS_DEFAULTS.allocatedStorage;
      const freeStorage = env.alerting.thresholds.rdsFreeStorageGiB;
      problems.check(
        freeStorage < storage,
        "alerting.thresholds.rdsFreeStorageGiB",
        `${freeStorage} is not allowed (below the database's ${storage} GiB of allocated storage)`,
      );
    }
  }

  constructor(scope: Construct, props: PlatformStackProps) {
    // The Grafana admin password is written through a write-only argument (Terraform 1.11).
    super(scope, props, "platform", { ephemeralResources: props.env.prometheus.enabled, writeOnlyArguments: props.env.prometheus.enabled });
    const { env } = props;
    const { identity } = env;
    const account = this.account;
    this.vpc = new Vpc(this, "vpc", { ...vpcSettings(env), account });
    // CI reaches every cluster through explicit access entries: deploy administers, plan reads
    // (Secrets included: Helm's release records are Secrets, and plan refreshes the releases).
    // With HCP Terraform, so do the -apps workspace's apply and plan roles.
    const ciRoles = identity.ciRoleNames;
    const hcpRoles = props.backend.kind === "cloud" ? [identity.hcpTerraformRoleNames.apps] : [];
    const roleArn = (name: string): string => `arn:${account.partition}:iam::${account.accountId}:role/${name}`;
    const settings = eksSettings(env);
    this.eks = new Eks(this, "eks", {
      ...settings,
      adminPrincipalArns: [...(settings.adminPrincipalArns ?? []), roleArn(ciRoles.deploy), ...hcpRoles.map((r) => roleArn(r.apply))],
      readerPrincipalArns: [roleArn(ciRoles.plan), ...hcpRoles.map((r) => roleArn(r.plan))],
      account,
      vpcId: this.vpc.vpcId,
      subnetIds: this.vpc.privateSubnets,
    });

    // Pods reach the data stores through the EKS-managed cluster group, which every node carries
    // (the seed allowed only the control-plane group, which no pod has).
    const clientGroups = [this.eks.clusterSecurityGroupId, this.eks.nodeSecurityGroupId];
    const placement = { account, vpcId: this.vpc.vpcId, subnetIds: this.vpc.privateSubnets, allowedSecurityGroupIds: clientGroups };
    this.rds = new Rds(this, "rds", { ...rdsSettings(env), ...placement });
    this.cache = new ElastiCache(this, "elasticache", { ...elastiCacheSettings(env), ...placement });
    // Only this environment's nodes pull its images (staging's nodes cannot run prod's).
    this.ecr = new Ecr(this, "ecr", { ...ecrSettings(env), pullPrincipalArns: [this.eks.nodeRoleArn] });

    // Spot capacity is reclaimed on two minutes' notice: the notice reaches the -apps stack's Node
    // Termination Handler through this queue.
    if (env.cluster.spotNodeGroup.enabled) {
      this.nodeEvents = new SpotInterruptionQueue(this, "node-events", { queueName: identity.nodeEventQueueName });
    }

    // Operations: alerts, alarms and the dashboard; a bucket for logical backups and exports.
    const slack = env.alerting.slack;
    const chatbotProvider = slack
      ? addAwsProvider(this, props.project, {
          account: identity.account,
          region: withDefaults(slack, SLACK_CHANNEL_DEFAULTS).chatbotRegion,
          environment: identity.environment,
          alias: "chatbot",
        })
      : undefined;
    this.alerts = new AlertTopic(this, "alerts", { ...alertTopicSettings(env), account, chatbotProvider });
    this.monitoring = new PlatformMonitoring(this, "monitoring", {
      name: identity.resourceName,
      region: env.region,
      topicArn: this.alerts.topicArn,
      thresholds: env.alerting.thresholds,
      rdsInstanceId: identity.resourceName,
      cacheReplicationGroupId: identity.resourceName,
      cacheNodeCount: 1 + env.cache.replicas,
      eksClusterName: identity.resourceName,
      loadBalancerName: identity.loadBalancerName,
    });
    const backupsKey = new EncryptionKey(this, "backups-key", {
      alias: identity.backupsKeyAlias,
      description: `Encrypts the backups bucket of ${identity.resourceName}`,
      account,
    });
    this.backups = new SecureBucket(this, "backups", {
      // Bucket names are global: the account id keeps them unique.
      bucketName: `${identity.backupsBucketPrefix}${account.accountId}`,
      kmsKeyArn: backupsKey.keyArn,
      noncurrentVersionExpirationDays: 30,
      // The seeds' lifecycle: Standard-IA after 30 days, Glacier after 90, gone after a year.
      transitions: [
        { days: 30, storageClass: "STANDARD_IA" },
        { days: 90, storageClass: "GLACIER" },
      ],
      expirationDays: 365,
      objectLockDays: env.backup.objectLockDays,
    });
    // AWS Backup: daily recovery points of the database in a (locked) vault, beside RDS's own
    // automated backups, which whoever may delete the instance may delete too.
    new EnvironmentBackups(this, "aws-backup", { ...backupVaultSettings(env), account, kmsKeyArn: backupsKey.keyArn, resourceArns: [this.rds.instanceArn] });

    // The application's secret values (database-url, redis-addr, jwt-secret, openai-api-key) as
    // JSON. Created empty: operators put the value once, before the first release of the -apps
    // stack, whose External Secrets sync reads it. No value ever passes through Terraform.
    // Its readers are named, not implied: External Secrets' role and the break-glass role. A key-
    // policy deny and a resource-policy deny hold against any IAM policy (CI's PowerUser included).
    const readers = [roleArn(identity.externalSecretsRoleName), roleArn(identity.breakGlassRoleName)];
    const appSecretKey = new EncryptionKey(this, "app-secret-key", {
      alias: `${identity.resourceName}-app-secrets`,
      description: `Encrypts the application secrets of ${identity.resourceName}`,
      account,
      decryptOnlyBy: readers,
    });
    const appSecret = new SecretsmanagerSecret(this, "app-secret", {
      name: identity.appSecretName,
      description: `database-url, redis-addr, jwt-secret, openai-api-key for ${identity.resourceName} (JSON); synced into the cluster by External Secrets`,
      kmsKeyId: appSecretKey.keyArn,
      recoveryWindowInDays: 30,
    });
    const secretReaders = new DataAwsIamPolicyDocument(this, "app-secret-readers", {
      statement: [onlyPrincipalsMay("ReadOnlyByTheNamedReaders", ["secretsmanager:GetSecretValue"], readers, ["*"])],
    });
    new SecretsmanagerSecretPolicy(this, "app-secret-policy", { secretArn: appSecret.arn, policy: secretReaders.json, blockPublicPolicy: true });
    // Grafana's admin login, where in-cluster monitoring is on: generated by AWS at apply and never in
    // plan or state; the monitoring namespace's SecretStore role reads it (and break-glass, to recover).
    const grafanaAdmin = env.prometheus.enabled
      ? new GeneratedLoginSecret(this, "grafana-admin", {
          name: identity.grafanaAdminSecretName,
          description: `Grafana admin login of ${identity.resourceName} (JSON); synced into the monitoring namespace by External Secrets`,
          account,
          readerArns: [roleArn(identity.grafanaSecretsRoleName), roleArn(identity.breakGlassRoleName)],
          writerArns: [roleArn(props.backend.kind === "cloud" ? identity.hcpTerraformRoleNames.platform.apply : ciRoles.deploy)],
          user: { key: GRAFANA_ADMIN_KEYS.user, value: "admin" },
          passwordKey: GRAFANA_ADMIN_KEYS.password,
        })
      : undefined;
    const breakGlass = new BreakGlassRole(this, "break-glass", {
      roleName: identity.breakGlassRoleName,
      account,
      secretArns: [appSecret.arn, this.rds.masterUserSecretArn, ...(grafanaAdmin ? [grafanaAdmin.secretArn] : [])],
      writableSecretArns: [appSecret.arn],
      keyArns: [appSecretKey.keyArn, this.rds.encryptionKeyArn, ...(grafanaAdmin ? [grafanaAdmin.kmsKeyArn] : [])],
    });

    // The image tag each component runs. The app release (app-release.yml) writes the value; the
    // -apps stack reads it, so an infrastructure deploy never changes which version runs. Terraform
    // creates the parameter with config's tag and then leaves its value alone.
    for (const component of APP_COMPONENTS) {
      new SsmParameter(this, `image-tag-${component}`, {
        name: identity.imageTagParameters[component],
        description: `Image tag of ${component} that ${identity.resourceName} runs; written by the app release`,
        type: "String",
        value: component === "api" ? env.release.apiImageTag : env.release.workerImageTag,
        allowedPattern: IMAGE_TAG.source,
        lifecycle: { ignoreChanges: ["value"] },
      });
    }

    // HTTPS from the first deploy: a certificate for the environment's host, validated in its
    // account's hosted zone (looked up by name; the account's bootstrap stack creates it).
    const zone = new DataAwsRoute53Zone(this, "zone", { name: identity.hostedZone, privateZone: false });
    const certificate = new DnsValidatedCertificate(this, "certificate", {
      domainName: identity.host,
      hostedZoneId: zone.zoneId,
      hostedZoneName: identity.hostedZone,
    });

    // The seed's outputs, with the same names.
    new TerraformOutput(this, "eks_cluster_endpoint", { value: this.eks.clusterEndpoint, description: "EKS API server endpoint" });
    new TerraformOutput(this, "rds_endpoint", { value: this.rds.endpoint, sensitive: true, description: "PostgreSQL endpoint (address:port)" });
    new TerraformOutput(this, "redis_endpoint", {
      value: `${this.cache.endpoint}:${this.cache.port}`,
      description: "Redis primary endpoint (address:port), TLS and IAM authentication required",
    });
    new TerraformOutput(this, "ecr_repositories", { value: this.ecr.repositoryUrls, description: "ECR repository URL by name" });
    // What operators and the in-cluster stack look up by hand.
    new TerraformOutput(this, "eks_cluster_name", { value: this.eks.clusterName });
    new TerraformOutput(this, "eks_cluster_admin_role_arn", {
      value: this.eks.clusterAdminRoleArn,
      description: "Assume this role (with MFA) for kubectl admin access",
    });
    new TerraformOutput(this, "alert_topic_arn", { value: this.alerts.topicArn });
    new TerraformOutput(this, "app_secret_arn", { value: appSecret.arn, description: "Put the app's secret JSON here before the first -apps deploy" });
    new TerraformOutput(this, "backups_bucket", { value: this.backups.bucketName });
    new TerraformOutput(this, "dashboard_name", { value: this.monitoring.dashboardName });
    new TerraformOutput(this, "break_glass_role_arn", {
      value: breakGlass.roleArn,
      description: "Assume (with MFA) to set the app secret, or to read the app and database secrets in an emergency",
    });
    // Static assets at the edge (seed 004's CDN); CloudFront's certificate and ACL are in us-east-1.
    if (env.assets.enabled) {
      const edge = addAwsProvider(this, props.project, { account: identity.account, region: EDGE_REGION, environment: identity.environment, alias: "edge" });
      const assets = new StaticAssets(this, "assets", {
        name: identity.resourceName,
        host: identity.assetsHost,
        hostedZoneId: zone.zoneId,
        hostedZoneName: identity.hostedZone,
        account,
        edge: { provider: edge, region: EDGE_REGION },
        priceClass: env.assets.priceClass,
        rateLimitPerIp: env.waf.rateLimitPerIp,
      });
      new TerraformOutput(this, "assets_bucket", {
        value: assets.bucketName,
        description: `Upload static assets here; served on https://${identity.assetsHost}`,
      });
      new TerraformOutput(this, "assets_distribution_id", {
        value: assets.distributionId,
        description: "CloudFront distribution (invalidate after an upload)",
      });
    }

    new TerraformOutput(this, "certificate_arn", { value: certificate.certificateArn, description: `ACM certificate of ${identity.host} (issued)` });
    new TerraformOutput(this, "rds_master_secret_arn", {
      value: this.rds.masterUserSecretArn,
      description: "Secrets Manager secret RDS keeps the master credentials in",
    });
  }
}

/* ---- What each module is given, from the environment; shared by checkConfig and the constructor ---- */

// Config sections are the modules' settings under the same names, so only the props filled from
// elsewhere (the identity, the zones) need mapping back to the config field an operator edits.

/** A module's field as the config field it comes from: `<section>.<field>` unless listed. */
function configFields(section: string, elsewhere: Readonly<Record<string, string>>): (field: string) => string {
  return (field) => elsewhere[field] ?? `${section}.${field}`;
}

function vpcSettings(env: Environment): VpcSettings {
  return { name: env.identity.resourceName, azs: env.azs, clusterName: env.identity.resourceName, ...env.network };
}
const VPC_FIELDS = configFields("network", { name: "identity.resourceName", azs: "azs", clusterName: "identity.resourceName" });

function eksSettings(env: Environment): EksSettings {
  const { spotNodeGroup, ...cluster } = env.cluster;
  const { enabled, ...spot } = spotNodeGroup;
  return { clusterName: env.identity.resourceName, ...cluster, spotNodeGroup: enabled ? spot : undefined };
}
const EKS_FIELDS = configFields("cluster", { clusterName: "identity.resourceName" });

function rdsSettings(env: Environment): RdsSettings {
  return { identifier: env.identity.resourceName, ...env.database };
}
const RDS_FIELDS = configFields("database", { identifier: "identity.resourceName" });

function elastiCacheSettings(env: Environment): ElastiCacheSettings {
  return { clusterId: env.identity.resourceName, ...env.cache };
}
const ELASTICACHE_FIELDS = configFields("cache", { clusterId: "identity.resourceName" });

function backupVaultSettings(env: Environment): BackupVaultSettings {
  return { name: env.identity.resourceName, ...env.backup.vault };
}
const BACKUP_VAULT_FIELDS = configFields("backup.vault", { name: "identity.resourceName" });

function ecrSettings(env: Environment): EcrProps {
  return { repositoryNames: Object.values(env.identity.repositoryNames), ...env.registry };
}
const ECR_FIELDS = configFields("registry", { repositoryNames: "identity.repositoryNamespace" });

function alertTopicSettings(env: Environment): AlertTopicSettings {
  return { topicName: env.identity.alertTopicName, emails: env.alerting.emails, slack: env.alerting.slack };
}
const ALERT_TOPIC_FIELDS = configFields("alerting", { topicName: "identity.resourceName" });
const THRESHOLD_FIELDS = configFields("alerting", {});
