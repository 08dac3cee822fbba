import { AcmCertificate } from "@cdktf/provider-aws/lib/acm-certificate";
import { AcmCertificateValidation } from "@cdktf/provider-aws/lib/acm-certificate-validation";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { Construct } from "constructs";
import type { ProviderPlacement } from "../shared/placement";
import { Fn, Token } from "../../cdktf";
import { isHostname, ProblemSink, checkProps, quote } from "../../validation";

export interface DnsValidatedCertificateProps {
  /** The one host the certificate is for, e.g. `api.mindhit.io`. */
  readonly domainName: string;
  /** Public Route53 hosted zone the validation record goes into (the host's zone). */
  readonly hostedZoneId: string;
  /** Name of that zone, to check the host lies in it. */
  readonly hostedZoneName: string;
  /** Another provider and region for the certificate (CloudFront's must be in us-east-1). @default the stack's default provider */
  readonly placement?: ProviderPlacement;
}

export function checkDnsValidatedCertificateProps(problems: ProblemSink, props: Pick<DnsValidatedCertificateProps, "domainName" | "hostedZoneName">): void {
  const { domainName, hostedZoneName } = props;
  problems.check(isHostname(domainName), "domainName", `${quote(domainName)} is not a DNS host name`);
  problems.check(
    domainName === hostedZoneName || domainName.endsWith(`.${hostedZoneName}`),
    "domainName",
    `${quote(domainName)} is not in the hosted zone ${quote(hostedZoneName)}`,
  );
}

/**
 * A public ACM certificate for one host, validated through a DNS record in the host's Route53
 * zone, and usable once `certificateArn` resolves: it comes from the validation resource, so
 * anything that reads it waits until ACM has issued the certificate. Renewals re-use the record.
 */
export class DnsValidatedCertificate extends Construct {
  /** ARN of the issued certificate. */
  readonly certificateArn: string;

  constructor(scope: Construct, id: string, props: DnsValidatedCertificateProps) {
    super(scope, id);
    checkProps(this, props, checkDnsValidatedCertificateProps);

    const certificate = new AcmCertificate(this, "certificate", {
      domainName: props.domainName,
      validationMethod: "DNS",
      keyAlgorithm: "EC_prime256v1",
      provider: props.placement?.provider,
      // A replacement certificate must be attached before the old one can be deleted.
      lifecycle: { createBeforeDestroy: true },
    });
    // One host, so one validation record (the options set has exactly one element).
    const option: unknown = Fn.element(Fn.tolist(certificate.domainValidationOptions), 0);
    const record = new Route53Record(this, "validation", {
      zoneId: props.hostedZoneId,
      name: Token.asString(Fn.lookup(option, "resource_record_name", "")),
      type: Token.asString(Fn.lookup(option, "resource_record_type", "")),
      records: [Token.asString(Fn.lookup(option, "resource_record_value", ""))],
      ttl: 300,
      allowOverwrite: true,
    });
    const validation = new AcmCertificateValidation(this, "issued", {
      certificateArn: certificate.arn,
      validationRecordFqdns: [record.fqdn],
      provider: props.placement?.provider,
    });
    this.certificateArn = validation.certificateArn;
  }
}
