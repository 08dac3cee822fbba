import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { EksCluster } from "@cdktf/provider-aws/lib/eks-cluster";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { Release } from "@cdktf/provider-helm/lib/release";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { cdktfJsonContext, resolveRunOptions } from "../src/app";
import { environments } from "../src/environments";
import { finishOutput, invalidateOutput } from "../src/synth-output";
import { dev } from "../src/environments/examples/dev";
import { identityDerivedFrom } from "./helpers/identity";
import { bootstrapOf, buildProject, S3_RUN } from "./helpers/synth";
import { Template } from "./helpers/template";

const noContext = (): undefined => undefined;
// This compiled tree's main.js: dist/main.js, or dist-cdktn/main.js under the full cdktn profile (profiles/redirects.js).
const compiledMain = path.join(__dirname, "..", "main.js");
const repoRoot = path.resolve(__dirname, "..", "..");

describe("run options", () => {
  it("default to the S3 backend and a local bootstrap state", () => {
    expect(resolveRunOptions({}, noContext)).toEqual(S3_RUN);
  });

  it("select HCP Terraform from environment variables", () => {
    expect(resolveRunOptions({ MINDHIT_STATE_BACKEND: "cloud", TF_CLOUD_ORGANIZATION: "mindhit" }, noContext)).toEqual({
      backend: { kind: "cloud", organization: "mindhit", hostname: "app.terraform.io" },
      bootstrapState: "local",
      clusterAuth: "token",
    });
  });

  it("select HCP Terraform from cdktf context, environment variables winning", () => {
    const context = (key: string): unknown => ({ stateBackend: "cloud", tfCloudOrganization: "from-context", tfCloudHostname: "tfe.example.com" })[key];
    expect(resolveRunOptions({}, context).backend).toEqual({ kind: "cloud", organization: "from-context", hostname: "tfe.example.com" });
    expect(resolveRunOptions({ TF_CLOUD_ORGANIZATION: "from-env" }, context).backend).toMatchObject({ organization: "from-env" });
  });
});

describe("cdktf.json context", () => {
  it("is read by `npm run synth` too, so stateBackend set there is not silently ignored", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cdktf-json-"));
    fs.writeFileSync(path.join(dir, "cdktf.json"), JSON.stringify({ context: { stateBackend: "cloud", tfCloudOrganization: "mindhit" } }));
    const context = cdktfJsonContext(dir, {});
    expect(resolveRunOptions({}, (key) => context[key]).backend).toEqual({ kind: "cloud", organization: "mindhit", hostname: "app.terraform.io" });
    // Under the cdktf CLI the context arrives in CDKTF_CONTEXT_JSON instead.
    expect(cdktfJsonContext(dir, { CDKTF_CONTEXT_JSON: "{}" })).toEqual({});
  });
});

describe("the app", () => {
  it("creates a bootstrap stack per account and a platform and an in-cluster stack per environment, in list order", () => {
    const stacks = buildProject();
    const accounts = [...new Set(environments.map((e) => e.account))];
    expect([...stacks.bootstraps.values()].map((s) => s.node.id)).toEqual(accounts.map((a) => `mindhit-state-bootstrap-${a}`));
    expect([...stacks.baselines.values()].map((s) => s.node.id)).toEqual(accounts.map((a) => `mindhit-account-baseline-${a}`));
    expect([...stacks.platforms.values()].map((s) => s.node.id)).toEqual(environments.map((e) => `mindhit-${e.name}`));
    expect([...stacks.apps.values()].map((s) => s.node.id)).toEqual(environments.map((e) => `mindhit-${e.name}-apps`));
  });

  it("`node dist/main.js` stops on bad input with one clear line and no stack trace", () => {
    const result = spawnSync(process.execPath, [compiledMain], {
      cwd: repoRoot,
      env: { ...process.env, MINDHIT_STATE_BACKEND: "gcs", CDKTF_OUTDIR: path.join(repoRoot, "dist", "bad-input.out") },
      encoding: "utf8",
    });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(
      'cdktf synth: invalid configuration:\n  - run options: MINDHIT_STATE_BACKEND "gcs" is not allowed (allowed: "s3", "cloud")',
    );
    expect(result.stderr).not.toMatch(/\bat .*\.js:\d+/);
  });
});

describe("adding an environment the README's way", () => {
  const readme = fs.readFileSync(path.join(repoRoot, "README.md"), "utf8");
  const example = fs.readFileSync(path.join(repoRoot, "src", "environments", "examples", "dev.ts"), "utf8");

  it("the README prints the example's file exactly (imports as seen from src/environments/)", () => {
    const asInReadme = example.replace('from "../../config"', 'from "../config"').replace('from "../staging"', 'from "./staging"');
    expect(readme).toContain(`\`\`\`ts\n${asInReadme}\`\`\``);
    expect(readme).toContain("export const environments: readonly EnvironmentConfig[] = [staging, prod, dev];");
  });

  // The shipped list plus the README's file (replacing a shipped "dev", should one exist).
  const stacks = buildProject(S3_RUN, [...environments.filter((e) => e.name !== dev.name), dev]);
  const env = stacks.environments.find((e) => e.identity.name === "dev")!;
  const platform = Template.fromStack(stacks.platforms.get("dev")!);
  const apps = Template.fromStack(stacks.apps.get("dev")!);

  it("gets identities of its own, derived from its name", () => {
    // No overrides and no values file: every name follows from "dev".
    expect(env.identity).toEqual(identityDerivedFrom("dev", env.identity.account));
    expect(env.identity).toMatchObject({ resourceName: "mindhit-dev", host: "api.dev.mindhit.io", ciRoleNames: { deploy: "mindhit-ci-dev-deploy" } });
  });

  it("shares no identity with any other environment", () => {
    const all = stacks.environments.map((e) => e.identity);
    for (const pick of [
      (i: (typeof all)[number]): string[] => [i.stackNames.platform, i.stackNames.apps],
      (i: (typeof all)[number]): string[] => [i.stateKeys.platform, i.stateKeys.apps],
      (i: (typeof all)[number]): string[] => [i.resourceName, i.host, i.githubEnvironment, i.alertTopicName, i.appSecretName],
      (i: (typeof all)[number]): string[] => Object.values(i.repositoryNames),
    ]) {
      const values = all.flatMap(pick);
      expect(values.filter((v, i) => values.indexOf(v) !== i)).toEqual([]);
    }
  });

  it("lives in staging's account beside it (non-production environments may share one), with its own state keys there", () => {
    expect(env.identity.account).toBe(stacks.environments.find((e) => e.identity.name === "staging")!.identity.account);
    expect(bootstrapOf(stacks, "dev")).toBe(bootstrapOf(stacks, "staging"));
    expect(platform.json.terraform.backend?.s3).toMatchObject({ bucket: "mindhit-terraform-state-444455556666", key: "dev/terraform.tfstate" });
    expect(platform.providers(AwsProvider)).toEqual([expect.objectContaining({ allowed_account_ids: ["444455556666"] })]);
  });

  it("builds in its own region and zones, everywhere", () => {
    expect(platform.providers(AwsProvider)).toEqual([expect.objectContaining({ region: "us-east-1" })]);
    expect(apps.providers(AwsProvider)).toEqual([expect.objectContaining({ region: "us-east-1" })]);
    expect(
      platform
        .resources(Subnet)
        .map((s) => s.availability_zone)
        .sort(),
    ).toEqual(["us-east-1a", "us-east-1a", "us-east-1b", "us-east-1b"]);
    expect(platform.only(Vpc).cidr_block).toBe("10.20.0.0/16");
    expect(platform.only(EksCluster).name).toBe("mindhit-dev");
    expect(platform.resources(EcrRepository).map((r) => r.name)).toEqual(["mindhit-dev/api", "mindhit-dev/worker"]);
    expect(JSON.stringify(apps.providers(KubernetesProvider))).toContain('"--region","us-east-1"');
  });

  it("needs no values file: the release runs on the chart's defaults plus what config derives", () => {
    const values = apps.resourcesById(Release).mindhit.values as string[];
    expect(values).toHaveLength(1);
    expect(JSON.parse(values[0])).toMatchObject({ global: { environment: "dev" }, ingress: { enabled: true, host: "api.dev.mindhit.io" } });
  });

  it("can deploy from its own GitHub environment", () => {
    const trust = Template.fromStack(bootstrapOf(stacks, "dev")).trustFor(env.identity.ciRoleNames.deploy);
    expect(trust.flatMap((s) => s.condition ?? []).flatMap((c) => c.values)).toContain("repo:mindhit/mindhit-infra:environment:dev");
  });
});

describe("synth output", () => {
  const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), "synth-out-"));
  const touch = (file: string): void => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, "{}");
  };

  it("keeps exactly one format per stack, removes stacks that no longer exist, and says what it wrote", () => {
    const out = tmp();
    touch(path.join(out, "stacks", "mindhit-prod", "cdk.tf.json"));
    touch(path.join(out, "stacks", "mindhit-prod", "cdk.tf"));
    touch(path.join(out, "stacks", "mindhit-prod", ".terraform", "providers.json"));
    touch(path.join(out, "stacks", "mindhit-qa", "cdk.tf.json"));
    const lines = finishOutput(out, "hcl", [{ name: "mindhit-prod", stateLocation: "s3://bucket/production/terraform.tfstate" }]);
    expect(fs.readdirSync(path.join(out, "stacks"))).toEqual(["mindhit-prod"]);
    expect(fs.readdirSync(path.join(out, "stacks", "mindhit-prod")).sort()).toEqual([".terraform", "cdk.tf"]);
    expect(lines).toEqual([
      `mindhit-prod  ${path.join(out, "stacks", "mindhit-prod", "cdk.tf")}  state: s3://bucket/production/terraform.tfstate`,
      `removed ${path.join(out, "stacks", "mindhit-qa")} (no such stack any more)`,
    ]);
  });

  it("after a failed synth leaves no generated file, only what Terraform keeps", () => {
    const out = tmp();
    touch(path.join(out, "manifest.json"));
    touch(path.join(out, "stacks", "mindhit-prod", "cdk.tf.json"));
    touch(path.join(out, "stacks", "mindhit-prod", ".terraform", "providers.json"));
    invalidateOutput(out);
    expect(fs.existsSync(path.join(out, "manifest.json"))).toBe(false);
    expect(fs.readdirSync(path.join(out, "stacks", "mindhit-prod"))).toEqual([".terraform"]);
  });

  it("`node dist/main.js` prints one line per stack with its state, and a failed run invalidates the output", () => {
    const outdir = path.join(repoRoot, "dist", "synth-summary.out");
    fs.rmSync(outdir, { recursive: true, force: true });
    const ok = spawnSync(process.execPath, [compiledMain], { cwd: repoRoot, env: { ...process.env, CDKTF_OUTDIR: outdir }, encoding: "utf8" });
    expect(ok.status).toBe(0);
    const lines = ok.stdout.trim().split("\n");
    // A bootstrap and an account baseline per account, and two stacks per environment.
    expect(lines).toHaveLength(2 * new Set(environments.map((e) => e.account)).size + 2 * environments.length);
    expect(lines).toContainEqual(
      expect.stringMatching(/^mindhit-prod +\S*mindhit-prod\/cdk\.tf\.json {2}state: s3:\/\/mindhit-terraform-state\/production\/terraform\.tfstate$/),
    );
    const bad = spawnSync(process.execPath, [compiledMain], {
      cwd: repoRoot,
      env: { ...process.env, CDKTF_OUTDIR: outdir, MINDHIT_STATE_BACKEND: "gcs" },
      encoding: "utf8",
    });
    expect(bad.status).toBe(1);
    expect(fs.existsSync(path.join(outdir, "stacks", "mindhit-prod", "cdk.tf.json"))).toBe(false);
  });
});
