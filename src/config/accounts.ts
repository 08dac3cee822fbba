/**
 * Environments are AWS accounts (and regions): the account boundary is the wall between
 * environments, which no tag, statement order or forgotten action can open. Per account, one
 * bootstrap stack (state bucket, lock table, state key, CI's OIDC provider and roles, boundaries)
 * and one account-baseline stack (trail, GuardDuty, security alarms).
 *
 * Rules (checkAccounts): a production-tier environment is alone in its account; environments that
 * share an account share its state bucket; no two accounts name the same bucket (names are global);
 * a hosted zone belongs to one account (so no principal of another account changes its records).
 */
import { Problems, quote } from "../validation";
import { baselineStackName, bootstrapStackName, ResolvedIdentity } from "./identity";
import type { Environment, EnvironmentTier, ProjectSettings } from "./types";

/** An AWS account's 12-digit ID, written as a string (a number would lose leading zeros). */
export const ACCOUNT_ID = /^\d{12}$/;

/** What lives once per account, and the environments it holds. */
export interface AccountIdentity {
  readonly id: string;
  readonly stateBucket: string;
  readonly bootstrapStackName: string;
  readonly baselineStackName: string;
  /** In list order. */
  readonly environments: readonly Environment[];
}

/** The accounts of `environments`, in the order their first environment is listed. */
export function accountsOf(project: ProjectSettings, environments: readonly Environment[]): AccountIdentity[] {
  const byId = new Map<string, Environment[]>();
  for (const env of environments) byId.set(env.identity.account, [...(byId.get(env.identity.account) ?? []), env]);
  return [...byId].map(([id, members]) => ({
    id,
    stateBucket: members[0].identity.stateBucket,
    bootstrapStackName: bootstrapStackName(project, id),
    baselineStackName: baselineStackName(project, id),
    environments: members,
  }));
}

export interface AccountEntry {
  readonly resolved: ResolvedIdentity;
  readonly tier: EnvironmentTier;
  readonly problems: Problems;
}

/** The account rules above, each broken rule one line on the environment that breaks it. */
export function checkAccounts(entries: readonly AccountEntry[]): void {
  const byAccount = new Map<string, AccountEntry[]>();
  for (const entry of entries) {
    const account = entry.resolved.identity.account;
    byAccount.set(account, [...(byAccount.get(account) ?? []), entry]);
  }
  for (const [account, members] of byAccount) {
    const names = (list: readonly AccountEntry[]): string => list.map((m) => quote(m.resolved.identity.name)).join(", ");
    for (const entry of members.filter((m) => m.tier === "production")) {
      const others = members.filter((m) => m !== entry);
      if (others.length === 0) continue;
      entry.problems.add(
        "account",
        `${quote(account)} also holds environment ${names(others)}; a production-tier environment must be alone in its account (give ${others.length === 1 ? "it" : "them"} another account)`,
      );
    }
    const [first, ...rest] = members;
    for (const entry of rest) {
      const [mine, theirs] = [entry.resolved.identity.stateBucket, first.resolved.identity.stateBucket];
      if (mine === theirs) continue;
      entry.problems.add(
        entry.resolved.origins.stateBucket.field,
        `${quote(mine)} differs from ${quote(theirs)}, the state bucket of environment ${quote(first.resolved.identity.name)} in the same account ${quote(account)}; an account has one state bucket`,
      );
    }
  }
  const zoneOwners = new Map<string, AccountEntry>();
  for (const entry of entries) {
    const { hostedZone, account, name, host } = entry.resolved.identity;
    const owner = zoneOwners.get(hostedZone);
    if (owner === undefined) {
      zoneOwners.set(hostedZone, entry);
      continue;
    }
    const ownerIdentity = owner.resolved.identity;
    if (ownerIdentity.account === account) continue;
    entry.problems.add(
      entry.resolved.origins.host.field,
      `${quote(entry.resolved.origins.host.value)} gives host ${quote(host)} in zone ${quote(hostedZone)}, which account ${quote(ownerIdentity.account)} holds (environment ${quote(ownerIdentity.name)}); an environment's records live in a zone of its own account (choose a host one level below a zone of ${quote(account)}, e.g. "api.${name}.${hostedZone}")`,
    );
  }
  const bucketOwners = new Map<string, string>();
  for (const [account, [first]] of byAccount) {
    const bucket = first.resolved.identity.stateBucket;
    const owner = bucketOwners.get(bucket);
    if (owner === undefined) {
      bucketOwners.set(bucket, account);
      continue;
    }
    first.problems.add(
      first.resolved.origins.stateBucket.field,
      `${quote(bucket)} is already the state bucket of account ${quote(owner)}; bucket names are global, so each account needs its own`,
    );
  }
}
