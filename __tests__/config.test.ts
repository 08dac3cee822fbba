/**
 * Operator mistakes, each rejected at synth with one line naming the environment (or the project
 * settings, or the run option), the field, the value and what is allowed. Every case runs the
 * real validation path (`addProjectStacks`: types, identity, cross-environment uniqueness, the
 * modules' own rules) and asserts the exact line; a TypeError or any other exception fails it.
 */
import { addProjectStacks, resolveRunOptions, RunOptions } from "../src/app";
import { Testing } from "../src/cdktf";
import { availabilityZonesOf, AWS_REGIONS, EnvironmentConfig, IdentityOverrides, ProjectSettings, resolveIdentity, variantOf } from "../src/config";
import { environments, project } from "../src/environments";
import { prod } from "../src/environments/prod";
import { staging } from "../src/environments/staging";
import { ValidationError } from "../src/validation";
import { identityDerivedFrom } from "./helpers/identity";
import { CLOUD_RUN, S3_RUN } from "./helpers/synth";

/** A deep copy of `value` with the dotted `path` set to `to` (deleted when `to` is `undefined`). */
function withField<T>(value: T, path: string, to: unknown): T {
  const copy = JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
  const keys = path.split(".");
  let node = copy;
  for (const key of keys.slice(0, -1)) {
    if (typeof node[key] !== "object" || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  const last = keys[keys.length - 1];
  if (to === undefined) Reflect.deleteProperty(node, last);
  else node[last] = to;
  return copy as T;
}

/**
 * One case's input: the configuration `addProjectStacks` validates (project settings, environment
 * configs, run options), the sources run options are read from, or a call that validates itself.
 */
type Input =
  | { readonly settings: unknown; readonly environments: unknown; readonly run: RunOptions }
  | { readonly env: NodeJS.ProcessEnv; readonly context: Record<string, unknown> }
  | (() => unknown);

/** Every problem the real validation reports for the input, or [] when it passes. */
function problemsOf(input: Input): string[] {
  try {
    if (typeof input === "function") input();
    else if ("env" in input) resolveRunOptions(input.env, (key) => input.context[key]);
    else addProjectStacks(Testing.app(), input.settings, input.environments, input.run);
    return [];
  } catch (error) {
    if (error instanceof ValidationError) return [...error.problems];
    throw error; // a stack trace: the case fails
  }
}

const configured = (settings: unknown, environments: unknown, run: RunOptions = S3_RUN): Input => ({ settings, environments, run });
const prodWith = (path: string, to: unknown): Input => configured(project, [staging, withField(prod, path, to)]);
const prodInHcpTerraformWith = (path: string, to: unknown): Input => configured(project, [staging, withField(prod, path, to)], CLOUD_RUN);
const stagingWith = (path: string, to: unknown): Input => configured(project, [withField(staging, path, to), prod]);
const projectWith = (path: string, to: unknown): Input => configured(withField(project, path, to), environments);
/** A third environment (or what stands for one) beside the shipped two. */
const besideShipped = (added: unknown): Input => configured(project, [staging, prod, added]);
/** A third environment: a variant of staging named `name`, with identity overrides if given. */
const stagingVariant = (name: string, identity?: IdentityOverrides): Input => besideShipped(variantOf(staging, { name, account: staging.account, identity }));
/** prod with one of its lists replaced by the items given: the lists operators most often get wrong. */
function prodList(path: string): (...items: unknown[]) => Input {
  return (...items) => prodWith(path, items);
}
const zones = prodList("azs");
const privateSubnets = prodList("network.privateSubnetCidrs");
const publicSubnets = prodList("network.publicSubnetCidrs");
const instanceTypes = prodList("cluster.nodeInstanceTypes");
const publicAccessCidrs = prodList("cluster.publicAccessCidrs");
const adminPrincipals = prodList("cluster.adminPrincipalArns");
const emails = prodList("alerting.emails");
const countRules = prodList("waf.countRules");
const runOptionsWith = (env: NodeJS.ProcessEnv, context: Record<string, unknown> = {}): Input => ({ env, context });

const ALLOWED_LABEL = "(lowercase letters, digits and single hyphens, starting with a letter, not ending with a hyphen, at most 24 characters)";
const SEOUL_AZS = availabilityZonesOf("ap-northeast-2").join(", ");
const CHANGE_ONE = "each environment needs its own: change the one being added, not the one already deployed";
const ENV_KEYS = "name, account, identity, tier, region, azs, network, cluster, database, cache, registry, release, alerting, backup, assets, prometheus, waf";

/**
 * Every mistake, by its label (the test's name: an object key, so no two cases can share one), with
 * its input and the exact line it must be rejected with.
 */
const cases: Record<string, readonly [input: Input, expected: string]> = {
  // ---- identity: derived from the name, never shared ----
  "staging takes prod's environment (and so its state keys)": [
    stagingWith("identity.environment", "production"),
    'environment "prod" and environment "staging" both get state key "production/terraform.tfstate", state key "production/apps/terraform.tfstate", resourceName "mindhit-production", GitHub environment "production", environment name "production" (staging from identity.environment "production", prod from identity.environment "production"); each environment needs its own: change the one being added, not the one already deployed',
  ],
  "an environment named like prod's apps state key": [
    stagingWith("identity.environment", "production/apps"),
    `environment "staging": identity.environment "production/apps" is not allowed ${ALLOWED_LABEL}`,
  ],
  "a copy of prod spread under a new name keeps prod's state keys": [
    besideShipped({ ...prod, name: "qa" }),
    'environment "qa" and environment "prod" both get state key "production/terraform.tfstate", state key "production/apps/terraform.tfstate", resourceName "mindhit-production", GitHub environment "production", environment name "production" (prod from identity.environment "production", qa from identity.environment "production"); each environment needs its own: change the one being added, not the one already deployed',
  ],
  "a copy of prod spread under a new name keeps prod's repositories": [
    besideShipped({ ...prod, name: "qa" }),
    'environment "qa" and environment "prod" both get ECR repository in ap-northeast-2 "mindhit/api", ECR repository in ap-northeast-2 "mindhit/worker" (prod from identity.repositoryNamespace "mindhit", qa from identity.repositoryNamespace "mindhit"); each environment needs its own: change the one being added, not the one already deployed',
  ],
  "a copy of prod spread under a new name keeps prod's host": [
    besideShipped({ ...prod, name: "qa" }),
    'environment "qa" and environment "prod" both get host "api.mindhit.io" (prod from identity.host "api.mindhit.io", qa from identity.host "api.mindhit.io"); each environment needs its own: change the one being added, not the one already deployed',
  ],
  "staging finds prod's cluster by name": [
    stagingWith("identity.resourceName", "mindhit-production"),
    'environment "prod" and environment "staging" both get resourceName "mindhit-production" (staging from identity.resourceName "mindhit-production", prod from identity.environment "production"); each environment needs its own: change the one being added, not the one already deployed',
  ],
  "two environments with one name": [
    configured(project, [staging, variantOf(staging, { name: "staging", account: staging.account, identity: { environment: "staging2" } })]),
    'environment "staging" and environment "staging" both get stack "mindhit-staging", stack "mindhit-staging-apps", environment name "staging", values file "values-staging.yaml" (staging from name "staging", staging from name "staging"); each environment needs its own: change the one being added, not the one already deployed',
  ],
  // ---- accounts: the wall between environments ----
  "an environment named like the audit trail": [
    stagingVariant("audit"),
    'environment "audit": name "audit" gives resourceName "mindhit-audit", which names the account baseline\'s audit trail and alarms (mindhit-audit-*); choose another name',
  ],
  "a non-production environment in production's account": [
    besideShipped(variantOf(staging, { name: "qa", account: prod.account })),
    'environment "prod": account "111122223333" also holds environment "qa"; a production-tier environment must be alone in its account (give it another account)',
  ],
  "staging forgetting it is not production's account (a copy-paste of prod's ID)": [
    stagingWith("account", prod.account),
    'environment "prod": account "111122223333" also holds environment "staging"; a production-tier environment must be alone in its account (give it another account)',
  ],
  "an account ID written as a number": [
    stagingWith("account", 444455556666),
    'environment "staging": account 444455556666 is not allowed (expected a string, got number)',
  ],
  "an account ID one digit short": [
    stagingWith("account", "44445555666"),
    'environment "staging": account "44445555666" is not an AWS account ID (12 digits, written as a string, e.g. "111122223333")',
  ],
  "a missing account": [stagingWith("account", undefined), 'environment "staging": account is missing (expected a string)'],
  "two environments of one account naming different state buckets": [
    besideShipped(variantOf(staging, { name: "qa", account: staging.account, identity: { stateBucket: "qa-state" } })),
    'environment "qa": identity.stateBucket "qa-state" differs from "mindhit-terraform-state-444455556666", the state bucket of environment "staging" in the same account "444455556666"; an account has one state bucket',
  ],
  "two accounts naming one state bucket": [
    besideShipped(variantOf(staging, { name: "qa", account: "777788889999", identity: { stateBucket: "mindhit-terraform-state" } })),
    'environment "qa": identity.stateBucket "mindhit-terraform-state" is already the state bucket of account "111122223333"; bucket names are global, so each account needs its own',
  ],
  "a host in a zone another account holds": [
    besideShipped(variantOf(staging, { name: "qa", account: "777788889999", identity: { host: "api-qa.mindhit.io" } })),
    'environment "qa": identity.host "api-qa.mindhit.io" gives host "api-qa.mindhit.io" in zone "mindhit.io", which account "111122223333" holds (environment "prod"); an environment\'s records live in a zone of its own account (choose a host one level below a zone of "777788889999", e.g. "api.qa.mindhit.io")',
  ],
  "a state bucket override that is no bucket name": [
    stagingVariant("qa", { stateBucket: "Bad_Bucket" }),
    'environment "qa": identity.stateBucket "Bad_Bucket" is not an S3 bucket name (3-63 of a-z 0-9 . -, starting and ending with a letter or digit, not an IP address)',
  ],
  "an environment whose state key is the bootstrap stack's": [
    stagingVariant("boot", { environment: "bootstrap" }),
    'environment "boot" and the state-bootstrap stack both get state key "bootstrap/terraform.tfstate" (boot from identity.environment "bootstrap"); each environment needs its own: change the one being added, not the one already deployed',
  ],
  "two environments on one host": [
    stagingWith("identity.host", "api.mindhit.io"),
    'environment "prod" and environment "staging" both get host "api.mindhit.io" (staging from identity.host "api.mindhit.io", prod from identity.host "api.mindhit.io"); each environment needs its own: change the one being added, not the one already deployed',
  ],
  "two environments on one values file": [
    stagingWith("identity.valuesFile", "values-prod.yaml"),
    'environment "prod" and environment "staging" both get values file "values-prod.yaml" (staging from identity.valuesFile "values-prod.yaml", prod from name "prod"); each environment needs its own: change the one being added, not the one already deployed',
  ],
  "two environments deploying from one GitHub environment": [
    stagingWith("identity.githubEnvironment", "production"),
    'environment "prod" and environment "staging" both get GitHub environment "production" (staging from identity.githubEnvironment "production", prod from identity.environment "production"); each environment needs its own: change the one being added, not the one already deployed',
  ],
  "two environments on one ECR namespace in one region": [
    stagingWith("identity.repositoryNamespace", "mindhit"),
    'environment "prod" and environment "staging" both get ECR repository in ap-northeast-2 "mindhit/api", ECR repository in ap-northeast-2 "mindhit/worker" (staging from identity.repositoryNamespace "mindhit", prod from identity.repositoryNamespace "mindhit"); each environment needs its own: change the one being added, not the one already deployed',
  ],
  "a name with a space (not a Kubernetes label)": [stagingWith("name", "qa env"), `environment "qa env": name "qa env" is not allowed ${ALLOWED_LABEL}`],
  "a name with capitals": [stagingWith("name", "Staging"), `environment "Staging": name "Staging" is not allowed ${ALLOWED_LABEL}`],
  "an empty name": [stagingWith("name", ""), 'environment "": name must not be empty'],
  "a name of 25 characters": [
    stagingWith("name", "abcdefghijklmnopqrstuvwxy"),
    `environment "abcdefghijklmnopqrstuvwxy": name "abcdefghijklmnopqrstuvwxy" is not allowed ${ALLOWED_LABEL}`,
  ],
  "a name ending in a hyphen": [stagingWith("name", "qa-"), `environment "qa-": name "qa-" is not allowed ${ALLOWED_LABEL}`],
  "a name with a double hyphen": [stagingWith("name", "q--a"), `environment "q--a": name "q--a" is not allowed ${ALLOWED_LABEL}`],
  "a derived resourceName over 32 characters": [
    configured({ ...project, project: "mindhit-platform" }, [variantOf(staging, { name: "integration-tests", account: staging.account })]),
    'environment "integration-tests": name "integration-tests" gives resourceName "mindhit-platform-integration-tests", 34 characters (at most 32: ElastiCache user ids and ALB names are built from it); choose a shorter name or set identity.resourceName',
  ],
  "a resourceName override of 33 characters": [
    stagingWith("identity.resourceName", "mindhit-staging-abcdefghijklmnopq"),
    'environment "staging": identity.resourceName "mindhit-staging-abcdefghijklmnopq" is not allowed (lowercase letters, digits and single hyphens, starting with a letter, not ending with a hyphen, at most 32 characters)',
  ],
  "a resourceName with capitals": [
    stagingWith("identity.resourceName", "Mindhit-Staging"),
    'environment "staging": identity.resourceName "Mindhit-Staging" is not allowed (lowercase letters, digits and single hyphens, starting with a letter, not ending with a hyphen, at most 32 characters)',
  ],
  "an ECR namespace with capitals": [
    stagingWith("identity.repositoryNamespace", "Mindhit"),
    'environment "staging": identity.repositoryNamespace "Mindhit" is not an ECR repository namespace (lowercase letters and digits, separated by . _ - or /, e.g. "mindhit")',
  ],
  "a host given as a URL": [
    stagingWith("identity.host", "https://api.staging.mindhit.io"),
    'environment "staging": identity.host "https://api.staging.mindhit.io" is not a DNS host name (lowercase labels of letters, digits and hyphens, e.g. "api.staging.mindhit.io")',
  ],
  "a host outside the project's domain": [
    stagingWith("identity.host", "api.example.com"),
    'environment "staging": identity.host "api.example.com" is not in the project\'s domain "mindhit.io" (its certificate and DNS record live in that zone)',
  ],
  "a values file the chart does not have": [
    stagingWith("identity.valuesFile", "values-qa.yaml"),
    'environment "staging": identity.valuesFile "values-qa.yaml" is not a values file of the chart (allowed: values-prod.yaml, values-staging.yaml)',
  ],
  "a GitHub environment with a space": [
    stagingWith("identity.githubEnvironment", "staging env"),
    'environment "staging": identity.githubEnvironment "staging env" is not a GitHub environment name (1-255 of A-Z a-z 0-9 . _ -)',
  ],
  "a misspelt identity override": [
    stagingWith("identity.enviroment", "qa"),
    'environment "staging": identity.enviroment is not a known setting (known here: environment, resourceName, repositoryNamespace, host, valuesFile, githubEnvironment, stateBucket)',
  ],

  // ---- runtime types: what `as any` and JavaScript callers can write ----
  "deletionProtection as a string": [
    prodWith("database.deletionProtection", "no"),
    'environment "prod": database.deletionProtection "no" is not allowed (expected true or false, got string)',
  ],
  "a missing cluster section": [
    prodWith("cluster", undefined),
    'environment "prod": cluster is missing (expected an object with version, nodeInstanceTypes, nodeDesiredSize, nodeMinSize, nodeMaxSize, publicAccessCidrs, adminPrincipalArns, deletionProtection, spotNodeGroup)',
  ],
  "a missing waf section": [prodWith("waf", undefined), 'environment "prod": waf is missing (expected an object with rateLimitPerIp, countRules)'],
  "azs as a string": [prodWith("azs", "ap-northeast-2a"), 'environment "prod": azs "ap-northeast-2a" is not allowed (expected a list of strings, got string)'],
  "emails as a string (one line, not one per character)": [
    prodWith("alerting.emails", "ops@mindhit.io"),
    'environment "prod": alerting.emails "ops@mindhit.io" is not allowed (expected a list of strings, got string)',
  ],
  "a node count as a string": [
    prodWith("cluster.nodeDesiredSize", "2"),
    'environment "prod": cluster.nodeDesiredSize "2" is not allowed (expected a number, got string)',
  ],
  "replicas as null": [prodWith("cache.replicas", null), 'environment "prod": cache.replicas null is not allowed (expected a number, got null)'],
  "a CIDR as a number": [prodWith("network.vpcCidr", 10), 'environment "prod": network.vpcCidr 10 is not allowed (expected a string, got number)'],
  "an unknown tier": [prodWith("tier", "prod"), 'environment "prod": tier "prod" is not allowed (allowed: "production", "non-production")'],
  "a lowercase tag mutability": [
    prodWith("registry.imageTagMutability", "mutable"),
    'environment "prod": registry.imageTagMutability "mutable" is not allowed (allowed: "MUTABLE", "IMMUTABLE")',
  ],
  "an unknown NAT mode": [
    prodWith("network.natGateways", "many"),
    'environment "prod": network.natGateways "many" is not allowed (allowed: "single", "one-per-az")',
  ],
  "a misspelt section": [prodWith("clutser", {}), `environment "prod": clutser is not a known setting (known here: ${ENV_KEYS})`],
  "a misspelt field": [
    prodWith("cluster.nodeCount", 3),
    'environment "prod": cluster.nodeCount is not a known setting (known here: version, nodeInstanceTypes, nodeDesiredSize, nodeMinSize, nodeMaxSize, publicAccessCidrs, adminPrincipalArns, deletionProtection, spotNodeGroup)',
  ],
  "a WAF count rule without its rule": [
    countRules({ group: "AWSManagedRulesCommonRuleSet" }),
    'environment "prod": waf.countRules[0].rule is missing (expected a string)',
  ],
  "Slack as a string": [
    prodWith("alerting.slack", "#ops"),
    'environment "prod": alerting.slack "#ops" is not allowed (expected an object with workspaceId, channelId, chatbotRegion, got string)',
  ],
  "a timeout that is not a number": [
    prodWith("release.timeoutSeconds", "10m"),
    'environment "prod": release.timeoutSeconds "10m" is not allowed (expected a number, got string)',
  ],
  "an environment that is not an object": [besideShipped(null), `environment "#3": null is not allowed (expected an object with ${ENV_KEYS}, got null)`],
  "an environment list that is not a list": [configured(project, "prod"), 'environments: "prod" is not allowed (expected a list of environment configs)'],
  "a threshold as a string": [
    prodWith("alerting.thresholds.nodeMemoryPercent", "90"),
    'environment "prod": alerting.thresholds.nodeMemoryPercent "90" is not allowed (expected a number, got string)',
  ],
  "a missing threshold": [
    prodWith("alerting.thresholds.rdsConnections", undefined),
    'environment "prod": alerting.thresholds.rdsConnections is missing (expected a number)',
  ],

  // ---- region and zones (data: src/config/aws-zones.json, from moto + botocore) ----
  "an unknown region": [
    prodWith("region", "ap-northeast-9"),
    `environment "prod": region "ap-northeast-9" is not an AWS region (allowed: ${AWS_REGIONS.join(", ")})`,
  ],
  "a zone letter Seoul does not have": [
    zones("ap-northeast-2a", "ap-northeast-2e"),
    `environment "prod": azs "ap-northeast-2e" is not an availability zone of region "ap-northeast-2" (allowed: ${SEOUL_AZS})`,
  ],
  "a zone of another region": [
    zones("ap-northeast-1a", "ap-northeast-2c"),
    `environment "prod": azs "ap-northeast-1a" is not an availability zone of region "ap-northeast-2" (allowed: ${SEOUL_AZS})`,
  ],
  "a region changed without its zones": [
    prodWith("region", "us-east-1"),
    'environment "prod": azs "ap-northeast-2a" is not an availability zone of region "us-east-1" (allowed: us-east-1a, us-east-1b, us-east-1c, us-east-1d, us-east-1e, us-east-1f)',
  ],
  "one zone only": [
    zones("ap-northeast-2a"),
    'environment "prod": azs lists 1 zone(s); EKS and RDS subnet groups need at least 2 (e.g. ["ap-northeast-2a", "ap-northeast-2c"])',
  ],
  "a repeated zone": [zones("ap-northeast-2a", "ap-northeast-2a"), 'environment "prod": azs lists "ap-northeast-2a" more than once'],
  "three zones, two subnets each": [
    zones("ap-northeast-2a", "ap-northeast-2b", "ap-northeast-2c"),
    'environment "prod": network.publicSubnetCidrs has 2 entries but azs has 3 (one subnet per availability zone)',
  ],

  // ---- network ----
  "a /33 VPC": [
    prodWith("network.vpcCidr", "10.0.0.0/33"),
    'environment "prod": network.vpcCidr "10.0.0.0/33" is not allowed (an IPv4 network CIDR from /16 to /28, e.g. "10.0.0.0/16")',
  ],
  "a VPC CIDR with host bits": [
    prodWith("network.vpcCidr", "10.0.0.1/16"),
    'environment "prod": network.vpcCidr "10.0.0.1/16" is not allowed (an IPv4 network CIDR from /16 to /28, e.g. "10.0.0.0/16")',
  ],
  "a VPC larger than /16": [
    prodWith("network.vpcCidr", "10.0.0.0/8"),
    'environment "prod": network.vpcCidr "10.0.0.0/8" is not allowed (an IPv4 network CIDR from /16 to /28, e.g. "10.0.0.0/16")',
  ],
  "a subnet that is not a CIDR": [
    publicSubnets("10.0.1.0/24", "banana"),
    'environment "prod": network.publicSubnetCidrs "banana" is not an IPv4 network CIDR (e.g. "10.0.1.0/24")',
  ],
  "a subnet outside the VPC": [
    privateSubnets("10.0.10.0/24", "10.1.20.0/24"),
    'environment "prod": network.privateSubnetCidrs "10.1.20.0/24" is outside the VPC "10.0.0.0/16"',
  ],
  "a private subnet overlapping a public one": [
    privateSubnets("10.0.1.0/24", "10.0.20.0/24"),
    'environment "prod": network.privateSubnetCidrs "10.0.1.0/24" overlaps network.publicSubnetCidrs "10.0.1.0/24" (subnets must not overlap)',
  ],
  "a /29 subnet": [
    privateSubnets("10.0.10.0/29", "10.0.20.0/24"),
    'environment "prod": network.privateSubnetCidrs "10.0.10.0/29" is not allowed (pods take VPC addresses, so at least a /24 per zone: /16 to /24)',
  ],

  // ---- cluster ----
  "an EKS version out of support": [
    prodWith("cluster.version", "1.29"),
    'environment "prod": cluster.version "1.29" is not a supported EKS version (allowed: 1.32, 1.33, 1.34, 1.35, 1.36)',
  ],
  "an EKS version as a number": [prodWith("cluster.version", 1.35), 'environment "prod": cluster.version 1.35 is not allowed (expected a string, got number)'],
  "min above desired": [
    prodWith("cluster.nodeMinSize", 3),
    'environment "prod": cluster.nodeMinSize/nodeDesiredSize/nodeMaxSize must satisfy min ≤ desired ≤ max and max ≥ 1 (got 3 ≤ 2 ≤ 5)',
  ],
  "desired above max": [
    prodWith("cluster.nodeDesiredSize", 6),
    'environment "prod": cluster.nodeMinSize/nodeDesiredSize/nodeMaxSize must satisfy min ≤ desired ≤ max and max ≥ 1 (got 1 ≤ 6 ≤ 5)',
  ],
  "no nodes at all": [
    configured(project, [staging, withField(withField(withField(prod, "cluster.nodeMaxSize", 0), "cluster.nodeDesiredSize", 0), "cluster.nodeMinSize", 0)]),
    'environment "prod": cluster.nodeMinSize/nodeDesiredSize/nodeMaxSize must satisfy min ≤ desired ≤ max and max ≥ 1 (got 0 ≤ 0 ≤ 0)',
  ],
  "half a node": [
    prodWith("cluster.nodeDesiredSize", 1.5),
    'environment "prod": cluster.nodeMinSize/nodeDesiredSize/nodeMaxSize must be whole numbers ≥ 0 (got min 1, desired 1.5, max 5)',
  ],
  "an instance type with a hyphen for the dot": [
    instanceTypes("t3-medium"),
    'environment "prod": cluster.nodeInstanceTypes "t3-medium" is not an EC2 instance type (<family>.<size>, e.g. "t3.medium", "m7i.large")',
  ],
  "an instance type with a misspelt size": [
    instanceTypes("t3.meduim"),
    'environment "prod": cluster.nodeInstanceTypes "t3.meduim" is not an EC2 instance type (<family>.<size>, e.g. "t3.medium", "m7i.large")',
  ],
  "no instance types": [instanceTypes(), 'environment "prod": cluster.nodeInstanceTypes must list at least one entry (e.g. "t3.medium")'],
  "a repeated instance type": [instanceTypes("t3.medium", "t3.medium"), 'environment "prod": cluster.nodeInstanceTypes lists "t3.medium" more than once'],
  "a public access CIDR without a prefix": [
    publicAccessCidrs("1.2.3.4"),
    'environment "prod": cluster.publicAccessCidrs "1.2.3.4" is not an IPv4 network CIDR (e.g. "203.0.113.0/24")',
  ],
  "an admin principal that is the account root": [
    adminPrincipals("arn:aws:iam::123:root"),
    'environment "prod": cluster.adminPrincipalArns "arn:aws:iam::123:root" is not an IAM role or user ARN (e.g. "arn:aws:iam::123456789012:role/ops")',
  ],

  // ---- database ----
  "a misspelt instance class": [
    prodWith("database.instanceClass", "db.t3.smal"),
    'environment "prod": database.instanceClass "db.t3.smal" is not an RDS instance class (db.<family>.<size>, e.g. "db.t3.small", "db.r7g.large")',
  ],
  "an EC2 type as the instance class": [
    prodWith("database.instanceClass", "t3.small"),
    'environment "prod": database.instanceClass "t3.small" is not an RDS instance class (db.<family>.<size>, e.g. "db.t3.small", "db.r7g.large")',
  ],
  "a database name starting with a digit": [
    prodWith("database.dbName", "1db"),
    'environment "prod": database.dbName "1db" is not a PostgreSQL database name (letter first, then letters, digits or _, at most 63)',
  ],
  "a database name with a hyphen": [
    prodWith("database.dbName", "mind-hit"),
    'environment "prod": database.dbName "mind-hit" is not a PostgreSQL database name (letter first, then letters, digits or _, at most 63)',
  ],

  // ---- cache ----
  "a misspelt node type": [
    prodWith("cache.nodeType", "cache.t3.micr"),
    'environment "prod": cache.nodeType "cache.t3.micr" is not an ElastiCache node type (cache.<family>.<size>, e.g. "cache.t3.micro", "cache.r7g.large")',
  ],
  "an EC2 type as the node type": [
    prodWith("cache.nodeType", "t3.micro"),
    'environment "prod": cache.nodeType "t3.micro" is not an ElastiCache node type (cache.<family>.<size>, e.g. "cache.t3.micro", "cache.r7g.large")',
  ],
  "negative replicas": [prodWith("cache.replicas", -1), 'environment "prod": cache.replicas -1 is not allowed (whole number 0-5)'],
  "six replicas": [prodWith("cache.replicas", 6), 'environment "prod": cache.replicas 6 is not allowed (whole number 0-5)'],
  "half a replica": [prodWith("cache.replicas", 1.5), 'environment "prod": cache.replicas 1.5 is not allowed (whole number 0-5)'],

  // ---- release ----
  "an image tag starting with a hyphen": [
    prodWith("release.apiImageTag", "-bad"),
    'environment "prod": release.apiImageTag "-bad" is not a container image tag (1-128 of A-Z a-z 0-9 _ . -, not starting with . or -)',
  ],
  "an empty image tag": [
    prodWith("release.workerImageTag", ""),
    'environment "prod": release.workerImageTag "" is not a container image tag (1-128 of A-Z a-z 0-9 _ . -, not starting with . or -)',
  ],
  "a release timeout of 5 seconds": [
    prodWith("release.timeoutSeconds", 5),
    'environment "prod": release.timeoutSeconds 5 is not allowed (whole number 60-3600)',
  ],
  "a release timeout over an hour": [
    prodWith("release.timeoutSeconds", 3601),
    'environment "prod": release.timeoutSeconds 3601 is not allowed (whole number 60-3600)',
  ],
  "a fractional release timeout": [
    prodWith("release.timeoutSeconds", 600.5),
    'environment "prod": release.timeoutSeconds 600.5 is not allowed (whole number 60-3600)',
  ],

  // ---- alerting ----
  "an email without @": [emails("ops-at-mindhit"), 'environment "prod": alerting.emails "ops-at-mindhit" is not an email address'],
  "a repeated email": [emails("ops@mindhit.io", "ops@mindhit.io"), 'environment "prod": alerting.emails lists "ops@mindhit.io" more than once'],
  "a Slack channel name instead of its id": [
    prodWith("alerting.slack", { workspaceId: "T0123ABCD", channelId: "#ops" }),
    'environment "prod": alerting.slack.channelId "#ops" is not a Slack channel id (C or G and 8-10 of A-Z 0-9, e.g. "C0123ABCD")',
  ],
  "a Slack workspace name instead of its id": [
    prodWith("alerting.slack", { workspaceId: "mindhit", channelId: "C0123ABCD" }),
    'environment "prod": alerting.slack.workspaceId "mindhit" is not a Slack workspace (team) id (T and 8-10 of A-Z 0-9, e.g. "T0123ABCD")',
  ],
  "a CPU alarm at half a percent": [
    prodWith("alerting.thresholds.rdsCpuPercent", 0.5),
    'environment "prod": alerting.thresholds.rdsCpuPercent 0.5 is not allowed (number 10-100, percent)',
  ],
  "a CPU alarm above 100%": [
    prodWith("alerting.thresholds.cacheCpuPercent", 120),
    'environment "prod": alerting.thresholds.cacheCpuPercent 120 is not allowed (number 10-100, percent)',
  ],
  "a 5xx alarm at zero": [
    prodWith("alerting.thresholds.alb5xxCount", 0),
    'environment "prod": alerting.thresholds.alb5xxCount 0 is not allowed (whole number 1-1000000, responses per 5 minutes)',
  ],
  "a fractional connection count": [
    prodWith("alerting.thresholds.rdsConnections", 10.5),
    'environment "prod": alerting.thresholds.rdsConnections 10.5 is not allowed (whole number 1-100000, connections)',
  ],
  "a latency alarm at zero seconds": [
    prodWith("alerting.thresholds.albTargetResponseSeconds", 0),
    'environment "prod": alerting.thresholds.albTargetResponseSeconds 0 is not allowed (number 0.01-60, seconds)',
  ],

  // ---- backups and windows ----
  "no backup retention": [
    prodWith("database.backupRetentionPeriod", 0),
    'environment "prod": database.backupRetentionPeriod 0 is not allowed (whole number 1-35)',
  ],
  "backup retention beyond 35 days": [
    stagingWith("database.backupRetentionPeriod", 36),
    'environment "staging": database.backupRetentionPeriod 36 is not allowed (whole number 1-35)',
  ],
  "a backup window inside the maintenance window": [
    prodWith("database.backupWindow", "19:30-20:00"),
    'environment "prod": database.backupWindow "19:30-20:00" overlaps database.maintenanceWindow "sun:19:30-sun:20:30" (they must not overlap)',
  ],
  "a snapshot window in words": [
    prodWith("cache.snapshotWindow", "5pm"),
    'environment "prod": cache.snapshotWindow "5pm" is not allowed (hh24:mi-hh24:mi in UTC, at least 60 minutes, e.g. "18:00-19:00")',
  ],
  "a 10-minute maintenance window": [
    prodWith("database.maintenanceWindow", "sun:19:00-sun:19:10"),
    'environment "prod": database.maintenanceWindow "sun:19:00-sun:19:10" is not allowed (ddd:hh24:mi-ddd:hh24:mi in UTC with ddd one of mon, tue, wed, thu, fri, sat, sun, 30 minutes to 24 hours, e.g. "sun:19:00-sun:20:00")',
  ],
  "Spot capacity from one instance type": [
    prodWith("cluster.spotNodeGroup.instanceTypes", ["t3.large"]),
    'environment "prod": cluster.spotNodeGroup.instanceTypes ["t3.large"] is not allowed (at least two distinct types, so an interruption in one Spot pool leaves the others, e.g. ["t3.large", "t3a.large"])',
  ],
  "Spot types of two architectures": [
    prodWith("cluster.spotNodeGroup.instanceTypes", ["t3.large", "t4g.large"]),
    'environment "prod": cluster.spotNodeGroup.instanceTypes ["t3.large","t4g.large"] mixes arm64 (Graviton) and x86_64 types (one node group runs one AMI)',
  ],
  "a CDN price class that does not exist": [
    prodWith("assets.priceClass", "PriceClass_300"),
    'environment "prod": assets.priceClass "PriceClass_300" is not allowed (allowed: "PriceClass_100", "PriceClass_200", "PriceClass_All")',
  ],
  "a dump schedule in words": [
    prodWith("backup.logicalDumps.schedule", "nightly"),
    'environment "prod": backup.logicalDumps.schedule "nightly" is not allowed (five cron fields in UTC: minute hour day month weekday, e.g. "0 21 * * *")',
  ],
  "a dump schedule with six fields": [
    stagingWith("backup.logicalDumps.schedule", "0 0 21 * * *"),
    'environment "staging": backup.logicalDumps.schedule "0 0 21 * * *" is not allowed (five cron fields in UTC: minute hour day month weekday, e.g. "0 21 * * *")',
  ],
  "snapshots kept 40 days": [
    prodWith("cache.snapshotRetentionLimit", 40),
    'environment "prod": cache.snapshotRetentionLimit 40 is not allowed (whole number 0-35)',
  ],

  // ---- WAF ----
  "a rate limit of 5": [
    prodWith("waf.rateLimitPerIp", 5),
    'environment "prod": waf.rateLimitPerIp 5 is not allowed (whole number 10-2000000000, requests per IP per 5 minutes)',
  ],
  "a fractional rate limit": [
    prodWith("waf.rateLimitPerIp", 2000.5),
    'environment "prod": waf.rateLimitPerIp 2000.5 is not allowed (whole number 10-2000000000, requests per IP per 5 minutes)',
  ],
  "a count rule in a group the ACL does not use": [
    countRules({ group: "AWSManagedRulesBotControlRuleSet", rule: "CategoryHttpLibrary" }),
    'environment "prod": waf.countRules group "AWSManagedRulesBotControlRuleSet" is not one of this ACL\'s rule groups (allowed: AWSManagedRulesCommonRuleSet, AWSManagedRulesKnownBadInputsRuleSet, AWSManagedRulesSQLiRuleSet)',
  ],
  "a count rule name with a space": [
    countRules({ group: "AWSManagedRulesCommonRuleSet", rule: "Size Restrictions" }),
    'environment "prod": waf.countRules "Size Restrictions" is not a rule name',
  ],

  // ---- what a production environment may not go without ----
  "prod with nobody to alert": [
    emails(),
    'environment "prod": alerting.emails is empty and no alerting.slack is set: an alert recipient is required of a production environment (tier "production")',
  ],
  "prod without database deletion protection": [
    prodWith("database.deletionProtection", false),
    'environment "prod": database.deletionProtection false is not allowed: deletion protection is required of a production environment (tier "production")',
  ],
  "prod without a standby database": [
    prodWith("database.multiAz", false),
    'environment "prod": database.multiAz false is not allowed: a standby in a second zone is required of a production environment (tier "production")',
  ],
  "prod without a Redis replica": [
    prodWith("cache.replicas", 0),
    'environment "prod": cache.replicas 0 is not allowed: at least 1 replica (automatic failover) is required of a production environment (tier "production")',
  ],
  "prod with three days of backups": [
    prodWith("database.backupRetentionPeriod", 3),
    'environment "prod": database.backupRetentionPeriod 3 is not allowed: at least 7 days of backups is required of a production environment (tier "production")',
  ],

  // ---- found by an operator probing the first version of these checks ----
  "a variant of an environment that is not loaded (circular import)": [
    () => variantOf(undefined as unknown as EnvironmentConfig, { name: "dev", account: "444455556666" }),
    "variantOf: the base environment is undefined (expected an environment config such as prod or staging; a circular import between environment files gives undefined)",
  ],
  "Graviton and x86 node types in one group": [
    instanceTypes("t3.medium", "m7g.large"),
    'environment "prod": cluster.nodeInstanceTypes ["t3.medium","m7g.large"] mixes arm64 (Graviton) and x86_64 types (one node group runs one AMI: list types of one architecture)',
  ],
  "a production API endpoint open to the internet": [
    publicAccessCidrs("0.0.0.0/0"),
    'environment "prod": cluster.publicAccessCidrs "0.0.0.0/0" is not allowed: a production API endpoint open to the whole internet (list known egress ranges, or none for a private endpoint)',
  ],
  "a resourceName outside the project's prefix (CI cannot manage its roles)": [
    stagingWith("identity.resourceName", "stg-mindhit"),
    'environment "staging": identity.resourceName "stg-mindhit" does not start with "mindhit-" (names of the project\'s roles do)',
  ],
  "an environment whose names extend another's (its CI could manage the other's roles)": [
    stagingVariant("staging-eu"),
    'environment "staging-eu" and environment "staging" have resourceNames "mindhit-staging-eu" and "mindhit-staging", one extending the other: staging\'s deploy role manages roles named mindhit-staging-*, which would include staging-eu\'s; choose names that do not extend each other',
  ],
  "an environment named like the CI roles": [
    stagingVariant("ci"),
    'environment "ci": name "ci" gives resourceName "mindhit-ci", which the CI roles\' names (mindhit-ci-*) start with; choose another name',
  ],
  "production without locked backups": [
    prodWith("backup.objectLockDays", 0),
    'environment "prod": backup.objectLockDays 0 is not allowed: locked backups (S3 Object Lock) are required of a production environment (tier "production")',
  ],
  "production with an unlocked backup vault": [
    prodWith("backup.vault.lock", "off"),
    'environment "prod": backup.vault.lock "off" is not allowed: a locked backup vault is required of a production environment (tier "production")',
  ],
  "a backup vault lock mode that does not exist": [
    stagingWith("backup.vault.lock", "strict"),
    'environment "staging": backup.vault.lock "strict" is not allowed (allowed: "off", "governance", "compliance")',
  ],
  "an admin principal listed twice": [
    adminPrincipals("arn:aws:iam::123456789012:role/ops", "arn:aws:iam::123456789012:role/ops"),
    'environment "prod": cluster.adminPrincipalArns lists "arn:aws:iam::123456789012:role/ops" more than once',
  ],
  "the cluster's own admin role as an extra admin": [
    adminPrincipals("arn:aws:iam::123456789012:role/mindhit-production-eks-admin"),
    'environment "prod": cluster.adminPrincipalArns "arn:aws:iam::123456789012:role/mindhit-production-eks-admin" is the cluster\'s own admin role, which already has an access entry (EKS refuses a second one)',
  ],
  "a long name equal to another environment's name": [
    stagingVariant("qa", { environment: "prod" }),
    `environment "qa" and environment "prod" both get environment name "prod" (prod from name "prod", qa from identity.environment "prod"); ${CHANGE_ONE}`,
  ],
  "a GitHub environment differing only in case": [
    stagingWith("identity.githubEnvironment", "Production"),
    `environment "prod" and environment "staging" both get GitHub environment "production" (staging from identity.githubEnvironment "Production", prod from identity.environment "production"); ${CHANGE_ONE}`,
  ],
  "a cluster allowed to scale to no nodes": [
    configured(project, [staging, withField(withField(prod, "cluster.nodeMinSize", 0), "cluster.nodeDesiredSize", 1)]),
    'environment "prod": cluster.nodeMinSize/nodeDesiredSize/nodeMaxSize must keep at least 1 node (got min 0): CoreDNS and the cluster\'s controllers need somewhere to run',
  ],
  "the moving tag latest": [
    prodWith("release.apiImageTag", "latest"),
    'environment "prod": release.apiImageTag "latest" is not allowed (a moving tag: deploy an immutable one, e.g. the git SHA)',
  ],
  "mutable image tags in production": [
    prodWith("registry.imageTagMutability", "MUTABLE"),
    'environment "prod": registry.imageTagMutability "MUTABLE" is not allowed: immutable image tags are required of a production environment (tier "production")',
  ],
  "a repository with .git": [
    projectWith("github.repository", "mindhit/mindhit-infra.git"),
    'project settings: github.repository "mindhit/mindhit-infra.git" is not an owner/name GitHub repository (no URL, no .git)',
  ],
  "a deploy branch as a ref": [
    projectWith("github.deployBranch", "refs/heads/main"),
    'project settings: github.deployBranch "refs/heads/main" is not a branch name (e.g. "main", without refs/heads/)',
  ],
  "a free-storage alarm above the disk size": [
    prodWith("alerting.thresholds.rdsFreeStorageGiB", 50),
    'environment "prod": alerting.thresholds.rdsFreeStorageGiB 50 is not allowed (below the database\'s 20 GiB of allocated storage)',
  ],
  "a public subnet too small for an ALB": [
    publicSubnets("10.0.1.0/28", "10.0.2.0/24"),
    'environment "prod": network.publicSubnetCidrs "10.0.1.0/28" is not allowed (an ALB needs at least a /27 per zone: /16 to /27)',
  ],
  "a threshold that is NaN": [
    prodWith("alerting.thresholds.cacheEvictions", Number.NaN),
    'environment "prod": alerting.thresholds.cacheEvictions NaN is not allowed (expected a number, got a number that is not finite)',
  ],
  "an environment list nested in the list": [
    besideShipped([staging]),
    `environment "#3": [a list of 1 items] is not allowed (expected an object with ${ENV_KEYS}, got a list)`,
  ],
  "prod without Redis snapshots": [
    prodWith("cache.snapshotRetentionLimit", 0),
    'environment "prod": cache.snapshotRetentionLimit 0 is not allowed: daily Redis snapshots is required of a production environment (tier "production")',
  ],
  "a state bucket named like an IP address": [
    stagingVariant("qa", { stateBucket: "192.168.1.1" }),
    'environment "qa": identity.stateBucket "192.168.1.1" is not an S3 bucket name (3-63 of a-z 0-9 . -, starting and ending with a letter or digit, not an IP address)',
  ],
  "a delegation with one name server": [
    projectWith("dns.delegations", [{ zone: "staging.mindhit.io", nameServers: ["ns-1.awsdns-01.org"] }]),
    'project settings: dns.delegations "staging.mindhit.io" lists name servers ["ns-1.awsdns-01.org"] (expected the two or more host names its account\'s bootstrap printed, e.g. "ns-1.awsdns-00.com")',
  ],
  "a delegation outside the domain": [
    projectWith("dns.delegations", [{ zone: "staging.example.com", nameServers: ["ns-1.awsdns-01.org", "ns-2.awsdns-02.co.uk"] }]),
    'project settings: dns.delegations "staging.example.com" is not a zone below the domain "mindhit.io" (e.g. "staging.mindhit.io")',
  ],

  // ---- day 1: capacity, Chatbot region, CI access entries ----
  "nodes too few for the HPA maximum": [
    prodWith("cluster.nodeMaxSize", 2),
    'environment "prod": cluster.nodeMaxSize 2 is too small: at their maximum the app requests 3500m CPU and 3584Mi (api 10 × 250m/256Mi, worker 2 × 500m/512Mi), 2 nodes offer 2000m and 4608Mi (75% of each node, less 1000m/1536Mi for the cluster\'s controllers); raise nodeMaxSize, pick a larger instance type, or lower the HPA maximum in the values file',
  ],
  "an instance family the capacity check cannot size": [
    instanceTypes("g5.xlarge"),
    'environment "prod": cluster.nodeInstanceTypes "g5.xlarge": no vCPU/memory rule for the capacity check (covered: t, c, m, r, x, z families; src/stacks/capacity.ts)',
  ],
  "Slack through a region Chatbot's API is not in": [
    prodWith("alerting.slack", { workspaceId: "T0123ABCD", channelId: "C0123ABCD", chatbotRegion: "ap-northeast-2" }),
    'environment "prod": alerting.slack.chatbotRegion "ap-northeast-2" is not allowed (AWS Chatbot\'s API exists only in us-east-2, us-west-2, eu-west-1, ap-southeast-1)',
  ],
  "CI's deploy role as an extra admin": [
    adminPrincipals("arn:aws:iam::123456789012:role/mindhit-ci-production-deploy"),
    'environment "prod": cluster.adminPrincipalArns "arn:aws:iam::123456789012:role/mindhit-ci-production-deploy" is CI\'s role, which already has an access entry (deploy: admin, plan: read)',
  ],

  // ---- project settings ----
  "a project name with capitals": [
    projectWith("project", "Mindhit"),
    'project settings: project "Mindhit" is not allowed (2-16 lowercase letters, digits and hyphens, starting with a letter)',
  ],
  "a domain without a dot": [projectWith("domain", "mindhit"), 'project settings: domain "mindhit" is not a DNS domain (e.g. "mindhit.io")'],
  "a two-letter lock table": [
    projectWith("state.lockTable", "ab"),
    'project settings: state.lockTable "ab" is not a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)',
  ],
  "a state region that does not exist": [
    projectWith("state.region", "mars-1"),
    `project settings: state.region "mars-1" is not an AWS region (allowed: ${AWS_REGIONS.join(", ")})`,
  ],
  "a repository without its owner": [
    projectWith("github.repository", "mindhit-infra"),
    'project settings: github.repository "mindhit-infra" is not an owner/name GitHub repository (no URL, no .git)',
  ],
  "a deploy branch with a space": [
    projectWith("github.deployBranch", "main branch"),
    'project settings: github.deployBranch "main branch" is not a branch name (e.g. "main", without refs/heads/)',
  ],
  "S3-native locking as a string": [
    projectWith("state.useS3NativeLocking", "yes"),
    'project settings: state.useS3NativeLocking "yes" is not allowed (expected true or false, got string)',
  ],
  "a misspelt project setting": [
    projectWith("enviroments", []),
    "project settings: enviroments is not a known setting (known here: project, managedBy, domain, dns, accountBaseline, state, github)",
  ],
  "a missing github section": [projectWith("github", undefined), "project settings: github is missing (expected an object with repository, deployBranch)"],

  // ---- run options (environment variables and cdktf context) ----
  "an unknown backend": [runOptionsWith({ MINDHIT_STATE_BACKEND: "gcs" }), 'run options: MINDHIT_STATE_BACKEND "gcs" is not allowed (allowed: "s3", "cloud")'],
  "HCP Terraform without an organization": [
    runOptionsWith({ MINDHIT_STATE_BACKEND: "cloud" }),
    "run options: TF_CLOUD_ORGANIZATION must name the HCP Terraform organization when MINDHIT_STATE_BACKEND=cloud",
  ],
  "an organization name with a space": [
    runOptionsWith({ MINDHIT_STATE_BACKEND: "cloud", TF_CLOUD_ORGANIZATION: "my org!" }),
    'run options: TF_CLOUD_ORGANIZATION "my org!" is not an HCP Terraform organization name (1-40 of A-Z a-z 0-9 _ -)',
  ],
  "a hostname given as a URL": [
    runOptionsWith({ MINDHIT_STATE_BACKEND: "cloud", TF_CLOUD_ORGANIZATION: "mindhit", TF_CLOUD_HOSTNAME: "https://app.terraform.io" }),
    'run options: TF_CLOUD_HOSTNAME "https://app.terraform.io" is not a host name (e.g. "app.terraform.io" or "tfe.example.com", no https:// and no path)',
  ],
  "an organization set while state stays in S3": [
    runOptionsWith({ TF_CLOUD_ORGANIZATION: "mindhit" }),
    'run options: TF_CLOUD_ORGANIZATION "mindhit" is set but the state backend is "s3" (set MINDHIT_STATE_BACKEND=cloud to use HCP Terraform, or unset TF_CLOUD_ORGANIZATION)',
  ],
  "a hostname set while state stays in S3": [
    runOptionsWith({}, { tfCloudHostname: "tfe.example.com" }),
    'run options: TF_CLOUD_HOSTNAME "tfe.example.com" is set but the state backend is "s3" (set MINDHIT_STATE_BACKEND=cloud to use HCP Terraform, or unset TF_CLOUD_HOSTNAME)',
  ],
  "an unknown bootstrap state location": [
    runOptionsWith({ MINDHIT_BOOTSTRAP_STATE: "gcs" }),
    'run options: MINDHIT_BOOTSTRAP_STATE "gcs" is not allowed (allowed: "local", "s3")',
  ],
  "an organization in cdktf context as a number": [
    runOptionsWith({ MINDHIT_STATE_BACKEND: "cloud" }, { tfCloudOrganization: 42 }),
    "run options: TF_CLOUD_ORGANIZATION (cdktf context tfCloudOrganization) 42 is not allowed (expected a string)",
  ],
  "cluster authentication through a kubeconfig": [
    runOptionsWith({ MINDHIT_CLUSTER_AUTH: "kubeconfig" }),
    'run options: MINDHIT_CLUSTER_AUTH "kubeconfig" is not allowed (allowed: "exec" runs `aws eks get-token` and needs the AWS CLI where Terraform runs; "token" uses the AWS provider\'s ephemeral aws_eks_cluster_auth and needs Terraform >= 1.10)',
  ],
  "an HCP Terraform project with a colon": [
    runOptionsWith({ MINDHIT_STATE_BACKEND: "cloud", TF_CLOUD_ORGANIZATION: "mindhit", TF_CLOUD_PROJECT: "infra:prod" }),
    'run options: TF_CLOUD_PROJECT "infra:prod" is not an HCP Terraform project name (3-40 of A-Z a-z 0-9 _ - and inner spaces)',
  ],
  "an HCP Terraform project while state stays in S3": [
    runOptionsWith({}, { tfCloudProject: "mindhit" }),
    'run options: TF_CLOUD_PROJECT "mindhit" is set but the state backend is "s3" (set MINDHIT_STATE_BACKEND=cloud to use HCP Terraform, or unset TF_CLOUD_PROJECT)',
  ],
  "a release timeout longer than the EKS token lasts (HCP Terraform)": [
    prodInHcpTerraformWith("release.timeoutSeconds", 900),
    'environment "prod": release.timeoutSeconds 900 is not allowed with cluster authentication "token" (at most 600: the EKS token lasts 15 minutes, and the controllers\' releases (240 s) and this one must finish within it, with 60 s for the rest of the apply; or run with MINDHIT_CLUSTER_AUTH=exec where the AWS CLI exists)',
  ],
};

describe("every operator mistake is rejected at synth with one exact line", () => {
  it("covers at least 90 distinct mistakes", () => {
    // Distinct: the labels are the keys of one object literal, and tsc refuses a repeated key (TS1117).
    expect(Object.keys(cases).length).toBeGreaterThanOrEqual(90);
  });

  it.each(Object.entries(cases).map(([label, [input, expected]]) => [label, input, expected] as const))("%s", (_label, input, expected) => {
    const problems = problemsOf(input); // throws (and fails) on anything but a ValidationError
    expect(problems).toContain(expected);
    for (const problem of problems) expect(problem).not.toMatch(/\n|\bat .+:\d+:\d+/);
  });
});

describe("one run reports every problem", () => {
  it("of one environment, across sections, with a type error among them", () => {
    const env = withField(withField(withField(prod, "region", "nowhere-1"), "cluster.nodeDesiredSize", "2"), "database.instanceClass", "db.t3.smal");
    expect(problemsOf(configured(project, [staging, env]))).toEqual([
      'environment "prod": cluster.nodeDesiredSize "2" is not allowed (expected a number, got string)',
      `environment "prod": region "nowhere-1" is not an AWS region (allowed: ${AWS_REGIONS.join(", ")})`,
      'environment "prod": database.instanceClass "db.t3.smal" is not an RDS instance class (db.<family>.<size>, e.g. "db.t3.small", "db.r7g.large")',
    ]);
  });

  it("of the project and of every environment together", () => {
    const problems = problemsOf(
      configured(withField(project, "domain", "x"), [withField(staging, "cache.replicas", 9), withField(prod, "waf.rateLimitPerIp", 1)]),
    );
    expect(problems).toEqual([
      'project settings: domain "x" is not a DNS domain (e.g. "mindhit.io")',
      'environment "staging": cache.replicas 9 is not allowed (whole number 0-5)',
      'environment "prod": waf.rateLimitPerIp 1 is not allowed (whole number 10-2000000000, requests per IP per 5 minutes)',
    ]);
  });
});

describe("the shipped configuration", () => {
  it("validates", () => {
    expect(problemsOf(configured(project, environments))).toEqual([]);
  });

  it("derives every identity from each environment's name, prod keeping the seed's names", () => {
    const exists = (file: string): boolean => ["values-prod.yaml", "values-staging.yaml"].includes(file);
    const prodIdentity = resolveIdentity(project, prod, exists).identity;
    expect(prodIdentity).toEqual(
      identityDerivedFrom("prod", prod.account, {
        environment: "production",
        repositoryNamespace: "mindhit",
        host: "api.mindhit.io",
        valuesFile: "values-prod.yaml",
        stateBucket: "mindhit-terraform-state",
      }),
    );
    // The seed's names, which its state and its running resources already carry.
    expect(prodIdentity).toMatchObject({
      resourceName: "mindhit-production",
      stateKeys: { platform: "production/terraform.tfstate", apps: "production/apps/terraform.tfstate" },
      repositoryNames: { api: "mindhit/api", worker: "mindhit/worker" },
      host: "api.mindhit.io",
      stateBucket: "mindhit-terraform-state",
      hostedZone: "mindhit.io",
    });
    expect(resolveIdentity(project, staging, exists).identity).toEqual(identityDerivedFrom("staging", staging.account, { valuesFile: "values-staging.yaml" }));
  });

  it("prod carries the seed's documented values", () => {
    expect(prod).toMatchObject({
      region: "ap-northeast-2",
      azs: ["ap-northeast-2a", "ap-northeast-2c"],
      network: { vpcCidr: "10.0.0.0/16", publicSubnetCidrs: ["10.0.1.0/24", "10.0.2.0/24"], privateSubnetCidrs: ["10.0.10.0/24", "10.0.20.0/24"] },
      cluster: { nodeInstanceTypes: ["t3.medium"], nodeDesiredSize: 2, nodeMinSize: 1, nodeMaxSize: 5 },
      database: { instanceClass: "db.t3.small", dbName: "mindhit", multiAz: true, deletionProtection: true },
      cache: { nodeType: "cache.t3.micro" },
    });
  });

  it("staging is prod plus its differences, and inherits none of prod's identity overrides", () => {
    expect(staging.identity).toBeUndefined();
    expect(staging.tier).toBe("non-production");
    expect(staging.network).toEqual({ ...prod.network, natGateways: "single" });
    expect(staging.database).toEqual({ ...prod.database, instanceClass: "db.t3.micro", multiAz: false, backupRetentionPeriod: 7 });
    expect(staging.cache).toEqual({ ...prod.cache, replicas: 0, snapshotRetentionLimit: 1 });
    expect(staging.backup).toEqual({
      ...prod.backup,
      objectLockDays: 0,
      vault: { retentionDays: 7, lock: "off" },
      logicalDumps: { ...prod.backup.logicalDumps, enabled: false },
    });
    expect(staging.alerting.thresholds).toEqual({ ...prod.alerting.thresholds, rdsConnections: 90, rdsFreeStorageGiB: 2, rdsFreeableMemoryMiB: 128 });
    expect(staging.alerting.emails).toEqual(prod.alerting.emails);
  });

  it("a variant replaces lists whole and keeps its own identity overrides only", () => {
    const variant: EnvironmentConfig = variantOf(prod, {
      name: "eu",
      account: "777788889999",
      identity: { host: "api.eu.mindhit.io" },
      azs: ["eu-west-1a", "eu-west-1b"],
      region: "eu-west-1",
    });
    expect(variant.azs).toEqual(["eu-west-1a", "eu-west-1b"]);
    expect(variant.identity).toEqual({ host: "api.eu.mindhit.io" });
    expect(variant.cluster).toEqual(prod.cluster);
  });

  it("the region data comes from the generator, and Seoul has zones a-d", () => {
    expect(availabilityZonesOf("ap-northeast-2")).toEqual(["ap-northeast-2a", "ap-northeast-2b", "ap-northeast-2c", "ap-northeast-2d"]);
    expect(AWS_REGIONS.length).toBeGreaterThanOrEqual(30);
  });

  it("an environment may reuse an ECR namespace in another region", () => {
    const projectSettings: ProjectSettings = project;
    const tokyo = variantOf(staging, {
      name: "tokyo",
      account: staging.account,
      identity: { repositoryNamespace: "mindhit-staging" },
      region: "ap-northeast-1",
      azs: ["ap-northeast-1a", "ap-northeast-1c"],
    });
    expect(problemsOf(configured(projectSettings, [staging, prod, tokyo]))).toEqual([]);
  });
});
