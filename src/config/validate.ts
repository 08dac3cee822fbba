/**
 * Validation of the whole configuration in one pass: every problem of every environment and of
 * the project settings is collected, each as one line naming the environment, the config field,
 * the value and what is allowed; then it throws once (main.ts prints the lines, no stack trace).
 *
 * Order per environment: runtime types first (src/config/shape.ts), then the rules this file
 * owns (identity, region and zones, tier), then the checks the modules own, through `moduleChecks`
 * (each module's own rules, reported under the config field that feeds it). A rule runs only when
 * the fields it reads passed the type check, so one wrong type never hides the other problems.
 */
import * as fs from "fs";
import * as path from "path";
import { chartDir } from "../paths";
import { isCronSchedule, isGithubRepository, isHostname, Problems, quote, ValidationError } from "../validation";
import { ACCOUNT_ID, checkAccounts } from "./accounts";
import { AWS_REGIONS, availabilityZonesOf, isAvailabilityZoneOf, isAwsRegion } from "./aws";
import { checkIdentity, checkUniqueIdentities, EnvironmentIdentityEntry, resolveIdentity } from "./identity";
import { ENVIRONMENT_SPEC, PROJECT_SPEC } from "./schema";
import { checkShape, touchesFailed } from "./shape";
import type { Environment, EnvironmentConfig, ProjectSettings } from "./types";

/** Reads a config field only when it passed the type check (so rules never see a wrong type). */
export type Readable = (field: string) => boolean;

/** Checks the stacks and modules run on a type-correct environment, reporting under config fields. */
export type ModuleChecks = (env: Environment, project: ProjectSettings, problems: Problems, readable: Readable) => void;

const STAND_IN_PROJECT: ProjectSettings = {
  project: "project",
  managedBy: "cdktf",
  domain: "example.com",
  dns: { createHostedZone: false, delegations: [] },
  accountBaseline: { provider: "organization", alertEmails: [] },
  state: { lockTable: "locks", region: "us-east-1", useS3NativeLocking: false },
  github: { repository: "owner/name", deployBranch: "main" },
};

/** Project settings: returns the problems (none when valid). */
function checkProject(project: unknown, problems: Problems): project is ProjectSettings {
  const failed = checkShape(problems, project, PROJECT_SPEC);
  if (failed.size > 0) return false;
  const p = project as ProjectSettings;
  problems.check(
    /^[a-z][a-z0-9-]{0,14}[a-z0-9]$/.test(p.project),
    "project",
    `${quote(p.project)} is not allowed (2-16 lowercase letters, digits and hyphens, starting with a letter)`,
  );
  problems.check(p.managedBy.trim() !== "", "managedBy", "must not be empty");
  for (const email of p.accountBaseline.alertEmails)
    problems.check(/^[^@\s]+@[^@\s]+\.[a-z]{2,}$/i.test(email), "accountBaseline.alertEmails", `${quote(email)} is not an email address`);
  problems.check(
    p.accountBaseline.provider !== "project" || p.accountBaseline.alertEmails.length > 0,
    "accountBaseline.alertEmails",
    "is empty: the account baseline's security alarms need a recipient",
  );
  problems.check(isHostname(p.domain), "domain", `${quote(p.domain)} is not a DNS domain (e.g. "mindhit.io")`);
  for (const delegation of p.dns.delegations) {
    problems.check(
      isHostname(delegation.zone) && delegation.zone.endsWith(`.${p.domain}`),
      "dns.delegations",
      `${quote(delegation.zone)} is not a zone below the domain ${quote(p.domain)} (e.g. "staging.${p.domain}")`,
    );
    problems.check(
      delegation.nameServers.length >= 2 && delegation.nameServers.every(isHostname),
      "dns.delegations",
      `${quote(delegation.zone)} lists name servers ${quote(delegation.nameServers)} (expected the two or more host names its account's bootstrap printed, e.g. "ns-1.awsdns-00.com")`,
    );
  }
  problems.check(
    /^[A-Za-z0-9_.-]{3,255}$/.test(p.state.lockTable),
    "state.lockTable",
    `${quote(p.state.lockTable)} is not a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)`,
  );
  problems.check(isAwsRegion(p.state.region), "state.region", `${quote(p.state.region)} is not an AWS region (allowed: ${AWS_REGIONS.join(", ")})`);
  // Both end up in GitHub's OIDC subject claim (repo:<owner>/<name>:ref:refs/heads/<branch>), which must match exactly.
  problems.check(
    isGithubRepository(p.github.repository),
    "github.repository",
    `${quote(p.github.repository)} is not an owner/name GitHub repository (no URL, no .git)`,
  );
  problems.check(
    /^[A-Za-z0-9._/-]+$/.test(p.github.deployBranch) &&
      !p.github.deployBranch.startsWith("/") &&
      !p.github.deployBranch.includes("..") &&
      !p.github.deployBranch.startsWith("refs/"),
    "github.deployBranch",
    `${quote(p.github.deployBranch)} is not a branch name (e.g. "main", without refs/heads/)`,
  );
  return problems.count === 0;
}

function valuesFileExists(file: string): boolean {
  return fs.existsSync(path.join(chartDir(), file));
}

/** An environment values file of the chart. */
const VALUES_FILE = /^values-[a-z0-9-]+\.yaml$/;

/** The environment values files the chart ships (values-<name>.yaml). */
function chartValuesFiles(): string[] {
  return fs
    .readdirSync(chartDir())
    .filter((f) => VALUES_FILE.test(f))
    .sort();
}

/** Rules of one environment that no module owns. */
function checkEnvironmentRules(env: EnvironmentConfig, problems: Problems, readable: Readable): void {
  if (readable("account")) {
    problems.check(
      ACCOUNT_ID.test(env.account),
      "account",
      `${quote(env.account)} is not an AWS account ID (12 digits, written as a string, e.g. "111122223333")`,
    );
  }
  if (readable("region")) {
    problems.check(isAwsRegion(env.region), "region", `${quote(env.region)} is not an AWS region (allowed: ${AWS_REGIONS.join(", ")})`);
  }
  if (readable("region") && readable("azs") && isAwsRegion(env.region)) {
    for (const az of new Set(env.azs)) {
      problems.check(
        isAvailabilityZoneOf(az, env.region),
        "azs",
        `${quote(az)} is not an availability zone of region ${quote(env.region)} (allowed: ${availabilityZonesOf(env.region).join(", ")})`,
      );
    }
  }
  const valuesFile = env.identity?.valuesFile;
  if (readable("identity.valuesFile") && valuesFile !== undefined) {
    problems.check(
      VALUES_FILE.test(valuesFile) && valuesFileExists(valuesFile),
      "identity.valuesFile",
      `${quote(valuesFile)} is not a values file of the chart (allowed: ${chartValuesFiles().join(", ")})`,
    );
  }
  if (readable("backup.logicalDumps.schedule")) {
    const schedule = env.backup.logicalDumps.schedule;
    problems.check(
      isCronSchedule(schedule),
      "backup.logicalDumps.schedule",
      `${quote(schedule)} is not allowed (five cron fields in UTC: minute hour day month weekday, e.g. "0 21 * * *")`,
    );
  }
  if (readable("tier") && env.tier === "production") checkProductionTier(env, problems, readable);
}

/** What a production environment may not go without (checkov's HA checks are suppressed on that promise). */
function checkProductionTier(env: EnvironmentConfig, problems: Problems, readable: Readable): void {
  const why = 'is required of a production environment (tier "production")';
  if (readable("alerting.emails") && readable("alerting.slack")) {
    problems.check(
      env.alerting.emails.length > 0 || env.alerting.slack !== undefined,
      "alerting.emails",
      `is empty and no alerting.slack is set: an alert recipient ${why}`,
    );
  }
  if (readable("database.deletionProtection")) {
    problems.check(env.database.deletionProtection, "database.deletionProtection", `false is not allowed: deletion protection ${why}`);
  }
  if (readable("database.multiAz")) {
    problems.check(env.database.multiAz, "database.multiAz", `false is not allowed: a standby in a second zone ${why}`);
  }
  if (readable("cache.replicas")) {
    problems.check(env.cache.replicas >= 1, "cache.replicas", `${env.cache.replicas} is not allowed: at least 1 replica (automatic failover) ${why}`);
  }
  if (readable("database.backupRetentionPeriod")) {
    const days = env.database.backupRetentionPeriod;
    problems.check(days >= 7, "database.backupRetentionPeriod", `${days} is not allowed: at least 7 days of backups ${why}`);
  }
  if (readable("cache.snapshotRetentionLimit")) {
    problems.check(env.cache.snapshotRetentionLimit >= 1, "cache.snapshotRetentionLimit", `0 is not allowed: daily Redis snapshots ${why}`);
  }
  if (readable("cluster.publicAccessCidrs")) {
    for (const cidr of env.cluster.publicAccessCidrs.filter((c) => c.endsWith("/0"))) {
      problems.add(
        "cluster.publicAccessCidrs",
        `${quote(cidr)} is not allowed: a production API endpoint open to the whole internet (list known egress ranges, or none for a private endpoint)`,
      );
    }
  }
  if (readable("backup.objectLockDays")) {
    problems.check(
      env.backup.objectLockDays >= 1,
      "backup.objectLockDays",
      `0 is not allowed: locked backups (S3 Object Lock) ${why.replace("is required", "are required")}`,
    );
  }
  if (readable("backup.vault.lock")) {
    problems.check(env.backup.vault.lock !== "off", "backup.vault.lock", `"off" is not allowed: a locked backup vault ${why}`);
  }
  if (readable("registry.imageTagMutability")) {
    // A deployed tag must name one image forever (checkov's image-digest check is suppressed on that promise).
    problems.check(
      env.registry.imageTagMutability === "IMMUTABLE",
      "registry.imageTagMutability",
      `"MUTABLE" is not allowed: immutable image tags are ${why.replace("is required", "required")}`,
    );
  }
}

/**
 * Validates the project settings and every environment, resolves each environment's identity,
 * and checks identities across environments. Throws one ValidationError listing every problem.
 */
export function validateConfiguration(
  project: unknown,
  configs: unknown,
  moduleChecks: ModuleChecks = () => undefined,
): { project: ProjectSettings; environments: Environment[] } {
  const found: string[] = [];
  const projectProblems = new Problems("project settings");
  const projectOk = checkProject(project, projectProblems);
  found.push(...projectProblems.list);

  if (!Array.isArray(configs)) throw new ValidationError([...found, `environments: ${quote(configs)} is not allowed (expected a list of environment configs)`]);
  const environments: Environment[] = [];
  const identities: Array<Omit<EnvironmentIdentityEntry, "problems"> & { readonly tier: EnvironmentConfig["tier"] }> = [];
  configs.forEach((config: unknown, index) => {
    const label =
      typeof config === "object" && config !== null && typeof (config as { name?: unknown }).name === "string"
        ? (config as { name: string }).name
        : `#${index + 1}`;
    const problems = new Problems(`environment ${quote(label)}`);
    const failed = checkShape(problems, config, ENVIRONMENT_SPEC);
    if (touchesFailed(failed, "")) {
      found.push(...problems.list);
      return;
    }
    const env = config as EnvironmentConfig;
    const readable: Readable = (field) => !touchesFailed(failed, field);
    checkEnvironmentRules(env, problems, readable);
    if (readable("name") && readable("identity")) {
      // With broken project settings (already reported) identities are resolved against a stand-in
      // project, so the modules' checks of this environment's settings still run in this pass.
      const resolved = resolveIdentity(projectOk ? project : STAND_IN_PROJECT, env, valuesFileExists);
      const before = problems.count;
      if (projectOk) checkIdentity(problems, project, resolved);
      const { name: _name, account: _account, identity: _identity, ...settings } = env;
      const environment: Environment = { ...settings, identity: resolved.identity };
      if (problems.count === before) {
        if (projectOk && readable("account") && readable("tier")) identities.push({ resolved, region: readable("region") ? env.region : "", tier: env.tier });
        moduleChecks(environment, projectOk ? project : STAND_IN_PROJECT, problems, readable);
      }
      environments.push(environment);
    }
    found.push(...problems.list);
  });
  if (projectOk) {
    const collisions = identities.map((entry) => ({ ...entry, problems: new Problems(`environment ${quote(entry.resolved.identity.name)}`) }));
    // Collision lines read "environment "qa" and environment "prod" both get …".
    checkUniqueIdentities(collisions);
    checkAccounts(collisions);
    for (const entry of collisions) found.push(...entry.problems.list);
  }
  if (found.length > 0) throw new ValidationError(found);
  return { project: project as ProjectSettings, environments };
}
