import { Block, policyDocumentFor, resources, SynthJson } from "./synth";

/** IAM's ARN wildcard matching: `*` any run of characters, `?` one character, nothing else special. */
export function iamPatternMatches(value: string, pattern: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .split("")
      .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\/]/g, "\\$&")))
      .join("")}$`,
  );
  return regex.test(value);
}

/** A policy statement as `aws_iam_policy_document` synthesizes it. */
export interface Statement {
  sid?: string;
  effect: string;
  actions?: string[];
  not_actions?: string[];
  resources?: string[];
  not_resources?: string[];
  condition?: Array<{ test: string; variable: string; values: string[] }>;
  principals?: unknown;
}

/** The role named `name`; fails the test if there is none. */
export function roleNamed(json: SynthJson, name: string): Block {
  const found = resources(json, "aws_iam_role").find((r) => r.name === name);
  if (!found) throw new Error(`no role ${name}`);
  return found;
}

/** Every inline statement of a role (policies reference the role by construct id). */
export function inlineStatements(json: SynthJson, roleName: string): Statement[] {
  const id = Object.entries(json.resource?.aws_iam_role ?? {}).find(([, r]) => r.name === roleName)?.[0];
  return resources(json, "aws_iam_role_policy")
    .filter((p) => String(p.role) === `\${aws_iam_role.${id}.name}`)
    .flatMap((p) => policyDocumentFor(json, p.policy).statement as Statement[]);
}

/** The statements of a role's trust policy. */
export function trustStatements(json: SynthJson, roleName: string): Statement[] {
  return policyDocumentFor(json, roleNamed(json, roleName).assume_role_policy).statement as Statement[];
}

/** Managed policies attached to a role, by ARN. */
export function attachedPolicies(json: SynthJson, roleName: string): string[] {
  const id = Object.entries(json.resource?.aws_iam_role ?? {}).find(([, r]) => r.name === roleName)?.[0];
  return resources(json, "aws_iam_role_policy_attachment")
    .filter((a) => String(a.role) === `\${aws_iam_role.${id}.name}`)
    .map((a) => String(a.policy_arn));
}

/** An ARN pattern with Terraform references replaced by this test's account and partition. */
export const concreteArn = (pattern: string): string =>
  pattern.replace(/\$\{data\.aws_partition\.[^}]+\}/g, "aws").replace(/\$\{data\.aws_caller_identity\.[^}]+\}/g, "111111111111");
