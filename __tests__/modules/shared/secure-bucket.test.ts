import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { AwsAccount } from "../../../src/modules/shared/aws-account";
import { EncryptionKey, EncryptionKeyProps } from "../../../src/modules/shared/encryption-key";
import { SecureBucket, SecureBucketProps } from "../../../src/modules/shared/secure-bucket";
import { Template } from "../../helpers/template";

const base: SecureBucketProps = { bucketName: "mindhit-backups-test", kmsKeyArn: "arn:aws:kms:ap-northeast-2:111111111111:key/abc" };

const synthBucket = (props: Partial<SecureBucketProps> = {}): Template =>
  Template.fromScope((scope) => {
    new SecureBucket(scope, "b", { ...base, ...props });
  });

const synthKey = (props: Partial<Omit<EncryptionKeyProps, "account">> = {}): Template =>
  Template.fromScope((scope) => {
    new EncryptionKey(scope, "k", { alias: "ok", description: "d", account: new AwsAccount(scope, "account"), ...props });
  });

describe("SecureBucket", () => {
  it("adds transitions and expiry for current objects when asked", () => {
    const template = synthBucket({
      transitions: [
        { days: 30, storageClass: "STANDARD_IA" },
        { days: 90, storageClass: "GLACIER" },
      ],
      expirationDays: 365,
    });
    const rules = template.only(S3BucketLifecycleConfiguration).rule as unknown[];
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
    expect(synthBucket({ preventDestroy: false }).only(S3Bucket).lifecycle).toEqual({ prevent_destroy: false });
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
    expect(() => synthBucket(override)).toThrow(expected);
  });
});

describe("EncryptionKey", () => {
  it("lets listed services use the key only on behalf of this account", () => {
    const template = synthKey({ alias: "mindhit-logs", description: "logs", servicePrincipals: ["logs.ap-northeast-2.amazonaws.com"] });
    expect(template.statementsOf(template.only(KmsKey).policy)).toContainEqual(
      expect.objectContaining({
        principals: [{ type: "Service", identifiers: ["logs.ap-northeast-2.amazonaws.com"] }],
        condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [expect.stringContaining(DataAwsCallerIdentity.tfResourceType)] }],
      }),
    );
    expect(template.only(KmsAlias).name).toBe("alias/mindhit-logs");
  });

  it.each<[string, Partial<Omit<EncryptionKeyProps, "account">>, RegExp]>([
    ["a reserved alias", { alias: "aws/s3" }, /alias "aws\/s3" is not allowed/],
    ["a deletion window under 7 days", { deletionWindowInDays: 3 }, /deletionWindowInDays 3 is not allowed \(7-30\)/],
  ])("rejects %s", (_label, override, expected) => {
    expect(() => synthKey(override)).toThrow(expected);
  });
});
