/**
 * Builds the project's stacks for tests and synthesizes each once: tests assert on resources and
 * their properties (through `Template`) rather than on snapshots.
 */
import { addProjectStacks, ProjectStacks, RunOptions } from "../../src/app";
import { TerraformStack, Testing } from "../../src/cdktf";
import type { EnvironmentConfig, ProjectSettings } from "../../src/config";
import { environments as defaultEnvironments, project as defaultProject } from "../../src/environments";

export type Block = Record<string, unknown>;

export interface SynthJson {
  readonly terraform: Block & { backend?: Record<string, Block>; cloud?: Block; required_version?: string };
  readonly provider?: Record<string, Block[]>;
  readonly resource?: Record<string, Record<string, Block>>;
  readonly data?: Record<string, Record<string, Block>>;
  readonly output?: Record<string, Block>;
  readonly locals?: Record<string, unknown>;
  /** Ephemeral blocks (Terraform ≥ 1.10), which cdktf 0.21 does not model: src/bindings writes them. */
  readonly ephemeral?: Record<string, Record<string, Block>>;
}

export const S3_RUN: RunOptions = { backend: { kind: "s3" }, bootstrapState: "local", clusterAuth: "exec" };
export const CLOUD_RUN: RunOptions = {
  backend: { kind: "cloud", organization: "mindhit", hostname: "app.terraform.io" },
  bootstrapState: "local",
  clusterAuth: "token",
};

// Synthesizing a stack is the expensive step; tests ask for the same stack many times.
const synthCache = new WeakMap<TerraformStack, string>();

/** Everything the stack synthesizes, as one string (cached per stack object). */
export function synthText(stack: TerraformStack): string {
  let text = synthCache.get(stack);
  if (text === undefined) {
    text = Testing.synth(stack);
    synthCache.set(stack, text);
  }
  return text;
}

/** Builds the project's real stacks (or a variant of them) in a test app. */
export function buildProject(
  options: RunOptions = S3_RUN,
  environments: readonly EnvironmentConfig[] = defaultEnvironments,
  project: ProjectSettings = defaultProject,
): ProjectStacks {
  return addProjectStacks(Testing.app(), project, environments, options);
}

/** The bootstrap stack of the account an environment (by name) lives in. */
export function bootstrapOf(stacks: ProjectStacks, environment: string): TerraformStack {
  const env = stacks.environments.find((e) => e.identity.name === environment);
  const stack = env === undefined ? undefined : stacks.bootstraps.get(env.identity.account);
  if (stack === undefined) throw new Error(`no environment ${environment} (or no bootstrap of its account)`);
  return stack;
}

/** Every attribute name anywhere in a synthesized document, for "no password attribute" checks. */
export function attributeNames(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(attributeNames);
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, inner]) => [key, ...attributeNames(inner)]);
}
