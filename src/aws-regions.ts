/**
 * AWS commercial regions, for synth-time validation of `region` and `azs`.
 *
 * Written by hand: no package the ecosystem trusts ships this list offline (the AWS SDK
 * resolves regions at runtime). Source: the AWS Regions and Zones page, as of 2025.
 * Availability Zone letters are mapped per account, so a zone is accepted when it is its
 * region's name plus one of the letters AWS uses (a–f); `aws ec2 describe-availability-zones`
 * in the target account is the final word.
 */
export const AWS_REGIONS: readonly string[] = [
  "af-south-1",
  "ap-east-1",
  "ap-east-2",
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-northeast-3",
  "ap-south-1",
  "ap-south-2",
  "ap-southeast-1",
  "ap-southeast-2",
  "ap-southeast-3",
  "ap-southeast-4",
  "ap-southeast-5",
  "ap-southeast-7",
  "ca-central-1",
  "ca-west-1",
  "eu-central-1",
  "eu-central-2",
  "eu-north-1",
  "eu-south-1",
  "eu-south-2",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "il-central-1",
  "me-central-1",
  "me-south-1",
  "mx-central-1",
  "sa-east-1",
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
];

const AZ_LETTERS = "abcdef";

export function isAwsRegion(region: string): boolean {
  return AWS_REGIONS.includes(region);
}

/** Zone names AWS could give `region`, e.g. ap-northeast-2a … ap-northeast-2f. */
export function availabilityZonesOf(region: string): string[] {
  return [...AZ_LETTERS].map((letter) => `${region}${letter}`);
}

export function isAvailabilityZoneOf(az: string, region: string): boolean {
  return availabilityZonesOf(region).includes(az);
}
