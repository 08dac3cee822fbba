/**
 * MINDHIT_PROFILE selects the dependency profile every script runs the compiled code on (scripts/lib.sh,
 * scripts/synth.sh; docs/cdktn.md, "Full cdktn profile"). A value that is neither profile stops a run at once,
 * with one line, before anything is compiled or synthesized.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const repoRoot = path.resolve(__dirname, "..", "..", "..");

function bash(script: string, profile: string | undefined, extraEnv: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const env: Record<string, string | undefined> = { ...process.env, ...extraEnv, MINDHIT_PROFILE: profile };
  if (profile === undefined) delete env.MINDHIT_PROFILE;
  return spawnSync("bash", ["-c", script], { cwd: repoRoot, env, encoding: "utf8" });
}

describe("MINDHIT_PROFILE", () => {
  it.each([
    [undefined, "dist", "node"],
    ["cdktf", "dist", "node"],
    // The full profile's prefix is always its .cache/cdktn-full link: a core prefix another script exported never leaks in.
    ["cdktn", "dist-cdktn", `env -u MINDHIT_CDKTN_PREFIX MINDHIT_CDKTN_PROFILE=cdktn node -r ${path.join(repoRoot, "profiles", "preload.js")}`],
  ])("%s runs the code from %s with `%s`", (profile, dist, node) => {
    const result = bash('source scripts/lib.sh && echo "$MINDHIT_PROFILE|$APP_DIST|${APP_NODE[*]}"', profile);
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe(`${profile ?? "cdktf"}|${dist}|${node}\n`);
  });

  it.each(["bogus", "CDKTN", "cdktn-core"])("refuses %s in every script, in one line", (profile) => {
    const result = bash("source scripts/lib.sh && echo ran", profile);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(`error: MINDHIT_PROFILE=${profile}: expected cdktf (package.json) or cdktn (profiles/cdktn/)\n`);
  });

  it("refuses it at synth too, and leaves no output that looks current", () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "profile-synth-"));
    fs.mkdirSync(path.join(outdir, "stacks", "mindhit-prod"), { recursive: true });
    fs.writeFileSync(path.join(outdir, "manifest.json"), "{}");
    fs.writeFileSync(path.join(outdir, "stacks", "mindhit-prod", "cdk.tf.json"), "{}");
    const result = bash("bash scripts/synth.sh", "bogus", { CDKTF_OUTDIR: outdir });
    const left = fs.existsSync(path.join(outdir, "manifest.json")) || fs.existsSync(path.join(outdir, "stacks", "mindhit-prod", "cdk.tf.json"));
    fs.rmSync(outdir, { recursive: true, force: true });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      `cdktf synth: MINDHIT_PROFILE=bogus: expected cdktf (package.json) or cdktn (profiles/cdktn/); removed the generated files in ${outdir}\n`,
    );
    expect(left).toBe(false);
  });
});
