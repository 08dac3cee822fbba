import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { EksAccessEntry } from "@cdktf/provider-aws/lib/eks-access-entry";
import { EksAccessPolicyAssociation } from "@cdktf/provider-aws/lib/eks-access-policy-association";
import { EksAddon } from "@cdktf/provider-aws/lib/eks-addon";
import { EksCluster } from "@cdktf/provider-aws/lib/eks-cluster";
import { EksNodeGroup } from "@cdktf/provider-aws/lib/eks-node-group";
import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { Construct } from "constructs";
import { Token } from "../cdktf";
import {
  checkInstanceType,
  checkKubernetesVersion,
  checkNonEmpty,
  checkScaling,
  duplicates,
  instanceArchitecture,
  isInstanceType,
  isIpv4NetworkCidr,
  ProblemSink,
  checkProps,
  quote,
} from "../validation";
import type { AwsAccount } from "./shared/aws-account";
import { Defaults, withDefaults } from "./shared/defaults";
import { EncryptionKey } from "./shared/encryption-key";
import { IrsaRole } from "./shared/irsa-role";
import { EncryptedLogGroup } from "./shared/log-group";

/** An EKS managed add-on. */
export interface EksAddonSpec {
  /** e.g. `vpc-cni`, `amazon-cloudwatch-observability`. */
  readonly name: string;
  /** @default the add-on's default version for the cluster version */
  readonly version?: string;
  /** IRSA role for the add-on's service account. @default none */
  readonly serviceAccountRoleArn?: string;
  /** JSON configuration values. @default none */
  readonly configurationValues?: string;
}

/** A managed node group of Spot capacity beside the on-demand one (seed 004's `spot` group). */
export interface SpotNodeGroupSettings {
  /** Several types of one architecture, so Spot has several capacity pools to draw from (seed: t3.large, t3a.large). */
  readonly instanceTypes: readonly string[];
  readonly minSize: number;
  readonly desiredSize: number;
  readonly maxSize: number;
}

/**
 * What marks Spot nodes: the taint keeps every pod off them but those that tolerate it (the chart's
 * worker), the label lets those pods prefer them.
 */
export const SPOT_CAPACITY = { key: "mindhit.io/capacity", value: "spot" } as const;

export interface EksProps {
  /** Seed: `mindhit-production`. */
  readonly clusterName: string;
  readonly account: AwsAccount;
  readonly vpcId: string;
  /** Private subnets for the control plane ENIs and the nodes (seed: the VPC's private subnets). */
  readonly subnetIds: readonly string[];
  /** Kubernetes minor version. The seed's 1.29 is past end of support. @default "1.35" */
  readonly version?: string;
  /** @default ["t3.medium"] */
  readonly nodeInstanceTypes?: readonly string[];
  /** @default 2 */
  readonly nodeDesiredSize?: number;
  /** @default 1 */
  readonly nodeMinSize?: number;
  /** @default 5 */
  readonly nodeMaxSize?: number;
  /** Node labels. @default { Environment: clusterName } (the seed's label) */
  readonly nodeLabels?: Readonly<Record<string, string>>;
  /** Root volume size of each node in GiB. @default 20 */
  readonly nodeDiskSizeGiB?: number;
  /**
   * CIDRs that may reach the public API endpoint. Empty: no public endpoint at all (the private
   * one is always on; reach it from inside the VPC, e.g. a self-hosted CI runner). The seed had
   * the whole internet. @default [] (private only)
   */
  readonly publicAccessCidrs?: readonly string[];
  /** Control-plane log types. @default ["api", "audit", "authenticator", "controllerManager", "scheduler"] (all five) */
  readonly enabledLogTypes?: readonly string[];
  /** @default 365 */
  readonly logRetentionDays?: number;
  /** IAM OIDC provider for IAM roles for service accounts (the seed's `enable_irsa`). @default true */
  readonly enableIrsa?: boolean;
  /** IAM principals given cluster-admin through access entries, besides the module's admin role. @default [] */
  readonly adminPrincipalArns?: readonly string[];
  /**
   * IAM principals that may read everything in the cluster, Secrets included (AmazonEKSAdminViewPolicy):
   * what `terraform plan` of the in-cluster stack needs, since Helm keeps release records in Secrets. @default []
   */
  readonly readerPrincipalArns?: readonly string[];
  /** Refuse cluster deletion (EKS deletion protection). @default false */
  readonly deletionProtection?: boolean;
  /**
   * Container Insights through the `amazon-cloudwatch-observability` add-on (node, pod and cluster
   * metrics the environment's alarms read), with its own IRSA role. Needs `enableIrsa`. @default true
   */
  readonly enableContainerInsights?: boolean;
  /** Add-ons beyond the defaults (vpc-cni, kube-proxy, coredns, aws-ebs-csi-driver, amazon-cloudwatch-observability). @default [] */
  readonly extraAddons?: readonly EksAddonSpec[];
  /** A second managed node group of Spot capacity, tainted `mindhit.io/capacity=spot:NoSchedule`. @default none */
  readonly spotNodeGroup?: SpotNodeGroupSettings;
  /**
   * IMDS hop limit on nodes. 1 (the EKS Best Practices Guide's advice) keeps pods off the node
   * role's credentials: only host-network pods (CNI, kube-proxy) reach IMDS; others use IRSA.
   * @default 1
   */
  readonly metadataHopLimit?: number;
}

export const EKS_DEFAULTS = {
  version: "1.35",
  nodeInstanceTypes: ["t3.medium"],
  nodeDesiredSize: 2,
  nodeMinSize: 1,
  nodeMaxSize: 5,
  nodeDiskSizeGiB: 20,
  publicAccessCidrs: [],
  enabledLogTypes: ["api", "audit", "authenticator", "controllerManager", "scheduler"],
  logRetentionDays: 365,
  enableIrsa: true,
  adminPrincipalArns: [],
  readerPrincipalArns: [],
  deletionProtection: false,
  enableContainerInsights: true,
  extraAddons: [],
  metadataHopLimit: 1,
} as const satisfies Defaults<EksProps, "nodeLabels" | "spotNodeGroup">;

const LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"];

/** The props that are settings (not wiring), which config validation checks before any construct exists. */
export type EksSettings = Omit<EksProps, "account" | "vpcId" | "subnetIds">;

/** The cluster's rules: name, a supported version, node sizes and scaling, endpoint CIDRs, admin principals. */
export function checkEksProps(problems: ProblemSink, settings: EksSettings): void {
  const props = withDefaults(settings, EKS_DEFAULTS);
  const { nodeInstanceTypes: instanceTypes, nodeDiskSizeGiB: diskSize, metadataHopLimit: hopLimit } = props;
  problems.check(
    /^[a-zA-Z0-9][a-zA-Z0-9_-]{0,99}$/.test(props.clusterName),
    "clusterName",
    `${quote(props.clusterName)} is not an EKS cluster name (1-100 of A-Z a-z 0-9 _ -, starting alphanumeric)`,
  );
  checkKubernetesVersion(problems, "version", props.version);
  checkNonEmpty(problems, "nodeInstanceTypes", instanceTypes, '"t3.medium"');
  for (const type of instanceTypes) checkInstanceType(problems, "nodeInstanceTypes", type);
  for (const type of new Set(duplicates(instanceTypes))) problems.add("nodeInstanceTypes", `lists ${quote(type)} more than once`);
  // One node group runs one AMI, so one CPU architecture.
  const architectures = new Set(instanceTypes.filter(isInstanceType).map(instanceArchitecture));
  problems.check(
    architectures.size <= 1,
    "nodeInstanceTypes",
    `${quote(instanceTypes)} mixes arm64 (Graviton) and x86_64 types (one node group runs one AMI: list types of one architecture)`,
  );
  checkScaling(problems, "nodeMinSize/nodeDesiredSize/nodeMaxSize", props.nodeMinSize, props.nodeDesiredSize, props.nodeMaxSize);
  // An empty list would not close the endpoint: EKS applies its default, 0.0.0.0/0.
  for (const cidr of props.publicAccessCidrs)
    problems.check(isIpv4NetworkCidr(cidr), "publicAccessCidrs", `${quote(cidr)} is not an IPv4 network CIDR (e.g. "203.0.113.0/24")`);
  const admins = props.adminPrincipalArns;
  for (const arn of new Set(duplicates(admins))) problems.add("adminPrincipalArns", `lists ${quote(arn)} more than once`);
  for (const arn of admins.filter((a) => a.endsWith(`:role/${props.clusterName}-eks-admin`))) {
    problems.add("adminPrincipalArns", `${quote(arn)} is the cluster's own admin role, which already has an access entry (EKS refuses a second one)`);
  }
  const readers = props.readerPrincipalArns;
  for (const arn of readers.filter((r) => admins.includes(r)))
    problems.add("readerPrincipalArns", `${quote(arn)} is also an admin (one access entry per principal)`);
  // Principals built from tokens (a role ARN of this account) are checked by IAM at apply.
  for (const arn of [...admins, ...readers].filter((a) => !Token.isUnresolved(a))) {
    problems.check(
      /^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@/-]+$/.test(arn),
      admins.includes(arn) ? "adminPrincipalArns" : "readerPrincipalArns",
      `${quote(arn)} is not an IAM role or user ARN (e.g. "arn:aws:iam::123456789012:role/ops")`,
    );
  }
  for (const t of props.enabledLogTypes) {
    problems.check(LOG_TYPES.includes(t), "enabledLogTypes", `${quote(t)} is not allowed (allowed: ${LOG_TYPES.join(", ")})`);
  }
  const min = props.nodeMinSize;
  problems.check(
    !Number.isInteger(min) || min >= 1,
    "nodeMinSize/nodeDesiredSize/nodeMaxSize",
    `must keep at least 1 node (got min ${min}): CoreDNS and the cluster's controllers need somewhere to run`,
  );
  problems.check(Number.isInteger(diskSize) && diskSize >= 20, "nodeDiskSizeGiB", `${diskSize} is not allowed (whole number ≥ 20)`);
  problems.check(hopLimit === 1 || hopLimit === 2, "metadataHopLimit", `${hopLimit} is not allowed (allowed: 1, 2)`);
  if (props.spotNodeGroup) checkSpotNodeGroup(problems, props.spotNodeGroup);
}

/** Spot capacity: at least two distinct instance types of one architecture (two pools), and a sane scaling range. */
function checkSpotNodeGroup(problems: ProblemSink, spot: SpotNodeGroupSettings): void {
  const types = spot.instanceTypes;
  for (const type of types) checkInstanceType(problems, "spotNodeGroup.instanceTypes", type);
  problems.check(
    new Set(types).size >= 2,
    "spotNodeGroup.instanceTypes",
    `${quote(types)} is not allowed (at least two distinct types, so an interruption in one Spot pool leaves the others, e.g. ["t3.large", "t3a.large"])`,
  );
  const architectures = new Set(types.filter(isInstanceType).map(instanceArchitecture));
  problems.check(
    architectures.size <= 1,
    "spotNodeGroup.instanceTypes",
    `${quote(types)} mixes arm64 (Graviton) and x86_64 types (one node group runs one AMI)`,
  );
  checkScaling(problems, "spotNodeGroup.minSize/desiredSize/maxSize", spot.minSize, spot.desiredSize, spot.maxSize);
}

/**
 * The seed's `modules/eks` (terraform-aws-modules/eks): the cluster, one managed node group and
 * the IRSA OIDC provider, with what that module and the EKS Best Practices Guide add by default:
 * secrets envelope-encrypted with a customer KMS key, control-plane logs, API-mode access entries,
 * managed add-ons, IMDSv2-only nodes with encrypted root volumes, and a private endpoint.
 */
export class Eks extends Construct {
  readonly clusterName: string;
  readonly clusterArn: string;
  readonly clusterEndpoint: string;
  /** Base64 CA bundle (the seed's `cluster_certificate_authority_data`). */
  readonly clusterCertificateAuthorityData: string;
  /**
   * The EKS-managed cluster security group. It is attached to the control plane and to every
   * node (so to every pod on the VPC CNI): the group data stores admit.
   */
  readonly clusterSecurityGroupId: string;
  /** A group only the nodes carry, for rules that must not include the control plane. */
  readonly nodeSecurityGroupId: string;
  readonly oidcProviderArn: string;
  /** `https://oidc.eks.<region>.amazonaws.com/id/<id>`. */
  readonly oidcProviderUrl: string;
  readonly nodeRoleArn: string;
  /** Role with cluster-admin access; humans assume it instead of sharing the creator's identity. */
  readonly clusterAdminRoleArn: string;
  readonly secretsKeyArn: string;

  constructor(scope: Construct, id: string, eksProps: EksProps) {
    super(scope, id);
    const {
      version,
      nodeInstanceTypes: instanceTypes,
      nodeDesiredSize: desired,
      nodeMinSize: min,
      nodeMaxSize: max,
      publicAccessCidrs: publicCidrs,
      enabledLogTypes: logTypes,
      nodeDiskSizeGiB: diskSize,
      metadataHopLimit: hopLimit,
      account,
      clusterName,
      subnetIds,
      logRetentionDays,
      deletionProtection,
      vpcId,
      enableIrsa,
      nodeLabels,
      enableContainerInsights,
      extraAddons,
      adminPrincipalArns,
      readerPrincipalArns,
      spotNodeGroup,
    } = withDefaults(eksProps, EKS_DEFAULTS);
    checkProps(this, eksProps, checkEksProps, (problems) => {
      problems.check(subnetIds.length >= 2, "subnetIds", `lists ${subnetIds.length} subnet(s); EKS needs subnets in at least 2 availability zones`);
    });

    const awsPolicy = (name: string): string => `arn:${account.partition}:iam::aws:policy/${name}`;

    const secretsKey = new EncryptionKey(this, "secrets-key", {
      alias: `${clusterName}-eks-secrets`,
      description: `Envelope-encrypts Kubernetes secrets of EKS cluster ${clusterName}`,
      account,
    });
    // Created before the cluster so EKS writes into an encrypted group with our retention.
    const logGroup = new EncryptedLogGroup(this, "control-plane-logs", {
      name: `/aws/eks/${clusterName}/cluster`,
      keyAlias: `${clusterName}-eks-logs`,
      account,
      retentionInDays: logRetentionDays,
    });

    const clusterRole = this.serviceRole(
      "cluster-role",
      `${clusterName}-eks-cluster`,
      "eks.amazonaws.com",
      ["sts:AssumeRole", "sts:TagSession"],
      [awsPolicy("AmazonEKSClusterPolicy")],
    );
    const cluster = new EksCluster(this, "cluster", {
      name: clusterName,
      version,
      roleArn: clusterRole.role.arn,
      enabledClusterLogTypes: [...logTypes],
      deletionProtection: deletionProtection,
      vpcConfig: {
        subnetIds: [...subnetIds],
        endpointPrivateAccess: true,
        // EKS reads an empty allow-list as 0.0.0.0/0, so no CIDRs means no public endpoint.
        endpointPublicAccess: publicCidrs.length > 0,
        publicAccessCidrs: publicCidrs.length > 0 ? [...publicCidrs] : undefined,
      },
      encryptionConfig: { resources: ["secrets"], provider: { keyArn: secretsKey.keyArn } },
      accessConfig: {
        authenticationMode: "API",
        // No invisible admin: whoever creates the cluster gets access only through an explicit
        // entry below (CI's deploy role, the admin role, adminPrincipalArns).
        bootstrapClusterCreatorAdminPermissions: false,
      },
      // Stay on standard support: extended support silently multiplies the control-plane price.
      upgradePolicy: { supportType: "STANDARD" },
      dependsOn: [clusterRole.attachments[0], logGroup.resource],
    });

    const nodeSecurityGroup = new SecurityGroup(this, "node-security-group", {
      name: `${clusterName}-node`,
      description: `Nodes of EKS cluster ${clusterName}; node traffic rules live on the EKS-managed cluster group`,
      vpcId: vpcId,
      tags: { Name: `${clusterName}-node` },
    });
    const nodeRole = this.serviceRole(
      "node-role",
      `${clusterName}-eks-node`,
      "ec2.amazonaws.com",
      ["sts:AssumeRole"],
      [awsPolicy("AmazonEKSWorkerNodePolicy"), awsPolicy("AmazonEC2ContainerRegistryReadOnly"), awsPolicy("AmazonEKS_CNI_Policy")],
    );
    const clusterSecurityGroupId = cluster.vpcConfig.clusterSecurityGroupId;
    const launchTemplate = new LaunchTemplate(this, "node-launch-template", {
      name: `${clusterName}-nodes`,
      description: `Nodes of EKS cluster ${clusterName}: IMDSv2 only, encrypted gp3 root volume`,
      updateDefaultVersion: true,
      // A launch template's groups replace EKS's default, so the cluster group is listed explicitly.
      vpcSecurityGroupIds: [clusterSecurityGroupId, nodeSecurityGroup.id],
      metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: hopLimit },
      blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeSize: diskSize, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" } }],
      tagSpecifications: [{ resourceType: "instance", tags: { Name: `${clusterName}-node` } }],
    });
    const issuerUrl = cluster.identity.get(0).oidc.get(0).issuer;
    let oidcProviderArn = "";
    if (enableIrsa) {
      const oidc = new IamOpenidConnectProvider(this, "oidc-provider", {
        url: issuerUrl,
        clientIdList: ["sts.amazonaws.com"],
        tags: { Name: `${clusterName}-irsa` },
      });
      oidcProviderArn = oidc.arn;
    }

    // Networking add-ons go in before the nodes (terraform-aws-modules' `before_compute`) so
    // nodes join with the managed CNI; the rest run pods and need nodes to become healthy.
    const networking = [
      // The CNI's network policy agent enforces the chart's NetworkPolicies.
      { name: "vpc-cni", configurationValues: JSON.stringify({ enableNetworkPolicy: "true" }) },
      { name: "kube-proxy" },
    ].map((addon) => this.addon(cluster, addon, []));
    const nodeGroup = new EksNodeGroup(this, "nodes", {
      clusterName: cluster.name,
      nodeGroupName: `${clusterName}-nodes`,
      nodeRoleArn: nodeRole.role.arn,
      subnetIds: [...subnetIds],
      instanceTypes: [...instanceTypes],
      amiType: instanceArchitecture(instanceTypes[0]) === "arm64" ? "AL2023_ARM_64_STANDARD" : "AL2023_x86_64_STANDARD",
      scalingConfig: { desiredSize: desired, minSize: min, maxSize: max },
      updateConfig: { maxUnavailable: 1 },
      labels: { ...(nodeLabels ?? { Environment: clusterName }) },
      launchTemplate: { id: launchTemplate.id, version: `${launchTemplate.latestVersion}` },
      // An autoscaler owns the running size once the group exists.
      lifecycle: { ignoreChanges: ["scaling_config[0].desired_size"] },
      dependsOn: [...nodeRole.attachments, ...networking],
    });

    // Spot capacity for workloads that tolerate losing a node on two minutes' notice. EKS moves
    // pods off a node when AWS recommends rebalancing it; the interruption warning itself is
    // handled by the Node Termination Handler (the -apps stack) through the platform's queue.
    if (spotNodeGroup) {
      const spotTypes = spotNodeGroup.instanceTypes;
      new EksNodeGroup(this, "spot-nodes", {
        clusterName: cluster.name,
        nodeGroupName: `${clusterName}-spot`,
        nodeRoleArn: nodeRole.role.arn,
        subnetIds: [...subnetIds],
        capacityType: "SPOT",
        instanceTypes: [...spotTypes],
        amiType: instanceArchitecture(spotTypes[0]) === "arm64" ? "AL2023_ARM_64_STANDARD" : "AL2023_x86_64_STANDARD",
        scalingConfig: { desiredSize: spotNodeGroup.desiredSize, minSize: spotNodeGroup.minSize, maxSize: spotNodeGroup.maxSize },
        updateConfig: { maxUnavailable: 1 },
        labels: { ...(nodeLabels ?? { Environment: clusterName }), NodeGroup: "spot", [SPOT_CAPACITY.key]: SPOT_CAPACITY.value },
        taint: [{ key: SPOT_CAPACITY.key, value: SPOT_CAPACITY.value, effect: "NO_SCHEDULE" }],
        launchTemplate: { id: launchTemplate.id, version: `${launchTemplate.latestVersion}` },
        lifecycle: { ignoreChanges: ["scaling_config[0].desired_size"] },
        dependsOn: [...nodeRole.attachments, ...networking],
      });
    }

    const addons: EksAddonSpec[] = [{ name: "coredns" }];
    const insightsGroups: CloudwatchLogGroup[] = [];
    if (oidcProviderArn !== "") {
      // An add-on whose controller calls AWS: its service account gets an IRSA role with AWS's managed policy.
      const addonWithRole = (name: string, role: string, namespace: string, serviceAccount: string, managedPolicy: string): void => {
        const irsa = new IrsaRole(this, `${role}-role`, {
          roleName: `${clusterName}-${role}`,
          oidcProviderArn,
          oidcIssuerUrl: issuerUrl,
          namespace,
          serviceAccount,
          managedPolicyArns: [awsPolicy(managedPolicy)],
        });
        addons.push({ name, serviceAccountRoleArn: irsa.roleArn });
      };
      addonWithRole("aws-ebs-csi-driver", "ebs-csi", "kube-system", "ebs-csi-controller-sa", "service-role/AmazonEBSCSIDriverPolicy");
      if (enableContainerInsights) {
        addonWithRole("amazon-cloudwatch-observability", "cloudwatch-agent", "amazon-cloudwatch", "cloudwatch-agent", "CloudWatchAgentServerPolicy");
        // The agent and Fluent Bit would create these groups themselves, unencrypted and kept
        // forever; created first, they get a customer key and the cluster's log retention.
        const insightsKey = new EncryptionKey(this, "container-insights-key", {
          alias: `${clusterName}-container-insights`,
          description: `Encrypts the Container Insights log groups of EKS cluster ${clusterName}`,
          account,
          servicePrincipals: [`logs.${account.region}.${account.dnsSuffix}`],
          serviceConditions: [
            {
              test: "ArnLike",
              variable: "kms:EncryptionContext:aws:logs:arn",
              values: [`arn:${account.partition}:logs:${account.region}:${account.accountId}:log-group:/aws/containerinsights/${clusterName}/*`],
            },
          ],
        });
        for (const kind of ["application", "dataplane", "host", "performance"]) {
          insightsGroups.push(
            new CloudwatchLogGroup(this, `container-insights-${kind}`, {
              name: `/aws/containerinsights/${clusterName}/${kind}`,
              retentionInDays: logRetentionDays,
              kmsKeyId: insightsKey.keyArn,
            }),
          );
        }
      }
    }
    for (const addon of [...addons, ...extraAddons]) this.addon(cluster, addon, [nodeGroup, ...insightsGroups]);

    const adminRole = this.clusterAdminRole(clusterName, account, cluster.arn);
    const accessPolicy = (name: string): string => `arn:${account.partition}:eks::aws:cluster-access-policy/${name}`;
    const grants = [
      ...[adminRole.arn, ...adminPrincipalArns].map((principalArn) => ({ principalArn, policyArn: accessPolicy("AmazonEKSClusterAdminPolicy") })),
      ...readerPrincipalArns.map((principalArn) => ({ principalArn, policyArn: accessPolicy("AmazonEKSAdminViewPolicy") })),
    ];
    grants.forEach(({ principalArn, policyArn }, index) => {
      const kind = policyArn.endsWith("AmazonEKSClusterAdminPolicy") ? "admin" : "reader";
      const entry = new EksAccessEntry(this, `${kind}-access-${index}`, { clusterName: cluster.name, principalArn, type: "STANDARD" });
      new EksAccessPolicyAssociation(this, `${kind}-policy-${index}`, {
        clusterName: cluster.name,
        principalArn: entry.principalArn,
        policyArn,
        accessScope: { type: "cluster" },
      });
    });

    this.clusterName = cluster.name;
    this.clusterArn = cluster.arn;
    this.clusterEndpoint = cluster.endpoint;
    this.clusterCertificateAuthorityData = cluster.certificateAuthority.get(0).data;
    this.clusterSecurityGroupId = clusterSecurityGroupId;
    this.nodeSecurityGroupId = nodeSecurityGroup.id;
    this.oidcProviderArn = oidcProviderArn;
    this.oidcProviderUrl = issuerUrl;
    this.nodeRoleArn = nodeRole.role.arn;
    this.clusterAdminRoleArn = adminRole.arn;
    this.secretsKeyArn = secretsKey.keyArn;
  }

  private addon(cluster: EksCluster, addon: EksAddonSpec, dependsOn: Array<EksNodeGroup | CloudwatchLogGroup>): EksAddon {
    return new EksAddon(this, `addon-${addon.name}`, {
      clusterName: cluster.name,
      addonName: addon.name,
      addonVersion: addon.version,
      serviceAccountRoleArn: addon.serviceAccountRoleArn,
      configurationValues: addon.configurationValues,
      resolveConflictsOnCreate: "OVERWRITE",
      resolveConflictsOnUpdate: "OVERWRITE",
      dependsOn,
    });
  }

  /** A role an AWS service assumes, with AWS-managed policies attached. */
  private serviceRole(
    id: string,
    name: string,
    service: string,
    actions: string[],
    policyArns: string[],
  ): { role: IamRole; attachments: IamRolePolicyAttachment[] } {
    const trust = new DataAwsIamPolicyDocument(this, `${id}-trust`, {
      statement: [{ effect: "Allow", actions, principals: [{ type: "Service", identifiers: [service] }] }],
    });
    const role = new IamRole(this, id, { name, assumeRolePolicy: trust.json });
    const attachments = policyArns.map((policyArn, i) => new IamRolePolicyAttachment(this, `${id}-policy-${i}`, { role: role.name, policyArn }));
    return { role, attachments };
  }

  /**
   * Cluster-admin role for people: assumable by this account's principals, with MFA. Its only IAM
   * permission is describing its own cluster, which `aws eks update-kubeconfig` needs; what it may
   * do inside the cluster comes from its access entry.
   */
  private clusterAdminRole(clusterName: string, account: AwsAccount, clusterArn: string): IamRole {
    const trust = new DataAwsIamPolicyDocument(this, "admin-role-trust", {
      statement: [
        {
          effect: "Allow",
          actions: ["sts:AssumeRole"],
          principals: [{ type: "AWS", identifiers: [account.rootArn] }],
          condition: [{ test: "Bool", variable: "aws:MultiFactorAuthPresent", values: ["true"] }],
        },
      ],
    });
    const role = new IamRole(this, "admin-role", {
      name: `${clusterName}-eks-admin`,
      description: `Cluster-admin access to EKS cluster ${clusterName} (access entry)`,
      assumeRolePolicy: trust.json,
      maxSessionDuration: 3600,
    });
    const describe = new DataAwsIamPolicyDocument(this, "admin-role-describe-cluster", {
      statement: [{ sid: "UpdateKubeconfig", effect: "Allow", actions: ["eks:DescribeCluster"], resources: [clusterArn] }],
    });
    new IamRolePolicy(this, "admin-role-policy", { name: "describe-cluster", role: role.name, policy: describe.json });
    return role;
  }
}
