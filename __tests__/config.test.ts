import { EnvironmentConfig, stackNames, stateKey, validateEnvironment, validateProject } from "../src/config";
import { environments, project } from "../src/environments";
import { prod } from "../src/environments/prod";
import { staging } from "../src/environments/staging";
import { ValidationError } from "../src/validation";

function problemsOf(env: EnvironmentConfig): string[] {
  try {
    validateEnvironment(env);
  } catch (error) {
    if (error instanceof ValidationError) return [...error.problems];
    throw error;
  }
  return [];
}

describe("the shipped environments", () => {
  it.each(environments.map((e) => [e.name, e] as const))("%s is valid", (_name, env) => {
    expect(problemsOf(env)).toEqual([]);
  });

  it("project settings are valid and name the seed's state bucket and lock table", () => {
    expect(() => validateProject(project)).not.toThrow();
    expect(project.state).toEqual({
      bucket: "mindhit-terraform-state",
      lockTable: "mindhit-terraform-locks",
      region: "ap-northeast-2",
      useS3NativeLocking: false,
    });
  });

  it("prod carries the seed's documented values", () => {
    expect(prod).toMatchObject({
      resourceName: "mindhit-production",
      environment: "production",
      region: "ap-northeast-2",
      azs: ["ap-northeast-2a", "ap-northeast-2c"],
      network: {
        vpcCidr: "10.0.0.0/16",
        publicSubnetCidrs: ["10.0.1.0/24", "10.0.2.0/24"],
        privateSubnetCidrs: ["10.0.10.0/24", "10.0.20.0/24"],
      },
      cluster: { nodeInstanceTypes: ["t3.medium"], nodeDesiredSize: 2, nodeMinSize: 1, nodeMaxSize: 5 },
      database: { instanceClass: "db.t3.small", dbName: "mindhit", multiAz: true, deletionProtection: true },
      cache: { nodeType: "cache.t3.micro" },
      registry: { repositoryNames: ["mindhit/api", "mindhit/worker"] },
    });
  });

  it("staging is a smaller, cheaper copy of prod on the same network plan", () => {
    expect(staging.resourceName).toBe("mindhit-staging");
    expect(staging.network.vpcCidr).toBe(prod.network.vpcCidr);
    expect(staging.network.natGateways).toBe("single");
    expect(staging.cluster.nodeMaxSize).toBeLessThan(prod.cluster.nodeMaxSize);
    expect(staging.database.multiAz).toBe(false);
    // Deletion protection costs nothing, so staging keeps it too.
    expect(staging.database.deletionProtection).toBe(true);
    expect(staging.registry.imageTagMutability).toBe("IMMUTABLE");
    expect(staging.cache.replicas).toBe(0);
  });

  it("derives stack names and state keys from config", () => {
    expect(stackNames(project, prod)).toEqual({ platform: "mindhit-prod", apps: "mindhit-prod-apps" });
    expect(stateKey(prod, "platform")).toBe("production/terraform.tfstate");
    expect(stateKey(staging, "platform")).toBe("staging/terraform.tfstate");
    expect(stateKey(prod, "apps")).toBe("production/apps/terraform.tfstate");
  });
});

describe("bad environment input is rejected with one line naming environment, field and allowed values", () => {
  const cases: Array<[string, EnvironmentConfig, RegExp]> = [
    ["empty name", { ...prod, name: "" }, /^environment "": name must not be empty$/],
    ["name with capitals", { ...prod, name: "Prod" }, /environment "Prod": name "Prod" is not allowed \(lowercase letters, digits and hyphens/],
    ["empty resource name", { ...prod, resourceName: "" }, /environment "prod": resourceName must not be empty/],
    ["empty environment", { ...prod, environment: " " }, /environment "prod": environment must not be empty/],
    ["unknown region", { ...prod, region: "ap-northeast-9" }, /environment "prod": region "ap-northeast-9" is not an AWS region \(allowed: af-south-1, .*ap-northeast-2.*\)/],
    ["AZ of another region", { ...prod, azs: ["ap-northeast-1a", "ap-northeast-2c"] }, /environment "prod": azs "ap-northeast-1a" is not an availability zone of region "ap-northeast-2" \(allowed: ap-northeast-2a, .*ap-northeast-2f\)/],
    ["AZ letter out of range", { ...prod, azs: ["ap-northeast-2a", "ap-northeast-2z"] }, /azs "ap-northeast-2z" is not an availability zone/],
    ["one AZ only", { ...prod, azs: ["ap-northeast-2a"] }, /environment "prod": azs lists 1 zone\(s\); EKS and RDS subnet groups need at least 2/],
    ["repeated AZ", { ...prod, azs: ["ap-northeast-2a", "ap-northeast-2a"] }, /azs lists "ap-northeast-2a" more than once/],
    ["bad VPC CIDR", { ...prod, network: { ...prod.network, vpcCidr: "10.0.0.0/33" } }, /environment "prod": network.vpcCidr "10.0.0.0\/33" is not allowed \(an IPv4 network CIDR from \/16 to \/28/],
    ["VPC CIDR with host bits", { ...prod, network: { ...prod.network, vpcCidr: "10.0.0.1/16" } }, /network.vpcCidr "10.0.0.1\/16" is not allowed/],
    ["VPC larger than /16", { ...prod, network: { ...prod.network, vpcCidr: "10.0.0.0/8" } }, /network.vpcCidr "10.0.0.0\/8" is not allowed/],
    ["subnet not a CIDR", { ...prod, network: { ...prod.network, publicSubnetCidrs: ["10.0.1.0/24", "banana"] } }, /network.publicSubnetCidrs "banana" is not an IPv4 network CIDR/],
    ["subnet outside the VPC", { ...prod, network: { ...prod.network, privateSubnetCidrs: ["10.0.10.0/24", "10.1.20.0/24"] } }, /network.privateSubnetCidrs "10.1.20.0\/24" is outside the VPC "10.0.0.0\/16"/],
    ["overlapping subnets", { ...prod, network: { ...prod.network, privateSubnetCidrs: ["10.0.1.0/25", "10.0.20.0/24"] } }, /environment "prod": subnets 10.0.1.0\/24 and 10.0.1.0\/25 overlap/],
    ["subnet count differs from AZ count", { ...prod, network: { ...prod.network, publicSubnetCidrs: ["10.0.1.0/24"] } }, /network.publicSubnetCidrs has 1 entries but azs has 2/],
    ["unknown NAT mode", { ...prod, network: { ...prod.network, natGateways: "many" as "single" } }, /network.natGateways "many" is not allowed \(allowed: "single", "one-per-az"\)/],
    ["unsupported Kubernetes version", { ...prod, cluster: { ...prod.cluster, version: "1.29" } }, /cluster.version "1.29" is not a supported EKS version \(allowed: 1.32, 1.33, 1.34, 1.35, 1.36\)/],
    ["min above desired", { ...prod, cluster: { ...prod.cluster, nodeMinSize: 3 } }, /must satisfy min ≤ desired ≤ max and max ≥ 1 \(got 3 ≤ 2 ≤ 5\)/],
    ["desired above max", { ...prod, cluster: { ...prod.cluster, nodeDesiredSize: 6 } }, /got 1 ≤ 6 ≤ 5/],
    ["no instance types", { ...prod, cluster: { ...prod.cluster, nodeInstanceTypes: [] } }, /cluster.nodeInstanceTypes must list at least one entry \(e.g. "t3.medium"\)/],
    ["bad public access CIDR", { ...prod, cluster: { ...prod.cluster, publicAccessCidrs: ["1.2.3.4"] } }, /cluster.publicAccessCidrs "1.2.3.4" is not an IPv4 network CIDR/],
    ["bad admin principal", { ...prod, cluster: { ...prod.cluster, adminPrincipalArns: ["arn:aws:iam::123:root"] } }, /cluster.adminPrincipalArns "arn:aws:iam::123:root" is not an IAM role or user ARN/],
    ["unknown values file", { ...prod, release: { ...prod.release, valuesFile: "values-qa.yaml" } }, /release.valuesFile "values-qa.yaml" is not a values file of the chart \(allowed: values-prod.yaml, values-staging.yaml\)/],
    ["bad image tag", { ...prod, release: { ...prod.release, apiImageTag: "-bad" } }, /release.apiImageTag "-bad" is not a container image tag/],
    ["release timeout too short", { ...prod, release: { ...prod.release, timeoutSeconds: 5 } }, /release.timeoutSeconds 5 is not allowed \(whole number 60-3600\)/],
    ["no worker repository", { ...prod, registry: { ...prod.registry, repositoryNames: ["mindhit/api"] } }, /registry.repositoryNames has no repository for the worker image/],
    ["bad alert email", { ...prod, alerting: { ...prod.alerting, emails: ["ops-at-mindhit"] } }, /alerting.emails "ops-at-mindhit" is not an email address/],
    ["bad Slack channel", { ...prod, alerting: { ...prod.alerting, slack: { workspaceId: "T0123ABCD", channelId: "#ops" } } }, /alerting.slack.channelId "#ops" is not a Slack channel id/],
    ["percentage above 100", { ...prod, alerting: { ...prod.alerting, thresholds: { ...prod.alerting.thresholds, rdsCpuPercent: 120 } } }, /alerting.thresholds.rdsCpuPercent 120 is not allowed \(a percentage, at most 100\)/],
    ["non-positive threshold", { ...prod, alerting: { ...prod.alerting, thresholds: { ...prod.alerting.thresholds, alb5xxCount: 0 } } }, /alerting.thresholds.alb5xxCount 0 is not allowed \(a positive number\)/],
    ["backup retention of 0 days", { ...prod, backup: { ...prod.backup, rdsRetentionDays: 0 } }, /backup.rdsRetentionDays 0 is not allowed \(whole number 1-35\)/],
    ["backup window overlapping maintenance", { ...prod, backup: { ...prod.backup, rdsBackupWindow: "19:00-19:30" } }, /backup.rdsBackupWindow "19:00-19:30" overlaps backup.rdsMaintenanceWindow/],
    ["malformed snapshot window", { ...prod, backup: { ...prod.backup, cacheSnapshotWindow: "5pm" } }, /backup.cacheSnapshotWindow "5pm" is not allowed \(hh24:mi-hh24:mi in UTC/],
    ["WAF rate limit too low", { ...prod, waf: { ...prod.waf, rateLimitPerIp: 5 } }, /waf.rateLimitPerIp 5 is not allowed/],
    ["bad instance class", { ...prod, database: { ...prod.database, instanceClass: "t3.small" } }, /database.instanceClass "t3.small" is not an RDS instance class/],
    ["bad database name", { ...prod, database: { ...prod.database, dbName: "1db" } }, /database.dbName "1db" is not a PostgreSQL database name/],
    ["bad cache node type", { ...prod, cache: { ...prod.cache, nodeType: "t3.micro" } }, /cache.nodeType "t3.micro" is not an ElastiCache node type/],
    ["negative replicas", { ...prod, cache: { ...prod.cache, replicas: -1 } }, /cache.replicas -1 is not allowed \(whole number 0-5\)/],
    ["empty repository list", { ...prod, registry: { ...prod.registry, repositoryNames: [] } }, /registry.repositoryNames must list at least one entry \(e.g. "mindhit\/api"\)/],
  ];

  it.each(cases)("%s", (_label, env, expected) => {
    const problems = problemsOf(env);
    expect(problems.some((p) => expected.test(p))).toBe(true);
    // One line per problem: no stack traces, no multi-line dumps.
    for (const p of problems) expect(p).not.toContain("\n");
  });

  it("reports every problem of one environment in one run", () => {
    const problems = problemsOf({ ...prod, name: "", region: "nowhere-1" });
    expect(problems).toHaveLength(2);
  });

  it("rejects bad project settings", () => {
    expect(() => validateProject({ ...project, github: { ...project.github, repository: "mindhit" } })).toThrow(/github.repository "mindhit" is not an owner\/name GitHub repository/);
    expect(() => validateProject({ ...project, state: { ...project.state, bucket: "Bad_Bucket" } })).toThrow(
      /project settings: state.bucket "Bad_Bucket" is not an S3 bucket name/,
    );
    expect(() => validateProject({ ...project, state: { ...project.state, region: "mars-1" } })).toThrow(/state.region "mars-1" is not an AWS region/);
  });
});
