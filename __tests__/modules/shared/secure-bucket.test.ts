import { AwsAccount } from "../../../src/modules/shared/aws-account";
import { EncryptionKey } from "../../../src/modules/shared/encryption-key";
import { SecureBucket, SecureBucketProps } from "../../../src/modules/shared/secure-bucket";
import { onlyResource, synthScopeJson } from "../../helpers/synth";

const base: SecureBucketProps = { bucketName: "mindhit-backups-test", kmsKeyArn: "arn:aws:kms:ap-northeast-2:111111111111:key/abc" };

describe("SecureBucket", () => {
  it("adds transitions and expiry for current objects when asked", () => {
    const json = synthScopeJson((scope) => {
      new SecureBucket(scope, "b", {
        ...base,
        transitions: [
          { days: 30, storageClass: "STANDARD_IA" },
          { days: 90, storageClass: "GLACIER" },
        ],
        expirationDays: 365,
      });
    });
    const rules = onlyResource(json, "aws_s3_bucket_lifecycle_configuration").rule as unknown[];
    expect(rules).toContainEqual(
      expect.objectContaining({
        id: "age-current-objects",
        transition: [
          { days: 30, storage_class: "STANDARD_IA" },
          { days: 90, storage_class: "GLACIER" },
        ],
        expiration: [{ days: 365 }],
      }),
    );
  });

  it("can be made destroyable for short-lived buckets", () => {
    const json = synthScopeJson((scope) => {
      new SecureBucket(scope, "b", { ...base, preventDestroy: false });
    });
    expect(onlyResource(json, "aws_s3_bucket").lifecycle).toEqual({ prevent_destroy: false });
  });

  it.each<[string, Partial<SecureBucketProps>, RegExp]>([
    ["bad bucket name", { bucketName: "Bad_Name" }, /b: bucketName "Bad_Name" is not an S3 bucket name/],
    ["zero noncurrent days", { noncurrentVersionExpirationDays: 0 }, /noncurrentVersionExpirationDays 0 is not allowed \(whole number ≥ 1\)/],
    ["unknown storage class", { transitions: [{ days: 30, storageClass: "COLD" }] }, /storage class "COLD" is not allowed \(allowed: STANDARD_IA/],
    [
      "transitions out of order",
      {
        transitions: [
          { days: 90, storageClass: "GLACIER" },
          { days: 30, storageClass: "STANDARD_IA" },
        ],
      },
      /days 30 must be a whole number after the previous step \(90\)/,
    ],
    [
      "expiry before last transition",
      { transitions: [{ days: 90, storageClass: "GLACIER" }], expirationDays: 60 },
      /expirationDays 60 must come after the last transition \(90 days\)/,
    ],
  ])("rejects %s", (_label, override, expected) => {
    expect(() =>
      synthScopeJson((scope) => {
        new SecureBucket(scope, "b", { ...base, ...override });
      }),
    ).toThrow(expected);
  });
});

describe("EncryptionKey", () => {
  it("lets listed services use the key only on behalf of this account", () => {
    const json = synthScopeJson((scope) => {
      const account = new AwsAccount(scope, "account");
      new EncryptionKey(scope, "k", { alias: "mindhit-logs", description: "logs", account, servicePrincipals: ["logs.ap-northeast-2.amazonaws.com"] });
    });
    const doc = Object.values(json.data?.aws_iam_policy_document ?? {})[0];
    expect(doc.statement).toContainEqual(
      expect.objectContaining({
        principals: [{ type: "Service", identifiers: ["logs.ap-northeast-2.amazonaws.com"] }],
        condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [expect.stringContaining("aws_caller_identity")] }],
      }),
    );
    expect(onlyResource(json, "aws_kms_alias").name).toBe("alias/mindhit-logs");
  });

  it.each<[string, { alias?: string; deletionWindowInDays?: number }, RegExp]>([
    ["a reserved alias", { alias: "aws/s3" }, /alias "aws\/s3" is not allowed/],
    ["a deletion window under 7 days", { deletionWindowInDays: 3 }, /deletionWindowInDays 3 is not allowed \(7-30\)/],
  ])("rejects %s", (_label, override, expected) => {
    expect(() =>
      synthScopeJson((scope) => {
        const account = new AwsAccount(scope, "account");
        new EncryptionKey(scope, "k", { alias: "ok", description: "d", account, ...override });
      }),
    ).toThrow(expected);
  });
});
