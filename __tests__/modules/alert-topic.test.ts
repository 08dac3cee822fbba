import { AlertTopic, AlertTopicProps } from "../../src/modules/alert-topic";
import { AwsAccount } from "../../src/modules/aws-account";
import { onlyResource, policyDocumentFor, resources, synthScopeJson, SynthJson } from "../helpers/synth";

const synth = (props: Partial<AlertTopicProps> = {}): SynthJson =>
  synthScopeJson((scope) => {
    new AlertTopic(scope, "alerts", { topicName: "mindhit-test-alerts", account: new AwsAccount(scope, "account"), emails: ["ops@mindhit.io"], ...props });
  });

describe("AlertTopic", () => {
  it("lets CloudWatch use the topic's key (alarms publish encrypted)", () => {
    const json = synth();
    const key = onlyResource(json, "aws_kms_key");
    expect(policyDocumentFor(json, key.policy).statement).toContainEqual(
      expect.objectContaining({ principals: [{ type: "Service", identifiers: ["cloudwatch.amazonaws.com"] }], actions: expect.arrayContaining(["kms:GenerateDataKey*", "kms:Decrypt*"]) }),
    );
    expect(resources(json, "aws_chatbot_slack_channel_configuration")).toEqual([]);
  });

  it("routes to Slack through AWS Chatbot with a CloudWatch-read-only role and guardrail", () => {
    const json = synth({ slack: { workspaceId: "T0123ABCD", channelId: "C0123ABCD" } });
    expect(onlyResource(json, "aws_chatbot_slack_channel_configuration")).toMatchObject({
      slack_team_id: "T0123ABCD",
      slack_channel_id: "C0123ABCD",
      sns_topic_arns: [expect.stringMatching(/aws_sns_topic\./)],
      guardrail_policy_arns: [expect.stringMatching(/:iam::aws:policy\/CloudWatchReadOnlyAccess$/)],
    });
    const role = resources(json, "aws_iam_role").find((r) => r.name === "mindhit-test-alerts-chatbot");
    expect(policyDocumentFor(json, role?.assume_role_policy).statement).toEqual([expect.objectContaining({ principals: [{ type: "Service", identifiers: ["chatbot.amazonaws.com"] }] })]);
  });

  it("rejects a bad topic name", () => {
    expect(() => synth({ topicName: "alerts!" })).toThrow(/alerts: topicName "alerts!" is not an SNS topic name/);
  });
});
