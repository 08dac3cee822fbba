import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { Eip } from "@cdktf/provider-aws/lib/eip";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { Route } from "@cdktf/provider-aws/lib/route";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { Subnet, SubnetConfig } from "@cdktf/provider-aws/lib/subnet";
import { Vpc as AwsVpc } from "@cdktf/provider-aws/lib/vpc";
import { Construct } from "constructs";
import { checkAzList, checkNetworkPlan, ProblemSink, checkProps, quote } from "../validation";
import type { AwsAccount } from "./shared/aws-account";
import { Defaults, withDefaults } from "./shared/defaults";
import { EncryptedLogGroup } from "./shared/log-group";
import { serviceTrustPolicy } from "./shared/policy-statements";

/** The seed runs a single NAT gateway; one per AZ keeps a zone's loss from cutting the other zone's egress. */
export type NatGatewayMode = "single" | "one-per-az";

export interface VpcProps {
  /** Name tag and prefix of every network resource (seed: `mindhit-production`). */
  readonly name: string;
  readonly account: AwsAccount;
  /** @default "10.0.0.0/16" */
  readonly vpcCidr?: string;
  /** @default ["ap-northeast-2a", "ap-northeast-2c"] */
  readonly azs?: readonly string[];
  /** One per AZ, in `azs` order. @default ["10.0.1.0/24", "10.0.2.0/24"] */
  readonly publicSubnetCidrs?: readonly string[];
  /** One per AZ, in `azs` order. @default ["10.0.10.0/24", "10.0.20.0/24"] */
  readonly privateSubnetCidrs?: readonly string[];
  /** `single` as the seed (`single_nat_gateway = true`), or `one-per-az` to survive a zone outage. @default "single" */
  readonly natGateways?: NatGatewayMode;
  /** @default true */
  readonly enableDnsHostnames?: boolean;
  /** @default true */
  readonly enableDnsSupport?: boolean;
  /**
   * EKS cluster that uses these subnets: tags them `kubernetes.io/cluster/<name> = shared`
   * so the AWS Load Balancer Controller discovers them. @default undefined (no tag)
   */
  readonly clusterName?: string;
  /** Days VPC flow logs are kept. @default 365 */
  readonly flowLogRetentionDays?: number;
}

export const VPC_DEFAULTS = {
  vpcCidr: "10.0.0.0/16",
  azs: ["ap-northeast-2a", "ap-northeast-2c"],
  publicSubnetCidrs: ["10.0.1.0/24", "10.0.2.0/24"],
  privateSubnetCidrs: ["10.0.10.0/24", "10.0.20.0/24"],
  natGateways: "single",
  enableDnsHostnames: true,
  enableDnsSupport: true,
  flowLogRetentionDays: 365,
} as const satisfies Defaults<VpcProps, "clusterName">;

/** The props that are settings (not wiring), which config validation checks before any construct exists. */
export type VpcSettings = Omit<VpcProps, "account">;

/** The VPC's rules: a name, at least two zones, a network plan that fits them, a NAT mode. */
export function checkVpcProps(problems: ProblemSink, settings: VpcSettings): void {
  const props = withDefaults(settings, VPC_DEFAULTS);
  const { azs, natGateways: natMode } = props;
  problems.check(props.name.trim() !== "", "name", "must not be empty");
  checkAzList(problems, "azs", azs, azs[0]?.replace(/[a-z]$/, "") ?? "ap-northeast-2");
  checkNetworkPlan(
    problems,
    "vpcCidr",
    props.vpcCidr,
    [
      // An ALB needs a /27 or larger with 8 free addresses in each of its subnets.
      ["publicSubnetCidrs", props.publicSubnetCidrs, 27, "an ALB needs at least a /27 per zone"],
      // The VPC CNI gives every pod a VPC address; nodes also keep a warm pool of them.
      ["privateSubnetCidrs", props.privateSubnetCidrs, 24, "pods take VPC addresses, so at least a /24 per zone"],
    ],
    azs.length,
  );
  problems.check(natMode === "single" || natMode === "one-per-az", "natGateways", `${quote(natMode)} is not allowed (allowed: "single", "one-per-az")`);
}

/**
 * The seed's `modules/vpc` (terraform-aws-modules/vpc): public and private subnets across AZs,
 * an internet gateway, NAT for the private subnets, DNS on, the ELB role tags, plus what that
 * module's secure-defaults guidance adds: flow logs to an encrypted log group, and the default
 * security group stripped of all rules so nothing can fall back to it.
 */
export class Vpc extends Construct {
  readonly vpcId: string;
  readonly vpcCidr: string;
  /** Private subnet ids, in `azs` order (the seed's `private_subnets`). */
  readonly privateSubnets: string[];
  /** Public subnet ids, in `azs` order (the seed's `public_subnets`). */
  readonly publicSubnets: string[];
  /** Elastic IPs of the NAT gateways (allow-list these at third parties). */
  readonly natPublicIps: string[];

  constructor(scope: Construct, id: string, vpcProps: VpcProps) {
    super(scope, id);
    const props = withDefaults(vpcProps, VPC_DEFAULTS);
    const { vpcCidr: cidr, azs, publicSubnetCidrs: publicCidrs, privateSubnetCidrs: privateCidrs, natGateways: natMode } = props;
    checkProps(this, props, checkVpcProps);

    const name = props.name;
    const clusterTag: Record<string, string> = props.clusterName ? { [`kubernetes.io/cluster/${props.clusterName}`]: "shared" } : {};
    const vpc = new AwsVpc(this, "vpc", {
      cidrBlock: cidr,
      enableDnsHostnames: props.enableDnsHostnames,
      enableDnsSupport: props.enableDnsSupport,
      tags: { Name: name },
    });
    // Adopt the default security group and leave it without rules (CIS AWS 5.4): on adoption the
    // provider removes every rule it has and, with none declared here, creates none.
    new DefaultSecurityGroup(this, "default-security-group", { vpcId: vpc.id, tags: { Name: `${name}-default-deny` } });
    const igw = new InternetGateway(this, "igw", { vpcId: vpc.id, tags: { Name: name } });

    // One subnet per zone of a tier; its role tag tells the load balancer controller which ALBs it may hold.
    const subnetsOf = (tier: "public" | "private", cidrs: readonly string[], elbRoleTag: string, settings: Partial<SubnetConfig> = {}): Subnet[] =>
      azs.map(
        (az, i) =>
          new Subnet(this, `${tier}-${az}`, {
            vpcId: vpc.id,
            availabilityZone: az,
            cidrBlock: cidrs[i],
            ...settings,
            tags: { Name: `${name}-${tier}-${az}`, [elbRoleTag]: "1", ...clusterTag },
          }),
      );
    // Only load balancers live in public subnets; instances never get a public IP by accident.
    const publicSubnets = subnetsOf("public", publicCidrs, "kubernetes.io/role/elb", { mapPublicIpOnLaunch: false });
    const privateSubnets = subnetsOf("private", privateCidrs, "kubernetes.io/role/internal-elb");

    const publicRoutes = new RouteTable(this, "public-routes", { vpcId: vpc.id, tags: { Name: `${name}-public` } });
    new Route(this, "public-default-route", { routeTableId: publicRoutes.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id });
    publicSubnets.forEach((subnet, i) => {
      new RouteTableAssociation(this, `public-${azs[i]}-routes`, { subnetId: subnet.id, routeTableId: publicRoutes.id });
    });

    const natAzs = natMode === "single" ? azs.slice(0, 1) : azs;
    const nats = natAzs.map((az, i) => {
      const eip = new Eip(this, `nat-eip-${az}`, { domain: "vpc", tags: { Name: `${name}-nat-${az}` } });
      const nat = new NatGateway(this, `nat-${az}`, {
        allocationId: eip.allocationId,
        subnetId: publicSubnets[i].id,
        tags: { Name: `${name}-nat-${az}` },
        dependsOn: [igw],
      });
      return { eip, nat };
    });
    azs.forEach((az, i) => {
      const table = new RouteTable(this, `private-routes-${az}`, { vpcId: vpc.id, tags: { Name: `${name}-private-${az}` } });
      const nat = nats[Math.min(i, nats.length - 1)].nat;
      new Route(this, `private-default-route-${az}`, { routeTableId: table.id, destinationCidrBlock: "0.0.0.0/0", natGatewayId: nat.id });
      new RouteTableAssociation(this, `private-${az}-routes`, { subnetId: privateSubnets[i].id, routeTableId: table.id });
    });

    this.addFlowLogs(vpc.id, name, props.account, props.flowLogRetentionDays);

    this.vpcId = vpc.id;
    this.vpcCidr = vpc.cidrBlock;
    this.publicSubnets = publicSubnets.map((s) => s.id);
    this.privateSubnets = privateSubnets.map((s) => s.id);
    this.natPublicIps = nats.map((n) => n.eip.publicIp);
  }

  /** All traffic (accepted and rejected) to CloudWatch Logs, for incident forensics. */
  private addFlowLogs(vpcId: string, name: string, account: AwsAccount, retentionInDays: number): void {
    const logs = new EncryptedLogGroup(this, "flow-logs", {
      name: `/aws/vpc/${name}/flow-logs`,
      keyAlias: `${name}-vpc-flow-logs`,
      account,
      retentionInDays,
    });
    const trust = serviceTrustPolicy(this, "flow-logs-trust", "vpc-flow-logs.amazonaws.com", account.accountId);
    const role = new IamRole(this, "flow-logs-role", { name: `${name}-vpc-flow-logs`, assumeRolePolicy: trust.json });
    const write = new DataAwsIamPolicyDocument(this, "flow-logs-write", {
      statement: [
        {
          effect: "Allow",
          actions: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
          resources: [`${logs.logGroupArn}:*`],
        },
      ],
    });
    new IamRolePolicy(this, "flow-logs-policy", { name: "write-flow-logs", role: role.name, policy: write.json });
    new FlowLog(this, "flow-log", {
      vpcId,
      trafficType: "ALL",
      logDestinationType: "cloud-watch-logs",
      logDestination: logs.logGroupArn,
      iamRoleArn: role.arn,
      maxAggregationInterval: 60,
      tags: { Name: `${name}-flow-log` },
    });
  }
}
