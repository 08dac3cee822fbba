import { DataAwsIamPolicyDocument, DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration, S3BucketLifecycleConfigurationRule } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketObjectLockConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-object-lock-configuration";
import { S3BucketNotification } from "@cdktf/provider-aws/lib/s3-bucket-notification";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { Construct } from "constructs";
import { Token } from "../../cdktf";
import { checkProps, ProblemSink } from "../../validation";
import { Defaults, withDefaults } from "./defaults";
import { denyInsecureTransport, keyUseThrough } from "./policy-statements";

/** A storage-class step of a lifecycle rule: move current objects after `days`. */
export interface BucketTransition {
  readonly days: number;
  /** e.g. `STANDARD_IA`, `GLACIER`. */
  readonly storageClass: string;
}

export interface SecureBucketProps {
  readonly bucketName: string;
  /** KMS key for default encryption (SSE-KMS with an S3 bucket key to cut KMS calls). */
  readonly kmsKeyArn: string;
  /** Days a replaced or deleted object version is kept before it expires. @default 90 */
  readonly noncurrentVersionExpirationDays?: number;
  /** Storage-class moves for current objects, oldest last. @default [] */
  readonly transitions?: readonly BucketTransition[];
  /** Expire current objects after this many days. @default undefined (never) */
  readonly expirationDays?: number;
  /** Terraform refuses to plan the bucket's destruction. @default true */
  readonly preventDestroy?: boolean;
  /**
   * S3 Object Lock in governance mode: every new object version is undeletable for this many days
   * (only a principal allowed s3:BypassGovernanceRetention may shorten it; CI never is).
   * Object Lock can only be turned on when the bucket is created. @default 0 (off)
   */
  readonly objectLockDays?: number;
  /** More bucket-policy statements (e.g. a service that writes into it), beside the TLS-only deny. @default [] */
  readonly extraPolicyStatements?: (bucketArn: string) => DataAwsIamPolicyDocumentStatement[];
}

export const SECURE_BUCKET_DEFAULTS = {
  noncurrentVersionExpirationDays: 90,
  transitions: [],
  preventDestroy: true,
  objectLockDays: 0,
  extraPolicyStatements: () => [],
} as const satisfies Defaults<SecureBucketProps, "expirationDays">;

const VALID_STORAGE_CLASSES = ["STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER", "GLACIER_IR", "DEEP_ARCHIVE"];

/**
 * An S3 bucket with the settings AWS's security best practices and terraform-aws-modules'
 * s3-bucket call for: versioning, SSE-KMS, all four public-access blocks, bucket-owner-enforced
 * ownership (ACLs off), a policy denying any request not made over TLS, lifecycle rules that
 * expire old versions and abandoned multipart uploads, and object events sent to EventBridge so
 * writes and deletes can be audited or alarmed on without touching the bucket again.
 */
export class SecureBucket extends Construct {
  readonly bucketName: string;
  readonly bucketArn: string;
  readonly bucketId: string;

  constructor(scope: Construct, id: string, bucketProps: SecureBucketProps) {
    super(scope, id);
    checkProps(this, bucketProps, checkSecureBucketProps);
    const {
      noncurrentVersionExpirationDays: noncurrentDays,
      transitions,
      objectLockDays: lockDays,
      bucketName,
      preventDestroy,
      kmsKeyArn,
      extraPolicyStatements,
      expirationDays,
    } = withDefaults(bucketProps, SECURE_BUCKET_DEFAULTS);

    const bucket = new S3Bucket(this, "bucket", {
      bucket: bucketName,
      forceDestroy: false,
      objectLockEnabled: lockDays > 0 ? true : undefined,
      lifecycle: { preventDestroy: preventDestroy },
    });
    if (lockDays > 0) {
      new S3BucketObjectLockConfigurationA(this, "object-lock", {
        bucket: bucket.id,
        rule: { defaultRetention: { mode: "GOVERNANCE", days: lockDays } },
      });
    }
    new S3BucketVersioningA(this, "versioning", {
      bucket: bucket.id,
      versioningConfiguration: { status: "Enabled" },
    });
    new S3BucketServerSideEncryptionConfigurationA(this, "encryption", {
      bucket: bucket.id,
      rule: [
        {
          applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: kmsKeyArn },
          bucketKeyEnabled: true,
        },
      ],
    });
    const publicAccessBlock = new S3BucketPublicAccessBlock(this, "public-access-block", {
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, "ownership", {
      bucket: bucket.id,
      rule: { objectOwnership: "BucketOwnerEnforced" },
    });
    const tlsOnly = new DataAwsIamPolicyDocument(this, "tls-only", {
      statement: [denyInsecureTransport(["s3:*"], [bucket.arn, `${bucket.arn}/*`]), ...extraPolicyStatements(bucket.arn)],
    });
    new S3BucketPolicy(this, "policy", {
      bucket: bucket.id,
      policy: tlsOnly.json,
      // A policy put before the public-access block exists can be rejected as "public".
      dependsOn: [publicAccessBlock],
    });

    const rules: S3BucketLifecycleConfigurationRule[] = [
      {
        id: "expire-noncurrent-versions",
        status: "Enabled",
        filter: [{}],
        noncurrentVersionExpiration: [{ noncurrentDays: noncurrentDays }],
        abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
      },
    ];
    if (transitions.length > 0 || expirationDays !== undefined) {
      rules.push({
        id: "age-current-objects",
        status: "Enabled",
        filter: [{}],
        // Left out when empty: HCL has no way to write an empty block list (the HCL≡JSON test).
        transition: transitions.length > 0 ? transitions.map((t) => ({ days: t.days, storageClass: t.storageClass })) : undefined,
        expiration: expirationDays === undefined ? undefined : [{ days: expirationDays }],
      });
    }
    new S3BucketLifecycleConfiguration(this, "lifecycle", { bucket: bucket.id, rule: rules });
    new S3BucketNotification(this, "events", { bucket: bucket.id, eventbridge: true });

    this.bucketName = bucket.bucket;
    this.bucketArn = bucket.arn;
    this.bucketId = bucket.id;
  }
}

/** The bucket's rules: its name, a lock no longer than versions live, lifecycle steps in order. */
function checkSecureBucketProps(problems: ProblemSink, settings: SecureBucketProps): void {
  const props = withDefaults(settings, SECURE_BUCKET_DEFAULTS);
  const { noncurrentVersionExpirationDays: noncurrentDays, transitions, objectLockDays: lockDays } = props;
  problems.check(
    // A name built from a reference (e.g. the account id) is checked by AWS at apply time.
    Token.isUnresolved(props.bucketName) || /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(props.bucketName),
    "bucketName",
    `${JSON.stringify(props.bucketName)} is not an S3 bucket name (3-63 of a-z 0-9 . -)`,
  );
  problems.check(
    Number.isInteger(lockDays) && lockDays >= 0 && lockDays <= 3650,
    "objectLockDays",
    `${lockDays} is not allowed (whole number 0-3650, 0 = off)`,
  );
  problems.check(
    lockDays <= noncurrentDays,
    "objectLockDays",
    `${lockDays} is longer than noncurrentVersionExpirationDays ${noncurrentDays} (locked versions could not expire)`,
  );
  problems.check(
    Number.isInteger(noncurrentDays) && noncurrentDays >= 1,
    "noncurrentVersionExpirationDays",
    `${noncurrentDays} is not allowed (whole number ≥ 1)`,
  );
  let previous = 0;
  for (const t of transitions) {
    problems.check(
      VALID_STORAGE_CLASSES.includes(t.storageClass),
      "transitions",
      `storage class ${JSON.stringify(t.storageClass)} is not allowed (allowed: ${VALID_STORAGE_CLASSES.join(", ")})`,
    );
    problems.check(Number.isInteger(t.days) && t.days > previous, "transitions", `days ${t.days} must be a whole number after the previous step (${previous})`);
    previous = t.days;
  }
  if (props.expirationDays !== undefined) {
    problems.check(props.expirationDays > previous, "expirationDays", `${props.expirationDays} must come after the last transition (${previous} days)`);
  }
}

/** A bucket (often another stack's) with the key it encrypts objects with by default. */
export interface EncryptedBucketReference {
  readonly bucketArn: string;
  readonly kmsKeyArn: string;
}

/**
 * The statements granting a role to write objects under `prefix` of an SSE-KMS bucket, and no
 * other key: `s3:PutObject` there (multipart uploads included), and the bucket key's data keys
 * through S3 in `via.region` only (a multipart upload also decrypts them). Nothing to read, list
 * or delete. Give them to the role's policy.
 */
export function grantPrefixWrite(
  bucket: EncryptedBucketReference,
  prefix: string,
  via: { readonly region: string; readonly dnsSuffix: string },
  sids: { readonly write: string; readonly encrypt: string },
): DataAwsIamPolicyDocumentStatement[] {
  return [
    { sid: sids.write, effect: "Allow", actions: ["s3:PutObject"], resources: [`${bucket.bucketArn}/${prefix}*`] },
    keyUseThrough(sids.encrypt, ["kms:GenerateDataKey", "kms:Decrypt"], [bucket.kmsKeyArn], "s3", via),
  ];
}
