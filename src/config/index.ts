/**
 * Configuration: types (types.ts), identities derived from an environment's name (identity.ts),
 * runtime type specs (schema.ts, shape.ts), validation (validate.ts), and `variantOf` for writing
 * one environment as another plus its differences.
 */
export * from "./types";
export {
  auditNames,
  type AuditNames,
  BASELINE_STATE_KEY,
  baselineStackName,
  BOOTSTRAP_STATE_KEY,
  bootstrapStackName,
  boundaryPolicyNames,
  type BoundaryPolicyNames,
  hcpTerraformProject,
  resolveIdentity,
  isBucketName,
  stateKeyAlias,
} from "./identity";
export { ACCOUNT_ID, AccountIdentity, accountsOf } from "./accounts";
export { ModuleChecks, Readable, validateConfiguration } from "./validate";
export { DeepPartial, EnvironmentChanges, variantOf } from "./variant";
export { AWS_REGIONS, availabilityZonesOf, isAwsRegion } from "./aws";

/** Docker's tag grammar. */
export const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
