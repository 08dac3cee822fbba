/**
 * Input checks shared by the environment config and the module constructs.
 *
 * Every failure is reported as one line that names where the value came from, the field,
 * the bad value and what is allowed, so `cdktf synth` stops with an actionable message
 * instead of a Terraform error minutes into a plan.
 */
import * as ipaddr from "ipaddr.js";
import { Token } from "./cdktf";

/** A rejected input. `main.ts` prints `message` alone (no stack trace) and exits non-zero. */
export class ValidationError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(problems.join("\n"));
    this.name = "ValidationError";
    this.problems = problems;
  }
}

/** Where a check reports a bad field: a subject's problem list, or a view of one that renames fields. */
export interface ProblemSink {
  add(field: string, message: string): void;
  check(ok: boolean, field: string, message: string): void;
  /** How `field` is reported, for messages that name a second field in their text. */
  fieldName(field: string): string;
}

/**
 * Collects problems for one subject (an environment, a construct) and throws them together,
 * so a config with three mistakes is fixed in one round trip, not three.
 */
export class Problems implements ProblemSink {
  private readonly found: string[] = [];

  constructor(private readonly subject: string) {}

  add(field: string, message: string): void {
    this.found.push(field === "" ? `${this.subject}: ${message}` : `${this.subject}: ${field} ${message}`);
  }

  check(ok: boolean, field: string, message: string): void {
    if (!ok) this.add(field, message);
  }

  fieldName(field: string): string {
    return field;
  }

  /** A problem that is a sentence about the subject rather than about one field: `<subject> <text>`. */
  addSentence(text: string): void {
    this.found.push(`${this.subject} ${text}`);
  }

  /**
   * A view that reports a construct's prop under the config field it was set from, so a check a
   * module owns names what the operator edits (`database.instanceClass`, not `instanceClass`).
   */
  mapped(fields: Readonly<Record<string, string>> | ((field: string) => string)): ProblemSink {
    const rename = (field: string): string => (typeof fields === "function" ? fields(field) : (fields[field] ?? field));
    return {
      add: (field, message) => {
        this.add(rename(field), message);
      },
      check: (ok, field, message) => {
        this.check(ok, rename(field), message);
      },
      fieldName: rename,
    };
  }

  get count(): number {
    return this.found.length;
  }

  get list(): readonly string[] {
    return [...this.found];
  }

  throwIfAny(): void {
    if (this.found.length > 0) throw new ValidationError(this.found);
  }
}

/**
 * A construct's props against its checks, all of them: throws one error naming the construct's
 * path and every problem, or returns nothing. Each check reports into the same sink.
 */
export function checkProps<P>(
  construct: { readonly node: { readonly path: string } },
  props: P,
  ...checks: ReadonlyArray<(problems: ProblemSink, props: P) => void>
): void {
  const problems = new Problems(construct.node.path);
  for (const check of checks) check(problems, props);
  problems.throwIfAny();
}

/** `10.0.0.0/16`: a valid IPv4 CIDR whose address is the network address itself. */
export function isIpv4NetworkCidr(cidr: string): boolean {
  if (!ipaddr.IPv4.isValidCIDRFourPartDecimal(cidr)) return false;
  return ipaddr.IPv4.networkAddressFromCIDR(cidr).toString() === cidr.split("/")[0];
}

export function cidrPrefixLength(cidr: string): number {
  return ipaddr.IPv4.parseCIDR(cidr)[1];
}

/** True when every address of `inner` lies inside `outer` (both must be valid CIDRs). */
export function cidrContains(outer: string, inner: string): boolean {
  const [innerAddr, innerPrefix] = ipaddr.IPv4.parseCIDR(inner);
  const [outerAddr, outerPrefix] = ipaddr.IPv4.parseCIDR(outer);
  return innerPrefix >= outerPrefix && innerAddr.match(outerAddr, outerPrefix);
}

/** Two CIDR blocks overlap exactly when one contains the other's network address. */
export function cidrsOverlap(a: string, b: string): boolean {
  return cidrContains(a, b) || cidrContains(b, a);
}

/** One DNS label: letters (lowercase), digits and inner hyphens, at most 63. */
const HOST_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** A DNS host name of at least two labels (`api.mindhit.io`), at most 253 characters. */
export function isHostname(host: string): boolean {
  const labels = host.split(".");
  return host.length <= 253 && labels.length >= 2 && labels.every((l) => HOST_LABEL.test(l));
}

/** A GitHub repository as `owner/name` (what GitHub's OIDC subject carries): no URL, no `.git`. */
export function isGithubRepository(value: string): boolean {
  return /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(value) && !value.endsWith(".git");
}

/**
 * The id grammar RDS instances, ElastiCache groups and users share: a lowercase letter first,
 * then lowercase letters, digits and single hyphens, not ending with a hyphen.
 */
export function isLowercaseHyphenatedId(value: string, maxLength: number): boolean {
  return value.length <= maxLength && /^[a-z][a-z0-9-]*$/.test(value) && !value.includes("--") && !value.endsWith("-");
}

/** An unquoted PostgreSQL identifier (database, user): a letter, then letters, digits or `_`, at most 63. */
export function isPostgresIdentifier(value: string): boolean {
  return /^[A-Za-z][A-Za-z0-9_]{0,62}$/.test(value);
}

/** A five-field cron schedule as Kubernetes CronJobs take it: minute hour day month weekday, in digits, `*`, `/`, `,` and `-`. */
export function isCronSchedule(value: string): boolean {
  const fields = value.trim().split(/\s+/);
  return fields.length === 5 && fields.every((field) => /^[0-9*/,-]+$/.test(field));
}

export function duplicates<T>(values: readonly T[]): T[] {
  return values.filter((v, i) => values.indexOf(v) !== i);
}

/** A value as it appears in messages: JSON, but NaN/Infinity as themselves and big values summarised. */
export function quote(value: unknown): string {
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  const text = JSON.stringify(value) ?? String(value);
  if (text.length <= 120 || typeof value !== "object" || value === null) return text;
  return Array.isArray(value) ? `[a list of ${value.length} items]` : `{an object with ${Object.keys(value).join(", ")}}`;
}

/**
 * Checks a VPC CIDR and its subnet lists: each subnet a network CIDR inside the VPC, one per
 * AZ, none overlapping another. Returns whether the VPC CIDR itself is usable.
 */
export function checkNetworkPlan(
  problems: ProblemSink,
  vpcField: string,
  vpcCidr: string,
  subnetLists: ReadonlyArray<readonly [field: string, cidrs: readonly string[], maxPrefix: number, why: string]>,
  azCount: number,
): void {
  const vpcOk = isIpv4NetworkCidr(vpcCidr) && cidrPrefixLength(vpcCidr) >= 16 && cidrPrefixLength(vpcCidr) <= 28;
  problems.check(vpcOk, vpcField, `${quote(vpcCidr)} is not allowed (an IPv4 network CIDR from /16 to /28, e.g. "10.0.0.0/16")`);
  const validSubnets: Array<{ field: string; cidr: string }> = [];
  for (const [field, cidrs, maxPrefix, why] of subnetLists) {
    problems.check(cidrs.length === azCount, field, `has ${cidrs.length} entries but azs has ${azCount} (one subnet per availability zone)`);
    for (const cidr of cidrs) {
      if (!isIpv4NetworkCidr(cidr)) {
        problems.add(field, `${quote(cidr)} is not an IPv4 network CIDR (e.g. "10.0.1.0/24")`);
      } else if (cidrPrefixLength(cidr) < 16 || cidrPrefixLength(cidr) > maxPrefix) {
        problems.add(field, `${quote(cidr)} is not allowed (${why}: /16 to /${maxPrefix})`);
      } else if (vpcOk && !cidrContains(vpcCidr, cidr)) {
        problems.add(field, `${quote(cidr)} is outside the VPC ${quote(vpcCidr)}`);
      } else {
        validSubnets.push({ field, cidr });
      }
    }
  }
  validSubnets.forEach((a, i) => {
    for (const b of validSubnets.slice(i + 1)) {
      if (cidrsOverlap(a.cidr, b.cidr))
        problems.add(b.field, `${quote(b.cidr)} overlaps ${problems.fieldName(a.field)} ${quote(a.cidr)} (subnets must not overlap)`);
    }
  });
}

/** An availability-zone list: at least two distinct zones (EKS and RDS subnet groups need two). */
export function checkAzList(problems: ProblemSink, field: string, azs: readonly string[], exampleRegion: string): void {
  if (azs.length < 2) {
    problems.add(field, `lists ${azs.length} zone(s); EKS and RDS subnet groups need at least 2 (e.g. ["${exampleRegion}a", "${exampleRegion}c"])`);
  }
  for (const az of duplicates(azs)) problems.add(field, `lists ${quote(az)} more than once`);
}

/** Auto-scaling bounds: whole numbers with min ≤ desired ≤ max and max ≥ 1. */
export function checkScaling(problems: ProblemSink, field: string, min: number, desired: number, max: number): void {
  const whole = [min, desired, max].every((n) => Number.isInteger(n) && n >= 0);
  if (!whole) {
    problems.add(field, `must be whole numbers ≥ 0 (got min ${min}, desired ${desired}, max ${max})`);
  } else {
    problems.check(min <= desired && desired <= max && max >= 1, field, `must satisfy min ≤ desired ≤ max and max ≥ 1 (got ${min} ≤ ${desired} ≤ ${max})`);
  }
}

/** EKS versions in standard or extended support on 2026-11 (EKS version calendar). */
export const SUPPORTED_KUBERNETES_VERSIONS: readonly string[] = ["1.32", "1.33", "1.34", "1.35", "1.36"];

export function checkKubernetesVersion(problems: ProblemSink, field: string, version: string): void {
  problems.check(
    SUPPORTED_KUBERNETES_VERSIONS.includes(version),
    field,
    `${quote(version)} is not a supported EKS version (allowed: ${SUPPORTED_KUBERNETES_VERSIONS.join(", ")})`,
  );
}

export function checkNonEmpty(problems: ProblemSink, field: string, values: readonly unknown[], example: string): void {
  problems.check(values.length > 0, field, `must list at least one entry (e.g. ${example})`);
}

/** A whole number in [min, max], reported as `<value> is not allowed (whole number min-max)`. */
export function checkWhole(problems: ProblemSink, field: string, value: number, min: number, max: number): void {
  problems.check(Number.isInteger(value) && value >= min && value <= max, field, `${value} is not allowed (whole number ${min}-${max})`);
}

/** A number in [min, max] (fractions allowed), with the unit named in the message. */
export function checkRange(problems: ProblemSink, field: string, value: number, min: number, max: number, unit: string): void {
  problems.check(value >= min && value <= max, field, `${value} is not allowed (${unit} from ${min} to ${max})`);
}

/* ---- Instance sizes: EC2 instance types, RDS instance classes, ElastiCache node types ---- */

/** `<family>.<size>`: a family with a generation digit (t3, m7g, c6in, u-6tb1) and a size AWS sells. */
const INSTANCE_TYPE = /^([a-z][a-z0-9]*(?:-[a-z0-9]+)*)\.(nano|micro|small|medium|large|xlarge|[1-9]\d*xlarge|metal(?:-[1-9]\d*xl)?)$/;

export function isInstanceType(value: string): boolean {
  const match = INSTANCE_TYPE.exec(value);
  return match !== null && /\d/.test(match[1]);
}

export function checkInstanceType(problems: ProblemSink, field: string, value: string): void {
  problems.check(isInstanceType(value), field, `${quote(value)} is not an EC2 instance type (<family>.<size>, e.g. "t3.medium", "m7i.large")`);
}

/** Graviton (arm64) families: a1, and any family with a `g` after its generation digit (t4g, m7gd, c6gn, im4gn). */
export function instanceArchitecture(type: string): "arm64" | "x86_64" {
  const family = type.split(".")[0];
  return family === "a1" || /^[a-z]+\d+[a-z]*g[a-z]*$/.test(family) ? "arm64" : "x86_64";
}

export function checkDbInstanceClass(problems: ProblemSink, field: string, value: string): void {
  problems.check(
    value.startsWith("db.") && isInstanceType(value.slice(3)),
    field,
    `${quote(value)} is not an RDS instance class (db.<family>.<size>, e.g. "db.t3.small", "db.r7g.large")`,
  );
}

export function checkCacheNodeType(problems: ProblemSink, field: string, value: string): void {
  problems.check(
    value.startsWith("cache.") && isInstanceType(value.slice(6)),
    field,
    `${quote(value)} is not an ElastiCache node type (cache.<family>.<size>, e.g. "cache.t3.micro", "cache.r7g.large")`,
  );
}

/**
 * Subnets and allowed security groups of a data store. Values that are tokens (ids of resources
 * created in the same stack) are unknown at synth, so only literal ids are checked for form and
 * repetition; a list token as a whole skips the count check.
 */
export function checkPlacement(
  problems: ProblemSink,
  { subnetIds, allowedSecurityGroupIds }: { readonly subnetIds: readonly string[]; readonly allowedSecurityGroupIds: readonly string[] },
  minSubnets: number,
  why: string,
): void {
  if (!Token.isUnresolved(subnetIds)) {
    problems.check(subnetIds.length >= minSubnets, "subnetIds", `lists ${subnetIds.length} subnet(s); ${why}`);
  }
  const literalSubnets = subnetIds.filter((s) => !Token.isUnresolved(s));
  for (const subnet of literalSubnets)
    problems.check(/^subnet-[0-9a-f]{8,17}$/.test(subnet), "subnetIds", `${quote(subnet)} is not a subnet id (e.g. "subnet-0123456789abcdef0")`);
  for (const subnet of new Set(duplicates(literalSubnets))) problems.add("subnetIds", `lists ${quote(subnet)} more than once`);

  if (!Token.isUnresolved(allowedSecurityGroupIds)) {
    problems.check(allowedSecurityGroupIds.length > 0, "allowedSecurityGroupIds", "must list at least one security group (nothing could connect otherwise)");
  }
  const literalGroups = allowedSecurityGroupIds.filter((g) => !Token.isUnresolved(g));
  for (const group of literalGroups)
    problems.check(/^sg-[0-9a-f]{8,17}$/.test(group), "allowedSecurityGroupIds", `${quote(group)} is not a security group id (e.g. "sg-0123456789abcdef0")`);
  for (const group of new Set(duplicates(literalGroups))) problems.add("allowedSecurityGroupIds", `lists ${quote(group)} more than once`);
}

/* ---- Maintenance and backup windows (RDS and ElastiCache share the formats) ---- */

const MINUTES_PER_DAY = 24 * 60;
const MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY;
const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/** A window as minutes from Monday 00:00 UTC; `length` may carry it past the week's end. */
interface Span {
  readonly start: number;
  readonly length: number;
}

/** The settings of one window to check: a daily `hh24:mi-hh24:mi` or a weekly `ddd:hh24:mi-ddd:hh24:mi`. */
/** A window setting: the field it is reported under, and its value. */
export type WindowSetting = readonly [field: string, value: string];

function clock(text: string): number | undefined {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  return match ? Number(match[1]) * 60 + Number(match[2]) : undefined;
}

/** `from-to` as a span on a cycle of `period` minutes, each end read by `point`; undefined when malformed. */
function spanOf(window: string, point: (text: string) => number | undefined, period: number): Span | undefined {
  const [from, to, ...rest] = window.split("-");
  const start = point(from ?? "");
  const end = point(to ?? "");
  if (start === undefined || end === undefined || rest.length > 0) return undefined;
  return { start, length: (end - start + period) % period };
}

function dailySpan(window: string): Span | undefined {
  return spanOf(window, clock, MINUTES_PER_DAY);
}

function weeklyPoint(text: string): number | undefined {
  const day = WEEKDAYS.indexOf(text.slice(0, 3));
  const time = text[3] === ":" ? clock(text.slice(4)) : undefined;
  return day < 0 || time === undefined ? undefined : day * MINUTES_PER_DAY + time;
}

function weeklySpan(window: string): Span | undefined {
  return spanOf(window, weeklyPoint, MINUTES_PER_WEEK);
}

function spansOverlap(a: Span, b: Span): boolean {
  // Shifting by a week either way covers windows that wrap past Sunday midnight.
  return [-MINUTES_PER_WEEK, 0, MINUTES_PER_WEEK].some((shift) => a.start < b.start + shift + b.length && b.start + shift < a.start + a.length);
}

/**
 * A daily backup/snapshot window and a weekly maintenance window, both UTC: well-formed, at
 * least `minMinutes` long (the maintenance window at most 24 hours) and not overlapping, which
 * RDS and ElastiCache both reject at apply time.
 */
export function checkWindows(problems: ProblemSink, minMinutes: number, [dailyField, daily]: WindowSetting, [weeklyField, weekly]: WindowSetting): void {
  const day = dailySpan(daily);
  const dayOk = day !== undefined && day.length >= minMinutes;
  problems.check(dayOk, dailyField, `${quote(daily)} is not allowed (hh24:mi-hh24:mi in UTC, at least ${minMinutes} minutes, e.g. "18:00-19:00")`);
  const week = weeklySpan(weekly);
  const weekOk = week !== undefined && week.length >= minMinutes && week.length <= MINUTES_PER_DAY;
  problems.check(
    weekOk,
    weeklyField,
    `${quote(weekly)} is not allowed (ddd:hh24:mi-ddd:hh24:mi in UTC with ddd one of ${WEEKDAYS.join(", ")}, ${minMinutes} minutes to 24 hours, e.g. "sun:19:00-sun:20:00")`,
  );
  if (dayOk && weekOk) {
    const overlaps = WEEKDAYS.some((_, d) => spansOverlap({ start: d * MINUTES_PER_DAY + day.start, length: day.length }, week));
    problems.check(!overlaps, dailyField, `${quote(daily)} overlaps ${problems.fieldName(weeklyField)} ${quote(weekly)} (they must not overlap)`);
  }
}
