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
