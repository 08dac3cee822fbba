import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { Construct } from "constructs";
import { TerraformOutput } from "../cdktf";
import type { EnvironmentConfig } from "../config";
import { AlertTopic } from "../modules/alert-topic";
import { EncryptionKey } from "../modules/encryption-key";
import { PlatformMonitoring } from "../modules/monitoring";
import { SecureBucket } from "../modules/secure-bucket";
import { Ecr } from "../modules/ecr";
import { Eks } from "../modules/eks";
import { ElastiCache } from "../modules/elasticache";
import { Rds } from "../modules/rds";
import { Vpc } from "../modules/vpc";
import { EnvironmentStack, EnvironmentStackProps } from "./environment-stack";

export type PlatformStackProps = EnvironmentStackProps;

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

  constructor(scope: Construct, props: PlatformStackProps) {
    super(scope, props, "platform");
    const { env } = props;
    const account = this.account;
    this.vpc = new Vpc(this, "vpc", {
      name: env.resourceName,
      account,
      cidr: env.network.vpcCidr,
      azs: env.azs,
      publicSubnets: env.network.publicSubnetCidrs,
      privateSubnets: env.network.privateSubnetCidrs,
      natGateways: env.network.natGateways,
      clusterName: env.resourceName,
    });
    this.eks = new Eks(this, "eks", {
      clusterName: env.resourceName,
      account,
      vpcId: this.vpc.vpcId,
      subnetIds: this.vpc.privateSubnets,
      clusterVersion: env.cluster.version,
      nodeInstanceTypes: env.cluster.nodeInstanceTypes,
      nodeDesiredSize: env.cluster.nodeDesiredSize,
      nodeMinSize: env.cluster.nodeMinSize,
      nodeMaxSize: env.cluster.nodeMaxSize,
      publicAccessCidrs: env.cluster.publicAccessCidrs,
      adminPrincipalArns: env.cluster.adminPrincipalArns,
      deletionProtection: env.cluster.deletionProtection,
    });

    // Pods reach the data stores through the EKS-managed cluster group, which every node carries
    // (the seed allowed only the control-plane group, which no pod has).
    const clientGroups = [this.eks.clusterSecurityGroupId, this.eks.nodeSecurityGroupId];
    this.rds = new Rds(this, "rds", {
      identifier: env.resourceName,
      account,
      vpcId: this.vpc.vpcId,
      subnetIds: this.vpc.privateSubnets,
      allowedSecurityGroupIds: clientGroups,
      dbName: env.database.dbName,
      instanceClass: env.database.instanceClass,
      multiAz: env.database.multiAz,
      deletionProtection: env.database.deletionProtection,
      backupRetentionPeriod: env.backup.rdsRetentionDays,
      backupWindow: env.backup.rdsBackupWindow,
      maintenanceWindow: env.backup.rdsMaintenanceWindow,
    });
    this.cache = new ElastiCache(this, "elasticache", {
      clusterId: env.resourceName,
      account,
      vpcId: this.vpc.vpcId,
      subnetIds: this.vpc.privateSubnets,
      allowedSecurityGroupIds: clientGroups,
      nodeType: env.cache.nodeType,
      replicas: env.cache.replicas,
      snapshotRetentionLimit: env.backup.cacheSnapshotRetentionDays,
      snapshotWindow: env.backup.cacheSnapshotWindow,
      maintenanceWindow: env.backup.cacheMaintenanceWindow,
    });
    this.ecr = new Ecr(this, "ecr", { repositoryNames: env.registry.repositoryNames, imageTagMutability: env.registry.imageTagMutability });

    // Operations: alerts, alarms and the dashboard; a bucket for logical backups and exports.
    this.alerts = new AlertTopic(this, "alerts", {
      topicName: alertTopicName(env),
      account,
      emails: env.alerting.emails,
      slack: env.alerting.slack,
    });
    this.monitoring = new PlatformMonitoring(this, "monitoring", {
      name: env.resourceName,
      region: env.region,
      topicArn: this.alerts.topicArn,
      thresholds: env.alerting.thresholds,
      rdsInstanceId: env.resourceName,
      cacheReplicationGroupId: env.resourceName,
      cacheNodeCount: 1 + env.cache.replicas,
      eksClusterName: env.resourceName,
      loadBalancerName: ingressLoadBalancerName(env),
    });
    const backupsKey = new EncryptionKey(this, "backups-key", {
      alias: `${env.resourceName}-backups`,
      description: `Encrypts the backups bucket of ${env.resourceName}`,
      account,
    });
    this.backups = new SecureBucket(this, "backups", {
      // Bucket names are global: the account id keeps them unique.
      bucketName: `${env.resourceName}-backups-${account.accountId}`,
      kmsKeyArn: backupsKey.keyArn,
      noncurrentVersionExpirationDays: 30,
      // The seeds' lifecycle: Standard-IA after 30 days, Glacier after 90, gone after a year.
      transitions: [
        { days: 30, storageClass: "STANDARD_IA" },
        { days: 90, storageClass: "GLACIER" },
      ],
      expirationDays: 365,
    });

    // The application's secret values (database-url, redis-addr, jwt-secret, openai-api-key) as
    // JSON. Created empty: operators put the value once, before the first release of the -apps
    // stack, whose External Secrets sync reads it. No value ever passes through Terraform.
    const appSecretKey = new EncryptionKey(this, "app-secret-key", {
      alias: `${env.resourceName}-app-secrets`,
      description: `Encrypts the application secrets of ${env.resourceName}`,
      account,
    });
    const appSecret = new SecretsmanagerSecret(this, "app-secret", {
      name: appSecretName(env),
      description: `database-url, redis-addr, jwt-secret, openai-api-key for ${env.resourceName} (JSON); synced into the cluster by External Secrets`,
      kmsKeyId: appSecretKey.keyArn,
      recoveryWindowInDays: 30,
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
    new TerraformOutput(this, "eks_cluster_admin_role_arn", { value: this.eks.clusterAdminRoleArn, description: "Assume this role (with MFA) for kubectl admin access" });
    new TerraformOutput(this, "alert_topic_arn", { value: this.alerts.topicArn });
    new TerraformOutput(this, "app_secret_arn", { value: appSecret.arn, description: "Put the app's secret JSON here before the first -apps deploy" });
    new TerraformOutput(this, "backups_bucket", { value: this.backups.bucketName });
    new TerraformOutput(this, "dashboard_name", { value: this.monitoring.dashboardName });
    new TerraformOutput(this, "rds_master_secret_arn", { value: this.rds.masterUserSecretArn, description: "Secrets Manager secret RDS keeps the master credentials in" });
  }
}

/** The environment's alert topic, which the in-cluster stack's ALB alarms also notify. */
export function alertTopicName(env: EnvironmentConfig): string {
  return `${env.resourceName}-alerts`;
}

/** The name the ingress ALB gets (≤ 32 characters), so alarms and the dashboard can find it. */
export function ingressLoadBalancerName(env: EnvironmentConfig): string {
  return env.resourceName.slice(0, 32);
}

/** The Secrets Manager secret holding the application's secret values. */
export function appSecretName(env: EnvironmentConfig): string {
  return `${env.resourceName}/app`;
}
