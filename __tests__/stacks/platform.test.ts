import { attributeNames, buildProject, onlyResource, resources, synthJson, SynthJson, synthText } from "../helpers/synth";

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
    expect(outputs.redis_endpoint.value).toMatch(/^\$\{aws_elasticache_replication_group\..*\.primary_endpoint_address\}:\$\{aws_elasticache_replication_group\..*\.port\}$/);
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
