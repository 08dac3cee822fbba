import { Wafv2WebAcl } from "@cdktf/provider-aws/lib/wafv2-web-acl";
import { Release } from "@cdktf/provider-helm/lib/release";
import { parse } from "@cdktf/hcl2json";
import { TerraformStack, Testing } from "../src/cdktf";
import { renderEphemeralBlocks, renderStackHcl, StackJson } from "../src/hcl";
import { HELM_PROVIDER_NESTED_ATTRIBUTES, HELM_RELEASE_NESTED_ATTRIBUTES } from "../src/bindings/helm-provider-v3";
import { buildProject, CLOUD_RUN } from "./helpers/synth";
import { Template, TerraformClass } from "./helpers/template";

const stacks = buildProject();
// HCP Terraform mode changes the backend, the in-cluster providers' authentication (an ephemeral
// block, which cdktf's renderer drops and src/hcl.ts writes) and the bootstrap stack's roles.
const cloud = buildProject(CLOUD_RUN);
const label = (prefix: string, list: TerraformStack[]): Array<readonly [string, TerraformStack]> => list.map((s) => [`${prefix}${s.node.id}`, s] as const);
const allStacks = [
  ...label("", [...stacks.bootstraps.values(), ...stacks.platforms.values(), ...stacks.apps.values()]),
  ...label("HCP Terraform mode: ", [...cloud.bootstraps.values(), ...cloud.platforms.values(), ...cloud.apps.values()]),
];

/** The HCL `npm run synth:hcl` writes for a stack: cdktf's rendering, repaired and formatted (src/hcl.ts). */
async function hclOf(stack: TerraformStack): Promise<string> {
  return renderStackHcl(Testing.synthHcl(stack) as string, stack.toTerraform() as StackJson);
}

/**
 * Both syntaxes reduced to one shape: metadata ("//") dropped, and a one-element list of objects
 * read as that object (HCL blocks parse to lists; JSON writes single nested blocks as objects).
 * Block-versus-attribute is checked separately below, against the provider schema.
 */
function normalize(value: unknown, key = ""): unknown {
  if (Array.isArray(value)) {
    const items = value.map((item) => normalize(item));
    return items.length === 1 && isObject(items[0]) ? items[0] : items;
  }
  if (isObject(value)) {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([name]) => name !== "//")
        .map(([name, inner]) => [name, REFERENCE_LISTS.includes(name) && Array.isArray(inner) ? inner.map(unwrapReference) : normalize(inner, name)]),
    );
  }
  // A variable's `type` and a resource's `provider` are references in both syntaxes: bare in HCL
  // (parsed as `${x}`), plain strings in JSON.
  if ((key === "type" || key === "provider") && typeof value === "string") return value.replace(/^\$\{(.*)\}$/, "$1");
  return value;
}

/** Lists of references: bare traversals in HCL (parsed as `${x}`), plain strings in JSON. */
const REFERENCE_LISTS = ["depends_on", "ignore_changes"];

function unwrapReference(item: unknown): unknown {
  return typeof item === "string" ? item.replace(/^\$\{(.*)\}$/, "$1") : item;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** How HCL opens a top-level resource block of the class: `resource "<type>"`. */
const resourceHeader = (type: TerraformClass): string => `resource "${type.tfResourceType}"`;
const RELEASE_HEADER = new RegExp(`^${resourceHeader(Release)}`);

/** `name {` block openings inside the top-level blocks whose header matches `header`. */
function blocksNamed(hcl: string, header: RegExp, names: readonly string[]): string[] {
  const found: string[] = [];
  let inside = false;
  for (const line of hcl.split("\n")) {
    if (/^\S/.test(line)) inside = header.test(line);
    const opening = /^\s+([a-z_]+)\s*\{\s*$/.exec(line);
    if (inside && opening && names.includes(opening[1])) found.push(line.trim());
  }
  return found;
}

describe.each(allStacks)("HCL of %s", (_id, stack) => {
  let hcl = "";
  beforeAll(async () => {
    hcl = await hclOf(stack);
  });

  it("parses, and says exactly what the JSON synth says", async () => {
    const parsed = await parse("cdk.tf", hcl);
    expect(normalize(parsed)).toEqual(normalize(Template.fromStack(stack).json));
  });

  it("keeps the terraform settings cdktf's renderer garbles (required_version)", () => {
    const version = Template.fromStack(stack).json.terraform.required_version;
    expect(version).toMatch(/^>= 1\.\d+$/);
    expect(hcl).toMatch(new RegExp(`^\\s*required_version = "${version}"$`, "m"));
    expect(hcl).not.toMatch(/^\s*\d+ = "/m);
  });

  it("writes references in depends_on and ignore_changes unquoted (quoted ones are deprecated)", () => {
    expect(hcl).not.toMatch(/^\s*(depends_on|ignore_changes) = \[\n\s*"/m);
  });

  it("writes WAF rule statements as blocks, as the provider schema declares them", () => {
    expect(hcl).not.toMatch(/^\s*statement = \{/m);
    if (hcl.includes(resourceHeader(Wafv2WebAcl))) expect(hcl).toMatch(/^ {4}statement \{\n {6}rate_based_statement \{$/m);
  });

  it("writes Helm provider 3.x nested attributes as attributes, never as blocks", () => {
    const nested = ["exec", ...HELM_PROVIDER_NESTED_ATTRIBUTES];
    expect(blocksNamed(hcl, /^provider "helm"/, nested)).toEqual([]);
    expect(blocksNamed(hcl, RELEASE_HEADER, HELM_RELEASE_NESTED_ATTRIBUTES)).toEqual([]);
  });
});

describe("the block check itself", () => {
  it('catches the bindings\' unpatched rendering (`kubernetes {` in provider "helm")', () => {
    const broken = 'provider "helm" {\n  kubernetes {\n    host = "x"\n    exec {\n      command = "aws"\n    }\n  }\n}\n';
    expect(blocksNamed(broken, /^provider "helm"/, ["exec", ...HELM_PROVIDER_NESTED_ATTRIBUTES])).toEqual(["kubernetes {", "exec {"]);
    const release = `${resourceHeader(Release)} "x" {\n  set {\n    name = "a"\n  }\n}\n`;
    expect(blocksNamed(release, RELEASE_HEADER, HELM_RELEASE_NESTED_ATTRIBUTES)).toEqual(["set {"]);
  });

  it("the ephemeral token block is written into the HCL, and the providers read it", async () => {
    const hcl = await hclOf(cloud.apps.get("prod")!);
    expect(hcl).toMatch(/^ephemeral "aws_eks_cluster_auth" "cluster-auth" \{\n {2}name = "mindhit-production"\n\}$/m);
    expect(hcl).toMatch(/^ {2}token += ephemeral\.aws_eks_cluster_auth\.cluster-auth\.token$/m);
    expect(hcl).not.toMatch(/exec/);
  });

  it("an ephemeral block the core renderer already wrote is not written again (cdktn renders them; cdktf drops them)", () => {
    const rendered = 'ephemeral "aws_eks_cluster_auth" "a" {\n  name = "x"\n}\n';
    const ephemeral = { aws_eks_cluster_auth: { a: { name: "x" }, b: { name: "y" } } };
    expect(renderEphemeralBlocks(ephemeral, rendered)).toBe('\n\nephemeral "aws_eks_cluster_auth" "b" {\n  name = "y"\n}\n');
    expect(renderEphemeralBlocks(ephemeral)).toContain('ephemeral "aws_eks_cluster_auth" "a" {');
  });

  it("the in-cluster stacks do render the Helm provider's kubernetes as an object", async () => {
    const hcl = await hclOf(stacks.apps.get("prod")!);
    expect(hcl).toMatch(/^provider "helm" \{\n {2}kubernetes = \{$/m);
    expect(hcl).toMatch(/^ {4}exec = \{$/m);
  });

  it("without the project's subclass, the bindings would have rendered blocks (the defect this guards)", async () => {
    const { HelmProvider } = await import("@cdktf/provider-helm/lib/provider");
    const app = Testing.app();
    const stack = new TerraformStack(app, "unpatched");
    new HelmProvider(stack, "helm", { kubernetes: { host: "https://example", exec: { apiVersion: "v1", command: "aws" } } });
    const hcl = await renderStackHcl(Testing.synthHcl(stack) as string, { terraform: {} });
    expect(blocksNamed(hcl, /^provider "helm"/, ["exec", ...HELM_PROVIDER_NESTED_ATTRIBUTES])).toEqual(["kubernetes {", "exec {"]);
  });
});

describe("ephemeral blocks", () => {
  it("are written once: by the repair when the renderer drops them (cdktf 0.21), else as rendered (cdktn 0.24)", async () => {
    const ephemeral = { aws_eks_cluster_auth: { "cluster-auth": { name: "mindhit-production" } } };
    const byRenderer = 'ephemeral "aws_eks_cluster_auth" "cluster-auth" {\n  name = "mindhit-production"\n}\n';
    for (const rendered of ["", byRenderer]) {
      const hcl = await renderStackHcl(rendered, { terraform: {}, ephemeral });
      expect(hcl.match(/^ephemeral "aws_eks_cluster_auth" "cluster-auth" \{$/gm)).toHaveLength(1);
    }
  });
});
