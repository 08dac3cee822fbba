/**
 * Parses synth output once per stack and gives typed access to its blocks, so tests assert on
 * resources and their properties rather than on snapshots.
 */
import { Construct } from "constructs";
import { addProjectStacks, ProjectStacks, RunOptions } from "../../src/app";
import { App, TerraformStack, Testing } from "../../src/cdktf";
import type { EnvironmentConfig, ProjectSettings } from "../../src/config";
import { AwsAccount } from "../../src/modules/shared/aws-account";
import { environments as defaultEnvironments, project as defaultProject } from "../../src/environments";

export type Block = Record<string, unknown>;

export interface SynthJson {
  readonly terraform: Block & { backend?: Record<string, Block>; cloud?: Block; required_version?: string };
  readonly provider?: Record<string, Block[]>;
  readonly resource?: Record<string, Record<string, Block>>;
  readonly data?: Record<string, Record<string, Block>>;
  readonly output?: Record<string, Block>;
}

export const S3_RUN: RunOptions = { backend: { kind: "s3" }, bootstrapState: "local", clusterAuth: "exec" };
export const CLOUD_RUN: RunOptions = {
  backend: { kind: "cloud", organization: "mindhit", hostname: "app.terraform.io" },
  bootstrapState: "local",
  clusterAuth: "token",
};

export function testApp(): App {
  return Testing.app();
}

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

export function synthJson(stack: TerraformStack): SynthJson {
  return JSON.parse(synthText(stack)) as SynthJson;
}

/** Synthesizes a scope built by `build` (for constructs tested outside a real stack). */
export function synthScopeJson(build: (scope: Construct) => void): SynthJson {
  return JSON.parse(Testing.synthScope(build)) as SynthJson;
}

/** Private subnets in a VPC, and the app's security group, as the data-store module tests place them. */
export const TEST_NETWORK = {
  vpcId: "vpc-0123456789abcdef0",
  subnetIds: ["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"],
  appSecurityGroupId: "sg-0123456789abcdef0",
} as const;

/**
 * The synth of one module construct in a fresh stack with an account, from `base` props and each
 * test's overrides: `const synth = moduleSynth((scope, props) => new Rds(scope, "db", props), base)`.
 */
export function moduleSynth<P extends { readonly account: AwsAccount }>(
  create: (scope: Construct, props: P) => unknown,
  base: Omit<P, "account">,
): (overrides?: Partial<Omit<P, "account">>) => SynthJson {
  return (overrides = {}) =>
    synthScopeJson((scope) => {
      create(scope, { ...base, ...overrides, account: new AwsAccount(scope, "account") } as P);
    });
}

/** Every resource of `type`, as a list of property blocks. */
export function resources(json: SynthJson, type: string): Block[] {
  return Object.values(json.resource?.[type] ?? {});
}

/** The only resource of `type`; fails the test if there is not exactly one. */
export function onlyResource(json: SynthJson, type: string): Block {
  const found = resources(json, type);
  if (found.length !== 1) throw new Error(`expected exactly one ${type}, found ${found.length}`);
  return found[0];
}

export function dataSources(json: SynthJson, type: string): Block[] {
  return Object.values(json.data?.[type] ?? {});
}

/** Resolves a `${data.aws_iam_policy_document.x.json}` reference to the document's block. */
export function policyDocumentFor(json: SynthJson, reference: unknown): Block {
  const match = /^\$\{data\.aws_iam_policy_document\.([^.]+)\.json\}$/.exec(String(reference));
  if (!match) throw new Error(`not a policy document reference: ${String(reference)}`);
  const doc = json.data?.aws_iam_policy_document?.[match[1]];
  if (!doc) throw new Error(`no aws_iam_policy_document.${match[1]}`);
  return doc;
}

/** Builds the project's real stacks (or a variant of them) in a test app. */
export function buildProject(
  options: RunOptions = S3_RUN,
  environments: readonly EnvironmentConfig[] = defaultEnvironments,
  project: ProjectSettings = defaultProject,
): ProjectStacks {
  return addProjectStacks(testApp(), project, environments, options);
}

/** Every attribute name anywhere in a synthesized document, for "no password attribute" checks. */
export function attributeNames(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(attributeNames);
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, inner]) => [key, ...attributeNames(inner)]);
}
