/**
 * Keeps cdktf.out/ honest. After a successful synth every stack directory holds exactly one
 * Terraform file in the format just written (a stale `cdk.tf.json` beside a new `cdk.tf` would make
 * Terraform load both and fail on duplicate declarations), and directories of stacks that no
 * longer exist are removed. After a failed synth the generated files are removed, so nothing in
 * cdktf.out/ looks current; what Terraform keeps there (`.terraform/`, lock files) stays.
 */
import * as fs from "fs";
import * as path from "path";

export type SynthFormat = "json" | "hcl";

const GENERATED_FILES: Readonly<Record<SynthFormat, string>> = { json: "cdk.tf.json", hcl: "cdk.tf" };

export interface WrittenStack {
  readonly name: string;
  readonly stateLocation: string;
}

function stackDirs(outdir: string): string[] {
  const root = path.join(outdir, "stacks");
  return fs.existsSync(root) ? fs.readdirSync(root).filter((d) => fs.statSync(path.join(root, d)).isDirectory()) : [];
}

/** Removes stale stacks and the other format's files; returns one summary line per stack written. */
export function finishOutput(outdir: string, format: SynthFormat, stacks: readonly WrittenStack[]): string[] {
  const current = new Set(stacks.map((s) => s.name));
  const other = GENERATED_FILES[format === "json" ? "hcl" : "json"];
  const removed: string[] = [];
  for (const dir of stackDirs(outdir)) {
    const full = path.join(outdir, "stacks", dir);
    if (!current.has(dir)) {
      fs.rmSync(full, { recursive: true, force: true });
      removed.push(dir);
    } else {
      fs.rmSync(path.join(full, other), { force: true });
    }
  }
  const width = Math.max(...stacks.map((s) => s.name.length));
  const lines = stacks.map((s) => `${s.name.padEnd(width)}  ${path.join(outdir, "stacks", s.name, GENERATED_FILES[format])}  state: ${s.stateLocation}`);
  for (const dir of removed) lines.push(`removed ${path.join(outdir, "stacks", dir)} (no such stack any more)`);
  return lines;
}

/** After a failed synth: no generated file may remain that Terraform or a reader could take for current output. */
export function invalidateOutput(outdir: string): void {
  fs.rmSync(path.join(outdir, "manifest.json"), { force: true });
  for (const dir of stackDirs(outdir)) {
    for (const file of Object.values(GENERATED_FILES)) fs.rmSync(path.join(outdir, "stacks", dir, file), { force: true });
  }
}
