import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { BOOTSTRAP_STATE_KEY } from "../../src/config";
import { BOOTSTRAP_LOCAL_STATE_PATH } from "../../src/stacks/state-bootstrap";
import { buildProject, S3_RUN } from "../helpers/synth";
import { Template } from "../helpers/template";

describe("state bootstrap stack", () => {
  const project = buildProject();
  const template = Template.fromStack(project.bootstrap);
  const synthesized = template.text;

  it("keeps its own state in a local file outside cdktf.out/", () => {
    expect(template.json.terraform.backend).toEqual({ local: { path: BOOTSTRAP_LOCAL_STATE_PATH } });
  });

  it("can move its state into the bucket it created", () => {
    const migrated = Template.fromStack(buildProject({ ...S3_RUN, bootstrapState: "s3" }).bootstrap);
    expect(migrated.json.terraform.backend?.s3).toMatchObject({
      bucket: "mindhit-terraform-state",
      key: BOOTSTRAP_STATE_KEY,
      dynamodb_table: "mindhit-terraform-locks",
      encrypt: true,
    });
  });

  it("tags everything it creates", () => {
    expect(synthesized).toHaveProviderWithProperties(AwsProvider, {
      region: "ap-northeast-2",
      default_tags: [{ tags: { Project: "mindhit", Environment: "shared", ManagedBy: "cdktf", Stack: "mindhit-state-bootstrap" } }],
    });
  });

  it("creates the state bucket under the seed's name, protected from destroy", () => {
    expect(template.only(S3Bucket)).toMatchObject({
      bucket: "mindhit-terraform-state",
      force_destroy: false,
      lifecycle: { prevent_destroy: true },
    });
  });

  it("versions the bucket", () => {
    expect(template.only(S3BucketVersioningA)).toMatchObject({ versioning_configuration: { status: "Enabled" } });
  });

  it("encrypts by default with its own rotating KMS key", () => {
    const sse = template.only(S3BucketServerSideEncryptionConfigurationA);
    expect(sse).toMatchObject({
      rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms" }, bucket_key_enabled: true }],
    });
    const rule = (sse.rule as Array<{ apply_server_side_encryption_by_default: { kms_master_key_id: string } }>)[0];
    expect(rule.apply_server_side_encryption_by_default.kms_master_key_id).toMatch(/^\$\{aws_kms_key\.state-key_[A-F0-9]+\.arn\}$/);
    expect(synthesized).toHaveResourceWithProperties(KmsKey, { enable_key_rotation: true, deletion_window_in_days: 30 });
  });

  it("blocks all four kinds of public access", () => {
    expect(synthesized).toHaveResourceWithProperties(S3BucketPublicAccessBlock, {
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
  });

  it("enforces bucket-owner ownership (ACLs disabled)", () => {
    expect(template.only(S3BucketOwnershipControls)).toMatchObject({ rule: { object_ownership: "BucketOwnerEnforced" } });
  });

  it("denies every request not made over TLS", () => {
    const policy = template.only(S3BucketPolicy);
    expect(policy.depends_on).toEqual([expect.stringMatching(/^aws_s3_bucket_public_access_block\./)]);
    expect(template.statementsOf(policy.policy)).toEqual([
      expect.objectContaining({
        effect: "Deny",
        actions: ["s3:*"],
        principals: [{ type: "*", identifiers: ["*"] }],
        condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
        resources: [expect.stringMatching(/\.arn\}$/), expect.stringMatching(/\.arn\}\/\*$/)],
      }),
    ]);
  });

  it("expires noncurrent state versions and abandoned uploads", () => {
    expect(template.only(S3BucketLifecycleConfiguration).rule).toEqual([
      expect.objectContaining({
        status: "Enabled",
        noncurrent_version_expiration: [{ noncurrent_days: 90 }],
        abort_incomplete_multipart_upload: [{ days_after_initiation: 7 }],
      }),
    ]);
  });

  it("creates the lock table keyed by LockID, on demand, recoverable, encrypted and undeletable", () => {
    expect(template.only(DynamodbTable)).toMatchObject({
      name: "mindhit-terraform-locks",
      hash_key: "LockID",
      attribute: [{ name: "LockID", type: "S" }],
      billing_mode: "PAY_PER_REQUEST",
      point_in_time_recovery: { enabled: true },
      server_side_encryption: { enabled: true, kms_key_arn: expect.stringMatching(/^\$\{aws_kms_key\.state-key_[A-F0-9]+\.arn\}$/) },
      deletion_protection_enabled: true,
      lifecycle: { prevent_destroy: true },
    });
  });

  it("gives the key an explicit policy administered by the account, not a wildcard principal", () => {
    expect(template.statementsOf(template.only(KmsKey).policy)).toEqual([
      expect.objectContaining({
        effect: "Allow",
        principals: [
          { type: "AWS", identifiers: [expect.stringMatching(/^arn:\$\{data\.aws_partition\..*\}:iam::\$\{data\.aws_caller_identity\..*\}:root$/)] },
        ],
      }),
    ]);
  });

  it("outputs the bucket, table, key and each environment's CI roles", () => {
    const ciRoles = project.environments.map((env) => `ci_roles_${env.identity.environment.replace(/-/g, "_")}`);
    expect(Object.keys(template.outputs).sort()).toEqual([...ciRoles, "lock_table", "state_bucket", "state_kms_key_arn"].sort());
  });

  describe("GitHub Actions OIDC", () => {
    it("trusts GitHub's OIDC issuer for STS", () => {
      expect(template.only(IamOpenidConnectProvider)).toMatchObject({
        url: "https://token.actions.githubusercontent.com",
        client_id_list: ["sts.amazonaws.com"],
      });
    });
  });
});
