import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { Construct } from "constructs";
import { Defaults, withDefaults } from "./defaults";

/** One CloudWatch alarm: a metric, how it is aggregated, and when it fires. */
export interface AlarmSpec {
  /** Suffix of the alarm name: `<prefix>-<name>`. */
  readonly name: string;
  readonly description: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  /** `Average`, `Sum`, `Maximum`, `Minimum`; or a percentile such as `p95`. */
  readonly statistic: string;
  readonly comparison: "GreaterThanThreshold" | "LessThanThreshold" | "GreaterThanOrEqualToThreshold";
  readonly threshold: number;
  /** @default 300 */
  readonly periodSeconds?: number;
  /** Consecutive breaching periods before ALARM. @default 3 */
  readonly evaluationPeriods?: number;
  /** How a period with no data counts: by default neither breaching nor OK, so a metric gap never pages. @default "missing" */
  readonly treatMissingData?: "missing" | "notBreaching" | "breaching" | "ignore";
}

export const ALARM_DEFAULTS = { periodSeconds: 300, evaluationPeriods: 3, treatMissingData: "missing" } as const satisfies Defaults<AlarmSpec>;

/** Creates an alarm that notifies `topicArn` on ALARM and again on OK. */
export function addAlarm(scope: Construct, prefix: string, topicArn: string, alarm: AlarmSpec): CloudwatchMetricAlarm {
  const spec = withDefaults(alarm, ALARM_DEFAULTS);
  const percentile = /^p\d+(\.\d+)?$/.test(spec.statistic);
  return new CloudwatchMetricAlarm(scope, `alarm-${spec.name}`, {
    alarmName: `${prefix}-${spec.name}`,
    alarmDescription: spec.description,
    namespace: spec.namespace,
    metricName: spec.metricName,
    dimensions: { ...spec.dimensions },
    statistic: percentile ? undefined : spec.statistic,
    extendedStatistic: percentile ? spec.statistic : undefined,
    comparisonOperator: spec.comparison,
    threshold: spec.threshold,
    period: spec.periodSeconds,
    evaluationPeriods: spec.evaluationPeriods,
    treatMissingData: spec.treatMissingData,
    alarmActions: [topicArn],
    okActions: [topicArn],
  });
}
