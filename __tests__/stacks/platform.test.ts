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
import { CloudfrontDistribution } from "@cdktf/provider-aws/lib/cloudfront-distribution";
import { CloudfrontOriginAccessControl } from "@cdktf/provider-aws/lib/cloudfront-origin-access-control";
import { CloudfrontResponseHeadersPolicy } from "@cdktf/provider-aws/lib/cloudfront-response-headers-policy";
import { CloudwatchLogDelivery } from "@cdktf/provider-aws/lib/cloudwatch-log-delivery";
import { EksNodeGroup } from "@cdktf/provider-aws/lib/eks-node-group";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { Wafv2WebAcl } from "@cdktf/provider-aws/lib/wafv2-web-acl";
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

  it("serves static assets from a private bucket through CloudFront where the environment turns it on: OAC, security headers, the edge WAF and certificate in us-east-1", () => {
    if (!env.assets.enabled) {
      template.resourceCountIs(CloudfrontDistribution, 0);
      return;
    }
    const edgeProvider = "aws.edge";
    expect(template.text).toHaveProviderWithProperties(AwsProvider, { alias: "edge", region: "us-east-1" });
    const distribution = template.only(CloudfrontDistribution);
    expect(distribution).toMatchObject({
      aliases: [env.identity.assetsHost],
      price_class: env.assets.priceClass,
      web_acl_id: expect.stringMatching(/^\$\{aws_wafv2_web_acl\.assets_waf_acl_[0-9A-F]+\.arn\}$/),
      viewer_certificate: { ssl_support_method: "sni-only", minimum_protocol_version: "TLSv1.2_2021" },
      default_cache_behavior: { viewer_protocol_policy: "redirect-to-https", allowed_methods: ["GET", "HEAD"] },
      origin: [expect.objectContaining({ origin_access_control_id: expect.stringMatching(/aws_cloudfront_origin_access_control\./) })],
    });
    expect(template.only(CloudfrontOriginAccessControl)).toMatchObject({
      signing_behavior: "always",
      signing_protocol: "sigv4",
      origin_access_control_origin_type: "s3",
    });
    expect(template.only(CloudfrontResponseHeadersPolicy).security_headers_config).toMatchObject({
      strict_transport_security: { access_control_max_age_sec: 63072000, include_subdomains: true, preload: true },
      content_type_options: { override: true },
      frame_options: { frame_option: "DENY" },
    });
    expect(template.only(Wafv2WebAcl, { scope: "CLOUDFRONT" })).toMatchObject({ provider: edgeProvider });
    expect(template.only(AcmCertificate, { domain_name: env.identity.assetsHost })).toMatchObject({ provider: edgeProvider });
    template.resourceCountIs(CloudwatchLogDelivery, 1, { provider: edgeProvider });
    // The assets bucket: readable by this distribution only, besides the TLS-only deny.
    const assetsPolicy = template.resources(S3BucketPolicy).find((p) => /aws_s3_bucket\.assets_bucket_[0-9A-F]+\./.test(String(p.bucket)));
    const statements = template.policyDocument(assetsPolicy?.policy).statement as Array<Record<string, unknown>>;
    expect(statements.map((st) => st.sid)).toEqual(["DenyInsecureTransport", "ThisDistributionReads"]);
    expect(statements[1]).toMatchObject({
      principals: [{ type: "Service", identifiers: ["cloudfront.amazonaws.com"] }],
      actions: ["s3:GetObject"],
      condition: [{ test: "StringEquals", variable: "AWS:SourceArn", values: [expect.stringMatching(/aws_cloudfront_distribution\./)] }],
    });
    template.resourceCountIs(Route53Record, 2, { name: env.identity.assetsHost });
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

  it("issues an ACM certificate for the host, validated by DNS in its account's hosted zone", () => {
    expect(template.only(AcmCertificate, { domain_name: env.identity.host })).toMatchObject({ validation_method: "DNS" });
    expect(template.dataSourcesById(DataAwsRoute53Zone)).toEqual({ zone: expect.objectContaining({ name: env.identity.hostedZone, private_zone: false }) });
    const own = { name: expect.stringMatching(/aws_acm_certificate\.certificate_[0-9A-F]+\./) };
    expect(template.only(Route53Record, own)).toMatchObject({ zone_id: "${data.aws_route53_zone.zone.zone_id}", ttl: 300 });
    expect(
      template.only(AcmCertificateValidation, { certificate_arn: expect.stringMatching(/^\$\{aws_acm_certificate\.certificate_[0-9A-F]+\./) })
        .validation_record_fqdns,
    ).toEqual([expect.stringMatching(/aws_route53_record\..*\.fqdn/)]);
  });
});

describe("Slack alerts through AWS Chatbot", () => {
  it("are created with a provider in a region Chatbot's API exists in", () => {
    const withSlack = variantOf(staging, {
      name: "slacky",
      account: staging.account,
      alerting: { slack: { workspaceId: "T0123ABCD", channelId: "C0123ABCD" } },
    });
    const built = buildProject(S3_RUN, [...environments.filter((e) => e.name !== "slacky"), withSlack]);
    const slacky = Template.fromStack(built.platforms.get("slacky")!);
    expect(slacky.text).toHaveProviderWithProperties(AwsProvider, { alias: "chatbot", region: "ap-southeast-1" });
    expect(slacky.only(ChatbotSlackChannelConfiguration).provider).toBe("aws.chatbot");
  });
});
