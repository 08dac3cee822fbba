import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Testing } from "../../src/cdktf";
import { prod } from "../../src/environments/prod";
import { staging } from "../../src/environments/staging";
import { project } from "../../src/environments";
import { buildProject, S3_RUN, synthJson } from "../helpers/synth";

const CLOUD_RUN = { backend: { kind: "cloud", organization: "mindhit", hostname: "app.terraform.io" }, bootstrapState: "local" } as const;

describe("environment stacks store state in S3 with DynamoDB locking (the seed's backend block)", () => {
  const stacks = buildProject();

  it.each([
    ["prod", "production/terraform.tfstate"],
    ["staging", "staging/terraform.tfstate"],
  ])("%s uses key %s", (name, key) => {
    const json = synthJson(stacks.platforms.get(name)!);
    expect(json.terraform.backend).toEqual({
      s3: {
        bucket: "mindhit-terraform-state",
        key,
        region: "ap-northeast-2",
        encrypt: true,
        dynamodb_table: "mindhit-terraform-locks",
      },
    });
    expect(json.terraform.cloud).toBeUndefined();
    expect(json.terraform.required_version).toBe(">= 1.5");
  });

  it("each stack has its own key: no two stacks share state", () => {
    const keys = [...stacks.platforms.values()].map((s) => (synthJson(s).terraform.backend?.s3 as { key: string }).key);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe("S3-native locking switch", () => {
  it("is off by default", () => {
    const json = synthJson(buildProject().platforms.get("prod")!);
    expect(json.terraform.backend?.s3).not.toHaveProperty("use_lockfile");
  });

  it("adds use_lockfile beside the DynamoDB table and raises the Terraform floor to 1.10", () => {
    const withLockfile = { ...project, state: { ...project.state, useS3NativeLocking: true } };
    const json = synthJson(buildProject(S3_RUN, [staging, prod], withLockfile).platforms.get("prod")!);
    expect(json.terraform.backend?.s3).toMatchObject({ use_lockfile: true, dynamodb_table: "mindhit-terraform-locks" });
    expect(json.terraform.required_version).toBe(">= 1.10");
  });
});

describe("HCP Terraform mode", () => {
  const stacks = buildProject(CLOUD_RUN);

  it.each(["prod", "staging"])("%s uses a cloud block with its own workspace and no S3 backend", (name) => {
    const json = synthJson(stacks.platforms.get(name)!);
    expect(json.terraform.backend).toBeUndefined();
    expect(json.terraform.cloud).toEqual({
      organization: "mindhit",
      hostname: "app.terraform.io",
      workspaces: { name: `mindhit-${name}` },
    });
  });
});

describe("AWS provider", () => {
  it.each([
    ["prod", "production"],
    ["staging", "staging"],
  ])("%s: region from config and the Project/Environment/ManagedBy default tags", (name, environment) => {
    const synthesized = Testing.synth(buildProject().platforms.get(name)!);
    expect(synthesized).toHaveProviderWithProperties(AwsProvider, {
      region: "ap-northeast-2",
      default_tags: [{ tags: { Project: "mindhit", Environment: environment, ManagedBy: "cdktf" } }],
    });
  });
});
