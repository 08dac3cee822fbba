import { DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";

/**
 * ExternalDNS's published Route53 policy with attribute-based limits
 * (vendor/external-dns-iam-policy-abac.json), narrowed to one zone and one host: the controller
 * may change only the host's own records and its TXT ownership records (`<type>-<host>`), so an
 * environment's ExternalDNS can never touch another environment's names in the shared zone.
 */
export function externalDnsStatements(hostedZoneArn: string, host: string): DataAwsIamPolicyDocumentStatement[] {
  return [
    {
      sid: "ChangeThisHostsRecords",
      effect: "Allow",
      actions: ["route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets", "route53:ListTagsForResources"],
      resources: [hostedZoneArn],
      condition: [
        { test: "ForAllValues:StringLike", variable: "route53:ChangeResourceRecordSetsNormalizedRecordNames", values: [host, `*-${host}`] },
        { test: "ForAllValues:StringLike", variable: "route53:ChangeResourceRecordSetsActions", values: ["CREATE", "UPSERT", "DELETE"] },
        { test: "ForAllValues:StringLike", variable: "route53:ChangeResourceRecordSetsRecordTypes", values: ["A", "AAAA", "TXT"] },
      ],
    },
    { sid: "FindZones", effect: "Allow", actions: ["route53:ListHostedZones"], resources: ["*"] },
  ];
}
