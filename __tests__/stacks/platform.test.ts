import { AcmCertificate } from "@cdktf/provider-aws/lib/acm-certificate";
import { AcmCertificateValidation } from "@cdktf/provider-aws/lib/acm-certificate-validation";
import { ChatbotSlackChannelConfiguration } from "@cdktf/provider-aws/lib/chatbot-slack-channel-configuration";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsRoute53Zone } from "@cdktf/provider-aws/lib/data-aws-route53-zone";
import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { DbSubnetGroup } from "@cdktf/provider-aws/lib/db-subnet-group";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { EksCluster } from "@cdktf/provider-aws/lib/eks-cluster";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { EksNodeGroup } from "@cdktf/provider-aws/lib/eks-node-group";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { SqsQueuePolicy } from "@cdktf/provider-aws/lib/sqs-queue-policy";
import { ElasticacheReplicationGroup } from "@cdktf/provider-aws/lib/elasticache-replication-group";
import { ElasticacheSubnetGroup } from "@cdktf/provider-aws/lib/elasticache-subnet-group";
import { ElasticacheUser } from "@cdktf/provider-aws/lib/elasticache-user";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { variantOf } from "../../src/config";
import { environments } from "../../src/environments";
import { staging } from "../../src/environments/staging";
import { attributeNames, buildProject, S3_RUN } from "../helpers/synth";
import { Template } from "../helpers/template";

const stacks = buildProject();
const synthesized = new Map<string, Template>([...stacks.platforms].map(([name, stack]) => [name, Template.fromStack(stack)]));
const platform = (name: string): Template => synthesized.get(name)!;

describe.each(stacks.environments.map((e) => [e.identity.name, e] as const))("%s platform stack", (name, env) => {
  const template = platform(name);

  it("composes the seed's modules: one VPC, cluster, node group, database, cache and the registry", () => {
    template.resourceCountIs(Vpc, 1);
    expect(template.only(EksCluster).name).toBe(env.identity.resourceName);
    expect(template.only(DbInstance).identifier).toBe(env.identity.resourceName);
    expect(template.only(ElasticacheReplicationGroup).replication_group_id).toBe(env.identity.resourceName);
    expect(template.resources(EcrRepository).map((r) => r.name)).toEqual(Object.values(env.identity.repositoryNames));
  });

  it("puts the cluster and data stores in the private subnets of the environment's zones", () => {
    const privateSubnets = expect.arrayContaining(env.azs.map((az) => expect.stringMatching(new RegExp(`aws_subnet\\.vpc_private-${az}`))));
    expect(template.only(EksCluster).vpc_config).toMatchObject({ subnet_ids: privateSubnets });
    expect(template.only(DbSubnetGroup).subnet_ids).toEqual(privateSubnets);
    expect(template.only(ElasticacheSubnetGroup).subnet_ids).toEqual(privateSubnets);
  });

  it("admits database and cache traffic only from the EKS cluster and node security groups, on their ports", () => {
    const rules = template.resources(VpcSecurityGroupIngressRule);
    const eksGroups = [
      expect.stringMatching(/^\$\{aws_eks_cluster\.eks_cluster_[A-F0-9]+\.vpc_config\[0\]\.cluster_security_group_id\}$/),
      expect.stringMatching(/^\$\{aws_security_group\.eks_node-security-group_[A-F0-9]+\.id\}$/),
    ];
    const forPort = (port: number): unknown[] => rules.filter((r) => r.from_port === port).map((r) => r.referenced_security_group_id);
    expect(forPort(5432)).toEqual(eksGroups);
    expect(forPort(6379)).toEqual(eksGroups);
    // Those four are every rule.
    expect(rules).toHaveLength(4);
    for (const rule of rules) {
      expect(rule).toMatchObject({ ip_protocol: "tcp" });
      expect(rule.to_port).toBe(rule.from_port);
      expect(rule).not.toHaveProperty("cidr_ipv4");
    }
  });

  it("takes sizes and protection switches from the environment config", () => {
    const { instanceClass, multiAz, deletionProtection } = env.database;
    expect(template.only(DbInstance)).toMatchObject({ instance_class: instanceClass, multi_az: multiAz, deletion_protection: deletionProtection });
    // Never configurable: a final snapshot, encryption, no public address.
    expect(template.only(DbInstance)).toMatchObject({ skip_final_snapshot: false, storage_encrypted: true, publicly_accessible: false });
    expect(template.only(ElasticacheReplicationGroup)).toMatchObject({
      node_type: env.cache.nodeType,
      num_cache_clusters: 1 + env.cache.replicas,
      automatic_failover_enabled: env.cache.replicas > 0,
    });
    expect(template.only(EksNodeGroup, { node_group_name: `${env.identity.resourceName}-nodes` }).scaling_config).toEqual({
      min_size: env.cluster.nodeMinSize,
      desired_size: env.cluster.nodeDesiredSize,
      max_size: env.cluster.nodeMaxSize,
    });
    expect(template.only(EksCluster).deletion_protection).toBe(env.cluster.deletionProtection);
    template.resourceCountIs(NatGateway, env.network.natGateways === "single" ? 1 : env.azs.length);
  });

  it("runs the seed's Spot group where the environment turns it on: tainted, labelled, several types, its node events queued for the drainer", () => {
    const spot = env.cluster.spotNodeGroup;
    if (!spot.enabled) {
      template.resourceCountIs(EksNodeGroup, 0, { capacity_type: "SPOT" });
      template.resourceCountIs(SqsQueue, 0);
      return;
    }
    expect(template.only(EksNodeGroup, { capacity_type: "SPOT" })).toMatchObject({
      node_group_name: `${env.identity.resourceName}-spot`,
      instance_types: spot.instanceTypes,
      scaling_config: { min_size: spot.minSize, desired_size: spot.desiredSize, max_size: spot.maxSize },
      taint: [{ key: "mindhit.io/capacity", value: "spot", effect: "NO_SCHEDULE" }],
      labels: expect.objectContaining({ NodeGroup: "spot", "mindhit.io/capacity": "spot" }),
    });
    expect(template.only(SqsQueue)).toMatchObject({ name: env.identity.nodeEventQueueName, sqs_managed_sse_enabled: true, message_retention_seconds: 300 });
    const rules = template.resources(CloudwatchEventRule).map((r) => JSON.parse(String(r.event_pattern)) as { "detail-type": string[] });
    expect(rules.flatMap((r) => r["detail-type"]).sort()).toEqual([
      "AWS Health Event",
      "EC2 Instance Rebalance Recommendation",
      "EC2 Instance State-change Notification",
      "EC2 Spot Instance Interruption Warning",
    ]);
    template.resourceCountIs(CloudwatchEventTarget, 4);
    const policy = template.policyDocument(template.only(SqsQueuePolicy).policy).statement as Array<Record<string, unknown>>;
    expect(policy).toEqual([
      expect.objectContaining({
        sid: "TheNodeEventRulesOnly",
        effect: "Allow",
        actions: ["sqs:SendMessage"],
        principals: [{ type: "Service", identifiers: ["events.amazonaws.com"] }],
        condition: [expect.objectContaining({ test: "ArnEquals", variable: "aws:SourceArn" })],
      }),
      expect.objectContaining({ sid: "DenyInsecureTransport", effect: "Deny" }),
    ]);
  });

  it("emits the seed's outputs, the RDS endpoint sensitive", () => {
    const outputs = template.outputs;
    expect(Object.keys(outputs)).toEqual(expect.arrayContaining(["eks_cluster_endpoint", "rds_endpoint", "redis_endpoint", "ecr_repositories"]));
    expect(outputs.rds_endpoint).toMatchObject({ sensitive: true, value: expect.stringMatching(/aws_db_instance\..*\.endpoint/) });
    expect(outputs.redis_endpoint.value).toMatch(
      /^\$\{aws_elasticache_replication_group\..*\.primary_endpoint_address\}:\$\{aws_elasticache_replication_group\..*\.port\}$/,
    );
    expect(outputs.eks_cluster_endpoint.value).toMatch(/aws_eks_cluster\..*\.endpoint/);
    const repositories = outputs.ecr_repositories.value as Record<string, string>;
    expect(Object.keys(repositories)).toEqual(Object.values(env.identity.repositoryNames));
  });

  it("holds no secret: no password, token or key material attribute, no variables", () => {
    const names = attributeNames(template.json);
    expect(names.filter((n) => /^(password|master_password|auth_token|secret_string|private_key|access_key|secret_key)$/.test(n))).toEqual([]);
    expect(template.only(DbInstance).manage_master_user_password).toBe(true);
    expect(template.json).not.toHaveProperty("variable");
    expect(template.text).not.toMatch(/-----BEGIN|AKIA[0-9A-Z]{16}/);
  });
});

describe("environment differences", () => {
  it("prod is highly available, staging is not; both refuse deletion of the database", () => {
    expect(platform("prod").only(DbInstance)).toMatchObject({ multi_az: true, deletion_protection: true });
    expect(platform("staging").only(DbInstance)).toMatchObject({ multi_az: false, deletion_protection: true });
    expect(platform("prod").only(ElasticacheReplicationGroup)).toMatchObject({ automatic_failover_enabled: true, multi_az_enabled: true });
  });

  it("no two environments share an account-wide name", () => {
    const names = (template: Template): string[] => [
      ...[IamRole, KmsAlias, EcrRepository, CloudwatchLogGroup].flatMap((type) => template.resources(type).map((r) => String(r.name))),
      ...template.resources(ElasticacheUser).map((r) => String(r.user_id)),
    ];
    const all = [...synthesized.values()].flatMap(names);
    expect(all.filter((n, i) => all.indexOf(n) !== i)).toEqual([]);
  });
});

describe.each(stacks.environments.map((e) => [e.identity.name, e] as const))("%s day-1 pieces", (name, env) => {
  const template = platform(name);

  it("gives CI's deploy role cluster-admin and its plan role read access through explicit access entries", () => {
    expect(template.clusterAccessOf(env.identity.ciRoleNames.deploy)).toEqual([expect.stringMatching(/AmazonEKSClusterAdminPolicy$/)]);
    expect(template.clusterAccessOf(env.identity.ciRoleNames.plan)).toEqual([expect.stringMatching(/AmazonEKSAdminViewPolicy$/)]);
  });

  it("keeps the image tags in SSM parameters that deploys never overwrite", () => {
    const { api, worker } = env.identity.imageTagParameters;
    expect(template.resources(SsmParameter)).toMatchObject(
      [api, worker].map((parameter) => ({ name: parameter, type: "String", lifecycle: { ignore_changes: ["value"] } })),
    );
  });

  it("issues an ACM certificate for the host, validated by DNS in the domain's hosted zone", () => {
    expect(template.only(AcmCertificate)).toMatchObject({ domain_name: env.identity.host, validation_method: "DNS" });
    expect(template.dataSourcesById(DataAwsRoute53Zone)).toEqual({ zone: expect.objectContaining({ name: "mindhit.io", private_zone: false }) });
    expect(template.only(Route53Record)).toMatchObject({ zone_id: "${data.aws_route53_zone.zone.zone_id}", ttl: 300 });
    expect(template.only(AcmCertificateValidation).validation_record_fqdns).toEqual([expect.stringMatching(/aws_route53_record\..*\.fqdn/)]);
  });
});

describe("Slack alerts through AWS Chatbot", () => {
  it("are created with a provider in a region Chatbot's API exists in", () => {
    const withSlack = variantOf(staging, { name: "slacky", alerting: { slack: { workspaceId: "T0123ABCD", channelId: "C0123ABCD" } } });
    const built = buildProject(S3_RUN, [...environments.filter((e) => e.name !== "slacky"), withSlack]);
    const slacky = Template.fromStack(built.platforms.get("slacky")!);
    expect(slacky.text).toHaveProviderWithProperties(AwsProvider, { alias: "chatbot", region: "ap-southeast-1" });
    expect(slacky.only(ChatbotSlackChannelConfiguration).provider).toBe("aws.chatbot");
  });
});
