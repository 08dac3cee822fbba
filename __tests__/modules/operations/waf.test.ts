import { AwsAccount } from "../../../src/modules/shared/aws-account";
import { WebAcl, WebAclProps } from "../../../src/modules/operations/waf";
import { Wafv2WebAcl } from "@cdktf/provider-aws/lib/wafv2-web-acl";
import { Template } from "../../helpers/template";

const synth = (props: Partial<WebAclProps> = {}): Template =>
  Template.fromScope((scope) => {
    new WebAcl(scope, "waf", { name: "mindhit-test", account: new AwsAccount(scope, "account"), ...props });
  });

describe("WebAcl", () => {
  it("defaults to the seed's 2000 requests per IP", () => {
    const rules = synth().only(Wafv2WebAcl).rule as Array<{ statement: Record<string, unknown> }>;
    expect(rules[0].statement).toEqual({ rate_based_statement: { limit: 2000, aggregate_key_type: "IP" } });
  });

  it("counts instead of blocks the managed rules listed in countRules, and only those", () => {
    const rules = synth({ countRules: [{ group: "AWSManagedRulesCommonRuleSet", rule: "SizeRestrictions_BODY" }] }).only(Wafv2WebAcl).rule as Array<{
      name: string;
      statement: { managed_rule_group_statement?: Record<string, unknown> };
    }>;
    const common = rules.find((r) => r.name === "AWSManagedRulesCommonRuleSet");
    expect(common?.statement.managed_rule_group_statement).toEqual({
      vendor_name: "AWS",
      name: "AWSManagedRulesCommonRuleSet",
      rule_action_override: [{ name: "SizeRestrictions_BODY", action_to_use: { count: {} } }],
    });
    expect(rules.find((r) => r.name === "AWSManagedRulesSQLiRuleSet")?.statement.managed_rule_group_statement).not.toHaveProperty("rule_action_override");
  });

  it.each<[string, Partial<WebAclProps>, RegExp]>([
    [
      "an unknown rule group",
      { countRules: [{ group: "AWSManagedRulesLinuxRuleSet", rule: "X" }] },
      /waf: countRules group "AWSManagedRulesLinuxRuleSet" is not one of this ACL's rule groups/,
    ],
    ["a rate limit below 10", { rateLimitPerIp: 9 }, /waf: rateLimitPerIp 9 is not allowed \(whole number 10-2000000000, requests per IP per 5 minutes\)/],
    ["a bad name", { name: "mindhit test" }, /waf: name "mindhit test" is not a web ACL name/],
  ])("rejects %s", (_label, props, expected) => {
    expect(() => synth(props)).toThrow(expected);
  });
});
