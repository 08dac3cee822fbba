import { spawnSync, SpawnSyncReturns } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";

const repoRoot = path.resolve(__dirname, "..", "..", "..");
const script = path.join(repoRoot, "scripts", "notify-deploy.sh");

interface Run {
  readonly result: SpawnSyncReturns<string>;
  /** Each call of the stub `aws`, as its argument list. */
  readonly calls: string[][];
}

/** Runs notify-deploy.sh with a stub `aws` that answers as CI's deploy role and logs its arguments. */
function notify(args: string[], publishFails = false): Run {
  const bin = fs.mkdtempSync(path.join(os.tmpdir(), "notify-stubs-"));
  const log = path.join(bin, "calls.jsonl");
  const body = [
    "#!/usr/bin/env bash",
    `node -e 'console.log(JSON.stringify(process.argv.slice(1)))' -- "$@" >> "${log}"`,
    'if [ "$1 $2" = "sts get-caller-identity" ]; then echo "arn:aws:sts::123456789012:assumed-role/mindhit-ci-production-deploy/gha"; fi',
    `if [ "$1 $2" = "sns publish" ]; then ${publishFails ? 'echo "AccessDenied" >&2; exit 254' : "echo 00000000-0000"}; fi`,
  ].join("\n");
  fs.writeFileSync(path.join(bin, "aws"), body, { mode: 0o755 });
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ""}`, GITHUB_SHA: "abc123", GITHUB_ACTOR: "octocat", GITHUB_RUN_ID: "42" };
  const result = spawnSync("bash", [script, ...args], { env, encoding: "utf8", cwd: repoRoot });
  const calls = fs.existsSync(log)
    ? fs
        .readFileSync(log, "utf8")
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as string[])
    : [];
  fs.rmSync(bin, { recursive: true, force: true });
  return { result, calls };
}

/** The value after `flag` in an argument list. */
const option = (call: readonly string[], flag: string): string => call[call.indexOf(flag) + 1];

describe("scripts/notify-deploy.sh", () => {
  it("publishes a Chatbot custom notification to the environment's alert topic, in its region and the caller's account", () => {
    const { result, calls } = notify(["production", "started", "deploy of mindhit-prod, mindhit-prod-apps"]);
    expect(result.status).toBe(0);
    const publish = calls.find((c) => c[0] === "sns" && c[1] === "publish");
    expect(publish).toBeDefined();
    if (!publish) return;
    expect(option(publish, "--topic-arn")).toBe("arn:aws:sns:ap-northeast-2:123456789012:mindhit-production-alerts");
    expect(option(publish, "--region")).toBe("ap-northeast-2");
    expect(option(publish, "--subject")).toBe("production: deploy of mindhit-prod, mindhit-prod-apps started");
    expect(JSON.parse(option(publish, "--message"))).toEqual({
      version: "1.0",
      source: "custom",
      content: {
        textType: "client-markdown",
        title: "production: deploy of mindhit-prod, mindhit-prod-apps started",
        description: "Commit `abc123` by octocat. Run: https://github.com/local/actions/runs/42",
      },
      metadata: {
        summary: "production: deploy of mindhit-prod, mindhit-prod-apps started",
        eventType: "deploy-started",
        additionalContext: { environment: "production", commit: "abc123", run: "https://github.com/local/actions/runs/42" },
      },
    });
  });

  it.each([
    ["succeeded", "staging: release of api 1.2.3 succeeded"],
    ["failed", "staging: release of api 1.2.3 FAILED"],
    ["rolled-back", "staging: release of api 1.2.3 failed and was ROLLED BACK"],
  ])("says %s in the subject", (event, subject) => {
    const { result, calls } = notify(["staging", event, "release of api 1.2.3"]);
    expect(result.status).toBe(0);
    const publish = calls.find((c) => c[1] === "publish") ?? [];
    expect(option(publish, "--topic-arn")).toBe("arn:aws:sns:ap-northeast-2:123456789012:mindhit-staging-alerts");
    expect(option(publish, "--subject")).toBe(subject);
  });

  it("never fails the deploy it reports on: a refused publish is a warning (exit 0)", () => {
    const { result } = notify(["staging", "failed", "deploy of mindhit-staging"], true);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(
      "::warning::deploy notification not sent: sns publish to arn:aws:sns:ap-northeast-2:123456789012:mindhit-staging-alerts failed",
    );
  });

  it.each<[string, string[], string]>([
    ["an unknown GitHub environment", ["qa", "started", "x"], "no environment in src/environments deploys from GitHub environment qa"],
    ["an unknown event", ["staging", "exploded", "x"], "unknown event exploded (allowed: started, succeeded, failed, rolled-back)"],
    ["missing arguments", ["staging"], "Usage: scripts/notify-deploy.sh"],
  ])("refuses %s with exit code 2 and sends nothing", (_label, args, message) => {
    const { result, calls } = notify(args);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(message);
    expect(calls).toEqual([]);
  });
});

interface Step {
  readonly name?: string;
  readonly uses?: string;
  readonly if?: string;
  readonly run?: string;
}

function jobSteps(workflow: string, job: string): Step[] {
  const doc = YAML.parse(fs.readFileSync(path.join(repoRoot, ".github", "workflows", workflow), "utf8")) as { jobs: Record<string, { steps: Step[] }> };
  return doc.jobs[job].steps;
}

/** The notify-deploy.sh steps of a job: the events each can send, its condition, its position. */
function notifications(steps: Step[]): Array<{ events: string[]; if: string; index: number }> {
  return steps.flatMap((step, index) => {
    if (!step.run?.includes("scripts/notify-deploy.sh")) return [];
    const events = ["started", "succeeded", "failed", "rolled-back"].filter((e) => new RegExp(`(?<![\\w-])${e}(?![\\w-])`).test(step.run ?? ""));
    return [{ events, if: step.if ?? "success()", index }];
  });
}

describe("the deploy and release workflows notify the alert topic", () => {
  it.each([
    ["deploy.yml", "non-production"],
    ["deploy.yml", "production"],
    ["app-release.yml", "release"],
  ])("%s %s: started once credentials exist, then succeeded, failed or rolled back", (workflow, job) => {
    const steps = jobSteps(workflow, job);
    const sent = notifications(steps);
    const credentials = steps.findIndex((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@") ?? false);
    const started = sent.find((n) => n.events.includes("started"));
    expect(started && started.index > credentials && credentials >= 0).toBe(true);
    expect(sent.find((n) => n.events.includes("succeeded"))?.if).toBe("success()");
    expect(sent.filter((n) => n.events.includes("failed")).every((n) => n.if.startsWith("failure()"))).toBe(true);
    expect(sent.filter((n) => n.events.includes("rolled-back")).every((n) => n.if.startsWith("failure()"))).toBe(true);
    expect(sent.flatMap((n) => n.events).sort()).toEqual(expect.arrayContaining(["failed", "rolled-back", "started", "succeeded"]));
  });
});
