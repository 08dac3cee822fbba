import type { TerraformProvider } from "../../cdktf";

/**
 * Where resources go when not through the stack's default AWS provider: another provider (an alias
 * in another region) and that region, which region-scoped ARNs and service principals name.
 * CloudFront's certificate and web ACL must be in us-east-1, whatever the stack's region.
 */
export interface ProviderPlacement {
  readonly provider: TerraformProvider;
  readonly region: string;
}
