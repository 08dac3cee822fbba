/**
 * An environment's identity: every name it owns, derived from its `name` by one rule, with
 * explicit overrides (`identity.*`) where an operator truly needs them (prod keeps the seed's).
 *
 *   environment        = identity.environment        ?? name
 *   resourceName       = identity.resourceName       ?? <project>-<environment>
 *   stacks             = <project>-<name>, <project>-<name>-apps
 *   state keys         = <environment>/terraform.tfstate, <environment>/apps/terraform.tfstate
 *   ECR repositories   = <identity.repositoryNamespace ?? resourceName>/api, …/worker
 *   host               = identity.host               ?? api.<environment>.<project domain>
 *   assets host        = host with its leading "api." as "cdn." (cdn.<host> otherwise)
 *   hosted zone        = host without its first label (in the environment's own account)
 *   values file        = identity.valuesFile         ?? values-<name>.yaml when the chart has it
 *   GitHub environment = identity.githubEnvironment  ?? environment
 *   alert topic, app secret, ALB = <resourceName>-alerts, <resourceName>/app, <resourceName>
 *   Grafana admin secret = <resourceName>/grafana-admin
 *   backups bucket     = <resourceName>-backups-<account id>
 *   image tag parameters = /<project>/<environment>/image-tags/api, …/worker
 *   CI roles           = <project>-ci-<environment>-plan, …-deploy (outside every resourceName-* prefix)
 *   state bucket       = identity.stateBucket        ?? <project>-terraform-state-<account> (one per account)
 *   HCP Terraform roles = <project>-ci-<environment>-tfc-<platform|apps>-<plan|apply>
 *
 * Validation (checkIdentity, checkUniqueIdentities) rejects a malformed identity and any identity
 * two environments would share, naming both environments and the field to change.
 */
import { isHostname, ProblemSink, Problems, quote } from "../validation";
import { APP_COMPONENTS, AppComponent, EnvironmentConfig, EnvironmentIdentity, HcpTerraformBackend, IdentityOverrides, ProjectSettings } from "./types";

/** The bootstrap stack's own state object, which no environment may take. */
export const BOOTSTRAP_STATE_KEY = "bootstrap/terraform.tfstate";
/** The account-baseline stack's state object. */
export const BASELINE_STATE_KEY = "baseline/terraform.tfstate";

/** The stack that creates an account's state bucket, lock table, CI roles and boundaries: one per account. */
export function bootstrapStackName(project: ProjectSettings, account: string): string {
  return `${project.project}-state-bootstrap-${account}`;
}

/** The stack of an account's trail, GuardDuty and security alarms: one per account. */
export function baselineStackName(project: ProjectSettings, account: string): string {
  return `${project.project}-account-baseline-${account}`;
}

/** Names of the permissions boundaries of an account (src/modules/identity/permission-boundaries.ts). */
export interface BoundaryPolicyNames {
  /** Carried by the CI roles. */
  readonly ci: string;
  /** Carried by every role the environments' stacks create. */
  readonly workload: string;
}

/** The permissions boundaries: every role an environment's stacks create carries `workload`, the CI roles `ci`. */
export function boundaryPolicyNames(project: ProjectSettings): BoundaryPolicyNames {
  return { ci: `${project.project}-ci-boundary`, workload: `${project.project}-workload-boundary` };
}

/** The names of an account's audit trail and what watches it (the account-baseline stack), which no CI or workload role may touch. */
export interface AuditNames {
  readonly trail: string;
  /** The trail's CloudWatch Logs group, whose metric filters feed the security alarms. */
  readonly logGroup: string;
  /** Every security alarm and metric filter is named `<alarmPrefix><filter>`. */
  readonly alarmPrefix: string;
  readonly topic: string;
  /** The trail bucket is `<bucketPrefix><account id>`. */
  readonly bucketPrefix: string;
}

export function auditNames(project: Pick<ProjectSettings, "project">): AuditNames {
  const name = `${project.project}-audit`;
  return { trail: name, logGroup: `/aws/cloudtrail/${name}`, alarmPrefix: `${name}-`, topic: `${project.project}-security-alerts`, bucketPrefix: `${name}-` };
}

/** The HCP Terraform project of the workspaces: the one named in the run options, else the project's name. */
export function hcpTerraformProject(project: ProjectSettings, backend: HcpTerraformBackend): string {
  return backend.project ?? project.project;
}

/** The KMS alias of the key that encrypts state: the backends name it, so it is fixed by the project name. */
export function stateKeyAlias(project: ProjectSettings): string {
  return `alias/${project.project}-terraform-state`;
}

/** Where a derived identity came from: the config field an operator edits to change it. */
export interface IdentityOrigin {
  readonly field: string;
  readonly value: string;
}

export type Origins = Readonly<Record<keyof IdentityOverrides, IdentityOrigin>>;

export interface ResolvedIdentity {
  readonly identity: EnvironmentIdentity;
  readonly origins: Origins;
}

/**
 * Applies the rule above. `valuesFileExists` answers for the chart directory (injected so the rule
 * stays a pure function of its inputs).
 */
export function resolveIdentity(project: ProjectSettings, config: EnvironmentConfig, valuesFileExists: (file: string) => boolean): ResolvedIdentity {
  const overrides: IdentityOverrides = config.identity ?? {};
  const fromName: IdentityOrigin = { field: "name", value: config.name };
  const fromAccount: IdentityOrigin = { field: "account", value: config.account };
  const origin = (key: keyof IdentityOverrides, inherited: IdentityOrigin): IdentityOrigin => {
    const value = overrides[key];
    return value === undefined ? inherited : { field: `identity.${key}`, value };
  };
  const environmentOrigin = origin("environment", fromName);
  const environment = overrides.environment ?? config.name;
  const resourceNameOrigin = origin("resourceName", environmentOrigin);
  const resourceName = overrides.resourceName ?? `${project.project}-${environment}`;
  const namespace = overrides.repositoryNamespace ?? resourceName;
  const derivedValuesFile = `values-${config.name}.yaml`;
  const valuesFile = overrides.valuesFile ?? (valuesFileExists(derivedValuesFile) ? derivedValuesFile : undefined);
  const repositoryNames = Object.fromEntries(APP_COMPONENTS.map((c) => [c, `${namespace}/${c}`])) as Record<AppComponent, string>;
  const host = overrides.host ?? `api.${environment}.${project.domain}`;
  const identity: EnvironmentIdentity = {
    name: config.name,
    account: config.account,
    stateBucket: overrides.stateBucket ?? `${project.project}-terraform-state-${config.account}`,
    environment,
    resourceName,
    stackNames: { platform: `${project.project}-${config.name}`, apps: `${project.project}-${config.name}-apps` },
    stateKeys: { platform: `${environment}/terraform.tfstate`, apps: `${environment}/apps/terraform.tfstate` },
    repositoryNames,
    valuesFile,
    host,
    hostedZone: host.slice(host.indexOf(".") + 1),
    assetsHost: host.startsWith("api.") ? `cdn.${host.slice(4)}` : `cdn.${host}`,
    githubEnvironment: overrides.githubEnvironment ?? environment,
    alertTopicName: `${resourceName}-alerts`,
    backupsBucketPrefix: `${resourceName}-backups-`,
    backupsKeyAlias: `${resourceName}-backups`,
    nodeEventQueueName: `${resourceName}-node-events`,
    appSecretName: `${resourceName}/app`,
    grafanaAdminSecretName: `${resourceName}/grafana-admin`,
    loadBalancerName: resourceName,
    ciRoleNames: { plan: `${project.project}-ci-${environment}-plan`, deploy: `${project.project}-ci-${environment}-deploy` },
    // Under `<project>-ci-` too, so every CI wall (no IAM on CI roles, no assuming them) covers them.
    hcpTerraformRoleNames: {
      platform: { plan: `${project.project}-ci-${environment}-tfc-platform-plan`, apply: `${project.project}-ci-${environment}-tfc-platform-apply` },
      apps: { plan: `${project.project}-ci-${environment}-tfc-apps-plan`, apply: `${project.project}-ci-${environment}-tfc-apps-apply` },
    },
    breakGlassRoleName: `${resourceName}-break-glass`,
    clusterAdminRoleName: `${resourceName}-eks-admin`,
    externalSecretsRoleName: `${resourceName}-external-secrets`,
    grafanaSecretsRoleName: `${resourceName}-grafana-secrets`,
    imageTagParameters: Object.fromEntries(APP_COMPONENTS.map((c) => [c, `/${project.project}/${environment}/image-tags/${c}`])) as Record<
      AppComponent,
      string
    >,
  };
  const origins: Origins = {
    environment: environmentOrigin,
    resourceName: resourceNameOrigin,
    repositoryNamespace: origin("repositoryNamespace", resourceNameOrigin),
    host: origin("host", environmentOrigin),
    valuesFile: origin("valuesFile", fromName),
    githubEnvironment: origin("githubEnvironment", environmentOrigin),
    stateBucket: origin("stateBucket", fromAccount),
  };
  return { identity, origins };
}

/** Lowercase letters, digits and single hyphens, letter first: valid as a label, a stack and an AWS name. */
const LABEL = /^[a-z](?:[a-z0-9]|-(?!-))*$/;
/** S3's bucket name grammar (no IP addresses, no `..`). */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function isBucketName(name: string): boolean {
  return BUCKET_NAME.test(name) && !name.includes("..") && !/^\d+\.\d+\.\d+\.\d+$/.test(name);
}

export const MAX_NAME_LENGTH = 24;
/** ElastiCache RBAC ids add `-default` to it within their 40 characters; ALB names stop at 32. */
export const MAX_RESOURCE_NAME_LENGTH = 32;
/** ECR's repository grammar: lowercase path components separated by `/`, each may use . _ - inside. */
const ECR_NAMESPACE = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/;

function labelProblem(value: string, max: number): string | undefined {
  if (value === "") return "must not be empty";
  if (!LABEL.test(value) || value.endsWith("-") || value.length > max) {
    return `${quote(value)} is not allowed (lowercase letters, digits and single hyphens, starting with a letter, not ending with a hyphen, at most ${max} characters)`;
  }
  return undefined;
}

/** Syntax of one environment's identities; each problem names the field that produced the value. */
export function checkIdentity(problems: ProblemSink, project: ProjectSettings, resolved: ResolvedIdentity): void {
  const { identity, origins } = resolved;
  const nameProblem = labelProblem(identity.name, MAX_NAME_LENGTH);
  if (nameProblem) problems.add("name", nameProblem);
  if (origins.environment.field !== "name") {
    const problem = labelProblem(identity.environment, MAX_NAME_LENGTH);
    if (problem) problems.add("identity.environment", problem);
  }
  // Derived from valid parts, only its length can be wrong; an override is checked whole.
  if (origins.resourceName.field === "identity.resourceName") {
    const problem = labelProblem(identity.resourceName, MAX_RESOURCE_NAME_LENGTH);
    if (problem) problems.add("identity.resourceName", problem);
    // CI's deploy role may manage only IAM roles named after the project (src/modules/identity/github-oidc.ts).
    else
      problems.check(
        identity.resourceName.startsWith(`${project.project}-`),
        "identity.resourceName",
        `${quote(identity.resourceName)} does not start with "${project.project}-" (names of the project's roles do)`,
      );
  } else if (!nameProblem && identity.resourceName.length > MAX_RESOURCE_NAME_LENGTH) {
    const o = origins.resourceName;
    problems.add(
      o.field,
      `${quote(o.value)} gives resourceName ${quote(identity.resourceName)}, ${identity.resourceName.length} characters (at most ${MAX_RESOURCE_NAME_LENGTH}: ElastiCache user ids and ALB names are built from it); choose a shorter ${o.field} or set identity.resourceName`,
    );
  }
  if (origins.stateBucket.field === "identity.stateBucket") {
    problems.check(
      isBucketName(identity.stateBucket),
      "identity.stateBucket",
      `${quote(identity.stateBucket)} is not an S3 bucket name (3-63 of a-z 0-9 . -, starting and ending with a letter or digit, not an IP address)`,
    );
  }
  // `<project>-audit-*` are the account baseline's alarms, which every CI and workload role is denied.
  const audit = auditNames(project);
  if (identity.resourceName === audit.trail || identity.resourceName.startsWith(audit.alarmPrefix)) {
    const o = origins.resourceName;
    problems.add(
      o.field,
      `${quote(o.value)} gives resourceName ${quote(identity.resourceName)}, which names the account baseline's audit trail and alarms (${audit.alarmPrefix}*); choose another ${o.field}`,
    );
  }
  // `<project>-ci-*` are the CI roles: an environment whose roles could be named so would let its
  // deploy role manage them.
  const ciPrefix = `${project.project}-ci`;
  if (identity.resourceName === ciPrefix || identity.resourceName.startsWith(`${ciPrefix}-`)) {
    const o = origins.resourceName;
    problems.add(
      o.field,
      `${quote(o.value)} gives resourceName ${quote(identity.resourceName)}, which the CI roles' names (${ciPrefix}-*) start with; choose another ${o.field}`,
    );
  }
  if (origins.repositoryNamespace.field === "identity.repositoryNamespace") {
    const ns = origins.repositoryNamespace.value;
    problems.check(
      ECR_NAMESPACE.test(ns) && ns.length <= 200,
      "identity.repositoryNamespace",
      `${quote(ns)} is not an ECR repository namespace (lowercase letters and digits, separated by . _ - or /, e.g. "mindhit")`,
    );
  }
  // A derived host is valid whenever the environment and the project domain are; an override may not be.
  if (origins.host.field === "identity.host") {
    const host = identity.host;
    if (!isHostname(host)) {
      problems.add(
        "identity.host",
        `${quote(host)} is not a DNS host name (lowercase labels of letters, digits and hyphens, e.g. "api.staging.${project.domain}")`,
      );
    } else {
      problems.check(
        host === project.domain || host.endsWith(`.${project.domain}`),
        "identity.host",
        `${quote(host)} is not in the project's domain ${quote(project.domain)} (its certificate and DNS record live in that zone)`,
      );
    }
  }
  if (origins.githubEnvironment.field === "identity.githubEnvironment") {
    problems.check(
      /^[A-Za-z0-9._-]{1,255}$/.test(identity.githubEnvironment),
      "identity.githubEnvironment",
      `${quote(identity.githubEnvironment)} is not a GitHub environment name (1-255 of A-Z a-z 0-9 . _ -)`,
    );
  }
}

/** One identity an environment claims, with what to call it in a message. */
interface Claim {
  readonly kind: string;
  readonly value: string;
  /** Identities unique per region (ECR repositories) carry it; the rest are account- or project-wide. */
  readonly scope: string;
  readonly origin: IdentityOrigin;
  /** GitHub compares environment names without regard to case. */
  readonly caseInsensitive?: boolean;
}

function claimsOf(resolved: ResolvedIdentity, region: string): Claim[] {
  const { identity: id, origins: o } = resolved;
  const claims: Claim[] = [
    { kind: "stack", value: id.stackNames.platform, scope: "", origin: { field: "name", value: id.name } },
    { kind: "stack", value: id.stackNames.apps, scope: "", origin: { field: "name", value: id.name } },
    { kind: "state key", value: id.stateKeys.platform, scope: "", origin: o.environment },
    { kind: "state key", value: id.stateKeys.apps, scope: "", origin: o.environment },
    { kind: "resourceName", value: id.resourceName, scope: "", origin: o.resourceName },
    ...APP_COMPONENTS.map((c): Claim => ({ kind: `ECR repository in ${region}`, value: id.repositoryNames[c], scope: region, origin: o.repositoryNamespace })),
    { kind: "host", value: id.host, scope: "", origin: o.host },
    { kind: "GitHub environment", value: id.githubEnvironment, scope: "", origin: o.githubEnvironment, caseInsensitive: true },
    // Scripts (rollback.sh) and people select an environment by either name: one namespace.
    { kind: "environment name", value: id.name, scope: "", origin: { field: "name", value: id.name } },
    { kind: "environment name", value: id.environment, scope: "", origin: o.environment },
  ];
  if (id.valuesFile !== undefined) claims.push({ kind: "values file", value: id.valuesFile, scope: "", origin: o.valuesFile });
  return claims;
}

export interface EnvironmentIdentityEntry {
  readonly resolved: ResolvedIdentity;
  readonly region: string;
  readonly problems: Problems;
}

/**
 * Across all environments (and the bootstrap stack): no stack name, state key, resourceName, ECR
 * repository (per region), values file, host, GitHub environment, or environment name (names and
 * long names share one namespace: scripts accept either) may be claimed twice. Each collision is
 * one line naming both environments and the field each got the value from; neither is presumed
 * the one to change, since the earlier one in the list may be the one already deployed.
 */
export function checkUniqueIdentities(entries: readonly EnvironmentIdentityEntry[]): void {
  interface Holder {
    readonly owner: string;
    readonly label: string;
    readonly origin: IdentityOrigin | undefined;
  }
  const bootstrap: Holder = { owner: "the state-bootstrap stack", label: "the state-bootstrap stack", origin: undefined };
  const baseline: Holder = { owner: "the account-baseline stack", label: "the account-baseline stack", origin: undefined };
  // The accounts' own stacks: their names end in a 12-digit account, which no environment name
  // can reach within MAX_NAME_LENGTH; their state keys sit in every account's bucket.
  const holders = new Map<string, Holder>([
    [`state key\u0000\u0000${BOOTSTRAP_STATE_KEY}`, bootstrap],
    [`state key\u0000\u0000${BASELINE_STATE_KEY}`, baseline],
  ]);
  for (const entry of entries) {
    const name = entry.resolved.identity.name;
    // One line per (field, holder): the identities this field gives that the holder already has.
    const collisions = new Map<string, { origin: IdentityOrigin; holder: Holder; identities: string[] }>();
    const claimed = new Map<string, IdentityOrigin>();
    for (const claim of claimsOf(entry.resolved, entry.region)) {
      const key = `${claim.kind}\u0000${claim.scope}\u0000${claim.caseInsensitive ? claim.value.toLowerCase() : claim.value}`;
      if (claimed.has(key)) continue;
      claimed.set(key, claim.origin);
      const holder = holders.get(key);
      if (holder === undefined) continue;
      const group = `${claim.origin.field}\u0000${holder.owner}`;
      const found = collisions.get(group) ?? { origin: claim.origin, holder, identities: [] };
      found.identities.push(`${claim.kind} ${quote(claim.value)}`);
      collisions.set(group, found);
    }
    for (const { origin, holder, identities } of collisions.values()) {
      const sources = [
        holder.origin ? `${holder.label} from ${holder.origin.field} ${quote(holder.origin.value)}` : undefined,
        `${name} from ${origin.field} ${quote(origin.value)}`,
      ]
        .filter((s) => s !== undefined)
        .join(", ");
      entry.problems.addSentence(
        `and ${holder.owner} both get ${identities.join(", ")} (${sources}); each environment needs its own: change the one being added, not the one already deployed`,
      );
    }
    for (const [key, origin] of claimed) if (!holders.has(key)) holders.set(key, { owner: `environment ${quote(name)}`, label: name, origin });
  }
  // Each environment's deploy role manages the IAM roles named <resourceName>-*: one environment's
  // names may not extend another's, or its CI could manage the other's roles.
  entries.forEach((later, i) => {
    for (const earlier of entries.slice(0, i)) {
      const [a, b] = [earlier.resolved.identity, later.resolved.identity];
      const [short, long] = a.resourceName.length <= b.resourceName.length ? [a, b] : [b, a];
      if (long.resourceName.startsWith(`${short.resourceName}-`)) {
        later.problems.addSentence(
          `and environment ${quote(a.name)} have resourceNames ${quote(b.resourceName)} and ${quote(a.resourceName)}, one extending the other: ${short.name}'s deploy role manages roles named ${short.resourceName}-*, which would include ${long.name}'s; choose names that do not extend each other`,
        );
      }
    }
  });
}
