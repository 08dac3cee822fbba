/**
 * Input checks shared by the environment config and the module constructs.
 *
 * Every failure is reported as one line that names where the value came from, the field,
 * the bad value and what is allowed, so `cdktf synth` stops with an actionable message
 * instead of a Terraform error minutes into a plan.
 */
import * as ipaddr from "ipaddr.js";

/** A rejected input. `main.ts` prints `message` alone (no stack trace) and exits non-zero. */
export class ValidationError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(problems.join("\n"));
    this.name = "ValidationError";
    this.problems = problems;
  }
}

/**
 * Collects problems for one subject (an environment, a construct) and throws them together,
 * so a config with three mistakes is fixed in one round trip, not three.
 */
export class Problems {
  private readonly found: string[] = [];

  constructor(private readonly subject: string) {}

  add(field: string, message: string): void {
    this.found.push(`${this.subject}: ${field} ${message}`);
  }

  check(ok: boolean, field: string, message: string): void {
    if (!ok) this.add(field, message);
  }

  throwIfAny(): void {
    if (this.found.length > 0) throw new ValidationError(this.found);
  }
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

/** Pairs of entries in `cidrs` that overlap, as "x and y" strings for error messages. */
export function overlappingPairs(cidrs: readonly string[]): string[] {
  const pairs: string[] = [];
  cidrs.forEach((a, i) => {
    cidrs.slice(i + 1).forEach((b) => {
      if (cidrsOverlap(a, b)) pairs.push(`${a} and ${b}`);
    });
  });
  return pairs;
}

export function duplicates<T>(values: readonly T[]): T[] {
  return values.filter((v, i) => values.indexOf(v) !== i);
}

export function quote(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

/**
 * Checks a VPC CIDR and its subnet lists: each subnet a network CIDR inside the VPC, one per
 * AZ, none overlapping another. Returns whether the VPC CIDR itself is usable.
 */
export function checkNetworkPlan(
  problems: Problems,
  vpcField: string,
  vpcCidr: string,
  subnetLists: ReadonlyArray<readonly [field: string, cidrs: readonly string[]]>,
  azCount: number,
): void {
  const vpcOk = isIpv4NetworkCidr(vpcCidr) && cidrPrefixLength(vpcCidr) >= 16 && cidrPrefixLength(vpcCidr) <= 28;
  problems.check(vpcOk, vpcField, `${quote(vpcCidr)} is not allowed (an IPv4 network CIDR from /16 to /28, e.g. "10.0.0.0/16")`);
  const validSubnets: string[] = [];
  for (const [field, cidrs] of subnetLists) {
    problems.check(cidrs.length === azCount, field, `has ${cidrs.length} entries but azs has ${azCount} (one subnet per availability zone)`);
    for (const cidr of cidrs) {
      if (!isIpv4NetworkCidr(cidr)) {
        problems.add(field, `${quote(cidr)} is not an IPv4 network CIDR (e.g. "10.0.1.0/24")`);
      } else if (vpcOk && !cidrContains(vpcCidr, cidr)) {
        problems.add(field, `${quote(cidr)} is outside the VPC ${quote(vpcCidr)}`);
      } else {
        validSubnets.push(cidr);
      }
    }
  }
  for (const pair of overlappingPairs(validSubnets)) problems.add("subnets", `${pair} overlap`);
}

/** An availability-zone list: at least two distinct zones (EKS and RDS subnet groups need two). */
export function checkAzList(problems: Problems, field: string, azs: readonly string[], exampleRegion: string): void {
  if (azs.length < 2) {
    problems.add(field, `lists ${azs.length} zone(s); EKS and RDS subnet groups need at least 2 (e.g. ["${exampleRegion}a", "${exampleRegion}c"])`);
  }
  for (const az of duplicates(azs)) problems.add(field, `lists ${quote(az)} more than once`);
}

/** Auto-scaling bounds: whole numbers with min ≤ desired ≤ max and max ≥ 1. */
export function checkScaling(problems: Problems, field: string, min: number, desired: number, max: number): void {
  const whole = [min, desired, max].every((n) => Number.isInteger(n) && n >= 0);
  if (!whole) {
    problems.add(field, `must be whole numbers ≥ 0 (got min ${min}, desired ${desired}, max ${max})`);
  } else {
    problems.check(min <= desired && desired <= max && max >= 1, field, `must satisfy min ≤ desired ≤ max and max ≥ 1 (got ${min} ≤ ${desired} ≤ ${max})`);
  }
}

/** EKS versions in standard or extended support on 2026-11 (EKS version calendar). */
export const SUPPORTED_KUBERNETES_VERSIONS: readonly string[] = ["1.32", "1.33", "1.34", "1.35", "1.36"];

export function checkKubernetesVersion(problems: Problems, field: string, version: string): void {
  problems.check(
    SUPPORTED_KUBERNETES_VERSIONS.includes(version),
    field,
    `${quote(version)} is not a supported EKS version (allowed: ${SUPPORTED_KUBERNETES_VERSIONS.join(", ")})`,
  );
}

export function checkNonEmpty(problems: Problems, field: string, values: readonly unknown[], example: string): void {
  problems.check(values.length > 0, field, `must list at least one entry (e.g. ${example})`);
}
