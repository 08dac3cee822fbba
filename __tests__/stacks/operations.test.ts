import { CloudwatchDashboard } from "@cdktf/provider-aws/lib/cloudwatch-dashboard";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsLb } from "@cdktf/provider-aws/lib/data-aws-lb";
import { DataAwsSnsTopic } from "@cdktf/provider-aws/lib/data-aws-sns-topic";
import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { EksAddon } from "@cdktf/provider-aws/lib/eks-addon";
import { ElasticacheReplicationGroup } from "@cdktf/provider-aws/lib/elasticache-replication-group";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/secretsmanager-secret-version";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { Wafv2WebAcl } from "@cdktf/provider-aws/lib/wafv2-web-acl";
import { Wafv2WebAclLoggingConfiguration } from "@cdktf/provider-aws/lib/wafv2-web-acl-logging-configuration";
import { Release } from "@cdktf/provider-helm/lib/release";
import type { Environment } from "../../src/config";
import type { AlarmThresholds } from "../../src/modules/operations/monitoring";
import { prod } from "../../src/environments/prod";
import { staging } from "../../src/environments/staging";
import { MANAGED_RULE_GROUPS } from "../../src/modules/operations/waf";
import { releaseValueLayers } from "../helpers/release-values";
import { Block, buildProject } from "../helpers/synth";
import { Template } from "../helpers/template";

const stacks = buildProject();
const platform = (name: string): Template => Template.fromStack(stacks.platforms.get(name)!);
const apps = (name: string): Template => Template.fromStack(stacks.apps.get(name)!);

/** The environment's alarm named `<resourceName>-<suffix>`; fails the test unless there is exactly one. */
const alarm = (template: Template, suffix: string, env: Environment): Block =>
  template.only(CloudwatchMetricAlarm, { alarm_name: `${env.identity.resourceName}-${suffix}` });

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

describe.each(stacks.environments.map((e) => [e.identity.name, e] as const))("%s operations", (name, env) => {
  const template = platform(name);
  const t: AlarmThresholds = env.alerting.thresholds;
  const topicRef = expect.stringMatching(/^\$\{aws_sns_topic\.alerts_topic_[0-9A-F]+\.arn\}$/);

  describe("alert topic", () => {
    it("is KMS-encrypted and publishable only by this account's CloudWatch alarms", () => {
      const topic = template.only(SnsTopic);
      expect(topic).toMatchObject({ name: `${env.identity.resourceName}-alerts`, kms_master_key_id: expect.stringMatching(/aws_kms_key\.alerts_key_/) });
      expect(template.statementsOf(template.only(SnsTopicPolicy).policy)).toEqual([
        expect.objectContaining({
          principals: [{ type: "Service", identifiers: ["cloudwatch.amazonaws.com"] }],
          actions: ["sns:Publish"],
          condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [expect.stringContaining(DataAwsCallerIdentity.tfResourceType)] }],
        }),
      ]);
    });

    it("subscribes the configured emails", () => {
      expect(template.resources(SnsTopicSubscription).map((s) => [s.protocol, s.endpoint])).toEqual(env.alerting.emails.map((e) => ["email", e]));
    });
  });

  describe("alarms: metric, threshold from config, ALARM and OK to the topic", () => {
    const cases: Array<[string, string, string, number, string]> = [
      ["rds-cpu", "AWS/RDS", "CPUUtilization", t.rdsCpuPercent, "GreaterThanThreshold"],
      ["rds-free-storage", "AWS/RDS", "FreeStorageSpace", t.rdsFreeStorageGiB * GIB, "LessThanThreshold"],
      ["rds-freeable-memory", "AWS/RDS", "FreeableMemory", t.rdsFreeableMemoryMiB * MIB, "LessThanThreshold"],
      ["rds-connections", "AWS/RDS", "DatabaseConnections", t.rdsConnections, "GreaterThanThreshold"],
      [`redis-cpu-${env.identity.resourceName}-001`, "AWS/ElastiCache", "EngineCPUUtilization", t.cacheCpuPercent, "GreaterThanThreshold"],
      [`redis-memory-${env.identity.resourceName}-001`, "AWS/ElastiCache", "DatabaseMemoryUsagePercentage", t.cacheMemoryPercent, "GreaterThanThreshold"],
      [`redis-evictions-${env.identity.resourceName}-001`, "AWS/ElastiCache", "Evictions", t.cacheEvictions, "GreaterThanThreshold"],
      ["eks-node-cpu", "ContainerInsights", "node_cpu_utilization", t.nodeCpuPercent, "GreaterThanThreshold"],
      ["eks-node-memory", "ContainerInsights", "node_memory_utilization", t.nodeMemoryPercent, "GreaterThanThreshold"],
      ["eks-failed-nodes", "ContainerInsights", "cluster_failed_node_count", 1, "GreaterThanOrEqualToThreshold"],
    ];
    it.each(cases)("%s", (suffix, namespace, metric, threshold, comparison) => {
      expect(alarm(template, suffix, env)).toMatchObject({
        namespace,
        metric_name: metric,
        threshold,
        comparison_operator: comparison,
        alarm_actions: [topicRef],
        ok_actions: [topicRef],
      });
    });

    it("watches every Redis node and scopes each alarm to its resource", () => {
      const redisCpu = template.resources(CloudwatchMetricAlarm, { alarm_name: expect.stringContaining("redis-cpu") });
      expect(redisCpu.map((a) => (a.dimensions as Record<string, string>).CacheClusterId)).toEqual(
        Array.from({ length: 1 + env.cache.replicas }, (_, i) => `${env.identity.resourceName}-00${i + 1}`),
      );
      expect(alarm(template, "rds-cpu", env).dimensions).toEqual({ DBInstanceIdentifier: env.identity.resourceName });
      expect(alarm(template, "eks-node-cpu", env).dimensions).toEqual({ ClusterName: env.identity.resourceName });
    });
  });

  it("turns on Container Insights (the add-on the EKS alarms read)", () => {
    expect(template.text).toHaveResourceWithProperties(EksAddon, { addon_name: "amazon-cloudwatch-observability" });
  });

  it("has one dashboard with the RDS, Redis, EKS and ALB metrics", () => {
    const dashboard = template.only(CloudwatchDashboard);
    expect(dashboard.dashboard_name).toBe(env.identity.resourceName);
    const body = JSON.parse(String(dashboard.dashboard_body)) as { widgets: Array<{ properties: { title: string; metrics: unknown[][] } }> };
    const text = JSON.stringify(body);
    for (const metric of [
      "CPUUtilization",
      "FreeStorageSpace",
      "FreeableMemory",
      "DatabaseConnections",
      "EngineCPUUtilization",
      "DatabaseMemoryUsagePercentage",
      "Evictions",
      "node_cpu_utilization",
      "node_memory_utilization",
      "cluster_failed_node_count",
      "HTTPCode_ELB_5XX_Count",
      "TargetResponseTime",
    ]) {
      expect(text).toContain(metric);
    }
    expect(text).toContain(`SEARCH('{AWS/ApplicationELB,LoadBalancer} HTTPCode_ELB_5XX_Count ${env.identity.resourceName}', 'Sum', 300)`);
  });

  it("keeps RDS backups and windows from config, copies tags to snapshots, keeps a final snapshot", () => {
    const { backupRetentionPeriod, backupWindow, maintenanceWindow } = env.database;
    const database = template.only(DbInstance);
    expect(database).toMatchObject({ backup_retention_period: backupRetentionPeriod, backup_window: backupWindow, maintenance_window: maintenanceWindow });
    expect(database).toMatchObject({
      copy_tags_to_snapshot: true,
      skip_final_snapshot: false,
      final_snapshot_identifier: `${env.identity.resourceName}-final`,
    });
  });

  it("keeps ElastiCache snapshots per config", () => {
    expect(template.only(ElasticacheReplicationGroup)).toMatchObject({
      snapshot_retention_limit: env.cache.snapshotRetentionLimit,
      snapshot_window: env.cache.snapshotWindow,
      maintenance_window: env.cache.maintenanceWindow,
    });
  });

  it("creates the app secret empty and KMS-encrypted, before any release needs it", () => {
    expect(template.only(SecretsmanagerSecret, { name: env.identity.appSecretName })).toMatchObject({
      name: `${env.identity.resourceName}/app`,
      recovery_window_in_days: 30,
      kms_key_id: expect.stringMatching(/aws_kms_key\.app-secret-key_/),
    });
    template.resourceCountIs(SecretsmanagerSecretVersion, 0, { secret_id: expect.stringMatching(/aws_secretsmanager_secret\.app-secret/) });
  });

  it("generates the Grafana admin password at apply, where monitoring is on, and keeps it out of plan and state", () => {
    const versions = template.resources(SecretsmanagerSecretVersion);
    if (!env.prometheus.enabled) {
      expect(versions).toEqual([]);
      expect(template.json.ephemeral).toBeUndefined();
      return;
    }
    const secret = template.only(SecretsmanagerSecret, { name: env.identity.grafanaAdminSecretName });
    expect(secret).toMatchObject({ kms_key_id: expect.stringMatching(/aws_kms_key\.grafana-admin_key_/), recovery_window_in_days: 30 });
    // Only the write-only argument carries the value: no secret_string, which state would keep.
    expect(versions).toEqual([
      {
        secret_id: expect.stringMatching(/aws_secretsmanager_secret\.grafana-admin_secret_/),
        secret_string_wo: expect.stringMatching(/^\$\{jsonencode\(local\.grafana-admin_login_[0-9A-F]+\)\}$/),
        secret_string_wo_version: 1,
      },
    ]);
    const [local] = Object.values(template.json.locals ?? {});
    expect(local).toEqual({
      "admin-user": "admin",
      "admin-password": expect.stringMatching(/^\$\{ephemeral\.aws_secretsmanager_random_password\.grafana-admin_password_[0-9A-F]+\.random_password\}$/),
    });
    expect(Object.values(template.json.ephemeral?.aws_secretsmanager_random_password ?? {})).toEqual([{ password_length: 32, exclude_punctuation: true }]);
    // Write-only arguments arrived in Terraform 1.11.
    expect(template.json.terraform.required_version).toBe(">= 1.11");
  });

  it("has a backups bucket: versioned, KMS-encrypted, private, with the seed's lifecycle", () => {
    template.resourceCountIs(S3Bucket, 1, {
      bucket: expect.stringMatching(new RegExp(`^${env.identity.backupsBucketPrefix}\\$\\{data\\.aws_caller_identity\\.`)),
    });
    expect(template.only(S3BucketVersioningA, { bucket: expect.stringMatching(/^\$\{aws_s3_bucket\.backups_bucket_/) }).versioning_configuration).toEqual({
      status: "Enabled",
    });
    expect(template.only(S3BucketPublicAccessBlock, { bucket: expect.stringMatching(/^\$\{aws_s3_bucket\.backups_bucket_/) })).toMatchObject({
      block_public_acls: true,
      restrict_public_buckets: true,
    });
    const rules = template.only(S3BucketLifecycleConfiguration, { bucket: expect.stringMatching(/^\$\{aws_s3_bucket\.backups_bucket_/) }).rule as Block[];
    expect(rules).toContainEqual(
      expect.objectContaining({
        transition: [
          { days: 30, storage_class: "STANDARD_IA" },
          { days: 90, storage_class: "GLACIER" },
        ],
        expiration: [{ days: 365 }],
      }),
    );
  });
});

describe("environment differences in operations", () => {
  it("prod keeps database backups longer than staging", () => {
    expect(prod.database.backupRetentionPeriod).toBeGreaterThan(staging.database.backupRetentionPeriod);
    expect(platform("prod").only(DbInstance).backup_retention_period).toBe(14);
    expect(platform("staging").only(DbInstance).backup_retention_period).toBe(7);
  });
});

describe.each(stacks.environments.map((e) => [e.identity.name, e] as const))("%s edge security and ingress alarms", (name, env) => {
  const template = apps(name);

  it("builds the WAF ACL: rate limit per IP first, then AWS managed common, bad-inputs and SQLi rule groups", () => {
    const acl = template.only(Wafv2WebAcl);
    expect(acl).toMatchObject({ name: env.identity.resourceName, scope: "REGIONAL", default_action: { allow: {} } });
    const rules = acl.rule as Block[];
    expect(rules[0]).toMatchObject({
      name: "rate-limit-per-ip",
      priority: 1,
      action: { block: {} },
      statement: { rate_based_statement: { limit: env.waf.rateLimitPerIp, aggregate_key_type: "IP" } },
    });
    expect(
      rules.slice(1).map((r) => (r.statement as { managed_rule_group_statement: { vendor_name: string; name: string } }).managed_rule_group_statement),
    ).toEqual(MANAGED_RULE_GROUPS.map((group) => ({ vendor_name: "AWS", name: group })));
    expect(rules.map((r) => r.name)).toEqual(expect.arrayContaining(["AWSManagedRulesCommonRuleSet", "AWSManagedRulesSQLiRuleSet"]));
  });

  it("logs WAF decisions to an encrypted aws-waf-logs- group, without session headers", () => {
    const logging = template.only(Wafv2WebAclLoggingConfiguration);
    expect(logging.redacted_fields).toEqual([{ single_header: { name: "authorization" } }, { single_header: { name: "cookie" } }]);
    expect(template.only(CloudwatchLogGroup, { name: `aws-waf-logs-${env.identity.resourceName}` }).kms_key_id).toMatch(/aws_kms_key\./);
  });

  it("associates the ACL with the ALB through the release's ingress values, and names the ALB", () => {
    const overrides = releaseValueLayers(stacks.apps.get(name)!, env).at(-1);
    expect(overrides?.ingress).toEqual({
      enabled: true,
      host: env.identity.host,
      certificateArn: expect.stringMatching(/^arn:aws:acm:/),
      wafAclArn: `arn:aws:wafv2:${env.region}:111111111111:regional/webacl/${env.identity.resourceName}/abc`,
      loadBalancerName: env.identity.resourceName,
    });
    const raw = String((template.resourcesById(Release).mindhit.values as string[]).at(-1));
    expect(raw).toContain('"wafAclArn": "${aws_wafv2_web_acl.waf_acl_');
  });

  it("alarms on ALB 5xx and p95 target response time, to the platform's topic, once the ALB exists", () => {
    expect(template.dataSources(DataAwsLb)).toEqual([
      expect.objectContaining({ name: env.identity.resourceName, depends_on: [`${Release.tfResourceType}.mindhit`] }),
    ]);
    expect(template.dataSources(DataAwsSnsTopic)).toEqual([expect.objectContaining({ name: `${env.identity.resourceName}-alerts` })]);
    const byName = (suffix: string): Block => alarm(template, suffix, env);
    const t = env.alerting.thresholds;
    const common = {
      namespace: "AWS/ApplicationELB",
      dimensions: { LoadBalancer: "${data.aws_lb.ingress-alb.arn_suffix}" },
      alarm_actions: ["${data.aws_sns_topic.alert-topic.arn}"],
      ok_actions: ["${data.aws_sns_topic.alert-topic.arn}"],
    };
    expect(byName("alb-5xx")).toMatchObject({ ...common, metric_name: "HTTPCode_ELB_5XX_Count", statistic: "Sum", threshold: t.alb5xxCount });
    expect(byName("alb-target-5xx")).toMatchObject({ ...common, metric_name: "HTTPCode_Target_5XX_Count", statistic: "Sum", threshold: t.alb5xxCount });
    expect(byName("alb-target-response-time")).toMatchObject({
      ...common,
      metric_name: "TargetResponseTime",
      extended_statistic: "p95",
      threshold: t.albTargetResponseSeconds,
    });
  });
});
