import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Construct } from "constructs";

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
