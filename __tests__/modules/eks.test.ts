import { TerraformOutput } from "../../src/cdktf";
import { AwsAccount } from "../../src/modules/shared/aws-account";
import { Eks, EksProps } from "../../src/modules/eks";
import { Block, onlyResource, policyDocumentFor, resources, synthScopeJson, SynthJson } from "../helpers/synth";

function synthEks(props: Partial<EksProps> = {}): SynthJson {
  return synthScopeJson((scope) => {
    const eks = new Eks(scope, "eks", {
      clusterName: "mindhit-test",
      account: new AwsAccount(scope, "account"),
      vpcId: "vpc-123",
      subnetIds: ["subnet-a", "subnet-c"],
      ...props,
    });
    const outputs: Record<string, string> = {
      cluster_endpoint: eks.clusterEndpoint,
      cluster_name: eks.clusterName,
      cluster_certificate_authority_data: eks.clusterCertificateAuthorityData,
      oidc_provider_arn: eks.oidcProviderArn,
      oidc_provider_url: eks.oidcProviderUrl,
      cluster_security_group_id: eks.clusterSecurityGroupId,
      node_security_group_id: eks.nodeSecurityGroupId,
    };
    for (const [name, value] of Object.entries(outputs)) new TerraformOutput(scope, name, { value });
  });
}

const roleNamed = (json: SynthJson, name: string): Block => {
  const role = resources(json, "aws_iam_role").find((r) => r.name === name);
  if (!role) throw new Error(`no role ${name}`);
  return role;
};

describe("Eks with the seed's defaults", () => {
  const json = synthEks();
  const cluster = onlyResource(json, "aws_eks_cluster");

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
    const keys = resources(json, "aws_kms_key");
    for (const k of keys) expect(k.enable_key_rotation).toBe(true);
  });

  it("logs all five control-plane log types to an encrypted group created first", () => {
    expect(cluster.enabled_cluster_log_types).toEqual(["api", "audit", "authenticator", "controllerManager", "scheduler"]);
    const group = resources(json, "aws_cloudwatch_log_group").find((g) => g.name === "/aws/eks/mindhit-test/cluster");
    expect(group).toMatchObject({ retention_in_days: 365, kms_key_id: expect.stringMatching(/aws_kms_key\./) });
    expect(cluster.depends_on).toContainEqual(expect.stringMatching(/^aws_cloudwatch_log_group\./));
  });

  it("creates Container Insights' log groups itself, encrypted and with the cluster's retention", () => {
    const groups = resources(json, "aws_cloudwatch_log_group").filter((g) => String(g.name).startsWith("/aws/containerinsights/"));
    expect(groups.map((g) => g.name).sort()).toEqual(
      ["application", "dataplane", "host", "performance"].map((k) => `/aws/containerinsights/mindhit-test/${k}`),
    );
    for (const g of groups) expect(g).toMatchObject({ retention_in_days: 365, kms_key_id: expect.stringMatching(/aws_kms_key\.eks_container-insights-key/) });
    const addon = resources(json, "aws_eks_addon").find((a) => a.addon_name === "amazon-cloudwatch-observability");
    expect(addon?.depends_on).toEqual(expect.arrayContaining(groups.map(() => expect.stringMatching(/^aws_cloudwatch_log_group\.eks_container-insights-/))));
  });

  it("uses API authentication with explicit access entries only: a cluster-admin role for people, MFA required", () => {
    // No invisible admin for whoever created the cluster.
    expect(cluster.access_config).toEqual({ authentication_mode: "API", bootstrap_cluster_creator_admin_permissions: false });
    const admin = roleNamed(json, "mindhit-test-eks-admin");
    expect(policyDocumentFor(json, admin.assume_role_policy).statement).toEqual([
      expect.objectContaining({ condition: [{ test: "Bool", variable: "aws:MultiFactorAuthPresent", values: ["true"] }] }),
    ]);
    expect(onlyResource(json, "aws_eks_access_entry")).toMatchObject({
      principal_arn: expect.stringMatching(/aws_iam_role\.eks_admin-role_.*\.arn/),
      type: "STANDARD",
    });
    expect(onlyResource(json, "aws_eks_access_policy_association")).toMatchObject({
      policy_arn: expect.stringMatching(/:eks::aws:cluster-access-policy\/AmazonEKSClusterAdminPolicy$/),
      access_scope: { type: "cluster" },
    });
  });

  it("lets the admin role describe its cluster (what aws eks update-kubeconfig calls) and nothing else in IAM", () => {
    const policy = resources(json, "aws_iam_role_policy").find((p) => p.name === "describe-cluster");
    expect(policy?.role).toMatch(/aws_iam_role\.eks_admin-role_/);
    expect(policyDocumentFor(json, policy?.policy).statement).toEqual([
      {
        sid: "UpdateKubeconfig",
        effect: "Allow",
        actions: ["eks:DescribeCluster"],
        resources: [expect.stringMatching(/aws_eks_cluster\.eks_cluster_.*\.arn/)],
      },
    ]);
  });

  it("gives readers the view-with-Secrets policy (plan refreshes Helm releases, whose records are Secrets)", () => {
    const json2 = synthEks({ readerPrincipalArns: ["arn:aws:iam::111111111111:role/reader"] });
    const reader = resources(json2, "aws_eks_access_policy_association").find((a) => String(a.policy_arn).endsWith("AmazonEKSAdminViewPolicy"));
    expect(reader).toBeDefined();
    expect(resources(json2, "aws_eks_access_entry").map((e) => e.principal_arn)).toContain("arn:aws:iam::111111111111:role/reader");
  });

  it("gives the cluster and node roles the AWS-managed policies EKS documents", () => {
    const attached = resources(json, "aws_iam_role_policy_attachment").map((a) => String(a.policy_arn).split("/").pop());
    expect(attached).toEqual(
      expect.arrayContaining([
        "AmazonEKSClusterPolicy",
        "AmazonEKSWorkerNodePolicy",
        "AmazonEC2ContainerRegistryReadOnly",
        "AmazonEKS_CNI_Policy",
        "AmazonEBSCSIDriverPolicy",
      ]),
    );
    expect(policyDocumentFor(json, roleNamed(json, "mindhit-test-eks-cluster").assume_role_policy).statement).toEqual([
      expect.objectContaining({ principals: [{ type: "Service", identifiers: ["eks.amazonaws.com"] }] }),
    ]);
    expect(policyDocumentFor(json, roleNamed(json, "mindhit-test-eks-node").assume_role_policy).statement).toEqual([
      expect.objectContaining({ principals: [{ type: "Service", identifiers: ["ec2.amazonaws.com"] }] }),
    ]);
  });

  it("runs the seed's node group: t3.medium, 1/2/5, Environment label, AL2023", () => {
    expect(onlyResource(json, "aws_eks_node_group")).toMatchObject({
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
    const template = onlyResource(json, "aws_launch_template");
    expect(template).toMatchObject({
      metadata_options: { http_tokens: "required", http_endpoint: "enabled", http_put_response_hop_limit: 1 },
      block_device_mappings: [{ device_name: "/dev/xvda", ebs: { encrypted: "true", volume_type: "gp3", volume_size: 20 } }],
    });
    expect(template.vpc_security_group_ids).toEqual([
      expect.stringMatching(/aws_eks_cluster\..*\.vpc_config\[0\]\.cluster_security_group_id/),
      expect.stringMatching(/aws_security_group\..*\.id/),
    ]);
  });

  it("creates the IRSA OIDC provider for the cluster's issuer", () => {
    expect(onlyResource(json, "aws_iam_openid_connect_provider")).toMatchObject({
      client_id_list: ["sts.amazonaws.com"],
      url: expect.stringMatching(/aws_eks_cluster\..*\.identity\[0\]\.oidc\[0\]\.issuer/),
    });
  });

  it("installs the managed add-ons, the EBS CSI driver with its own IRSA role", () => {
    const addons = resources(json, "aws_eks_addon");
    expect(addons.map((a) => a.addon_name).sort()).toEqual(["amazon-cloudwatch-observability", "aws-ebs-csi-driver", "coredns", "kube-proxy", "vpc-cni"]);
    const insights = addons.find((a) => a.addon_name === "amazon-cloudwatch-observability");
    expect(insights?.service_account_role_arn).toMatch(/aws_iam_role\.eks_cloudwatch-agent-role_[0-9A-F]+\.arn/);
    expect(policyDocumentFor(json, roleNamed(json, "mindhit-test-cloudwatch-agent").assume_role_policy).statement).toEqual([
      expect.objectContaining({
        condition: expect.arrayContaining([expect.objectContaining({ values: ["system:serviceaccount:amazon-cloudwatch:cloudwatch-agent"] })]),
      }),
    ]);
    // Networking first, nodes next, pod-running add-ons last.
    const nodeGroup = onlyResource(json, "aws_eks_node_group");
    expect(nodeGroup.depends_on).toEqual(
      expect.arrayContaining([expect.stringMatching(/aws_eks_addon\.eks_addon-vpc-cni/), expect.stringMatching(/aws_eks_addon\.eks_addon-kube-proxy/)]),
    );
    expect(JSON.parse(String(addons.find((a) => a.addon_name === "vpc-cni")?.configuration_values))).toEqual({ enableNetworkPolicy: "true" });
    for (const name of ["coredns", "aws-ebs-csi-driver"]) {
      expect(addons.find((a) => a.addon_name === name)?.depends_on).toContainEqual(expect.stringMatching(/^aws_eks_node_group\./));
    }
    const ebs = addons.find((a) => a.addon_name === "aws-ebs-csi-driver");
    expect(ebs?.service_account_role_arn).toMatch(/^\$\{aws_iam_role\.eks_ebs-csi-role_[A-F0-9]+\.arn\}$/);
    const trust = policyDocumentFor(json, roleNamed(json, "mindhit-test-ebs-csi").assume_role_policy);
    expect(trust.statement).toEqual([
      expect.objectContaining({
        actions: ["sts:AssumeRoleWithWebIdentity"],
        condition: expect.arrayContaining([expect.objectContaining({ values: ["system:serviceaccount:kube-system:ebs-csi-controller-sa"] })]),
      }),
    ]);
  });

  it("outputs endpoint, name, CA data, OIDC provider ARN and URL, cluster and node security groups", () => {
    const out = json.output ?? {};
    expect(out.cluster_endpoint.value).toMatch(/aws_eks_cluster\..*\.endpoint/);
    expect(out.cluster_name.value).toMatch(/aws_eks_cluster\..*\.name/);
    expect(out.cluster_certificate_authority_data.value).toMatch(/certificate_authority\[0\]\.data/);
    expect(out.oidc_provider_arn.value).toMatch(/aws_iam_openid_connect_provider\..*\.arn/);
    expect(out.oidc_provider_url.value).toMatch(/oidc\[0\]\.issuer/);
    expect(out.cluster_security_group_id.value).toMatch(/cluster_security_group_id/);
    expect(out.node_security_group_id.value).toMatch(/aws_security_group\..*\.id/);
  });
});

describe("Eks options", () => {
  it("applies overrides: version, sizes, CIDR allow-list, deletion protection, extra admins and add-ons", () => {
    const json = synthEks({
      clusterVersion: "1.34",
      nodeInstanceTypes: ["m6i.large"],
      nodeMinSize: 2,
      nodeDesiredSize: 3,
      nodeMaxSize: 6,
      publicAccessCidrs: ["203.0.113.0/24"],
      deletionProtection: true,
      adminPrincipalArns: ["arn:aws:iam::111111111111:role/platform"],
      extraAddons: [{ name: "aws-efs-csi-driver" }],
    });
    expect(onlyResource(json, "aws_eks_cluster")).toMatchObject({
      version: "1.34",
      deletion_protection: true,
      vpc_config: { public_access_cidrs: ["203.0.113.0/24"] },
    });
    expect(onlyResource(json, "aws_eks_node_group")).toMatchObject({
      instance_types: ["m6i.large"],
      scaling_config: { min_size: 2, desired_size: 3, max_size: 6 },
    });
    expect(resources(json, "aws_eks_access_entry").map((e) => e.principal_arn)).toContain("arn:aws:iam::111111111111:role/platform");
    expect(resources(json, "aws_eks_addon").map((a) => a.addon_name)).toContain("aws-efs-csi-driver");
  });

  it("runs Graviton node types on the arm64 AMI", () => {
    expect(onlyResource(synthEks({ nodeInstanceTypes: ["t4g.medium", "m7g.large"] }), "aws_eks_node_group").ami_type).toBe("AL2023_ARM_64_STANDARD");
    expect(onlyResource(synthEks({ nodeInstanceTypes: ["g4dn.xlarge"] }), "aws_eks_node_group").ami_type).toBe("AL2023_x86_64_STANDARD");
  });

  it("without IRSA: no OIDC provider and no EBS CSI role", () => {
    const json = synthEks({ enableIrsa: false });
    expect(resources(json, "aws_iam_openid_connect_provider")).toHaveLength(0);
    expect(resources(json, "aws_eks_addon").map((a) => a.addon_name)).not.toContain("aws-ebs-csi-driver");
  });

  it.each<[string, Partial<EksProps>, RegExp]>([
    [
      "min > desired",
      { nodeMinSize: 3, nodeDesiredSize: 2 },
      /eks: nodeMinSize\/nodeDesiredSize\/nodeMaxSize must satisfy min ≤ desired ≤ max and max ≥ 1 \(got 3 ≤ 2 ≤ 5\)/,
    ],
    ["desired > max", { nodeDesiredSize: 9 }, /got 1 ≤ 9 ≤ 5/],
    ["fractional sizes", { nodeDesiredSize: 1.5 }, /must be whole numbers ≥ 0 \(got min 1, desired 1.5, max 5\)/],
    [
      "an unsupported Kubernetes version",
      { clusterVersion: "1.29" },
      /eks: clusterVersion "1.29" is not a supported EKS version \(allowed: 1.32, 1.33, 1.34, 1.35, 1.36\)/,
    ],
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
