/**
 * Helm provider 3.x declares `kubernetes`, `experiments` and `registries` on the provider, and
 * `set`, `set_list`, `set_sensitive`, `set_wo` and `postrender` on `helm_release`, as
 * *attributes* (nested attributes of the plugin framework). The `@cdktf/provider-helm` 12.x
 * bindings render them as HCL *blocks* (`kubernetes { … }`), which Terraform rejects; their JSON
 * is right. These subclasses change only the HCL rendering of those arguments, to
 * `name = { … }` / `name = [ … ]`.
 */
import { HelmProvider } from "@cdktf/provider-helm/lib/provider";
import { Release } from "@cdktf/provider-helm/lib/release";

export const HELM_PROVIDER_NESTED_ATTRIBUTES = ["kubernetes", "experiments", "registries"] as const;
export const HELM_RELEASE_NESTED_ATTRIBUTES = ["set", "set_list", "set_sensitive", "set_wo", "postrender"] as const;

/** Re-describes `names` as plain attributes holding their JSON value, for cdktf's HCL renderer. */
function asAttributes(hcl: Record<string, unknown>, json: Record<string, unknown>, names: readonly string[]): Record<string, unknown> {
  const fixed = { ...hcl };
  for (const name of names) {
    if (json[name] === undefined || json[name] === null) continue;
    fixed[name] = { value: json[name], isBlock: false, type: "any" };
  }
  return fixed;
}

export class HelmProviderV3 extends HelmProvider {
  protected synthesizeHclAttributes(): Record<string, unknown> {
    return asAttributes(super.synthesizeHclAttributes(), this.synthesizeAttributes(), HELM_PROVIDER_NESTED_ATTRIBUTES);
  }
}

export class ReleaseV3 extends Release {
  protected synthesizeHclAttributes(): Record<string, unknown> {
    return asAttributes(super.synthesizeHclAttributes(), this.synthesizeAttributes(), HELM_RELEASE_NESTED_ATTRIBUTES);
  }
}
