import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { EksAccessEntry } from "@cdktf/provider-aws/lib/eks-access-entry";
import { EksAccessPolicyAssociation } from "@cdktf/provider-aws/lib/eks-access-policy-association";
import { EksAddon } from "@cdktf/provider-aws/lib/eks-addon";
import { EksCluster } from "@cdktf/provider-aws/lib/eks-cluster";
import { EksNodeGroup } from "@cdktf/provider-aws/lib/eks-node-group";
import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { AwsAccount } from "../../src/modules/shared/aws-account";
import { Eks, EksProps } from "../../src/modules/eks";
import { Template } from "../helpers/template";

const synthEks = (props: Partial<EksProps> = {}): Template =>
  Template.withOutputs((scope) => {
    const eks = new Eks(scope, "eks", {
      clusterName: "mindhit-test",
      account: new AwsAccount(scope, "account"),
      vpcId: "vpc-123",
      subnetIds: ["subnet-a", "subnet-c"],
      ...props,
    });
    return {
      cluster_endpoint: eks.clusterEndpoint,
      cluster_name: eks.clusterName,
      cluster_certificate_authority_data: eks.clusterCertificateAuthorityData,
      oidc_provider_arn: eks.oidcProviderArn,
      oidc_provider_url: eks.oidcProviderUrl,
      cluster_security_group_id: eks.clusterSecurityGroupId,
      node_security_group_id: eks.nodeSecurityGroupId,
    };
  });

describe("Eks with the seed's defaults", () => {
  const template = synthEks();
  const cluster = template.only(EksCluster);
  const addon = (name: string): Record<string, unknown> => template.only(EksAddon, { addon_name: name });

  it("creates the cluster on a supported version, in the given subnets, with only the private endpoint by default", () => {
    expect(cluster.vpc_config).not.toHaveProperty("public_access_cidrs");
    expect(cluster).toMatchObject({
      name: "mindhit-test",
      version: "1.35",
      vpc_config: { subnet_ids: ["subnet-a", "subnet-c"], endpoint_private_access: true, endpoint_public_access: false },
      upgrade_policy: { support_type: "STANDARD" },
      deletion_protection: false,
    });
  });

  it("envelope-encrypts secrets with a rotating customer KMS key", () => {
    expect(cluster.encryption_config).toEqual({
      resources: ["secrets"],
      provider: { key_arn: expect.stringMatching(/^\$\{aws_kms_key\.eks_secrets-key_.*\.arn\}$/) },
    });
    template.everyResource(KmsKey, { enable_key_rotation: true });
  });

  it("logs all five control-plane log types to an encrypted group created first", () => {
    expect(cluster.enabled_cluster_log_types).toEqual(["api", "audit", "authenticator", "controllerManager", "scheduler"]);
    expect(template.only(CloudwatchLogGroup, { name: "/aws/eks/mindhit-test/cluster" })).toMatchObject({
      retention_in_days: 365,
      kms_key_id: expect.stringMatching(/aws_kms_key\./),
    });
    expect(cluster.depends_on).toContainEqual(expect.stringMatching(/^aws_cloudwatch_log_group\./));
  });

  it("creates Container Insights' log groups itself, encrypted and with the cluster's retention", () => {
    const groups = template.resources(CloudwatchLogGroup, { name: expect.stringMatching(/^\/aws\/containerinsights\//) });
    expect(groups.map((g) => g.name).sort()).toEqual(
      ["application", "dataplane", "host", "performance"].map((k) => `/aws/containerinsights/mindhit-test/${k}`),
    );
    expect(groups).toMatchObject(groups.map(() => ({ retention_in_days: 365, kms_key_id: expect.stringMatching(/aws_kms_key\.eks_container-insights-key/) })));
    expect(addon("amazon-cloudwatch-observability").depends_on).toEqual(
      expect.arrayContaining(groups.map(() => expect.stringMatching(/^aws_cloudwatch_log_group\.eks_container-insights-/))),
    );
  });

  it("uses API authentication with explicit access entries only: a cluster-admin role for people, MFA required", () => {
    // No invisible admin for whoever created the cluster.
    expect(cluster.access_config).toEqual({ authentication_mode: "API", bootstrap_cluster_creator_admin_permissions: false });
    expect(template.trustFor("mindhit-test-eks-admin")).toEqual([
      expect.objectContaining({ condition: [{ test: "Bool", variable: "aws:MultiFactorAuthPresent", values: ["true"] }] }),
    ]);
    expect(template.only(EksAccessEntry)).toMatchObject({
      principal_arn: expect.stringMatching(/aws_iam_role\.eks_admin-role_.*\.arn/),
      type: "STANDARD",
    });
    expect(template.only(EksAccessPolicyAssociation)).toMatchObject({
      policy_arn: expect.stringMatching(/:eks::aws:cluster-access-policy\/AmazonEKSClusterAdminPolicy$/),
      access_scope: { type: "cluster" },
    });
  });

  it("lets the admin role describe its cluster (what aws eks update-kubeconfig calls) and nothing else in IAM", () => {
    const policy = template.only(IamRolePolicy, { name: "describe-cluster" });
    expect(policy.role).toMatch(/aws_iam_role\.eks_admin-role_/);
    expect(template.statementsOf(policy.policy)).toEqual([
      {
        sid: "UpdateKubeconfig",
        effect: "Allow",
        actions: ["eks:DescribeCluster"],
        resources: [expect.stringMatching(/aws_eks_cluster\.eks_cluster_.*\.arn/)],
      },
    ]);
  });

  it("gives readers the view-with-Secrets policy (plan refreshes Helm releases, whose records are Secrets)", () => {
    const { text } = synthEks({ readerPrincipalArns: ["arn:aws:iam::111111111111:role/reader"] });
    expect(text).toHaveResourceWithProperties(EksAccessPolicyAssociation, { policy_arn: expect.stringMatching(/AmazonEKSAdminViewPolicy$/) });
    expect(text).toHaveResourceWithProperties(EksAccessEntry, { principal_arn: "arn:aws:iam::111111111111:role/reader" });
  });

  it("gives the cluster and node roles the AWS-managed policies EKS documents", () => {
    const attached = template.resources(IamRolePolicyAttachment).map((a) => String(a.policy_arn).split("/").pop());
    expect(attached).toEqual(
      expect.arrayContaining([
        "AmazonEKSClusterPolicy",
        "AmazonEKSWorkerNodePolicy",
        "AmazonEC2ContainerRegistryReadOnly",
        "AmazonEKS_CNI_Policy",
        "AmazonEBSCSIDriverPolicy",
      ]),
    );
    expect(template.trustFor("mindhit-test-eks-cluster")).toEqual([
      expect.objectContaining({ principals: [{ type: "Service", identifiers: ["eks.amazonaws.com"] }] }),
    ]);
    expect(template.trustFor("mindhit-test-eks-node")).toEqual([
      expect.objectContaining({ principals: [{ type: "Service", identifiers: ["ec2.amazonaws.com"] }] }),
    ]);
  });

  it("runs the seed's node group: t3.medium, 1/2/5, Environment label, AL2023", () => {
    expect(template.only(EksNodeGroup)).toMatchObject({
      node_group_name: "mindhit-test-nodes",
      instance_types: ["t3.medium"],
      scaling_config: { min_size: 1, desired_size: 2, max_size: 5 },
      labels: { Environment: "mindhit-test" },
      ami_type: "AL2023_x86_64_STANDARD",
      subnet_ids: ["subnet-a", "subnet-c"],
      lifecycle: { ignore_changes: ["scaling_config[0].desired_size"] },
    });
  });

  it("launches nodes with IMDSv2 required, an encrypted gp3 root volume, and both security groups", () => {
    const launchTemplate = template.only(LaunchTemplate);
    expect(launchTemplate).toMatchObject({
      metadata_options: { http_tokens: "required", http_endpoint: "enabled", http_put_response_hop_limit: 1 },
      block_device_mappings: [{ device_name: "/dev/xvda", ebs: { encrypted: "true", volume_type: "gp3", volume_size: 20 } }],
    });
    expect(launchTemplate.vpc_security_group_ids).toEqual([
      expect.stringMatching(/aws_eks_cluster\..*\.vpc_config\[0\]\.cluster_security_group_id/),
      expect.stringMatching(/aws_security_group\..*\.id/),
    ]);
  });

  it("creates the IRSA OIDC provider for the cluster's issuer", () => {
    expect(template.only(IamOpenidConnectProvider)).toMatchObject({
      client_id_list: ["sts.amazonaws.com"],
      url: expect.stringMatching(/aws_eks_cluster\..*\.identity\[0\]\.oidc\[0\]\.issuer/),
    });
  });

  it("installs the managed add-ons, the EBS CSI driver with its own IRSA role", () => {
    expect(
      template
        .resources(EksAddon)
        .map((a) => a.addon_name)
        .sort(),
    ).toEqual(["amazon-cloudwatch-observability", "aws-ebs-csi-driver", "coredns", "kube-proxy", "vpc-cni"]);
    expect(addon("amazon-cloudwatch-observability").service_account_role_arn).toMatch(/aws_iam_role\.eks_cloudwatch-agent-role_[0-9A-F]+\.arn/);
    expect(template.trustFor("mindhit-test-cloudwatch-agent")).toEqual([
      expect.objectContaining({
        condition: expect.arrayContaining([expect.objectContaining({ values: ["system:serviceaccount:amazon-cloudwatch:cloudwatch-agent"] })]),
      }),
    ]);
    // Networking first, nodes next, pod-running add-ons last.
    expect(template.only(EksNodeGroup).depends_on).toEqual(
      expect.arrayContaining([expect.stringMatching(/aws_eks_addon\.eks_addon-vpc-cni/), expect.stringMatching(/aws_eks_addon\.eks_addon-kube-proxy/)]),
    );
    expect(JSON.parse(String(addon("vpc-cni").configuration_values))).toEqual({ enableNetworkPolicy: "true" });
    expect(addon("coredns").depends_on).toContainEqual(expect.stringMatching(/^aws_eks_node_group\./));
    expect(addon("aws-ebs-csi-driver").depends_on).toContainEqual(expect.stringMatching(/^aws_eks_node_group\./));
    expect(addon("aws-ebs-csi-driver").service_account_role_arn).toMatch(/^\$\{aws_iam_role\.eks_ebs-csi-role_[A-F0-9]+\.arn\}$/);
    expect(template.trustFor("mindhit-test-ebs-csi")).toEqual([
      expect.objectContaining({
        actions: ["sts:AssumeRoleWithWebIdentity"],
        condition: expect.arrayContaining([expect.objectContaining({ values: ["system:serviceaccount:kube-system:ebs-csi-controller-sa"] })]),
      }),
    ]);
  });

  it("outputs endpoint, name, CA data, OIDC provider ARN and URL, cluster and node security groups", () => {
    expect(template.outputValues()).toEqual({
      cluster_endpoint: expect.stringMatching(/aws_eks_cluster\..*\.endpoint/),
      cluster_name: expect.stringMatching(/aws_eks_cluster\..*\.name/),
      cluster_certificate_authority_data: expect.stringMatching(/certificate_authority\[0\]\.data/),
      oidc_provider_arn: expect.stringMatching(/aws_iam_openid_connect_provider\..*\.arn/),
      oidc_provider_url: expect.stringMatching(/oidc\[0\]\.issuer/),
      cluster_security_group_id: expect.stringMatching(/cluster_security_group_id/),
      node_security_group_id: expect.stringMatching(/aws_security_group\..*\.id/),
    });
  });
});

describe("Eks options", () => {
  it("applies overrides: version, sizes, CIDR allow-list, deletion protection, extra admins and add-ons", () => {
    const custom = synthEks({
      version: "1.34",
      nodeInstanceTypes: ["m6i.large"],
      nodeMinSize: 2,
      nodeDesiredSize: 3,
      nodeMaxSize: 6,
      publicAccessCidrs: ["203.0.113.0/24"],
      deletionProtection: true,
      adminPrincipalArns: ["arn:aws:iam::111111111111:role/platform"],
      extraAddons: [{ name: "aws-efs-csi-driver" }],
    });
    expect(custom.only(EksCluster)).toMatchObject({
      version: "1.34",
      deletion_protection: true,
      vpc_config: { public_access_cidrs: ["203.0.113.0/24"] },
    });
    expect(custom.only(EksNodeGroup)).toMatchObject({
      instance_types: ["m6i.large"],
      scaling_config: { min_size: 2, desired_size: 3, max_size: 6 },
    });
    expect(custom.text).toHaveResourceWithProperties(EksAccessEntry, { principal_arn: "arn:aws:iam::111111111111:role/platform" });
    expect(custom.text).toHaveResourceWithProperties(EksAddon, { addon_name: "aws-efs-csi-driver" });
  });

  it("runs Graviton node types on the arm64 AMI", () => {
    expect(synthEks({ nodeInstanceTypes: ["t4g.medium", "m7g.large"] }).only(EksNodeGroup).ami_type).toBe("AL2023_ARM_64_STANDARD");
    expect(synthEks({ nodeInstanceTypes: ["g4dn.xlarge"] }).only(EksNodeGroup).ami_type).toBe("AL2023_x86_64_STANDARD");
  });

  it("without IRSA: no OIDC provider and no EBS CSI role", () => {
    const withoutIrsa = synthEks({ enableIrsa: false });
    withoutIrsa.resourceCountIs(IamOpenidConnectProvider, 0);
    withoutIrsa.resourceCountIs(EksAddon, 0, { addon_name: "aws-ebs-csi-driver" });
  });

  it.each<[string, Partial<EksProps>, RegExp]>([
    [
      "min > desired",
      { nodeMinSize: 3, nodeDesiredSize: 2 },
      /eks: nodeMinSize\/nodeDesiredSize\/nodeMaxSize must satisfy min ≤ desired ≤ max and max ≥ 1 \(got 3 ≤ 2 ≤ 5\)/,
    ],
    ["desired > max", { nodeDesiredSize: 9 }, /got 1 ≤ 9 ≤ 5/],
    ["fractional sizes", { nodeDesiredSize: 1.5 }, /must be whole numbers ≥ 0 \(got min 1, desired 1.5, max 5\)/],
    ["an unsupported Kubernetes version", { version: "1.29" }, /eks: version "1.29" is not a supported EKS version \(allowed: 1.32, 1.33, 1.34, 1.35, 1.36\)/],
    ["no instance types", { nodeInstanceTypes: [] }, /eks: nodeInstanceTypes must list at least one entry/],
    ["one subnet", { subnetIds: ["subnet-a"] }, /eks: subnetIds lists 1 subnet\(s\); EKS needs subnets in at least 2 availability zones/],
    ["a bad allow-list CIDR", { publicAccessCidrs: ["0.0.0.0"] }, /eks: publicAccessCidrs "0.0.0.0" is not an IPv4 network CIDR/],
    [
      "an unknown log type",
      { enabledLogTypes: ["kubelet"] },
      /eks: enabledLogTypes "kubelet" is not allowed \(allowed: api, audit, authenticator, controllerManager, scheduler\)/,
    ],
    ["a bad cluster name", { clusterName: "-bad" }, /eks: clusterName "-bad" is not an EKS cluster name/],
    ["a hop limit of 3", { metadataHopLimit: 3 }, /eks: metadataHopLimit 3 is not allowed \(allowed: 1, 2\)/],
  ])("rejects %s", (_label, props, expected) => {
    expect(() => synthEks(props)).toThrow(expected);
  });
});
