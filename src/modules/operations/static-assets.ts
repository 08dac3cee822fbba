import { CloudfrontDistribution } from "@cdktf/provider-aws/lib/cloudfront-distribution";
import { CloudfrontOriginAccessControl } from "@cdktf/provider-aws/lib/cloudfront-origin-access-control";
import { CloudfrontResponseHeadersPolicy } from "@cdktf/provider-aws/lib/cloudfront-response-headers-policy";
import { CloudwatchLogDelivery } from "@cdktf/provider-aws/lib/cloudwatch-log-delivery";
import { CloudwatchLogDeliveryDestination } from "@cdktf/provider-aws/lib/cloudwatch-log-delivery-destination";
import { CloudwatchLogDeliverySource } from "@cdktf/provider-aws/lib/cloudwatch-log-delivery-source";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { Construct } from "constructs";
import { checkProps, ProblemSink, quote } from "../../validation";
import type { AwsAccount } from "../shared/aws-account";
import { Defaults, withDefaults } from "../shared/defaults";
import { EncryptionKey } from "../shared/encryption-key";
import type { ProviderPlacement } from "../shared/placement";
import { serviceMay } from "../shared/policy-statements";
import { SecureBucket } from "../shared/secure-bucket";
import { DnsValidatedCertificate } from "./certificate";
import { WAF_DEFAULTS, WebAcl } from "./waf";

export type PriceClass = "PriceClass_100" | "PriceClass_200" | "PriceClass_All";
export const PRICE_CLASSES: readonly PriceClass[] = ["PriceClass_100", "PriceClass_200", "PriceClass_All"];

export interface StaticAssetsProps {
  /** Prefix of the bucket, key, ACL and policy names (the environment's resourceName). */
  readonly name: string;
  /** The host the assets are served on, e.g. `cdn.mindhit.io` (seed: `cdn.<domain>`). */
  readonly host: string;
  /** Public hosted zone of the host: its certificate's validation record and its alias records. */
  readonly hostedZoneId: string;
  readonly hostedZoneName: string;
  readonly account: AwsAccount;
  /** us-east-1, where CloudFront takes its certificate and web ACL from. */
  readonly edge: ProviderPlacement;
  /** Edge locations served (cost against reach). @default "PriceClass_200" (the seed's) */
  readonly priceClass?: PriceClass;
  /** Requests per client IP per 5 minutes before the edge ACL blocks that IP. @default 2000 */
  readonly rateLimitPerIp?: number;
}

// The edge ACL limits as the ALB's does unless told otherwise.
export const STATIC_ASSETS_DEFAULTS = {
  priceClass: "PriceClass_200",
  rateLimitPerIp: WAF_DEFAULTS.rateLimitPerIp,
} as const satisfies Defaults<StaticAssetsProps>;

/** AWS's managed cache policy CachingOptimized (the seed's CDN settings name it). */
const CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6";

export function checkStaticAssetsProps(problems: ProblemSink, settings: Pick<StaticAssetsProps, "priceClass">): void {
  const { priceClass } = withDefaults(settings, STATIC_ASSETS_DEFAULTS);
  problems.check(PRICE_CLASSES.includes(priceClass), "priceClass", `${quote(priceClass)} is not allowed (allowed: ${PRICE_CLASSES.join(", ")})`);
}

/**
 * The seed's static assets behind CloudFront: a private, KMS-encrypted bucket that only this
 * distribution may read (Origin Access Control, SigV4; no public access, no OAI), HTTPS only with
 * TLS 1.2+ on the host's own certificate (ACM, us-east-1), security headers on every response
 * (HSTS, nosniff, frame-options DENY, referrer policy), a CloudFront-scope WAF ACL in front, and
 * access logs in the log bucket. The API's ALB is not behind it.
 */
export class StaticAssets extends Construct {
  readonly bucketName: string;
  readonly distributionId: string;
  readonly distributionDomainName: string;

  constructor(scope: Construct, id: string, assetsProps: StaticAssetsProps) {
    super(scope, id);
    checkProps(this, assetsProps, checkStaticAssetsProps);
    const { name, host, hostedZoneId, hostedZoneName, account, edge, priceClass, rateLimitPerIp } = withDefaults(assetsProps, STATIC_ASSETS_DEFAULTS);
    const distributionsOfThisAccount = `arn:${account.partition}:cloudfront::${account.accountId}:distribution/*`;

    // CloudFront reads objects through the key on the distribution's behalf (OAC with SSE-KMS).
    const key = new EncryptionKey(this, "key", {
      alias: `${name}-assets`,
      description: `Encrypts the static assets of ${name}`,
      account,
      servicePrincipals: ["cloudfront.amazonaws.com"],
      serviceConditions: [{ test: "ArnLike", variable: "aws:SourceArn", values: [distributionsOfThisAccount] }],
    });
    // Access logs through CloudWatch Logs' delivery (CloudFront standard logging v2), which writes
    // to a bucket without ACLs: the log-delivery service of this account only, with its own key.
    const logsKey = new EncryptionKey(this, "logs-key", {
      alias: `${name}-cdn-logs`,
      description: `Encrypts the CloudFront access logs of ${name}`,
      account,
      servicePrincipals: ["delivery.logs.amazonaws.com"],
    });
    const logs = new SecureBucket(this, "logs", {
      bucketName: `${name}-cdn-logs-${account.accountId}`,
      kmsKeyArn: logsKey.keyArn,
      expirationDays: 365,
      extraPolicyStatements: (bucketArn) => [
        serviceMay(
          "LogDeliveryWritesTheAccessLogs",
          "delivery.logs.amazonaws.com",
          ["s3:PutObject"],
          [`${bucketArn}/*`],
          [{ test: "StringEquals", variable: "aws:SourceAccount", values: [account.accountId] }],
        ),
      ],
    });
    const certificate = new DnsValidatedCertificate(this, "certificate", { domainName: host, hostedZoneId, hostedZoneName, placement: edge });
    const acl = new WebAcl(this, "waf", { name: `${name}-assets`, account, scope: "CLOUDFRONT", placement: edge, rateLimitPerIp });
    const oac = new CloudfrontOriginAccessControl(this, "origin-access", {
      name: `${name}-assets`,
      description: `CloudFront signs its requests to ${name}'s assets bucket`,
      originAccessControlOriginType: "s3",
      signingBehavior: "always",
      signingProtocol: "sigv4",
    });
    const headers = new CloudfrontResponseHeadersPolicy(this, "security-headers", {
      name: `${name}-assets-security-headers`,
      comment: "HSTS two years with preload, nosniff, frame-options DENY, a strict referrer policy",
      securityHeadersConfig: {
        strictTransportSecurity: { accessControlMaxAgeSec: 63072000, includeSubdomains: true, preload: true, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: "DENY", override: true },
        referrerPolicy: { referrerPolicy: "strict-origin-when-cross-origin", override: true },
      },
    });

    // The distribution ARN is needed by the bucket policy, so the bucket is named for the origin first.
    const bucketName = `${name}-assets-${account.accountId}`;
    const originId = "assets-bucket";
    const distribution = new CloudfrontDistribution(this, "distribution", {
      enabled: true,
      isIpv6Enabled: true,
      comment: `Static assets of ${name}`,
      aliases: [host],
      defaultRootObject: "index.html",
      priceClass,
      webAclId: acl.webAclArn,
      httpVersion: "http2and3",
      origin: [
        {
          originId,
          domainName: `${bucketName}.s3.${account.region}.${account.dnsSuffix}`,
          originAccessControlId: oac.id,
        },
      ],
      defaultCacheBehavior: {
        targetOriginId: originId,
        allowedMethods: ["GET", "HEAD"],
        cachedMethods: ["GET", "HEAD"],
        viewerProtocolPolicy: "redirect-to-https",
        compress: true,
        cachePolicyId: CACHING_OPTIMIZED,
        responseHeadersPolicyId: headers.id,
      },
      viewerCertificate: { acmCertificateArn: certificate.certificateArn, sslSupportMethod: "sni-only", minimumProtocolVersion: "TLSv1.2_2021" },
      restrictions: { geoRestriction: { restrictionType: "none" } },
    });
    // The delivery source of a distribution lives in us-east-1, as CloudFront's logs do.
    const source = new CloudwatchLogDeliverySource(this, "access-logs", {
      name: `${name}-cdn-access-logs`,
      logType: "ACCESS_LOGS",
      resourceArn: distribution.arn,
      provider: edge.provider,
    });
    const destination = new CloudwatchLogDeliveryDestination(this, "access-logs-bucket", {
      name: `${name}-cdn-access-logs`,
      deliveryDestinationConfiguration: [{ destinationResourceArn: logs.bucketArn }],
      provider: edge.provider,
    });
    new CloudwatchLogDelivery(this, "access-logs-delivery", {
      deliverySourceName: source.name,
      deliveryDestinationArn: destination.arn,
      provider: edge.provider,
    });
    const bucket = new SecureBucket(this, "bucket", {
      bucketName,
      kmsKeyArn: key.keyArn,
      // Only this distribution reads the objects (no public access, no other reader).
      extraPolicyStatements: (bucketArn) => [
        serviceMay(
          "ThisDistributionReads",
          "cloudfront.amazonaws.com",
          ["s3:GetObject"],
          [`${bucketArn}/*`],
          [{ test: "StringEquals", variable: "AWS:SourceArn", values: [distribution.arn] }],
        ),
      ],
    });
    for (const type of ["A", "AAAA"]) {
      new Route53Record(this, `alias-${type.toLowerCase()}`, {
        zoneId: hostedZoneId,
        name: host,
        type,
        alias: { name: distribution.domainName, zoneId: distribution.hostedZoneId, evaluateTargetHealth: false },
      });
    }
    this.bucketName = bucket.bucketName;
    this.distributionId = distribution.id;
    this.distributionDomainName = distribution.domainName;
  }
}
