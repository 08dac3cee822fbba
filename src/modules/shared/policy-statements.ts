/**
 * Policy pieces several modules share, written once so each reads the same everywhere it is used.
 */
import {
  DataAwsIamPolicyDocument,
  DataAwsIamPolicyDocumentStatement,
  DataAwsIamPolicyDocumentStatementCondition,
} from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { Construct } from "constructs";

/**
 * A resource-policy statement denying `actions` to every principal but the named ones (ARNs,
 * wildcards allowed), whatever their IAM policies say: the wall around a secret, a key, an image.
 */
export function onlyPrincipalsMay(
  sid: string,
  actions: readonly string[],
  principalArns: readonly string[],
  resources?: readonly string[],
): DataAwsIamPolicyDocumentStatement {
  return {
    sid,
    effect: "Deny",
    principals: [{ type: "AWS", identifiers: ["*"] }],
    actions: [...actions],
    ...(resources === undefined ? {} : { resources: [...resources] }),
    condition: [{ test: "ArnNotLike", variable: "aws:PrincipalArn", values: [...principalArns] }],
  };
}

/**
 * A resource-policy statement letting an AWS service call `actions` on `resources`, only under
 * `conditions` (each service documents the keys that pin it to this account or resource).
 */
export function serviceMay(
  sid: string,
  service: string,
  actions: readonly string[],
  resources: readonly string[],
  conditions: readonly DataAwsIamPolicyDocumentStatementCondition[],
): DataAwsIamPolicyDocumentStatement {
  return {
    sid,
    effect: "Allow",
    principals: [{ type: "Service", identifiers: [service] }],
    actions: [...actions],
    resources: [...resources],
    condition: [...conditions],
  };
}

/**
 * An identity-policy statement letting a role use `keyArns` for `actions` only through `service`
 * in `via.region` (`kms:ViaService`): the key serves that service's encryption, and is no general
 * decryption grant.
 */
export function keyUseThrough(
  sid: string,
  actions: readonly string[],
  keyArns: readonly string[],
  service: string,
  via: { readonly region: string; readonly dnsSuffix: string },
): DataAwsIamPolicyDocumentStatement {
  return {
    sid,
    effect: "Allow",
    actions: [...actions],
    resources: [...keyArns],
    condition: [{ test: "StringEquals", variable: "kms:ViaService", values: [`${service}.${via.region}.${via.dnsSuffix}`] }],
  };
}

/** A resource-policy statement denying `actions` on `resources` to any request not made over TLS. */
export function denyInsecureTransport(actions: readonly string[], resources: readonly string[]): DataAwsIamPolicyDocumentStatement {
  return {
    sid: "DenyInsecureTransport",
    effect: "Deny",
    principals: [{ type: "*", identifiers: ["*"] }],
    actions: [...actions],
    resources: [...resources],
    condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
  };
}

/**
 * The trust policy of a role an AWS service assumes, added to `scope` as `id`. With
 * `sourceAccount`, the service may assume it only on behalf of that account (the confused-deputy
 * guard, for services that send `aws:SourceAccount`).
 */
export function serviceTrustPolicy(scope: Construct, id: string, service: string, sourceAccount?: string): DataAwsIamPolicyDocument {
  return new DataAwsIamPolicyDocument(scope, id, {
    statement: [
      {
        effect: "Allow",
        actions: ["sts:AssumeRole"],
        principals: [{ type: "Service", identifiers: [service] }],
        ...(sourceAccount === undefined ? {} : { condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [sourceAccount] }] }),
      },
    ],
  });
}
