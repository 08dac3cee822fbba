import { DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";

/**
 * Cluster Autoscaler images per Kubernetes minor: the autoscaler's minor must match the cluster's
 * (its README, "Releases"), newest patch of each (kubernetes/autoscaler tags, read 2026-08).
 */
export const CLUSTER_AUTOSCALER_IMAGES: Readonly<Record<string, string>> = {
  "1.32": "v1.32.7",
  "1.33": "v1.33.6",
  "1.34": "v1.34.5",
  "1.35": "v1.35.2",
  "1.36": "v1.36.1",
};

/**
 * The autoscaler's published "recommended" policy (vendor/cluster-autoscaler-iam-policy.json),
 * with the change actions narrowed as its README advises: only Auto Scaling groups tagged for
 * auto-discovery of *this* cluster (EKS managed node groups carry the tag), in this account.
 */
export function clusterAutoscalerStatements(clusterName: string, partition: string, region: string, accountId: string): DataAwsIamPolicyDocumentStatement[] {
  return [
    {
      sid: "Discover",
      effect: "Allow",
      actions: [
        "autoscaling:DescribeAutoScalingGroups",
        "autoscaling:DescribeAutoScalingInstances",
        "autoscaling:DescribeLaunchConfigurations",
        "autoscaling:DescribeScalingActivities",
        "ec2:DescribeImages",
        "ec2:DescribeInstanceTypes",
        "ec2:DescribeLaunchTemplateVersions",
        "ec2:GetInstanceTypesFromInstanceRequirements",
        "eks:DescribeNodegroup",
      ],
      resources: ["*"],
    },
    {
      sid: "ScaleThisClustersNodeGroups",
      effect: "Allow",
      actions: ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
      resources: [`arn:${partition}:autoscaling:${region}:${accountId}:autoScalingGroup:*:autoScalingGroupName/*`],
      condition: [{ test: "StringEquals", variable: `aws:ResourceTag/k8s.io/cluster-autoscaler/${clusterName}`, values: ["owned"] }],
    },
  ];
}
