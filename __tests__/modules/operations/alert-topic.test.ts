import { ChatbotSlackChannelConfiguration } from "@cdktf/provider-aws/lib/chatbot-slack-channel-configuration";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Construct } from "constructs";
import { AlertTopic, AlertTopicProps } from "../../../src/modules/operations/alert-topic";
import { AwsAccount } from "../../../src/modules/shared/aws-account";
import { Template } from "../../helpers/template";

const synth = (props: Partial<AlertTopicProps> = {}, chatbotRegion?: string): Template =>
  Template.fromScope((scope: Construct) => {
    const chatbotProvider = chatbotRegion === undefined ? undefined : new AwsProvider(scope, "chatbot", { alias: "chatbot", region: chatbotRegion });
    new AlertTopic(scope, "alerts", {
      topicName: "mindhit-test-alerts",
      account: new AwsAccount(scope, "account"),
      emails: ["ops@mindhit.io"],
      chatbotProvider,
      ...props,
    });
  });

describe("AlertTopic", () => {
  it("lets CloudWatch use the topic's key (alarms publish encrypted)", () => {
    const template = synth();
    expect(template.statementsOf(template.only(KmsKey).policy)).toContainEqual(
      expect.objectContaining({
        principals: [{ type: "Service", identifiers: ["cloudwatch.amazonaws.com"] }],
        actions: expect.arrayContaining(["kms:GenerateDataKey*", "kms:Decrypt*"]),
      }),
    );
    template.resourceCountIs(ChatbotSlackChannelConfiguration, 0);
  });

  it("routes to Slack through AWS Chatbot, created in a region Chatbot's API exists in, with a CloudWatch-read-only role and guardrail", () => {
    const template = synth({ slack: { workspaceId: "T0123ABCD", channelId: "C0123ABCD" } }, "ap-southeast-1");
    expect(template.only(ChatbotSlackChannelConfiguration)).toMatchObject({
      provider: "aws.chatbot",
      slack_team_id: "T0123ABCD",
      slack_channel_id: "C0123ABCD",
      sns_topic_arns: [expect.stringMatching(/aws_sns_topic\./)],
      guardrail_policy_arns: [expect.stringMatching(/:iam::aws:policy\/CloudWatchReadOnlyAccess$/)],
    });
    expect(template.trustFor("mindhit-test-alerts-chatbot")).toEqual([
      expect.objectContaining({ principals: [{ type: "Service", identifiers: ["chatbot.amazonaws.com"] }] }),
    ]);
  });

  it.each<[string, Partial<AlertTopicProps>, string | undefined, RegExp]>([
    [
      "Slack without a provider in a Chatbot region",
      { slack: { workspaceId: "T0123ABCD", channelId: "C0123ABCD" } },
      undefined,
      /alerts: chatbotProvider is required with slack/,
    ],
    [
      "Slack through a region Chatbot's API is not in",
      { slack: { workspaceId: "T0123ABCD", channelId: "C0123ABCD", chatbotRegion: "ap-northeast-2" } },
      "ap-northeast-2",
      /alerts: slack.chatbotRegion "ap-northeast-2" is not allowed \(AWS Chatbot's API exists only in us-east-2, us-west-2, eu-west-1, ap-southeast-1\)/,
    ],
    ["a bad topic name", { topicName: "alerts!" }, undefined, /alerts: topicName "alerts!" is not an SNS topic name/],
  ])("rejects %s", (_label, props, chatbotRegion, expected) => {
    expect(() => synth(props, chatbotRegion)).toThrow(expected);
  });
});
