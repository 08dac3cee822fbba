import * as fs from "fs";
import * as path from "path";
import { loadBalancerControllerStatements } from "../../../src/modules/controllers/lb-controller-policy";
import { controllerNamed } from "../../../src/controllers";

const vendorDir = path.resolve(__dirname, "..", "..", "..", "..", "src", "modules", "controllers", "vendor");
const actionsOf = (statements: Array<{ Action?: string | string[]; actions?: string[] }>): Set<string> =>
  new Set(statements.flatMap((s) => (typeof s.Action === "string" ? [s.Action] : (s.Action ?? s.actions ?? []))));

describe("AWS Load Balancer Controller IAM policy", () => {
  const published = JSON.parse(fs.readFileSync(path.join(vendorDir, "aws-load-balancer-controller-iam-policy-v3.5.0.json"), "utf8")) as {
    Statement: Array<{ Action: string | string[] }>;
  };
  const ours = loadBalancerControllerStatements({
    clusterName: "c",
    partition: "aws",
    region: "ap-northeast-2",
    accountId: "111111111111",
    vpcArn: "arn:aws:ec2:ap-northeast-2:111111111111:vpc/vpc-1",
  });

  it("is the policy published for the pinned controller version", () => {
    // Chart 3.5.0 ships controller v3.5.0: bump the vendor file with the chart.
    expect(controllerNamed("aws-load-balancer-controller").chart.version).toBe("3.5.0");
  });

  it("keeps every published action (narrowing is by resource and condition only), and adds none", () => {
    const expected = [...actionsOf(published.Statement)].sort();
    expect(expected).toHaveLength(80);
    expect([...actionsOf(ours as never)].sort()).toEqual(expected);
  });

  it("includes the actions the hand-narrowed version once dropped (rule priorities, IP pools, Shield, WAF Classic, Cognito)", () => {
    expect([...actionsOf(ours)]).toEqual(
      expect.arrayContaining([
        "elasticloadbalancing:SetRulePriorities",
        "elasticloadbalancing:ModifyIpPools",
        "shield:CreateProtection",
        "waf-regional:AssociateWebACL",
        "cognito-idp:DescribeUserPoolClient",
      ]),
    );
  });
});
