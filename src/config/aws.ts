/**
 * AWS regions and their Availability Zone names, for synth-time checks of `region` and `azs`.
 * The data is generated from a maintained source (scripts/aws_zones.py: moto's EC2 zone model,
 * regions from botocore), never typed by hand; the chart stage re-checks it against the pinned tools.
 */
import data from "./aws-zones.json";

const ZONES: Readonly<Record<string, readonly string[]>> = data.zones;

export const AWS_REGIONS: readonly string[] = Object.keys(ZONES).sort();

export function isAwsRegion(region: string): boolean {
  return Object.prototype.hasOwnProperty.call(ZONES, region);
}

/** Zone names of `region` an account can see, e.g. ap-northeast-2a … ap-northeast-2d. */
export function availabilityZonesOf(region: string): string[] {
  return (ZONES[region] ?? []).map((letter) => `${region}${letter}`);
}

export function isAvailabilityZoneOf(az: string, region: string): boolean {
  return availabilityZonesOf(region).includes(az);
}
