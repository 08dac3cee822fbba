import { variantOf } from "../../src/config";
import { environments } from "../../src/environments";
import { staging } from "../../src/environments/staging";
import { attributeNames, buildProject, onlyResource, resources, S3_RUN, synthJson, SynthJson, synthText } from "../helpers/synth";

const stacks = buildProject();
const synthesized = new Map<string, SynthJson>([...stacks.platforms].map(([name, stack]) => [name, synthJson(stack)]));
const json = (name: string): SynthJson => synthesized.get(name)!;

describe.each(stacks.environments.map((e) => [e.identity.name, e] as const))("%s platform stack", (name, env) => {
  const stack = json(name);

  it("composes the seed's modules: one VPC, cluster, node group, database, cache and the registry", () => {
    expect(resources(stack, "aws_vpc")).toHaveLength(1);
    expect(onlyResource(stack, "aws_eks_cluster").name).toBe(env.identity.resourceName);
    expect(onlyResource(stack, "aws_db_instance").identifier).toBe(env.identity.resourceName);
    expect(onlyResource(stack, "aws_elasticache_replication_group").replication_group_id).toBe(env.identity.resourceName);
    expect(resources(stack, "aws_ecr_repository").map((r) => r.name)).toEqual(Object.values(env.identity.repositoryNames));
  });

  it("puts the cluster and data stores in the private subnets of the environment's zones", () => {
    const privateSubnets = expect.arrayContaining(env.azs.map((az) => expect.stringMatching(new RegExp(`aws_subnet\\.vpc_private-${az}`))));
    expect(onlyResource(stack, "aws_eks_cluster").vpc_config).toMatchObject({ subnet_ids: privateSubnets });
    expect(onlyResource(stack, "aws_db_subnet_group").subnet_ids).toEqual(privateSubnets);
    expect(onlyResource(stack, "aws_elasticache_subnet_group").subnet_ids).toEqual(privateSubnets);
  });

  it("admits database and cache traffic only from the EKS cluster and node security groups, on their ports", () => {
    const rules = resources(stack, "aws_vpc_security_group_ingress_rule");
    const eksGroups = [
      expect.stringMatching(/^\$\{aws_eks_cluster\.eks_cluster_[A-F0-9]+\.vpc_config\[0\]\.cluster_security_group_id\}$/),
      expect.stringMatching(/^\$\{aws_security_group\.eks_node-security-group_[A-F0-9]+\.id\}$/),
    ];
    const forPort = (port: number): unknown[] => rules.filter((r) => r.from_port === port).map((r) => r.referenced_security_group_id);
    expect(forPort(5432)).toEqual(eksGroups);
    expect(forPort(6379)).toEqual(eksGroups);
    for (const rule of rules) {
      expect(rule).toMatchObject({ ip_protocol: "tcp" });
      expect(rule.to_port).toBe(rule.from_port);
      expect(rule).not.toHaveProperty("cidr_ipv4");
    }
  });

  it("takes sizes and protection switches from the environment config", () => {
    expect(onlyResource(stack, "aws_db_instance")).toMatchObject({
      instance_class: env.database.instanceClass,
      multi_az: env.database.multiAz,
      deletion_protection: env.database.deletionProtection,
      skip_final_snapshot: false,
      storage_encrypted: true,
      publicly_accessible: false,
    });
    expect(onlyResource(stack, "aws_elasticache_replication_group")).toMatchObject({
      node_type: env.cache.nodeType,
      num_cache_clusters: 1 + env.cache.replicas,
      automatic_failover_enabled: env.cache.replicas > 0,
    });
    expect(onlyResource(stack, "aws_eks_node_group").scaling_config).toEqual({
      min_size: env.cluster.nodeMinSize,
      desired_size: env.cluster.nodeDesiredSize,
      max_size: env.cluster.nodeMaxSize,
    });
    expect(onlyResource(stack, "aws_eks_cluster").deletion_protection).toBe(env.cluster.deletionProtection);
    expect(resources(stack, "aws_nat_gateway")).toHaveLength(env.network.natGateways === "single" ? 1 : env.azs.length);
  });

  it("emits the seed's outputs, the RDS endpoint sensitive", () => {
    const outputs = stack.output ?? {};
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
    const text = synthText(stacks.platforms.get(name)!);
    const names = attributeNames(JSON.parse(text));
    expect(names.filter((n) => /^(password|master_password|auth_token|secret_string|private_key|access_key|secret_key)$/.test(n))).toEqual([]);
    expect(onlyResource(stack, "aws_db_instance").manage_master_user_password).toBe(true);
    expect(stack).not.toHaveProperty("variable");
    expect(text).not.toMatch(/-----BEGIN|AKIA[0-9A-Z]{16}/);
  });
});

describe("environment differences", () => {
  it("prod is highly available, staging is not; both refuse deletion of the database", () => {
    expect(onlyResource(json("prod"), "aws_db_instance")).toMatchObject({ multi_az: true, deletion_protection: true });
    expect(onlyResource(json("staging"), "aws_db_instance")).toMatchObject({ multi_az: false, deletion_protection: true });
    expect(onlyResource(json("prod"), "aws_elasticache_replication_group")).toMatchObject({ automatic_failover_enabled: true, multi_az_enabled: true });
  });

  it("no two environments share an account-wide name", () => {
    const names = (stack: SynthJson): string[] => [
      ...resources(stack, "aws_iam_role").map((r) => String(r.name)),
      ...resources(stack, "aws_kms_alias").map((r) => String(r.name)),
      ...resources(stack, "aws_ecr_repository").map((r) => String(r.name)),
      ...resources(stack, "aws_cloudwatch_log_group").map((r) => String(r.name)),
      ...resources(stack, "aws_elasticache_user").map((r) => String(r.user_id)),
    ];
    const all = [...synthesized.values()].flatMap(names);
    expect(all.filter((n, i) => all.indexOf(n) !== i)).toEqual([]);
  });
});

describe.each(stacks.environments.map((e) => [e.identity.name, e] as const))("%s day-1 pieces", (name, env) => {
  const stack = json(name);

  it("gives CI's deploy role cluster-admin and its plan role read access through explicit access entries", () => {
    const entries = resources(stack, "aws_eks_access_entry").map((e) => String(e.principal_arn));
    expect(entries).toContainEqual(expect.stringMatching(new RegExp(`:role/${env.identity.ciRoleNames.deploy}$`)));
    expect(entries).toContainEqual(expect.stringMatching(new RegExp(`:role/${env.identity.ciRoleNames.plan}$`)));
    const policyOf = (role: string): string | undefined =>
      String(resources(stack, "aws_eks_access_policy_association").find((a) => String(a.principal_arn).includes(entryRef(stack, role)))?.policy_arn);
    expect(policyOf(env.identity.ciRoleNames.deploy)).toMatch(/AmazonEKSClusterAdminPolicy$/);
    expect(policyOf(env.identity.ciRoleNames.plan)).toMatch(/AmazonEKSAdminViewPolicy$/);
  });

  it("keeps the image tags in SSM parameters that deploys never overwrite", () => {
    const params = resources(stack, "aws_ssm_parameter");
    expect(params.map((p) => p.name)).toEqual([env.identity.imageTagParameters.api, env.identity.imageTagParameters.worker]);
    for (const p of params) expect(p).toMatchObject({ type: "String", lifecycle: { ignore_changes: ["value"] } });
  });

  it("issues an ACM certificate for the host, validated by DNS in the domain's hosted zone", () => {
    expect(onlyResource(stack, "aws_acm_certificate")).toMatchObject({ domain_name: env.identity.host, validation_method: "DNS" });
    expect(stack.data?.aws_route53_zone).toEqual({ zone: expect.objectContaining({ name: "mindhit.io", private_zone: false }) });
    expect(onlyResource(stack, "aws_route53_record")).toMatchObject({ zone_id: "${data.aws_route53_zone.zone.zone_id}", ttl: 300 });
    expect(onlyResource(stack, "aws_acm_certificate_validation").validation_record_fqdns).toEqual([expect.stringMatching(/aws_route53_record\..*\.fqdn/)]);
  });
});

/** The construct id of the access entry whose principal is the named role (entries reference it by id). */
function entryRef(stack: SynthJson, roleName: string): string {
  const entry = Object.entries(stack.resource?.aws_eks_access_entry ?? {}).find(([, e]) => String(e.principal_arn).endsWith(`:role/${roleName}`));
  return `aws_eks_access_entry.${entry?.[0] ?? "missing"}.principal_arn`;
}

describe("Slack alerts through AWS Chatbot", () => {
  it("are created with a provider in a region Chatbot's API exists in", () => {
    const withSlack = variantOf(staging, { name: "slacky", alerting: { slack: { workspaceId: "T0123ABCD", channelId: "C0123ABCD" } } });
    const built = buildProject(S3_RUN, [...environments.filter((e) => e.name !== "slacky"), withSlack]);
    const platform = synthJson(built.platforms.get("slacky")!);
    expect(platform.provider?.aws).toContainEqual(expect.objectContaining({ alias: "chatbot", region: "ap-southeast-1" }));
    expect(onlyResource(platform, "aws_chatbot_slack_channel_configuration").provider).toBe("aws.chatbot");
  });
});
