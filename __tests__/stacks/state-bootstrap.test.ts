import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { Route53Zone } from "@cdktf/provider-aws/lib/route53-zone";
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
import { bootstrapLocalStatePath } from "../../src/stacks/state-bootstrap";
import { environments, project as defaultProject } from "../../src/environments";
import { bootstrapOf, buildProject, S3_RUN } from "../helpers/synth";
import { Template } from "../helpers/template";

describe("state bootstrap stack (production's account)", () => {
  const project = buildProject();
  const template = Template.fromStack(bootstrapOf(project, "prod"));
  const synthesized = template.text;

  it("keeps its own state in a local file outside cdktf.out/", () => {
    expect(template.json.terraform.backend).toEqual({ local: { path: bootstrapLocalStatePath("mindhit-state-bootstrap-111122223333") } });
  });

  it("can move its state into the bucket it created", () => {
    const migrated = Template.fromStack(bootstrapOf(buildProject({ ...S3_RUN, bootstrapState: "s3" }), "prod"));
    expect(migrated.json.terraform.backend?.s3).toMatchObject({
      bucket: "mindhit-terraform-state",
      key: BOOTSTRAP_STATE_KEY,
      dynamodb_table: "mindhit-terraform-locks",
      encrypt: true,
    });
  });

  it("acts in its own account only, and tags everything it creates (no Environment: it serves the account)", () => {
    expect(synthesized).toHaveProviderWithProperties(AwsProvider, {
      region: "ap-northeast-2",
      allowed_account_ids: ["111122223333"],
      default_tags: [{ tags: { Project: "mindhit", ManagedBy: "cdktf", Stack: "mindhit-state-bootstrap-111122223333" } }],
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

  it("outputs the bucket, table, key and the CI roles of each environment in its account", () => {
    const inAccount = project.environments.filter((env) => env.identity.account === "111122223333");
    const ciRoles = inAccount.map((env) => `ci_roles_${env.identity.environment.replace(/-/g, "_")}`);
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

describe("one bootstrap per account", () => {
  const project = buildProject();

  it("every account gets its own, and holds only its own environments' CI roles", () => {
    expect([...project.bootstraps.keys()].sort()).toEqual([...new Set(project.environments.map((env) => env.identity.account))].sort());
    for (const [account, stack] of project.bootstraps) {
      const roles = Template.fromStack(stack)
        .resources(IamRole)
        .map((role) => String(role.name))
        .filter((name) => name.startsWith("mindhit-ci-"));
      const own = project.environments.filter((env) => env.identity.account === account).flatMap((env) => Object.values(env.identity.ciRoleNames));
      expect(roles.sort()).toEqual(own.sort());
    }
  });

  it("a non-production account's bucket carries the account ID (bucket names are global), its zone below the domain is created here", () => {
    const staging = Template.fromStack(bootstrapOf(project, "staging"));
    expect(staging.only(S3Bucket)).toMatchObject({ bucket: "mindhit-terraform-state-444455556666" });
    expect(staging.only(Route53Zone)).toMatchObject({ name: "staging.mindhit.io", lifecycle: { prevent_destroy: true } });
    expect(Object.keys(staging.outputs)).toContain("hosted_zone_name_servers_staging_mindhit_io");
  });

  it("the domain's account delegates to the zones listed in dns.delegations, with no cross-account trust", () => {
    const nameServers = ["ns-1.awsdns-01.org", "ns-2.awsdns-02.co.uk"];
    const delegating = buildProject(S3_RUN, environments, {
      ...defaultProject,
      dns: { createHostedZone: false, delegations: [{ zone: "staging.mindhit.io", nameServers }] },
    });
    const prodBootstrap = Template.fromStack(bootstrapOf(delegating, "prod"));
    expect(prodBootstrap.only(Route53Record)).toMatchObject({ name: "staging.mindhit.io", type: "NS", records: nameServers });
    expect(Template.fromStack(bootstrapOf(delegating, "staging")).resources(Route53Record)).toEqual([]);
  });
});
