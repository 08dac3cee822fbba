import { spawnSync, SpawnSyncReturns } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const repoRoot = path.resolve(__dirname, "..", "..", "..");
const script = path.join(repoRoot, "scripts", "rollback.sh");

/** Runs rollback.sh with stub kubectl/helm that report `context` and log their arguments. */
function rollback(args: string[], context: string): { result: SpawnSyncReturns<string>; calls: string[] } {
  const bin = fs.mkdtempSync(path.join(os.tmpdir(), "rollback-stubs-"));
  const log = path.join(bin, "calls.log");
  const stub = (name: string, body: string): void => {
    fs.writeFileSync(path.join(bin, name), `#!/usr/bin/env bash\necho "${name} $*" >> "${log}"\n${body}\n`, { mode: 0o755 });
  };
  stub("kubectl", `if [ "$1 $2" = "config current-context" ]; then echo "${context}"; fi\nif [ "$1 $2" = "config view" ]; then echo "${context}"; fi`);
  stub("helm", "true");
  const result = spawnSync("bash", [script, ...args], { env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ""}` }, encoding: "utf8" });
  const calls = fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : [];
  fs.rmSync(bin, { recursive: true, force: true });
  return { result, calls };
}

const prodContext = "arn:aws:eks:ap-northeast-2:111111111111:cluster/mindhit-production";

describe("scripts/rollback.sh", () => {
  it("documents itself with --help", () => {
    const { result } = rollback(["--help"], prodContext);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Usage: .*rollback\.sh \[options\] <env> \[revision\]/);
    expect(result.stdout).toContain("An environment of src/environments, by its name or its long name");
  });

  it("refuses an unknown environment with exit code 2", () => {
    const { result } = rollback(["qa"], prodContext);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("unknown environment 'qa' (allowed: staging prod");
  });

  it("refuses to act when the kube context is another cluster (exit 3), and changes nothing", () => {
    const { result, calls } = rollback(["prod"], "arn:aws:eks:ap-northeast-2:111111111111:cluster/mindhit-staging");
    expect(result.status).toBe(3);
    expect(result.stderr).toContain("aws eks update-kubeconfig --name mindhit-production --region ap-northeast-2");
    expect(calls.filter((c) => c.startsWith("helm"))).toEqual([]);
  });

  it("finds the cluster of an environment by its long name too", () => {
    const { result } = rollback(["--dry-run", "production"], prodContext);
    expect(result.status).toBe(0);
  });

  it("rolls the release back to the given revision and waits for both rollouts", () => {
    const { result, calls } = rollback(["prod", "41"], prodContext);
    expect(result.status).toBe(0);
    expect(calls).toEqual(
      expect.arrayContaining([
        "helm rollback mindhit 41 -n mindhit --wait --timeout 10m",
        "kubectl rollout status deployment/mindhit-api -n mindhit --timeout 10m",
        "kubectl rollout status deployment/mindhit-worker -n mindhit --timeout 10m",
      ]),
    );
  });
});
