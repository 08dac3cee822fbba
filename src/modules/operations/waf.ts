import { Wafv2WebAcl, Wafv2WebAclRule } from "@cdktf/provider-aws/lib/wafv2-web-acl";
import { Wafv2WebAclLoggingConfiguration } from "@cdktf/provider-aws/lib/wafv2-web-acl-logging-configuration";
import { Construct } from "constructs";
import { duplicates, ProblemSink, checkProps, quote } from "../../validation";
import type { AwsAccount } from "../shared/aws-account";
import { Defaults, withDefaults } from "../shared/defaults";
import { EncryptedLogGroup } from "../shared/log-group";
import type { ProviderPlacement } from "../shared/placement";

/** A rule of one of the ACL's managed rule groups, e.g. `{ group: "AWSManagedRulesCommonRuleSet", rule: "SizeRestrictions_BODY" }`. */
export interface WafRuleRef {
  readonly group: string;
  readonly rule: string;
}

export interface WebAclProps {
  /** Web ACL name; also names its metrics and its log group (`aws-waf-logs-<name>`). */
  readonly name: string;
  readonly account: AwsAccount;
  /** Requests per client IP per 5 minutes before that IP is blocked. @default 2000 (seed) */
  readonly rateLimitPerIp?: number;
  /** @default 365 */
  readonly logRetentionDays?: number;
  /**
   * Managed rules switched from block to count (logged, not enforced), for a rule that blocks
   * legitimate traffic. @default []
   */
  readonly countRules?: readonly WafRuleRef[];
  /**
   * `CLOUDFRONT`: an ACL for CloudFront distributions, which AWS keeps in us-east-1 (give
   * `placement` there). @default "REGIONAL" (a load balancer's, in the stack's region)
   */
  readonly scope?: "REGIONAL" | "CLOUDFRONT";
  /** Another provider and region for the ACL and its logs. @default the stack's default provider */
  readonly placement?: ProviderPlacement;
}

export const WAF_DEFAULTS = { rateLimitPerIp: 2000, logRetentionDays: 365, countRules: [], scope: "REGIONAL" } as const satisfies Defaults<
  WebAclProps,
  "placement"
>;

/** WAF's names of ACLs and rules: 1-128 of A-Z a-z 0-9 _ -. */
const WAF_NAME = /^[A-Za-z0-9_-]{1,128}$/;

/** AWS managed rule groups, in evaluation order after the rate limit. */
export const MANAGED_RULE_GROUPS = [
  // OWASP-style protections (seed: "common" rule set).
  "AWSManagedRulesCommonRuleSet",
  // Known exploit payloads (Log4Shell and similar), which the common set does not cover.
  "AWSManagedRulesKnownBadInputsRuleSet",
  // SQL injection (seed's SQLInjectionRule).
  "AWSManagedRulesSQLiRuleSet",
] as const;

/** The props that are settings (not wiring), which config validation checks before any construct exists. */
export type WebAclSettings = Omit<WebAclProps, "account">;

/** The ACL's rules: its name, a rate limit WAF accepts, count overrides that name a rule of a group this ACL uses. */
export function checkWebAclProps(problems: ProblemSink, settings: WebAclSettings): void {
  const { name, rateLimitPerIp: rateLimit, countRules } = withDefaults(settings, WAF_DEFAULTS);
  problems.check(WAF_NAME.test(name), "name", `${quote(name)} is not a web ACL name (1-128 of A-Z a-z 0-9 _ -)`);
  problems.check(
    Number.isInteger(rateLimit) && rateLimit >= 10 && rateLimit <= 2_000_000_000,
    "rateLimitPerIp",
    `${rateLimit} is not allowed (whole number 10-2000000000, requests per IP per 5 minutes)`,
  );
  for (const ref of countRules) {
    problems.check(
      (MANAGED_RULE_GROUPS as readonly string[]).includes(ref.group),
      "countRules",
      `group ${quote(ref.group)} is not one of this ACL's rule groups (allowed: ${MANAGED_RULE_GROUPS.join(", ")})`,
    );
    problems.check(WAF_NAME.test(ref.rule), "countRules", `${quote(ref.rule)} is not a rule name`);
  }
  for (const dup of new Set(duplicates(countRules.map((r) => `${r.group}/${r.rule}`)))) problems.add("countRules", `lists ${quote(dup)} more than once`);
}

/**
 * A regional WAFv2 web ACL for the ingress ALB: a per-IP rate limit, AWS managed rule groups, and
 * full logging to an encrypted CloudWatch log group. The chart associates it with the ALB through
 * the `alb.ingress.kubernetes.io/wafv2-acl-arn` annotation, so the ALB the controller creates is
 * never exposed without it.
 */
export class WebAcl extends Construct {
  readonly webAclArn: string;
  readonly webAclName: string;
  readonly logGroupName: string;

  constructor(scope: Construct, id: string, aclProps: WebAclProps) {
    super(scope, id);
    const { rateLimitPerIp: rateLimit, countRules, name, account, logRetentionDays, scope: aclScope, placement } = withDefaults(aclProps, WAF_DEFAULTS);
    checkProps(this, aclProps, checkWebAclProps);

    const visibility = (metric: string): { cloudwatchMetricsEnabled: boolean; metricName: string; sampledRequestsEnabled: boolean } => ({
      cloudwatchMetricsEnabled: true,
      metricName: `${name}-${metric}`,
      sampledRequestsEnabled: true,
    });
    const rules: Wafv2WebAclRule[] = [
      {
        name: "rate-limit-per-ip",
        priority: 1,
        action: { block: {} },
        // The bindings leave `statement` untyped (too deeply nested to generate): Terraform's snake_case shape.
        statement: { rate_based_statement: { limit: rateLimit, aggregate_key_type: "IP" } },
        visibilityConfig: visibility("rate-limit-per-ip"),
      },
      ...MANAGED_RULE_GROUPS.map((group, index): Wafv2WebAclRule => ({
        name: group,
        priority: index + 2,
        overrideAction: { none: {} },
        statement: { managed_rule_group_statement: managedGroup(group, countRules) },
        visibilityConfig: visibility(group),
      })),
    ];
    const acl = new Wafv2WebAclWithStatementBlocks(this, "acl", {
      name: name,
      description: aclScope === "REGIONAL" ? `Edge protection of ${name}'s ingress load balancer` : `Edge protection of ${name}'s CloudFront distribution`,
      scope: aclScope,
      provider: placement?.provider,
      defaultAction: { allow: {} },
      rule: rules,
      visibilityConfig: visibility("all"),
    });
    // WAF requires the log group name to start with aws-waf-logs-.
    const logs = new EncryptedLogGroup(this, "logs", {
      name: `aws-waf-logs-${name}`,
      keyAlias: `${name}-waf-logs`,
      account: account,
      retentionInDays: logRetentionDays,
      placement,
    });
    new Wafv2WebAclLoggingConfiguration(this, "logging", {
      resourceArn: acl.arn,
      logDestinationConfigs: [logs.logGroupArn],
      // Session material never reaches the logs.
      redactedFields: [{ singleHeader: { name: "authorization" } }, { singleHeader: { name: "cookie" } }],
      provider: placement?.provider,
    });
    this.webAclArn = acl.arn;
    this.webAclName = acl.name;
    this.logGroupName = logs.logGroupName;
  }
}

function managedGroup(group: string, countRules: readonly WafRuleRef[]): Record<string, unknown> {
  const overrides = countRules.filter((r) => r.group === group).map((r) => ({ name: r.rule, action_to_use: { count: {} } }));
  return { vendor_name: "AWS", name: group, ...(overrides.length > 0 ? { rule_action_override: overrides } : {}) };
}

/**
 * The bindings leave a rule's `statement` untyped, and cdktf's HCL renderer then writes it as an
 * attribute (`statement = { … }`), which Terraform rejects ("Insufficient statement blocks"): in
 * the provider's schema `statement` and everything inside it are nested blocks. This subclass
 * renders it as blocks; the JSON synth was already right.
 */
class Wafv2WebAclWithStatementBlocks extends Wafv2WebAcl {
  protected synthesizeHclAttributes(): Record<string, unknown> {
    const hcl = super.synthesizeHclAttributes() as Record<string, { value?: unknown }>;
    const rules = (this.synthesizeAttributes() as { rule?: Array<{ statement?: unknown }> }).rule ?? [];
    const rendered = hcl.rule?.value;
    if (Array.isArray(rendered)) {
      rendered.forEach((rule: Record<string, unknown>, index) => {
        if (rules[index]?.statement !== undefined) rule.statement = asBlock(rules[index].statement);
      });
    }
    return hcl;
  }
}

/** cdktf HCL metadata for a JSON value whose every nested object is a block (WAF statements). */
function asBlock(value: unknown): Record<string, unknown> {
  return { value: blockBody(value), isBlock: true, type: "struct", storageClassType: "struct" };
}

function blockBody(value: unknown): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
    if (Array.isArray(inner) && inner.every((item) => typeof item === "object" && item !== null)) {
      body[key] = { value: inner.map(blockBody), isBlock: true, type: "list", storageClassType: "structList" };
    } else if (typeof inner === "object" && inner !== null && !Array.isArray(inner)) {
      body[key] = asBlock(inner);
    } else {
      body[key] = { value: inner, isBlock: false, type: "simple", storageClassType: typeof inner };
    }
  }
  return body;
}
