import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { DataAwsIamPolicyDocument, DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { SqsQueuePolicy } from "@cdktf/provider-aws/lib/sqs-queue-policy";
import { Construct } from "constructs";
import { checkProps, ProblemSink, quote } from "../../validation";
import { denyInsecureTransport, serviceMay } from "../shared/policy-statements";

export interface SpotInterruptionQueueProps {
  /** Queue name; the rules are named `<queueName>-<event>`. */
  readonly queueName: string;
}

/**
 * The EC2 events that end or endanger a node, as the AWS Node Termination Handler's queue-processor
 * mode consumes them (its README: Spot interruption warnings, rebalance recommendations, instance
 * state changes, scheduled maintenance from AWS Health).
 */
export const NODE_EVENTS: ReadonlyArray<{ readonly id: string; readonly pattern: Record<string, unknown> }> = [
  { id: "spot-interruption", pattern: { source: ["aws.ec2"], "detail-type": ["EC2 Spot Instance Interruption Warning"] } },
  { id: "rebalance-recommendation", pattern: { source: ["aws.ec2"], "detail-type": ["EC2 Instance Rebalance Recommendation"] } },
  { id: "state-change", pattern: { source: ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"] } },
  {
    id: "scheduled-change",
    pattern: { source: ["aws.health"], "detail-type": ["AWS Health Event"], detail: { service: ["EC2"], eventTypeCategory: ["scheduledChange"] } },
  },
];

/** The queue's rules: an SQS name that leaves room for the rules' names (64 characters). */
export function checkSpotInterruptionQueueProps(problems: ProblemSink, props: SpotInterruptionQueueProps): void {
  const longestRule = Math.max(...NODE_EVENTS.map((e) => e.id.length)) + 1;
  problems.check(
    /^[A-Za-z0-9_-]+$/.test(props.queueName) && props.queueName.length + longestRule <= 64,
    "queueName",
    `${quote(props.queueName)} is not allowed (A-Z a-z 0-9 _ -, at most ${64 - longestRule} characters so its rules' names fit)`,
  );
}

/**
 * Where EC2 tells the cluster that a node is about to go: EventBridge rules for the node events
 * above, delivered to an encrypted SQS queue only those rules may write to. The Node Termination
 * Handler reads it and drains the node before EC2 reclaims it (a Spot node gets two minutes).
 * Messages older than five minutes are useless (the node is gone), so they expire.
 */
export class SpotInterruptionQueue extends Construct {
  readonly queueArn: string;
  readonly queueUrl: string;
  readonly queueName: string;

  constructor(scope: Construct, id: string, props: SpotInterruptionQueueProps) {
    super(scope, id);
    checkProps(this, props, checkSpotInterruptionQueueProps);
    const queue = new SqsQueue(this, "queue", { name: props.queueName, messageRetentionSeconds: 300, sqsManagedSseEnabled: true });
    const rules = NODE_EVENTS.map((event) => {
      const rule = new CloudwatchEventRule(this, `${event.id}-rule`, {
        name: `${props.queueName}-${event.id}`,
        description: `Node events for the Node Termination Handler: ${event.id}`,
        eventPattern: JSON.stringify(event.pattern),
      });
      new CloudwatchEventTarget(this, `${event.id}-target`, { rule: rule.name, arn: queue.arn });
      return rule;
    });
    const policy = new DataAwsIamPolicyDocument(this, "policy", {
      statement: [
        serviceMay(
          "TheNodeEventRulesOnly",
          "events.amazonaws.com",
          ["sqs:SendMessage"],
          [queue.arn],
          [{ test: "ArnEquals", variable: "aws:SourceArn", values: rules.map((r) => r.arn) }],
        ),
        denyInsecureTransport(["sqs:*"], [queue.arn]),
      ],
    });
    new SqsQueuePolicy(this, "queue-policy", { queueUrl: queue.url, policy: policy.json });
    this.queueArn = queue.arn;
    this.queueUrl = queue.url;
    this.queueName = queue.name;
  }
}

/**
 * The statements granting a role to consume the queue named `queueArn` (receive and delete), and to
 * read the instances the messages name: the Node Termination Handler's queue-processor
 * permissions from its README, less `autoscaling:CompleteLifecycleAction` (no lifecycle hooks here:
 * EKS owns the managed node groups' Auto Scaling groups).
 */
export function grantNodeEventsConsume(queueArn: string): DataAwsIamPolicyDocumentStatement[] {
  return [
    { sid: "ConsumeTheNodeEventQueue", effect: "Allow", actions: ["sqs:ReceiveMessage", "sqs:DeleteMessage"], resources: [queueArn] },
    {
      sid: "ReadTheInstancesNamed",
      effect: "Allow",
      actions: ["ec2:DescribeInstances", "autoscaling:DescribeAutoScalingInstances", "autoscaling:DescribeTags"],
      resources: ["*"],
    },
  ];
}
