/**
 * Repairs for cdktf 0.21's HCL renderer (`cdktf synth --hcl`, `SYNTH_HCL_OUTPUT=true`).
 *
 * The renderer writes any `terraform {}` setting other than required_providers/backend/cloud
 * (here: `required_version`, set by override) as `0 = "required_version"`: its index and name
 * instead of its name and value. The repair puts the name and value back.
 *
 * It also writes a multi-line string as a heredoc of its lines plus a newline, so a string that
 * ends in a newline gains a second one. The project's multi-line strings (Helm values) all end in
 * a newline, and the repair drops the extra empty line before the closing marker. In a list it
 * writes the separating comma on the marker's line (`EOF,`), which ends no heredoc; the repair
 * moves the comma to the next line.
 *
 * It quotes `depends_on` and `ignore_changes` entries (`"aws_vpc.x"`) and a resource's
 * `provider` (`"aws.edge"`), which Terraform accepts only with a deprecation warning; the repair
 * writes them as the references they are.
 *
 * It drops top-level blocks it does not know: `ephemeral` (src/bindings/ephemeral-eks-cluster-auth.ts).
 * The repair writes them from the JSON synth, each only if the renderer did not: cdktn's (the cdktn
 * profile, profiles/cdktn/) renders `ephemeral` blocks itself, and a second copy is a duplicate.
 *
 * Finally it writes references as quoted single interpolations (`"${aws_vpc.x.id}"`), which
 * `terraform fmt` rewrites to bare expressions; the repair does the same, outside heredocs, so
 * the output is what `terraform fmt -check` accepts.
 *
 * The HCL tests parse every stack's HCL and compare it with the JSON synth, so any other
 * renderer defect fails them.
 */
import { format } from "@cdktf/hcl-tools";
import * as fs from "fs";
import * as path from "path";
import { Construct } from "constructs";
import { TerraformStack } from "./cdktf";

export function repairHcl(hcl: string, terraformBlock: Record<string, unknown>): string {
  const settings = Object.keys(terraformBlock).filter((k) => !["required_providers", "backend", "cloud"].includes(k));
  return hcl
    .replace(/^\s*(\d+) = "([a-z_]+)"$/gm, (line, index: string, name: string) => {
      if (settings[Number(index)] !== name) return line;
      return `  ${name} = ${JSON.stringify(terraformBlock[name])}`;
    })
    .replace(/^EOF,$/gm, "EOF\n,")
    .replace(/\n\nEOF$/gm, "\nEOF")
    .split("\n")
    .map(unwrapOutsideHeredocs())
    .join("\n");
}

/** A line mapper that turns `"${expr}"` into `expr` where the string is nothing but that interpolation. */
function unwrapOutsideHeredocs(): (line: string) => string {
  let heredocEnd: string | undefined;
  let inDependsOn = false;
  return (line) => {
    if (heredocEnd !== undefined) {
      if (line.trim() === heredocEnd) heredocEnd = undefined;
      return line;
    }
    if (/^\s*(depends_on|ignore_changes)\s*=\s*\[$/.test(line)) {
      inDependsOn = true;
      return line;
    }
    if (inDependsOn) {
      if (/^\s*\]/.test(line)) inDependsOn = false;
      return line.replace(/^(\s*)"([A-Za-z0-9_.[\]-]+)"(,?)$/, "$1$2$3");
    }
    const provider = /^(\s*provider\s*=\s*)"([a-z0-9_-]+\.[A-Za-z0-9_-]+)"$/.exec(line);
    if (provider) return `${provider[1]}${provider[2]}`;
    const opening = /<<-?([A-Za-z_]+)$/.exec(line);
    if (opening) {
      heredocEnd = opening[1];
      return line;
    }
    // Attribute names, and quoted map keys (`"mindhit/api" = "${…}"`).
    const quoted = /^(\s*(?:(?:[A-Za-z0-9_-]+|"[^"\\]*")\s*=\s*)?)"(.*)"(,?)$/.exec(line);
    const expression = quoted ? soleInterpolation(quoted[2]) : undefined;
    return quoted && expression !== undefined ? `${quoted[1]}${expression}${quoted[3]}` : line;
  };
}

/** `expr` when `text` is exactly `${expr}` (braces and quoted strings inside balanced), else undefined. */
function soleInterpolation(text: string): string | undefined {
  if (!text.startsWith("${") || !text.endsWith("}")) return undefined;
  let depth = 0;
  let inString = false;
  for (let i = 1; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{") depth++;
    else if (c === "}" && --depth === 0) return i === text.length - 1 ? text.slice(2, -1) : undefined;
  }
  return undefined;
}

/** What the repairs read from a stack's JSON synth. */
export interface StackJson {
  readonly terraform: Record<string, unknown>;
  readonly ephemeral?: Record<string, Record<string, Record<string, unknown>>>;
}

/**
 * `ephemeral "<type>" "<name>" { … }` for each ephemeral block not already in `rendered` (the core
 * renderer's HCL); attributes must be scalars.
 */
export function renderEphemeralBlocks(ephemeral: StackJson["ephemeral"], rendered = ""): string {
  const blocks: string[] = [];
  for (const [type, byName] of Object.entries(ephemeral ?? {})) {
    for (const [name, attributes] of Object.entries(byName)) {
      if (new RegExp(`^ephemeral "${type}" "${name}" \\{`, "m").test(rendered)) continue;
      const lines = Object.entries(attributes).map(([key, value]) => {
        if (value !== null && typeof value === "object") throw new Error(`ephemeral.${type}.${name}.${key}: only scalar attributes are rendered to HCL`);
        return `  ${key} = ${JSON.stringify(value)}`;
      });
      blocks.push([`ephemeral "${type}" "${name}" {`, ...lines, "}"].join("\n"));
    }
  }
  return blocks.map((b) => `\n\n${b}\n`).join("");
}

/** The repaired HCL of one stack, formatted canonically (hclwrite, as `terraform fmt`). */
export async function renderStackHcl(renderedByCdktf: string, stack: StackJson): Promise<string> {
  return format(repairHcl(renderedByCdktf + renderEphemeralBlocks(stack.ephemeral, renderedByCdktf), stack.terraform));
}

/**
 * Applies `repairHcl` to every stack's `cdk.tf` an HCL synth of `app` wrote under `outdir`, then
 * formats it canonically (hclwrite, as `terraform fmt` does) so `terraform fmt -check` holds.
 */
export async function repairHclOutput(app: Construct, outdir: string): Promise<void> {
  for (const stack of app.node.children) {
    if (!(stack instanceof TerraformStack)) continue;
    const file = path.join(outdir, "stacks", stack.node.id, "cdk.tf");
    if (!fs.existsSync(file)) continue;
    fs.writeFileSync(file, await renderStackHcl(fs.readFileSync(file, "utf8"), stack.toTerraform() as StackJson));
  }
}
