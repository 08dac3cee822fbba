import { DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";

/** Where the controller runs: the ARNs its permissions are narrowed to. */
export interface LoadBalancerControllerScope {
  readonly clusterName: string;
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  /** ARN of the cluster's VPC: security-group changes are allowed only inside it. */
  readonly vpcArn: string;
}

/**
 * Permissions of the AWS Load Balancer Controller (v3.5), grouped by purpose.
 *
 * Every action of the controller's published policy for the pinned version
 * (vendor/aws-load-balancer-controller-iam-policy-v3.5.0.json; a test compares the action sets),
 * narrowed only where IAM allows it without removing an action: resources are ARNs of this
 * account and region instead of "*", changes need the controller's `elbv2.k8s.aws/cluster` tag to
 * name *this* cluster (so staging's controller cannot touch prod's load balancers in the shared
 * account), and security-group rule changes stay inside the cluster's VPC.
 */
export function loadBalancerControllerStatements(scope: LoadBalancerControllerScope): DataAwsIamPolicyDocumentStatement[] {
  const { clusterName, partition, region, accountId } = scope;
  const tagged = (kind: "Resource" | "Request"): { test: string; variable: string; values: string[] } => ({
    test: "StringEquals",
    variable: `aws:${kind}Tag/elbv2.k8s.aws/cluster`,
    values: [clusterName],
  });
  // A statement whose resources must carry this cluster's tag (on the request, when creating them).
  const taggedForThisCluster = (kind: "Resource" | "Request", sid: string, actions: string[], resources: string[]): DataAwsIamPolicyDocumentStatement => ({
    sid,
    effect: "Allow",
    actions,
    resources,
    condition: [tagged(kind)],
  });
  const elb = (resource: string): string => `arn:${partition}:elasticloadbalancing:${region}:${accountId}:${resource}`;
  const securityGroups = `arn:${partition}:ec2:${region}:${accountId}:security-group/*`;
  const loadBalancers = [elb("loadbalancer/app/*/*"), elb("loadbalancer/net/*/*")];
  const listeners = [elb("listener/app/*/*/*"), elb("listener/net/*/*/*")];
  const rules = [elb("listener-rule/app/*/*/*/*"), elb("listener-rule/net/*/*/*/*")];
  const targetGroups = elb("targetgroup/*/*");
  return [
    {
      sid: "CreateElbServiceLinkedRole",
      effect: "Allow",
      actions: ["iam:CreateServiceLinkedRole"],
      resources: [`arn:${partition}:iam::${accountId}:role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing`],
      condition: [{ test: "StringEquals", variable: "iam:AWSServiceName", values: ["elasticloadbalancing.amazonaws.com"] }],
    },
    {
      // Describe and List calls support no resource-level permissions.
      sid: "Discover",
      effect: "Allow",
      actions: [
        "ec2:DescribeAccountAttributes",
        "ec2:DescribeAddresses",
        "ec2:DescribeAvailabilityZones",
        "ec2:DescribeInternetGateways",
        "ec2:DescribeVpcs",
        "ec2:DescribeVpcPeeringConnections",
        "ec2:DescribeSubnets",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeInstances",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeTags",
        "ec2:DescribeRouteTables",
        "ec2:DescribeIpamPools",
        "ec2:DescribeCoipPools",
        "elasticloadbalancing:DescribeLoadBalancers",
        "elasticloadbalancing:DescribeLoadBalancerAttributes",
        "elasticloadbalancing:DescribeListeners",
        "elasticloadbalancing:DescribeListenerAttributes",
        "elasticloadbalancing:DescribeListenerCertificates",
        "elasticloadbalancing:DescribeSSLPolicies",
        "elasticloadbalancing:DescribeRules",
        "elasticloadbalancing:DescribeTargetGroups",
        "elasticloadbalancing:DescribeTargetGroupAttributes",
        "elasticloadbalancing:DescribeTargetHealth",
        "elasticloadbalancing:DescribeTags",
        "elasticloadbalancing:DescribeTrustStores",
        "elasticloadbalancing:DescribeCapacityReservation",
        "acm:ListCertificates",
        "iam:ListServerCertificates",
        "shield:GetSubscriptionState",
        "ec2:GetCoipPoolUsage",
      ],
      resources: ["*"],
    },
    {
      // Shield Advanced protection of the load balancers (used only if the account subscribes;
      // the controller checks GetSubscriptionState first). Shield protections have no regional ARN.
      sid: "ShieldProtections",
      effect: "Allow",
      actions: ["shield:CreateProtection", "shield:DeleteProtection", "shield:DescribeProtection"],
      resources: [`arn:${partition}:shield::${accountId}:protection/*`, ...loadBalancers],
    },
    {
      // WAF Classic association (the alb.ingress.kubernetes.io/waf-acl-id annotation); this
      // platform uses WAFv2, the actions stay so the controller never fails on a lookup.
      sid: "WafClassicOnOwnLoadBalancers",
      effect: "Allow",
      actions: ["waf-regional:GetWebACL", "waf-regional:GetWebACLForResource", "waf-regional:AssociateWebACL", "waf-regional:DisassociateWebACL"],
      resources: [`arn:${partition}:waf-regional:${region}:${accountId}:webacl/*`, ...loadBalancers],
    },
    {
      sid: "ReadCertificatesWebAclsAndVpcGroups",
      effect: "Allow",
      actions: [
        "acm:DescribeCertificate",
        "iam:GetServerCertificate",
        "wafv2:GetWebACL",
        "wafv2:GetWebACLForResource",
        "ec2:GetSecurityGroupsForVpc",
        "cognito-idp:DescribeUserPoolClient",
      ],
      resources: [
        `arn:${partition}:cognito-idp:${region}:${accountId}:userpool/*`,
        `arn:${partition}:acm:${region}:${accountId}:certificate/*`,
        `arn:${partition}:iam::${accountId}:server-certificate/*`,
        `arn:${partition}:wafv2:${region}:${accountId}:regional/webacl/*/*`,
        ...loadBalancers,
        scope.vpcArn,
        securityGroups,
      ],
    },
    taggedForThisCluster("Request", "CreateSecurityGroupsTaggedForThisCluster", ["ec2:CreateSecurityGroup", "ec2:CreateTags"], [securityGroups]),
    {
      sid: "CreateSecurityGroupsInTheClusterVpc",
      effect: "Allow",
      actions: ["ec2:CreateSecurityGroup"],
      resources: [scope.vpcArn],
    },
    taggedForThisCluster("Resource", "ManageOwnSecurityGroups", ["ec2:CreateTags", "ec2:DeleteTags", "ec2:DeleteSecurityGroup"], [securityGroups]),
    {
      // Opening the targets' groups (the EKS cluster group) to the load balancer's group.
      sid: "AllowTrafficFromLoadBalancersInTheClusterVpc",
      effect: "Allow",
      actions: ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"],
      resources: [securityGroups],
      condition: [{ test: "ArnEquals", variable: "ec2:Vpc", values: [scope.vpcArn] }],
    },
    taggedForThisCluster(
      "Request",
      "CreateLoadBalancersAndTargetGroupsTaggedForThisCluster",
      ["elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup", "elasticloadbalancing:AddTags"],
      [...loadBalancers, targetGroups],
    ),
    taggedForThisCluster(
      "Resource",
      "ManageOwnLoadBalancersAndTargetGroups",
      [
        "elasticloadbalancing:ModifyLoadBalancerAttributes",
        "elasticloadbalancing:SetIpAddressType",
        "elasticloadbalancing:SetSecurityGroups",
        "elasticloadbalancing:SetSubnets",
        "elasticloadbalancing:SetWebAcl",
        "elasticloadbalancing:DeleteLoadBalancer",
        "elasticloadbalancing:ModifyCapacityReservation",
        "elasticloadbalancing:ModifyIpPools",
        "elasticloadbalancing:ModifyTargetGroup",
        "elasticloadbalancing:ModifyTargetGroupAttributes",
        "elasticloadbalancing:DeleteTargetGroup",
        "elasticloadbalancing:RegisterTargets",
        "elasticloadbalancing:DeregisterTargets",
        "elasticloadbalancing:AddTags",
        "elasticloadbalancing:RemoveTags",
        "elasticloadbalancing:CreateListener",
        "wafv2:AssociateWebACL",
        "wafv2:DisassociateWebACL",
      ],
      [...loadBalancers, targetGroups],
    ),
    taggedForThisCluster(
      "Resource",
      "ManageListenersAndRulesOfOwnLoadBalancers",
      [
        "elasticloadbalancing:DeleteListener",
        "elasticloadbalancing:ModifyListener",
        "elasticloadbalancing:ModifyListenerAttributes",
        "elasticloadbalancing:AddListenerCertificates",
        "elasticloadbalancing:RemoveListenerCertificates",
        "elasticloadbalancing:CreateRule",
        "elasticloadbalancing:ModifyRule",
        "elasticloadbalancing:DeleteRule",
        "elasticloadbalancing:SetRulePriorities",
        "elasticloadbalancing:AddTags",
        "elasticloadbalancing:RemoveTags",
      ],
      [...listeners, ...rules],
    ),
    {
      // New listeners and rules: their load balancer is checked above; the new ARNs carry no tag yet.
      sid: "CreateListenersAndRules",
      effect: "Allow",
      actions: ["elasticloadbalancing:CreateListener", "elasticloadbalancing:CreateRule"],
      resources: [...listeners, ...rules],
    },
    {
      sid: "TagOnCreate",
      effect: "Allow",
      actions: ["elasticloadbalancing:AddTags"],
      resources: [...loadBalancers, targetGroups, ...listeners, ...rules],
      condition: [
        {
          test: "StringEquals",
          variable: "elasticloadbalancing:CreateAction",
          values: ["CreateTargetGroup", "CreateLoadBalancer", "CreateListener", "CreateRule"],
        },
      ],
    },
    {
      sid: "AttachRegionalWebAcls",
      effect: "Allow",
      actions: ["wafv2:AssociateWebACL", "wafv2:DisassociateWebACL"],
      resources: [`arn:${partition}:wafv2:${region}:${accountId}:regional/webacl/*/*`],
    },
  ];
}
