import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Construct } from "constructs";
import { AlertTopic, AlertTopicProps } from "../../../src/modules/operations/alert-topic";
import { AwsAccount } from "../../../src/modules/shared/aws-account";
import { onlyResource, policyDocumentFor, resources, synthScopeJson, SynthJson } from "../../helpers/synth";

const synth = (props: Partial<AlertTopicProps> = {}, chatbotRegion?: string): SynthJson =>
  synthScopeJson((scope: Construct) => {
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
    const json = synth();
    const key = onlyResource(json, "aws_kms_key");
    expect(policyDocumentFor(json, key.policy).statement).toContainEqual(
      expect.objectContaining({
        principals: [{ type: "Service", identifiers: ["cloudwatch.amazonaws.com"] }],
        actions: expect.arrayContaining(["kms:GenerateDataKey*", "kms:Decrypt*"]),
      }),
    );
    expect(resources(json, "aws_chatbot_slack_channel_configuration")).toEqual([]);
  });

  it("routes to Slack through AWS Chatbot, created in a region Chatbot's API exists in, with a CloudWatch-read-only role and guardrail", () => {
    const json = synth({ slack: { workspaceId: "T0123ABCD", channelId: "C0123ABCD" } }, "ap-southeast-1");
    expect(onlyResource(json, "aws_chatbot_slack_channel_configuration")).toMatchObject({
      provider: "aws.chatbot",
      slack_team_id: "T0123ABCD",
      slack_channel_id: "C0123ABCD",
      sns_topic_arns: [expect.stringMatching(/aws_sns_topic\./)],
      guardrail_policy_arns: [expect.stringMatching(/:iam::aws:policy\/CloudWatchReadOnlyAccess$/)],
    });
    const role = resources(json, "aws_iam_role").find((r) => r.name === "mindhit-test-alerts-chatbot");
    expect(policyDocumentFor(json, role?.assume_role_policy).statement).toEqual([
      expect.objectContaining({ principals: [{ type: "Service", identifiers: ["chatbot.amazonaws.com"] }] }),
    ]);
  });

  it("refuses Slack without a provider in a Chatbot region, and a region Chatbot's API is not in", () => {
    expect(() => synth({ slack: { workspaceId: "T0123ABCD", channelId: "C0123ABCD" } })).toThrow(/alerts: chatbotProvider is required with slack/);
    expect(() => synth({ slack: { workspaceId: "T0123ABCD", channelId: "C0123ABCD", chatbotRegion: "ap-northeast-2" } }, "ap-northeast-2")).toThrow(
      /alerts: slack.chatbotRegion "ap-northeast-2" is not allowed \(AWS Chatbot's API exists only in us-east-2, us-west-2, eu-west-1, ap-southeast-1\)/,
    );
  });

  it("rejects a bad topic name", () => {
    expect(() => synth({ topicName: "alerts!" })).toThrow(/alerts: topicName "alerts!" is not an SNS topic name/);
  });
});
