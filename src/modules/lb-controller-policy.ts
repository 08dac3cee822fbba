import { DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";

/**
 * Permissions of the AWS Load Balancer Controller (v2.14), grouped by what they are for.
 *
 * The action set follows the controller's published IAM policy (docs/install/iam_policy.json).
 * Where that policy only requires a controller tag to *exist*, these statements require it to
 * name *this* cluster, so two clusters in one account (staging and prod here) cannot modify each
 * other's load balancers, target groups or security groups.
 */
export function loadBalancerControllerStatements(clusterName: string, partition: string): DataAwsIamPolicyDocumentStatement[] {
  const ownedBy = (tagPrefix: string, kind: "Resource" | "Request"): { test: string; variable: string; values: string[] } => ({
    test: "StringEquals",
    variable: `aws:${kind}Tag/${tagPrefix}/cluster`,
    values: [clusterName],
  });
  const elb = (resource: string): string => `arn:${partition}:elasticloadbalancing:*:*:${resource}`;
  return [
    {
      sid: "CreateServiceLinkedRoleForElb",
      effect: "Allow",
      actions: ["iam:CreateServiceLinkedRole"],
      resources: ["*"],
      condition: [{ test: "StringEquals", variable: "iam:AWSServiceName", values: ["elasticloadbalancing.amazonaws.com"] }],
    },
    {
      sid: "DiscoverNetworkAndLoadBalancers",
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
        "ec2:GetCoipPoolUsage",
        "ec2:GetSecurityGroupsForVpc",
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
      ],
      resources: ["*"],
    },
    {
      sid: "AttachCertificatesWafAndShield",
      effect: "Allow",
      actions: [
        "cognito-idp:DescribeUserPoolClient",
        "acm:ListCertificates",
        "acm:DescribeCertificate",
        "iam:ListServerCertificates",
        "iam:GetServerCertificate",
        "waf-regional:GetWebACL",
        "waf-regional:GetWebACLForResource",
        "waf-regional:AssociateWebACL",
        "waf-regional:DisassociateWebACL",
        "wafv2:GetWebACL",
        "wafv2:GetWebACLForResource",
        "wafv2:AssociateWebACL",
        "wafv2:DisassociateWebACL",
        "shield:GetSubscriptionState",
        "shield:DescribeProtection",
        "shield:CreateProtection",
        "shield:DeleteProtection",
      ],
      resources: ["*"],
    },
    {
      sid: "CreateTaggedSecurityGroups",
      effect: "Allow",
      actions: ["ec2:CreateSecurityGroup"],
      resources: ["*"],
    },
    {
      sid: "TagSecurityGroupsAtCreation",
      effect: "Allow",
      actions: ["ec2:CreateTags"],
      resources: [`arn:${partition}:ec2:*:*:security-group/*`],
      condition: [{ test: "StringEquals", variable: "ec2:CreateAction", values: ["CreateSecurityGroup"] }, ownedBy("elbv2.k8s.aws", "Request")],
    },
    {
      sid: "ManageOwnSecurityGroups",
      effect: "Allow",
      actions: ["ec2:CreateTags", "ec2:DeleteTags", "ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress", "ec2:DeleteSecurityGroup"],
      resources: [`arn:${partition}:ec2:*:*:security-group/*`],
      condition: [ownedBy("elbv2.k8s.aws", "Resource")],
    },
    {
      // Opening the node/cluster group to the ALB's group: the target side is not ours to tag.
      sid: "AllowLoadBalancerTrafficToTargets",
      effect: "Allow",
      actions: ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"],
      resources: ["*"],
    },
    {
      sid: "CreateTaggedLoadBalancersAndTargetGroups",
      effect: "Allow",
      actions: ["elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup"],
      resources: ["*"],
      condition: [ownedBy("elbv2.k8s.aws", "Request")],
    },
    {
      sid: "ManageListenersAndRules",
      effect: "Allow",
      actions: [
        "elasticloadbalancing:CreateListener",
        "elasticloadbalancing:DeleteListener",
        "elasticloadbalancing:CreateRule",
        "elasticloadbalancing:DeleteRule",
        "elasticloadbalancing:ModifyListener",
        "elasticloadbalancing:ModifyListenerAttributes",
        "elasticloadbalancing:AddListenerCertificates",
        "elasticloadbalancing:RemoveListenerCertificates",
        "elasticloadbalancing:ModifyRule",
        "elasticloadbalancing:SetWebAcl",
      ],
      resources: ["*"],
    },
    {
      sid: "TagOwnLoadBalancingResources",
      effect: "Allow",
      actions: ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
      resources: [elb("loadbalancer/*"), elb("targetgroup/*"), elb("listener/*"), elb("listener-rule/*")],
      condition: [ownedBy("elbv2.k8s.aws", "Resource")],
    },
    {
      sid: "TagAtCreation",
      effect: "Allow",
      actions: ["elasticloadbalancing:AddTags"],
      resources: [elb("loadbalancer/*"), elb("targetgroup/*"), elb("listener/*"), elb("listener-rule/*")],
      condition: [{ test: "StringEquals", variable: "elasticloadbalancing:CreateAction", values: ["CreateTargetGroup", "CreateLoadBalancer", "CreateListener", "CreateRule"] }],
    },
    {
      sid: "ManageOwnLoadBalancersAndTargetGroups",
      effect: "Allow",
      actions: [
        "elasticloadbalancing:ModifyLoadBalancerAttributes",
        "elasticloadbalancing:SetIpAddressType",
        "elasticloadbalancing:SetSecurityGroups",
        "elasticloadbalancing:SetSubnets",
        "elasticloadbalancing:DeleteLoadBalancer",
        "elasticloadbalancing:ModifyTargetGroup",
        "elasticloadbalancing:ModifyTargetGroupAttributes",
        "elasticloadbalancing:DeleteTargetGroup",
        "elasticloadbalancing:ModifyCapacityReservation",
      ],
      resources: ["*"],
      condition: [ownedBy("elbv2.k8s.aws", "Resource")],
    },
    {
      sid: "RegisterTargetsInOwnTargetGroups",
      effect: "Allow",
      actions: ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"],
      resources: [elb("targetgroup/*/*")],
    },
  ];
}
