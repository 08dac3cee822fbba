import { TerraformOutput } from "../../src/cdktf";
import { AwsAccount } from "../../src/modules/shared/aws-account";
import { Vpc, VpcProps } from "../../src/modules/vpc";
import { Block, onlyResource, policyDocumentFor, resources, synthScopeJson, SynthJson } from "../helpers/synth";

function synthVpc(props: Partial<VpcProps> = {}): SynthJson {
  return synthScopeJson((scope) => {
    const vpc = new Vpc(scope, "vpc", { name: "mindhit-test", account: new AwsAccount(scope, "account"), ...props });
    new TerraformOutput(scope, "vpc_id", { value: vpc.vpcId });
    new TerraformOutput(scope, "private_subnets", { value: vpc.privateSubnets });
    new TerraformOutput(scope, "public_subnets", { value: vpc.publicSubnets });
  });
}

const byTag = (blocks: Block[], tag: string): Block[] => blocks.filter((b) => (b.tags as Record<string, string>)[tag] === "1");

describe("Vpc with the seed's defaults", () => {
  const json = synthVpc({ clusterName: "mindhit-test" });
  const subnets = resources(json, "aws_subnet");

  it("creates the 10.0.0.0/16 VPC with DNS support and hostnames", () => {
    expect(onlyResource(json, "aws_vpc")).toMatchObject({
      cidr_block: "10.0.0.0/16",
      enable_dns_hostnames: true,
      enable_dns_support: true,
      tags: { Name: "mindhit-test" },
    });
  });

  it("creates the seed's public subnets, tagged for internet-facing load balancers and never mapping public IPs", () => {
    const publics = byTag(subnets, "kubernetes.io/role/elb");
    expect(publics.map((s) => [s.availability_zone, s.cidr_block])).toEqual([
      ["ap-northeast-2a", "10.0.1.0/24"],
      ["ap-northeast-2c", "10.0.2.0/24"],
    ]);
    for (const s of publics) expect(s.map_public_ip_on_launch).toBe(false);
  });

  it("creates the seed's private subnets, tagged for internal load balancers", () => {
    expect(byTag(subnets, "kubernetes.io/role/internal-elb").map((s) => [s.availability_zone, s.cidr_block])).toEqual([
      ["ap-northeast-2a", "10.0.10.0/24"],
      ["ap-northeast-2c", "10.0.20.0/24"],
    ]);
  });

  it("tags every subnet for cluster discovery", () => {
    for (const s of subnets) expect(s.tags).toMatchObject({ "kubernetes.io/cluster/mindhit-test": "shared" });
  });

  it("routes public subnets to the internet gateway and private subnets to a single NAT gateway", () => {
    expect(resources(json, "aws_internet_gateway")).toHaveLength(1);
    const nats = resources(json, "aws_nat_gateway");
    expect(nats).toHaveLength(1);
    const routes = resources(json, "aws_route");
    expect(routes.filter((r) => String(r.gateway_id).includes("aws_internet_gateway"))).toHaveLength(1);
    const natRoutes = routes.filter((r) => String(r.nat_gateway_id).includes("aws_nat_gateway"));
    expect(natRoutes).toHaveLength(2);
    expect(new Set(natRoutes.map((r) => r.nat_gateway_id)).size).toBe(1);
    for (const r of routes) expect(r.destination_cidr_block).toBe("0.0.0.0/0");
    expect(resources(json, "aws_route_table_association")).toHaveLength(4);
  });

  it("strips every rule from the default security group", () => {
    const defaultGroup = onlyResource(json, "aws_default_security_group");
    expect(defaultGroup.vpc_id).toMatch(/aws_vpc\./);
    expect(defaultGroup).not.toHaveProperty("ingress");
    expect(defaultGroup).not.toHaveProperty("egress");
  });

  it("sends all flow logs to a KMS-encrypted log group kept a year, through a role only flow logs can assume", () => {
    expect(onlyResource(json, "aws_flow_log")).toMatchObject({ traffic_type: "ALL", log_destination_type: "cloud-watch-logs" });
    const group = onlyResource(json, "aws_cloudwatch_log_group");
    expect(group).toMatchObject({ name: "/aws/vpc/mindhit-test/flow-logs", retention_in_days: 365 });
    expect(String(group.kms_key_id)).toMatch(/^\$\{aws_kms_key\./);
    const role = onlyResource(json, "aws_iam_role");
    expect(policyDocumentFor(json, role.assume_role_policy).statement).toEqual([
      expect.objectContaining({ principals: [{ type: "Service", identifiers: ["vpc-flow-logs.amazonaws.com"] }] }),
    ]);
    const write = policyDocumentFor(json, onlyResource(json, "aws_iam_role_policy").policy);
    expect(write.statement).toEqual([
      expect.objectContaining({
        actions: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
        resources: [expect.stringMatching(/aws_cloudwatch_log_group\..*\.arn\}:\*$/)],
      }),
    ]);
  });

  it("outputs the VPC id and the subnet ids in AZ order", () => {
    expect(json.output?.vpc_id.value).toMatch(/^\$\{aws_vpc\.[^.]+\.id\}$/);
    expect(json.output?.private_subnets.value).toEqual([
      expect.stringMatching(/aws_subnet\.vpc_private-ap-northeast-2a_.*\.id/),
      expect.stringMatching(/aws_subnet\.vpc_private-ap-northeast-2c_.*\.id/),
    ]);
    expect(json.output?.public_subnets.value).toEqual([expect.stringMatching(/public-ap-northeast-2a/), expect.stringMatching(/public-ap-northeast-2c/)]);
  });
});

describe("Vpc options", () => {
  it("one NAT gateway per AZ, each private subnet routed through its own zone's NAT", () => {
    const json = synthVpc({ natGateways: "one-per-az" });
    expect(resources(json, "aws_nat_gateway")).toHaveLength(2);
    expect(resources(json, "aws_eip")).toHaveLength(2);
    const natRoutes = resources(json, "aws_route").filter((r) => r.nat_gateway_id !== undefined);
    expect(new Set(natRoutes.map((r) => r.nat_gateway_id)).size).toBe(2);
  });

  it("omits the discovery tag without a cluster name", () => {
    for (const s of resources(synthVpc(), "aws_subnet")) expect(Object.keys(s.tags as object)).not.toContain("kubernetes.io/cluster/mindhit-test");
  });

  it.each<[string, Partial<VpcProps>, RegExp]>([
    ["a bad VPC CIDR", { cidr: "10.0.0.0/12" }, /vpc: cidr "10.0.0.0\/12" is not allowed \(an IPv4 network CIDR from \/16 to \/28/],
    [
      "a subnet outside the VPC",
      { publicSubnets: ["10.0.1.0/24", "192.168.2.0/24"] },
      /vpc: publicSubnets "192.168.2.0\/24" is outside the VPC "10.0.0.0\/16"/,
    ],
    [
      "overlapping subnets",
      { privateSubnets: ["10.0.1.0/24", "10.0.20.0/24"] },
      /vpc: privateSubnets "10.0.1.0\/24" overlaps publicSubnets "10.0.1.0\/24" \(subnets must not overlap\)/,
    ],
    [
      "fewer than two AZs",
      { azs: ["ap-northeast-2a"], publicSubnets: ["10.0.1.0/24"], privateSubnets: ["10.0.10.0/24"] },
      /vpc: azs lists 1 zone\(s\); EKS and RDS subnet groups need at least 2/,
    ],
    ["subnets not matching the AZs", { privateSubnets: ["10.0.10.0/24"] }, /vpc: privateSubnets has 1 entries but azs has 2/],
    ["an unknown NAT mode", { natGateways: "none" as "single" }, /vpc: natGateways "none" is not allowed \(allowed: "single", "one-per-az"\)/],
  ])("rejects %s", (_label, props, expected) => {
    expect(() => synthVpc(props)).toThrow(expected);
  });
});
