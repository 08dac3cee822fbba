import { spawnSync } from "child_process";
import * as path from "path";
import { resolveRunOptions } from "../src/app";
import { prod } from "../src/environments/prod";
import { staging } from "../src/environments/staging";
import { buildProject, S3_RUN } from "./helpers/synth";

const noContext = (): undefined => undefined;
const repoRoot = path.resolve(__dirname, "..", "..");

describe("run options", () => {
  it("default to the S3 backend and a local bootstrap state", () => {
    expect(resolveRunOptions({}, noContext)).toEqual(S3_RUN);
  });

  it("select HCP Terraform from environment variables", () => {
    expect(resolveRunOptions({ MINDHIT_STATE_BACKEND: "cloud", TF_CLOUD_ORGANIZATION: "mindhit" }, noContext)).toEqual({
      backend: { kind: "cloud", organization: "mindhit", hostname: "app.terraform.io" },
      bootstrapState: "local",
    });
  });

  it("select HCP Terraform from cdktf context, environment variables winning", () => {
    const context = (key: string): unknown =>
      ({ stateBackend: "cloud", tfCloudOrganization: "from-context", tfCloudHostname: "tfe.example.com" })[key];
    expect(resolveRunOptions({}, context).backend).toEqual({ kind: "cloud", organization: "from-context", hostname: "tfe.example.com" });
    expect(resolveRunOptions({ TF_CLOUD_ORGANIZATION: "from-env" }, context).backend).toMatchObject({ organization: "from-env" });
  });

  it("reject an unknown backend, a cloud run without organization, and an unknown bootstrap state", () => {
    expect(() => resolveRunOptions({ MINDHIT_STATE_BACKEND: "gcs" }, noContext)).toThrow(
      'run options: MINDHIT_STATE_BACKEND "gcs" is not allowed (allowed: "s3", "cloud")',
    );
    expect(() => resolveRunOptions({ MINDHIT_STATE_BACKEND: "cloud" }, noContext)).toThrow(
      "run options: TF_CLOUD_ORGANIZATION must name the HCP Terraform organization when MINDHIT_STATE_BACKEND=cloud",
    );
    expect(() => resolveRunOptions({ MINDHIT_BOOTSTRAP_STATE: "gcs" }, noContext)).toThrow(/MINDHIT_BOOTSTRAP_STATE "gcs" is not allowed/);
  });
});

describe("the app", () => {
  it("creates the bootstrap stack and one platform stack per environment", () => {
    const stacks = buildProject();
    expect(stacks.bootstrap.node.id).toBe("mindhit-state-bootstrap");
    expect([...stacks.platforms.values()].map((s) => s.node.id)).toEqual(["mindhit-staging", "mindhit-prod"]);
  });

  it("adding an environment is one config object: it gets its own stack and state key", () => {
    const qa = { ...staging, name: "qa", environment: "qa", resourceName: "mindhit-qa" };
    const stacks = buildProject(S3_RUN, [staging, prod, qa]);
    expect(stacks.platforms.get("qa")?.node.id).toBe("mindhit-qa");
  });

  it("reports the problems of every environment together, and duplicate names", () => {
    expect(() => buildProject(S3_RUN, [{ ...staging, region: "nowhere" }, { ...prod, name: "staging" }])).toThrow(
      /environment "staging": region "nowhere" is not an AWS region[^\n]*\nenvironments: name "staging" is used by more than one environment/,
    );
  });

  it("`node dist/main.js` stops on bad input with one clear line and no stack trace", () => {
    const result = spawnSync(process.execPath, ["dist/main.js"], {
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
