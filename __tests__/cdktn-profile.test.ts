/**
 * The list of differences between the two dependency profiles (the cdktf packages and the full
 * cdktn profile, profiles/cdktn/) against the provider bindings this run loaded. scripts/cdktn-profile.sh
 * diff checks the list against both synths; this keeps it honest in the unit suite of either
 * profile: a provider bump without a fixture update fails here, in either profile.
 */
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { HelmProvider } from "@cdktf/provider-helm/lib/provider";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import * as fs from "fs";
import * as path from "path";
import { TerraformProvider, TerraformStack, Testing } from "../src/cdktf";
import { repoRoot } from "../src/paths";

interface Difference {
  readonly path: string;
  readonly before: unknown;
  readonly after: unknown;
  readonly where: string;
  readonly why: string;
}

const fixture = JSON.parse(fs.readFileSync(path.join(repoRoot(), "__tests__", "fixtures", "cdktn-profile-differences.json"), "utf8")) as {
  differences: Difference[];
};
// The side follows the provider bindings, not the core: the core drop-in (profile cdktn-core, stage cdktn)
// runs this suite on cdktn with the @cdktf bindings, the "before" side. Under the full profile the AWS
// package is @cdktn/provider-aws (tsconfig.cdktn.json, profiles/redirects.js).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const bindings = (require("@cdktf/provider-aws/package.json") as { name: string }).name;
const side = bindings === "@cdktn/provider-aws" ? "after" : "before";

function providers(): Record<string, TerraformProvider> {
  const stack = new TerraformStack(Testing.app(), "profile");
  return {
    aws: new AwsProvider(stack, "aws", { region: "eu-central-1" }),
    helm: new HelmProvider(stack, "helm", {}),
    kubernetes: new KubernetesProvider(stack, "kubernetes", {}),
  };
}

describe(`the cdktn profile's list of differences (this run: ${bindings}, the "${side}" side)`, () => {
  it("every entry names a path, both values, where it occurs and why", () => {
    expect(fixture.differences.length).toBeGreaterThan(0);
    for (const d of fixture.differences) {
      expect(d.path).toMatch(/^[a-z_]+(\.[a-z0-9_-]+)+$/);
      expect(d.before).not.toEqual(d.after);
      expect(["all", "apps"]).toContain(d.where);
      expect(d.why.length).toBeGreaterThan(40);
    }
    const keys = fixture.differences.map((d) => `${d.path} ${JSON.stringify(d.before)}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("lists each provider's version and source as the loaded bindings synthesize them", () => {
    for (const [name, provider] of Object.entries(providers())) {
      const block = (provider.toTerraform() as { terraform: { required_providers: Record<string, { version: string; source: string }> } }).terraform
        .required_providers[name];
      for (const attribute of ["version", "source"] as const) {
        const entry = fixture.differences.find((d) => d.path === `terraform.required_providers.${name}.${attribute}`);
        expect({ name, attribute, value: entry?.[side] }).toEqual({ name, attribute, value: block[attribute] });
      }
    }
  });

  it("lists the Helm and Kubernetes versions profiles/cdktn/cdktf.json generates bindings for", () => {
    const config = JSON.parse(fs.readFileSync(path.join(repoRoot(), "profiles", "cdktn", "cdktf.json"), "utf8")) as { terraformProviders: string[] };
    for (const name of ["helm", "kubernetes"]) {
      const entry = fixture.differences.find((d) => d.path === `terraform.required_providers.${name}.version`);
      expect(config.terraformProviders).toContain(`hashicorp/${name}@${String(entry?.after)}`);
    }
  });
});
