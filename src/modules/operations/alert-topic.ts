import { ChatbotSlackChannelConfiguration } from "@cdktf/provider-aws/lib/chatbot-slack-channel-configuration";
import { DataAwsIamPolicyDocument, DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { Construct } from "constructs";
import type { TerraformProvider } from "../../cdktf";
import { duplicates, ProblemSink, checkProps, quote } from "../../validation";
import type { AwsAccount } from "../shared/aws-account";
import { Defaults, withDefaults } from "../shared/defaults";
import { EncryptionKey } from "../shared/encryption-key";
import { keyUseThrough, serviceMay, serviceTrustPolicy } from "../shared/policy-statements";

/** A Slack channel fed by AWS Chatbot (the workspace is authorised once in the Chatbot console). */
export interface SlackChannel {
  readonly workspaceId: string;
  readonly channelId: string;
  /**
   * Region of the AWS Chatbot configuration: Chatbot's API exists only in us-east-2, us-west-2,
   * eu-west-1 and ap-southeast-1 (it forwards topics of any region). @default "ap-southeast-1"
   */
  readonly chatbotRegion?: string;
}

export interface AlertTopicProps {
  /** Topic name, e.g. `mindhit-production-alerts`. */
  readonly topicName: string;
  readonly account: AwsAccount;
  /** Email subscribers (each must confirm the subscription once). @default [] */
  readonly emails?: readonly string[];
  /** Slack channel fed through AWS Chatbot. @default none */
  readonly slack?: SlackChannel;
  /**
   * AWS provider in `slack.chatbotRegion` (the stack owns providers): Chatbot's API exists in a few
   * regions only, and a configuration made there forwards topics of any region. Required with `slack`.
   */
  readonly chatbotProvider?: TerraformProvider;
}

/** Where the Chatbot API exists (AWS General Reference, "Amazon Q Developer in chat applications endpoints"). */
export const CHATBOT_REGIONS: readonly string[] = ["us-east-2", "us-west-2", "eu-west-1", "ap-southeast-1"];
export const ALERT_TOPIC_DEFAULTS = { emails: [] } as const satisfies Defaults<AlertTopicProps, "slack" | "chatbotProvider">;
export const SLACK_CHANNEL_DEFAULTS = { chatbotRegion: "ap-southeast-1" } as const satisfies Defaults<SlackChannel>;

/** The props that are settings (not wiring), which config validation checks before any construct exists. */
export type AlertTopicSettings = Omit<AlertTopicProps, "account" | "chatbotProvider">;

/** The topic's rules: its name, each subscriber's address, and Slack ids in Slack's own format. */
export function checkAlertTopicProps(problems: ProblemSink, settings: AlertTopicSettings): void {
  const props = withDefaults(settings, ALERT_TOPIC_DEFAULTS);
  const { emails } = props;
  problems.check(/^[A-Za-z0-9_-]{1,256}$/.test(props.topicName), "topicName", `${quote(props.topicName)} is not an SNS topic name`);
  for (const email of emails) {
    problems.check(/^[^@\s]+@[^@\s]+\.[a-z]{2,}$/i.test(email), "emails", `${quote(email)} is not an email address`);
  }
  for (const email of new Set(duplicates(emails))) problems.add("emails", `lists ${quote(email)} more than once`);
  if (props.slack) {
    const { workspaceId, channelId, chatbotRegion: region } = withDefaults(props.slack, SLACK_CHANNEL_DEFAULTS);
    problems.check(
      /^T[A-Z0-9]{8,10}$/.test(workspaceId),
      "slack.workspaceId",
      `${quote(workspaceId)} is not a Slack workspace (team) id (T and 8-10 of A-Z 0-9, e.g. "T0123ABCD")`,
    );
    problems.check(
      /^[CG][A-Z0-9]{8,10}$/.test(channelId),
      "slack.channelId",
      `${quote(channelId)} is not a Slack channel id (C or G and 8-10 of A-Z 0-9, e.g. "C0123ABCD")`,
    );
    problems.check(
      CHATBOT_REGIONS.includes(region),
      "slack.chatbotRegion",
      `${quote(region)} is not allowed (AWS Chatbot's API exists only in ${CHATBOT_REGIONS.join(", ")})`,
    );
  }
}

/**
 * The environment's alert topic: KMS-encrypted, publishable only by CloudWatch (alarms) of this
 * account, delivering to email subscribers and optionally to Slack through AWS Chatbot, whose
 * role can read CloudWatch and nothing else.
 */
export class AlertTopic extends Construct {
  readonly topicArn: string;
  readonly topicName: string;
  /** The topic's customer key: publishers need it to encrypt what they send. */
  readonly encryptionKeyArn: string;
  private readonly account: AwsAccount;

  constructor(scope: Construct, id: string, props: AlertTopicProps) {
    super(scope, id);
    checkProps(this, props, checkAlertTopicProps, (problems) => {
      const needed = props.slack === undefined || props.chatbotProvider !== undefined;
      problems.check(needed, "chatbotProvider", "is required with slack (an AWS provider in a Chatbot region)");
    });
    const { account } = props;

    const key = new EncryptionKey(this, "key", {
      alias: props.topicName,
      description: `Encrypts SNS topic ${props.topicName}`,
      account,
      // CloudWatch encrypts alarm notifications with the topic's key; it sends no source context.
      servicePrincipals: ["cloudwatch.amazonaws.com"],
      serviceConditions: [],
    });
    const topic = new SnsTopic(this, "topic", { name: props.topicName, kmsMasterKeyId: key.keyArn });
    const publishers = new DataAwsIamPolicyDocument(this, "publishers", {
      statement: [
        serviceMay(
          "CloudWatchAlarmsOfThisAccount",
          "cloudwatch.amazonaws.com",
          ["sns:Publish"],
          [topic.arn],
          [{ test: "StringEquals", variable: "aws:SourceAccount", values: [account.accountId] }],
        ),
      ],
    });
    new SnsTopicPolicy(this, "policy", { arn: topic.arn, policy: publishers.json });
    withDefaults(props, ALERT_TOPIC_DEFAULTS).emails.forEach((email, index) => {
      new SnsTopicSubscription(this, `email-${index}`, { topicArn: topic.arn, protocol: "email", endpoint: email });
    });
    if (props.slack && props.chatbotProvider) this.addSlack(props.topicName, topic.arn, account, props.slack, props.chatbotProvider);
    this.topicArn = topic.arn;
    this.topicName = topic.name;
    this.encryptionKeyArn = key.keyArn;
    this.account = account;
  }

  /**
   * The statements granting a role to publish to the topic: `sns:Publish` on it, and the key's
   * data-key and decrypt calls that SNS makes for an encrypted topic, only through SNS in this
   * region. Give them to the role's policy (the key's policy leaves this account's IAM in charge).
   */
  grantPublish(sids: TopicPublishSids): DataAwsIamPolicyDocumentStatement[] {
    return topicPublishStatements(this, this.account, sids);
  }

  private addSlack(name: string, topicArn: string, account: AwsAccount, slack: SlackChannel, provider: TerraformProvider): void {
    const trust = serviceTrustPolicy(this, "chatbot-trust", "chatbot.amazonaws.com");
    const role = new IamRole(this, "chatbot-role", { name: `${name}-chatbot`, assumeRolePolicy: trust.json });
    const readOnly = `arn:${account.partition}:iam::aws:policy/CloudWatchReadOnlyAccess`;
    new IamRolePolicyAttachment(this, "chatbot-read", { role: role.name, policyArn: readOnly });
    new ChatbotSlackChannelConfiguration(this, "slack", {
      configurationName: name,
      iamRoleArn: role.arn,
      slackTeamId: slack.workspaceId,
      slackChannelId: slack.channelId,
      snsTopicArns: [topicArn],
      // Whatever a Slack user runs through Chatbot is capped at reading CloudWatch.
      guardrailPolicyArns: [readOnly],
      loggingLevel: "ERROR",
      provider,
    });
  }
}

/** Statement ids of the publish grant, as the role's policy names them. */
export interface TopicPublishSids {
  readonly publish: string;
  readonly encrypt: string;
}

/**
 * An encrypted topic's publish grant: `sns:Publish`, plus `kms:GenerateDataKey*` and `kms:Decrypt`
 * on its key through SNS only (AWS's SNS server-side encryption guide: a publisher to an encrypted
 * topic needs both on the key).
 */
export function topicPublishStatements(
  topic: { readonly topicArn: string; readonly encryptionKeyArn: string },
  via: { readonly region: string; readonly dnsSuffix: string },
  sids: TopicPublishSids,
): DataAwsIamPolicyDocumentStatement[] {
  return [
    { sid: sids.publish, effect: "Allow", actions: ["sns:Publish"], resources: [topic.topicArn] },
    keyUseThrough(sids.encrypt, ["kms:GenerateDataKey*", "kms:Decrypt"], [topic.encryptionKeyArn], "sns", via),
  ];
}
