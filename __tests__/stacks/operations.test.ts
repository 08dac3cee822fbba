import { AlarmThresholds, Environment } from "../../src/config";
import { prod } from "../../src/environments/prod";
import { staging } from "../../src/environments/staging";
import { MANAGED_RULE_GROUPS } from "../../src/modules/operations/waf";
import { releaseValueLayers } from "../helpers/release-values";
import { Block, buildProject, dataSources, onlyResource, policyDocumentFor, resources, synthJson, SynthJson } from "../helpers/synth";

const stacks = buildProject();
const platform = (name: string): SynthJson => synthJson(stacks.platforms.get(name)!);
const apps = (name: string): SynthJson => synthJson(stacks.apps.get(name)!);

function alarm(json: SynthJson, suffix: string, env: Environment): Block {
  const found = resources(json, "aws_cloudwatch_metric_alarm").find((a) => a.alarm_name === `${env.identity.resourceName}-${suffix}`);
  if (!found) throw new Error(`no alarm ${env.identity.resourceName}-${suffix}`);
  return found;
}

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

describe.each(stacks.environments.map((e) => [e.identity.name, e] as const))("%s operations", (name, env) => {
  const json = platform(name);
  const t: AlarmThresholds = env.alerting.thresholds;
  const topicRef = expect.stringMatching(/^\$\{aws_sns_topic\.alerts_topic_[0-9A-F]+\.arn\}$/);

  describe("alert topic", () => {
    it("is KMS-encrypted and publishable only by this account's CloudWatch alarms", () => {
      const topic = onlyResource(json, "aws_sns_topic");
      expect(topic).toMatchObject({ name: `${env.identity.resourceName}-alerts`, kms_master_key_id: expect.stringMatching(/aws_kms_key\.alerts_key_/) });
      const policy = policyDocumentFor(json, onlyResource(json, "aws_sns_topic_policy").policy);
      expect(policy.statement).toEqual([
        expect.objectContaining({
          principals: [{ type: "Service", identifiers: ["cloudwatch.amazonaws.com"] }],
          actions: ["sns:Publish"],
          condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [expect.stringContaining("aws_caller_identity")] }],
        }),
      ]);
    });

    it("subscribes the configured emails", () => {
      expect(resources(json, "aws_sns_topic_subscription").map((s) => [s.protocol, s.endpoint])).toEqual(env.alerting.emails.map((e) => ["email", e]));
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
      expect(alarm(json, suffix, env)).toMatchObject({
        namespace,
        metric_name: metric,
        threshold,
        comparison_operator: comparison,
        alarm_actions: [topicRef],
        ok_actions: [topicRef],
      });
    });

    it("watches every Redis node and scopes each alarm to its resource", () => {
      const redisCpu = resources(json, "aws_cloudwatch_metric_alarm").filter((a) => String(a.alarm_name).includes("redis-cpu"));
      expect(redisCpu.map((a) => (a.dimensions as Record<string, string>).CacheClusterId)).toEqual(
        Array.from({ length: 1 + env.cache.replicas }, (_, i) => `${env.identity.resourceName}-00${i + 1}`),
      );
      expect(alarm(json, "rds-cpu", env).dimensions).toEqual({ DBInstanceIdentifier: env.identity.resourceName });
      expect(alarm(json, "eks-node-cpu", env).dimensions).toEqual({ ClusterName: env.identity.resourceName });
    });
  });

  it("turns on Container Insights (the add-on the EKS alarms read)", () => {
    expect(resources(json, "aws_eks_addon").map((a) => a.addon_name)).toContain("amazon-cloudwatch-observability");
  });

  it("has one dashboard with the RDS, Redis, EKS and ALB metrics", () => {
    const dashboard = onlyResource(json, "aws_cloudwatch_dashboard");
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
    expect(onlyResource(json, "aws_db_instance")).toMatchObject({
      backup_retention_period: env.backup.rdsRetentionDays,
      backup_window: env.backup.rdsBackupWindow,
      maintenance_window: env.backup.rdsMaintenanceWindow,
      copy_tags_to_snapshot: true,
      skip_final_snapshot: false,
      final_snapshot_identifier: `${env.identity.resourceName}-final`,
    });
  });

  it("keeps ElastiCache snapshots per config", () => {
    expect(onlyResource(json, "aws_elasticache_replication_group")).toMatchObject({
      snapshot_retention_limit: env.backup.cacheSnapshotRetentionDays,
      snapshot_window: env.backup.cacheSnapshotWindow,
      maintenance_window: env.backup.cacheMaintenanceWindow,
    });
  });

  it("creates the app secret empty and KMS-encrypted, before any release needs it", () => {
    expect(onlyResource(json, "aws_secretsmanager_secret")).toMatchObject({
      name: `${env.identity.resourceName}/app`,
      recovery_window_in_days: 30,
      kms_key_id: expect.stringMatching(/aws_kms_key\.app-secret-key_/),
    });
    expect(resources(json, "aws_secretsmanager_secret_version")).toEqual([]);
  });

  it("has a backups bucket: versioned, KMS-encrypted, private, with the seed's lifecycle", () => {
    const bucket = resources(json, "aws_s3_bucket").find((b) => String(b.bucket).startsWith(`${env.identity.resourceName}-backups-`));
    expect(bucket?.bucket).toMatch(new RegExp(`^${env.identity.resourceName}-backups-\\$\\{data\\.aws_caller_identity\\.`));
    expect(onlyResource(json, "aws_s3_bucket_versioning").versioning_configuration).toEqual({ status: "Enabled" });
    expect(onlyResource(json, "aws_s3_bucket_public_access_block")).toMatchObject({ block_public_acls: true, restrict_public_buckets: true });
    const rules = onlyResource(json, "aws_s3_bucket_lifecycle_configuration").rule as Block[];
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
    expect(prod.backup.rdsRetentionDays).toBeGreaterThan(staging.backup.rdsRetentionDays);
    expect(onlyResource(platform("prod"), "aws_db_instance").backup_retention_period).toBe(14);
    expect(onlyResource(platform("staging"), "aws_db_instance").backup_retention_period).toBe(7);
  });
});

describe.each(stacks.environments.map((e) => [e.identity.name, e] as const))("%s edge security and ingress alarms", (name, env) => {
  const json = apps(name);

  it("builds the WAF ACL: rate limit per IP first, then AWS managed common, bad-inputs and SQLi rule groups", () => {
    const acl = onlyResource(json, "aws_wafv2_web_acl");
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
    const logging = onlyResource(json, "aws_wafv2_web_acl_logging_configuration");
    expect(logging.redacted_fields).toEqual([{ single_header: { name: "authorization" } }, { single_header: { name: "cookie" } }]);
    const group = resources(json, "aws_cloudwatch_log_group").find((g) => g.name === `aws-waf-logs-${env.identity.resourceName}`);
    expect(group?.kms_key_id).toMatch(/aws_kms_key\./);
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
    const raw = String((json.resource?.helm_release?.mindhit.values as string[]).at(-1));
    expect(raw).toContain('"wafAclArn": "${aws_wafv2_web_acl.waf_acl_');
  });

  it("alarms on ALB 5xx and p95 target response time, to the platform's topic, once the ALB exists", () => {
    expect(dataSources(json, "aws_lb")).toEqual([expect.objectContaining({ name: env.identity.resourceName, depends_on: ["helm_release.mindhit"] })]);
    expect(dataSources(json, "aws_sns_topic")).toEqual([expect.objectContaining({ name: `${env.identity.resourceName}-alerts` })]);
    const byName = (suffix: string): Block =>
      resources(json, "aws_cloudwatch_metric_alarm").find((a) => a.alarm_name === `${env.identity.resourceName}-${suffix}`) ?? {};
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
