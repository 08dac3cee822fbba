import { Construct } from "constructs";
import { TerraformOutput, TerraformStack } from "../cdktf";
import { EnvironmentConfig, ProjectSettings, stackNames, StateBackend, stateKey } from "../config";
import { AwsAccount } from "../modules/aws-account";
import { Ecr } from "../modules/ecr";
import { Eks } from "../modules/eks";
import { ElastiCache } from "../modules/elasticache";
import { Rds } from "../modules/rds";
import { Vpc } from "../modules/vpc";
import { configureStateBackend } from "./backend";
import { addAwsProvider } from "./providers";

export interface PlatformStackProps {
  readonly project: ProjectSettings;
  readonly env: EnvironmentConfig;
  readonly backend: StateBackend;
}

/**
 * One environment's AWS platform, composed as the seed's `environments/prod/main.tf` composes
 * its modules: network, cluster, data stores, registry.
 */
export class PlatformStack extends TerraformStack {
  readonly vpc: Vpc;
  readonly eks: Eks;
  readonly rds: Rds;
  readonly cache: ElastiCache;
  readonly ecr: Ecr;

  constructor(scope: Construct, props: PlatformStackProps) {
    const name = stackNames(props.project, props.env).platform;
    super(scope, name);
    const { project, env } = props;
    configureStateBackend(this, { project, backend: props.backend, key: stateKey(env, "platform"), workspace: name });
    addAwsProvider(this, project, env.region, env.environment);

    const account = new AwsAccount(this, "account");
    this.vpc = new Vpc(this, "vpc", {
      name: env.resourceName,
      account,
      cidr: env.network.vpcCidr,
      azs: env.azs,
      publicSubnets: env.network.publicSubnetCidrs,
      privateSubnets: env.network.privateSubnetCidrs,
      natGateways: env.network.natGateways,
      clusterName: env.resourceName,
    });
    this.eks = new Eks(this, "eks", {
      clusterName: env.resourceName,
      account,
      vpcId: this.vpc.vpcId,
      subnetIds: this.vpc.privateSubnets,
      clusterVersion: env.cluster.version,
      nodeInstanceTypes: env.cluster.nodeInstanceTypes,
      nodeDesiredSize: env.cluster.nodeDesiredSize,
      nodeMinSize: env.cluster.nodeMinSize,
      nodeMaxSize: env.cluster.nodeMaxSize,
      publicAccessCidrs: env.cluster.publicAccessCidrs,
      adminPrincipalArns: env.cluster.adminPrincipalArns,
      deletionProtection: env.cluster.deletionProtection,
    });

    // Pods reach the data stores through the EKS-managed cluster group, which every node carries
    // (the seed allowed only the control-plane group, which no pod has).
    const clientGroups = [this.eks.clusterSecurityGroupId, this.eks.nodeSecurityGroupId];
    this.rds = new Rds(this, "rds", {
      identifier: env.resourceName,
      account,
      vpcId: this.vpc.vpcId,
      subnetIds: this.vpc.privateSubnets,
      allowedSecurityGroupIds: clientGroups,
      dbName: env.database.dbName,
      instanceClass: env.database.instanceClass,
      multiAz: env.database.multiAz,
      deletionProtection: env.database.deletionProtection,
    });
    this.cache = new ElastiCache(this, "elasticache", {
      clusterId: env.resourceName,
      account,
      vpcId: this.vpc.vpcId,
      subnetIds: this.vpc.privateSubnets,
      allowedSecurityGroupIds: clientGroups,
      nodeType: env.cache.nodeType,
      replicas: env.cache.replicas,
    });
    this.ecr = new Ecr(this, "ecr", { repositoryNames: env.registry.repositoryNames, imageTagMutability: env.registry.imageTagMutability });

    // The seed's outputs, with the same names.
    new TerraformOutput(this, "eks_cluster_endpoint", { value: this.eks.clusterEndpoint, description: "EKS API server endpoint" });
    new TerraformOutput(this, "rds_endpoint", { value: this.rds.endpoint, sensitive: true, description: "PostgreSQL endpoint (address:port)" });
    new TerraformOutput(this, "redis_endpoint", {
      value: `${this.cache.endpoint}:${this.cache.port}`,
      description: "Redis primary endpoint (address:port), TLS and IAM authentication required",
    });
    new TerraformOutput(this, "ecr_repositories", { value: this.ecr.repositoryUrls, description: "ECR repository URL by name" });
    // What operators and the in-cluster stack look up by hand.
    new TerraformOutput(this, "eks_cluster_name", { value: this.eks.clusterName });
    new TerraformOutput(this, "eks_cluster_admin_role_arn", { value: this.eks.clusterAdminRoleArn, description: "Assume this role (with MFA) for kubectl admin access" });
    new TerraformOutput(this, "rds_master_secret_arn", { value: this.rds.masterUserSecretArn, description: "Secrets Manager secret RDS keeps the master credentials in" });
  }
}
