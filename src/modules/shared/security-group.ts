import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Construct } from "constructs";
import type { AwsAccount } from "./aws-account";

/** Where a data store runs and who may reach it: the wiring RDS and ElastiCache share. */
export interface DataStorePlacement {
  readonly vpcId: string;
  /** Private subnets (seed: the VPC's private subnets). */
  readonly subnetIds: readonly string[];
  /** Security groups whose members may connect on the store's port (seed: the EKS cluster security group). */
  readonly allowedSecurityGroupIds: readonly string[];
  /** The deploying account, for the store's KMS key policy. */
  readonly account: AwsAccount;
}

export interface IngressOnlySecurityGroupProps {
  readonly name: string;
  readonly vpcId: string;
  /** What listens, for descriptions: "PostgreSQL mindhit-production". */
  readonly service: string;
  readonly port: number;
  /** Groups whose members may connect; one rule resource each. */
  readonly allowedSecurityGroupIds: readonly string[];
}

/**
 * A data store's security group: TCP on its one port from the listed groups only, and no egress.
 * No inline rules: ingress comes from one rule resource per allowed group, and the provider
 * revokes AWS's default allow-all egress rule on create (a data store opens no connections).
 * Resources are added to `scope` itself (ids `security-group`, `ingress-<n>`).
 */
export function addIngressOnlySecurityGroup(scope: Construct, props: IngressOnlySecurityGroupProps): SecurityGroup {
  const group = new SecurityGroup(scope, "security-group", {
    name: props.name,
    description: `${props.service}: ingress on ${props.port} from allowed security groups only`,
    vpcId: props.vpcId,
    tags: { Name: props.name },
  });
  props.allowedSecurityGroupIds.forEach((groupId, index) => {
    new VpcSecurityGroupIngressRule(scope, `ingress-${index}`, {
      securityGroupId: group.id,
      referencedSecurityGroupId: groupId,
      ipProtocol: "tcp",
      fromPort: props.port,
      toPort: props.port,
      description: `${props.service.split(" ")[0]} from an allowed security group`,
    });
  });
  return group;
}

/** What a data store is, for its network pieces' names and descriptions. */
export interface DataStoreIdentity {
  /** Its identifier: names the subnet group (`mindhit-production`). */
  readonly name: string;
  /** What kind of store, for descriptions (`RDS instance`). */
  readonly kind: string;
  /** What listens, for the security group (`PostgreSQL`). */
  readonly engine: string;
  readonly port: number;
  readonly securityGroupName: string;
}

/** A subnet group's settings, as RDS's and ElastiCache's subnet group resources both take them. */
export interface SubnetGroupSettings {
  readonly name: string;
  readonly description: string;
  readonly subnetIds: string[];
  readonly tags: Record<string, string>;
}

/**
 * A data store's network: a subnet group over the placement's private subnets (made by
 * `subnetGroup`, the store's own resource type) and its ingress-only security group.
 */
export function addDataStoreNetwork(
  scope: Construct,
  placement: DataStorePlacement,
  store: DataStoreIdentity,
  subnetGroup: (settings: SubnetGroupSettings) => { readonly name: string },
): { readonly subnetGroupName: string; readonly securityGroupId: string } {
  const group = subnetGroup({
    name: store.name,
    description: `Private subnets of ${store.kind} ${store.name}`,
    subnetIds: [...placement.subnetIds],
    tags: { Name: store.name },
  });
  const securityGroup = addIngressOnlySecurityGroup(scope, {
    name: store.securityGroupName,
    vpcId: placement.vpcId,
    service: `${store.engine} ${store.name}`,
    port: store.port,
    allowedSecurityGroupIds: placement.allowedSecurityGroupIds,
  });
  return { subnetGroupName: group.name, securityGroupId: securityGroup.id };
}
