import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformStack } from "../../src/cdktf";
import { environments, project } from "../../src/environments";
import { buildProject, CLOUD_RUN, S3_RUN, SynthJson } from "../helpers/synth";
import { Template } from "../helpers/template";

const stacks = buildProject();
const byName = stacks.environments.map((e) => [e.identity.name, e] as const);
/** The stack's `terraform` block: backend, cloud and required_version have no provider class. */
const terraformOf = (stack: TerraformStack): SynthJson["terraform"] => Template.fromStack(stack).json.terraform;
const s3KeyOf = (stack: TerraformStack): string => (terraformOf(stack).backend?.s3 as { key: string }).key;

describe("environment stacks store state in S3 with DynamoDB locking (the seed's backend block)", () => {
  it.each(byName)("%s: each stack under its own key derived from the environment", (name, env) => {
    for (const [stack, key] of [
      [stacks.platforms.get(name), env.identity.stateKeys.platform],
      [stacks.apps.get(name), env.identity.stateKeys.apps],
    ] as const) {
      const terraform = terraformOf(stack!);
      expect(terraform.backend).toEqual({
        // kms_key_id: SSE-KMS with the state key; `encrypt` alone would write SSE-S3 objects.
        s3: {
          bucket: env.identity.stateBucket,
          key,
          region: "ap-northeast-2",
          encrypt: true,
          kms_key_id: "alias/mindhit-terraform-state",
          dynamodb_table: "mindhit-terraform-locks",
        },
      });
      expect(terraform.cloud).toBeUndefined();
      // The seed's floor, unless the stack writes the Grafana admin password (a write-only argument, 1.11).
      const writesGrafanaPassword = stack === stacks.platforms.get("prod");
      expect(terraform.required_version).toBe(writesGrafanaPassword ? ">= 1.11" : ">= 1.5");
    }
  });

  it("keeps the seed's state keys for prod and staging", () => {
    expect(s3KeyOf(stacks.platforms.get("prod")!)).toBe("production/terraform.tfstate");
    expect(s3KeyOf(stacks.platforms.get("staging")!)).toBe("staging/terraform.tfstate");
  });

  it("no two stacks share state", () => {
    const keys = [...stacks.platforms.values(), ...stacks.apps.values()].map(s3KeyOf);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe("S3-native locking switch", () => {
  it("is off by default", () => {
    expect(terraformOf(stacks.platforms.get("prod")!).backend?.s3).not.toHaveProperty("use_lockfile");
  });

  it("adds use_lockfile beside the DynamoDB table and raises the Terraform floor to 1.10", () => {
    const withLockfile = { ...project, state: { ...project.state, useS3NativeLocking: true } };
    const terraform = terraformOf(buildProject(S3_RUN, environments, withLockfile).platforms.get("staging")!);
    expect(terraform.backend?.s3).toMatchObject({ use_lockfile: true, dynamodb_table: "mindhit-terraform-locks" });
    expect(terraform.required_version).toBe(">= 1.10");
  });
});

describe("HCP Terraform mode", () => {
  const cloud = buildProject(CLOUD_RUN);

  it.each(byName)("%s uses a cloud block with its own workspace per stack and no S3 backend", (name, env) => {
    for (const stack of [cloud.platforms.get(name)!, cloud.apps.get(name)!]) {
      const terraform = terraformOf(stack);
      expect(terraform.backend).toBeUndefined();
      expect(terraform.cloud).toEqual({ organization: "mindhit", hostname: "app.terraform.io", workspaces: { name: stack.node.id, project: "mindhit" } });
    }
    expect(cloud.platforms.get(name)!.node.id).toBe(env.identity.stackNames.platform);
  });
});

describe("AWS provider", () => {
  it.each(byName)("%s: region from config and the Project/Environment/ManagedBy/Stack default tags", (name, env) => {
    expect(Template.fromStack(stacks.platforms.get(name)!).text).toHaveProviderWithProperties(AwsProvider, {
      region: env.region,
      default_tags: [{ tags: { Project: "mindhit", Environment: env.identity.environment, ManagedBy: "cdktf", Stack: env.identity.stackNames.platform } }],
    });
  });
});
