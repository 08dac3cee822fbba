import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { Eip } from "@cdktf/provider-aws/lib/eip";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { Route } from "@cdktf/provider-aws/lib/route";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc as AwsVpc } from "@cdktf/provider-aws/lib/vpc";
import { AwsAccount } from "../../src/modules/shared/aws-account";
import { Vpc, VpcProps } from "../../src/modules/vpc";
import { Block } from "../helpers/synth";
import { Template } from "../helpers/template";

const synthVpc = (props: Partial<VpcProps> = {}): Template =>
  Template.withOutputs((scope) => {
    const vpc = new Vpc(scope, "vpc", { name: "mindhit-test", account: new AwsAccount(scope, "account"), ...props });
    return { vpc_id: vpc.vpcId, private_subnets: vpc.privateSubnets, public_subnets: vpc.publicSubnets };
  });

const byTag = (blocks: Block[], tag: string): Block[] => blocks.filter((b) => (b.tags as Record<string, string>)[tag] === "1");

describe("Vpc with the seed's defaults", () => {
  const template = synthVpc({ clusterName: "mindhit-test" });
  const subnets = template.resources(Subnet);

  it("creates the 10.0.0.0/16 VPC with DNS support and hostnames", () => {
    expect(template.only(AwsVpc)).toMatchObject({
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
    expect(publics.map((s) => s.map_public_ip_on_launch)).toEqual([false, false]);
  });

  it("creates the seed's private subnets, tagged for internal load balancers", () => {
    expect(byTag(subnets, "kubernetes.io/role/internal-elb").map((s) => [s.availability_zone, s.cidr_block])).toEqual([
      ["ap-northeast-2a", "10.0.10.0/24"],
      ["ap-northeast-2c", "10.0.20.0/24"],
    ]);
  });

  it("tags every subnet for cluster discovery", () => {
    expect(subnets).toMatchObject(Array.from({ length: 4 }, () => ({ tags: { "kubernetes.io/cluster/mindhit-test": "shared" } })));
  });

  it("routes public subnets to the internet gateway and private subnets to a single NAT gateway", () => {
    template.resourceCountIs(InternetGateway, 1);
    template.resourceCountIs(NatGateway, 1);
    const routes = template.resources(Route);
    expect(routes.filter((r) => String(r.gateway_id).includes(InternetGateway.tfResourceType))).toHaveLength(1);
    const natRoutes = routes.filter((r) => String(r.nat_gateway_id).includes(NatGateway.tfResourceType));
    expect(natRoutes).toHaveLength(2);
    expect(new Set(natRoutes.map((r) => r.nat_gateway_id)).size).toBe(1);
    // Those three are every route, each a default route.
    expect(routes.map((r) => r.destination_cidr_block)).toEqual(["0.0.0.0/0", "0.0.0.0/0", "0.0.0.0/0"]);
    template.resourceCountIs(RouteTableAssociation, 4);
  });

  it("strips every rule from the default security group", () => {
    const defaultGroup = template.only(DefaultSecurityGroup);
    expect(defaultGroup.vpc_id).toMatch(/aws_vpc\./);
    expect(defaultGroup).not.toHaveProperty("ingress");
    expect(defaultGroup).not.toHaveProperty("egress");
  });

  it("sends all flow logs to a KMS-encrypted log group kept a year, through a role only flow logs can assume", () => {
    expect(template.only(FlowLog)).toMatchObject({ traffic_type: "ALL", log_destination_type: "cloud-watch-logs" });
    const group = template.only(CloudwatchLogGroup);
    expect(group).toMatchObject({ name: "/aws/vpc/mindhit-test/flow-logs", retention_in_days: 365 });
    expect(String(group.kms_key_id)).toMatch(/^\$\{aws_kms_key\./);
    expect(template.statementsOf(template.only(IamRole).assume_role_policy)).toEqual([
      expect.objectContaining({ principals: [{ type: "Service", identifiers: ["vpc-flow-logs.amazonaws.com"] }] }),
    ]);
    expect(template.statementsOf(template.only(IamRolePolicy).policy)).toEqual([
      expect.objectContaining({
        actions: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
        resources: [expect.stringMatching(/aws_cloudwatch_log_group\..*\.arn\}:\*$/)],
      }),
    ]);
  });

  it("outputs the VPC id and the subnet ids in AZ order", () => {
    const out = template.outputValues();
    expect(out.vpc_id).toMatch(/^\$\{aws_vpc\.[^.]+\.id\}$/);
    expect(out.private_subnets).toEqual([
      expect.stringMatching(/aws_subnet\.vpc_private-ap-northeast-2a_.*\.id/),
      expect.stringMatching(/aws_subnet\.vpc_private-ap-northeast-2c_.*\.id/),
    ]);
    expect(out.public_subnets).toEqual([expect.stringMatching(/public-ap-northeast-2a/), expect.stringMatching(/public-ap-northeast-2c/)]);
  });
});

describe("Vpc options", () => {
  it("one NAT gateway per AZ, each private subnet routed through its own zone's NAT", () => {
    const template = synthVpc({ natGateways: "one-per-az" });
    template.resourceCountIs(NatGateway, 2);
    template.resourceCountIs(Eip, 2);
    const natRoutes = template.resources(Route, { nat_gateway_id: expect.anything() });
    expect(new Set(natRoutes.map((r) => r.nat_gateway_id)).size).toBe(2);
  });

  it("omits the discovery tag without a cluster name", () => {
    const subnets = synthVpc().resources(Subnet);
    expect(subnets).toHaveLength(4);
    for (const s of subnets) expect(Object.keys(s.tags as object)).not.toContain("kubernetes.io/cluster/mindhit-test");
  });

  it.each<[string, Partial<VpcProps>, RegExp]>([
    ["a bad VPC CIDR", { vpcCidr: "10.0.0.0/12" }, /vpc: vpcCidr "10.0.0.0\/12" is not allowed \(an IPv4 network CIDR from \/16 to \/28/],
    [
      "a subnet outside the VPC",
      { publicSubnetCidrs: ["10.0.1.0/24", "192.168.2.0/24"] },
      /vpc: publicSubnetCidrs "192.168.2.0\/24" is outside the VPC "10.0.0.0\/16"/,
    ],
    [
      "overlapping subnets",
      { privateSubnetCidrs: ["10.0.1.0/24", "10.0.20.0/24"] },
      /vpc: privateSubnetCidrs "10.0.1.0\/24" overlaps publicSubnetCidrs "10.0.1.0\/24" \(subnets must not overlap\)/,
    ],
    [
      "fewer than two AZs",
      { azs: ["ap-northeast-2a"], publicSubnetCidrs: ["10.0.1.0/24"], privateSubnetCidrs: ["10.0.10.0/24"] },
      /vpc: azs lists 1 zone\(s\); EKS and RDS subnet groups need at least 2/,
    ],
    ["subnets not matching the AZs", { privateSubnetCidrs: ["10.0.10.0/24"] }, /vpc: privateSubnetCidrs has 1 entries but azs has 2/],
    ["an unknown NAT mode", { natGateways: "none" as "single" }, /vpc: natGateways "none" is not allowed \(allowed: "single", "one-per-az"\)/],
  ])("rejects %s", (_label, props, expected) => {
    expect(() => synthVpc(props)).toThrow(expected);
  });
});
