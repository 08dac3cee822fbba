import { CloudwatchDashboard } from "@cdktf/provider-aws/lib/cloudwatch-dashboard";
import { Construct } from "constructs";
import { ProblemSink, checkProps } from "../../validation";
import { addAlarm, AlarmSpec } from "../shared/alarm";

/** The alarms' thresholds (per environment: `alerting.thresholds`). */
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

export interface PlatformMonitoringProps {
  /** Environment resource name: alarm prefix and dashboard name. */
  readonly name: string;
  readonly region: string;
  readonly topicArn: string;
  readonly thresholds: AlarmThresholds;
  readonly rdsInstanceId: string;
  readonly cacheReplicationGroupId: string;
  /** Nodes in the replication group (primary + replicas): ElastiCache reports per node. */
  readonly cacheNodeCount: number;
  readonly eksClusterName: string;
  /** Name the ingress ALB is given (annotation load-balancer-name), for the dashboard's ALB widgets. */
  readonly loadBalancerName: string;
}

/** Sane bounds per threshold: outside them an alarm either never fires or never stops firing. */
const THRESHOLD_RANGES: Readonly<Record<keyof AlarmThresholds, { min: number; max: number; whole: boolean; unit: string }>> = {
  rdsCpuPercent: { min: 10, max: 100, whole: false, unit: "percent" },
  rdsFreeStorageGiB: { min: 1, max: 65536, whole: false, unit: "GiB" },
  rdsFreeableMemoryMiB: { min: 16, max: 1048576, whole: false, unit: "MiB" },
  rdsConnections: { min: 1, max: 100000, whole: true, unit: "connections" },
  cacheCpuPercent: { min: 10, max: 100, whole: false, unit: "percent" },
  cacheMemoryPercent: { min: 10, max: 100, whole: false, unit: "percent" },
  cacheEvictions: { min: 1, max: 1000000000, whole: true, unit: "evictions per 5 minutes" },
  nodeCpuPercent: { min: 10, max: 100, whole: false, unit: "percent" },
  nodeMemoryPercent: { min: 10, max: 100, whole: false, unit: "percent" },
  alb5xxCount: { min: 1, max: 1000000, whole: true, unit: "responses per 5 minutes" },
  albTargetResponseSeconds: { min: 0.01, max: 60, whole: false, unit: "seconds" },
};

/** Every threshold within its sane range, reported as `thresholds.<name>`. */
export function checkAlarmThresholds(problems: ProblemSink, thresholds: AlarmThresholds): void {
  for (const [name, range] of Object.entries(THRESHOLD_RANGES) as Array<[keyof AlarmThresholds, (typeof THRESHOLD_RANGES)[keyof AlarmThresholds]]>) {
    const value = thresholds[name];
    const ok = value >= range.min && value <= range.max && (!range.whole || Number.isInteger(value));
    problems.check(ok, `thresholds.${name}`, `${value} is not allowed (${range.whole ? "whole number" : "number"} ${range.min}-${range.max}, ${range.unit})`);
  }
}

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

/**
 * CloudWatch alarms on the platform's data stores and cluster, and the environment's dashboard.
 * The ingress ALB's alarms live in the in-cluster stack, which knows the ALB once the controller
 * has created it; the dashboard finds it by name with a search expression.
 */
export class PlatformMonitoring extends Construct {
  readonly alarmNames: string[];
  readonly dashboardName: string;

  constructor(scope: Construct, id: string, props: PlatformMonitoringProps) {
    super(scope, id);
    checkProps(this, props.thresholds, checkAlarmThresholds);
    const t = props.thresholds;
    const rds = { DBInstanceIdentifier: props.rdsInstanceId };
    const cluster = { ClusterName: props.eksClusterName };
    const cacheNodes = Array.from({ length: props.cacheNodeCount }, (_, i) => `${props.cacheReplicationGroupId}-${String(i + 1).padStart(3, "0")}`);
    const specs: AlarmSpec[] = [
      {
        name: "rds-cpu",
        description: `RDS ${props.rdsInstanceId} CPU above ${t.rdsCpuPercent}%`,
        namespace: "AWS/RDS",
        metricName: "CPUUtilization",
        dimensions: rds,
        statistic: "Average",
        comparison: "GreaterThanThreshold",
        threshold: t.rdsCpuPercent,
      },
      {
        name: "rds-free-storage",
        description: `RDS ${props.rdsInstanceId} free storage below ${t.rdsFreeStorageGiB} GiB (autoscaling may be at its ceiling)`,
        namespace: "AWS/RDS",
        metricName: "FreeStorageSpace",
        dimensions: rds,
        statistic: "Minimum",
        comparison: "LessThanThreshold",
        threshold: t.rdsFreeStorageGiB * GIB,
        evaluationPeriods: 1,
      },
      {
        name: "rds-freeable-memory",
        description: `RDS ${props.rdsInstanceId} freeable memory below ${t.rdsFreeableMemoryMiB} MiB`,
        namespace: "AWS/RDS",
        metricName: "FreeableMemory",
        dimensions: rds,
        statistic: "Average",
        comparison: "LessThanThreshold",
        threshold: t.rdsFreeableMemoryMiB * MIB,
      },
      {
        name: "rds-connections",
        description: `RDS ${props.rdsInstanceId} connections above ${t.rdsConnections}`,
        namespace: "AWS/RDS",
        metricName: "DatabaseConnections",
        dimensions: rds,
        statistic: "Maximum",
        comparison: "GreaterThanThreshold",
        threshold: t.rdsConnections,
      },
      // Per cache node, one row an alarm: what, metric, statistic, threshold, what it means, periods.
      ...cacheNodes.flatMap((node) =>
        (
          [
            ["cpu", "EngineCPUUtilization", "Average", t.cacheCpuPercent, `engine CPU above ${t.cacheCpuPercent}%`, undefined],
            ["memory", "DatabaseMemoryUsagePercentage", "Average", t.cacheMemoryPercent, `memory use above ${t.cacheMemoryPercent}%`, undefined],
            ["evictions", "Evictions", "Sum", t.cacheEvictions, `evicting keys (more than ${t.cacheEvictions} per 5 minutes)`, 1],
          ] as const
        ).map(([what, metricName, statistic, threshold, meaning, evaluationPeriods]): AlarmSpec => ({
          name: `redis-${what}-${node}`,
          description: `Redis ${node} ${meaning}`,
          namespace: "AWS/ElastiCache",
          metricName,
          dimensions: { CacheClusterId: node },
          statistic,
          comparison: "GreaterThanThreshold",
          threshold,
          evaluationPeriods,
        })),
      ),
      {
        name: "eks-node-cpu",
        description: `EKS ${props.eksClusterName} node CPU above ${t.nodeCpuPercent}% (Container Insights)`,
        namespace: "ContainerInsights",
        metricName: "node_cpu_utilization",
        dimensions: cluster,
        statistic: "Average",
        comparison: "GreaterThanThreshold",
        threshold: t.nodeCpuPercent,
      },
      {
        name: "eks-node-memory",
        description: `EKS ${props.eksClusterName} node memory above ${t.nodeMemoryPercent}% (Container Insights)`,
        namespace: "ContainerInsights",
        metricName: "node_memory_utilization",
        dimensions: cluster,
        statistic: "Average",
        comparison: "GreaterThanThreshold",
        threshold: t.nodeMemoryPercent,
      },
      {
        name: "eks-failed-nodes",
        description: `EKS ${props.eksClusterName} has failed nodes (Container Insights)`,
        namespace: "ContainerInsights",
        metricName: "cluster_failed_node_count",
        dimensions: cluster,
        statistic: "Maximum",
        comparison: "GreaterThanOrEqualToThreshold",
        threshold: 1,
        evaluationPeriods: 2,
      },
    ];
    this.alarmNames = specs.map((spec) => addAlarm(this, props.name, props.topicArn, spec).alarmName);

    const dashboard = new CloudwatchDashboard(this, "dashboard", {
      dashboardName: props.name,
      dashboardBody: JSON.stringify(dashboardBody(props, cacheNodes)),
    });
    this.dashboardName = dashboard.dashboardName;
  }
}

type MetricLine = Array<string | Record<string, string | number>>;

function dashboardBody(props: PlatformMonitoringProps, cacheNodes: string[]): { widgets: object[] } {
  const widget = (title: string, metrics: MetricLine[], x: number, y: number): object => ({
    type: "metric",
    x,
    y,
    width: 8,
    height: 6,
    properties: { title, region: props.region, period: 300, stat: "Average", view: "timeSeries", metrics },
  });
  const rds = (metric: string, stat = "Average"): MetricLine => ["AWS/RDS", metric, "DBInstanceIdentifier", props.rdsInstanceId, { stat }];
  const redis = (metric: string, stat = "Average"): MetricLine[] => cacheNodes.map((node) => ["AWS/ElastiCache", metric, "CacheClusterId", node, { stat }]);
  const eks = (metric: string, stat = "Average"): MetricLine => ["ContainerInsights", metric, "ClusterName", props.eksClusterName, { stat }];
  // The ALB's dimension value (app/<name>/<id>) is known only once the controller creates it.
  const alb = (metric: string, stat: string, label: string): MetricLine => [
    // Search terms match the metric name and the dimension value's parts (no quotes: they would need escaping in HCL).
    {
      expression: `SEARCH('{AWS/ApplicationELB,LoadBalancer} ${metric} ${props.loadBalancerName}', '${stat}', 300)`,
      label,
      id: label.toLowerCase().replace(/[^a-z0-9]/g, ""),
    },
  ];
  return {
    widgets: [
      widget("RDS CPU (%) and connections", [rds("CPUUtilization"), rds("DatabaseConnections", "Maximum")], 0, 0),
      widget("RDS free storage and freeable memory (bytes)", [rds("FreeStorageSpace", "Minimum"), rds("FreeableMemory")], 8, 0),
      widget("Redis engine CPU (%)", redis("EngineCPUUtilization"), 16, 0),
      widget("Redis memory (%)", redis("DatabaseMemoryUsagePercentage"), 0, 6),
      widget("Redis evictions", redis("Evictions", "Sum"), 8, 6),
      widget("EKS nodes CPU / memory (%)", [eks("node_cpu_utilization"), eks("node_memory_utilization")], 16, 6),
      widget("EKS failed nodes and running pods", [eks("cluster_failed_node_count", "Maximum"), eks("cluster_number_of_running_pods", "Maximum")], 0, 12),
      widget(
        "ALB 5xx (load balancer and targets)",
        [alb("HTTPCode_ELB_5XX_Count", "Sum", "ELB 5xx"), alb("HTTPCode_Target_5XX_Count", "Sum", "Target 5xx")],
        8,
        12,
      ),
      widget("ALB target response time p95 (s)", [alb("TargetResponseTime", "p95", "p95")], 16, 12),
    ],
  };
}
