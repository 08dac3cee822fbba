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

/** An ARN pattern with Terraform references replaced by this test's account and partition. */
export const concreteArn = (pattern: string): string =>
  pattern.replace(/\$\{data\.aws_partition\.[^}]+\}/g, "aws").replace(/\$\{data\.aws_caller_identity\.[^}]+\}/g, "111111111111");
