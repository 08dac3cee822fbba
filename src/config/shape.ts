/**
 * Runtime type checks for configuration objects, so a JavaScript caller, an `as any`, or a
 * mistyped edit gets one clear line per wrong field instead of a TypeError at synth or a string
 * where Terraform expects a boolean.
 *
 * A `Spec<T>` mirrors the TypeScript type `T` field for field; the compiler rejects a spec that
 * omits a field of `T`, so the runtime check cannot silently fall behind the type.
 */
import { ProblemSink, quote } from "../validation";

type Primitive<K extends string> = { readonly kind: K };
export type ObjectSpec<T> = { readonly kind: "object"; readonly fields: { readonly [K in keyof T]-?: Spec<T[K]> } };
export type ListSpec<U> = { readonly kind: "list"; readonly item: Spec<U> };

/** The runtime description of `T`. Brackets stop TypeScript distributing over unions such as `boolean`. */
export type Spec<T> = [undefined] extends [T]
  ? { readonly kind: "optional"; readonly inner: Spec<Exclude<T, undefined>> }
  : [T] extends [string]
    ? Primitive<"string"> | { readonly kind: "enum"; readonly values: readonly T[] }
    : [T] extends [number]
      ? Primitive<"number">
      : [T] extends [boolean]
        ? Primitive<"boolean">
        : [T] extends [readonly (infer U)[]]
          ? ListSpec<U>
          : [T] extends [object]
            ? ObjectSpec<T>
            : never;

export const STRING = { kind: "string" } as const;
export const NUMBER = { kind: "number" } as const;
export const BOOLEAN = { kind: "boolean" } as const;
export const oneOf = <V extends string>(...values: V[]): { readonly kind: "enum"; readonly values: readonly V[] } => ({ kind: "enum", values });
export const listOf = <S>(item: S): { readonly kind: "list"; readonly item: S } => ({ kind: "list", item });
export const optional = <S>(inner: S): { readonly kind: "optional"; readonly inner: S } => ({ kind: "optional", inner });
export const object = <F>(fields: F): { readonly kind: "object"; readonly fields: F } => ({ kind: "object", fields });

type AnySpec =
  | Primitive<"string" | "number" | "boolean">
  | { readonly kind: "enum"; readonly values: readonly string[] }
  | { readonly kind: "list"; readonly item: AnySpec }
  | { readonly kind: "optional"; readonly inner: AnySpec }
  | { readonly kind: "object"; readonly fields: Readonly<Record<string, AnySpec>> };

function describe(spec: AnySpec): string {
  switch (spec.kind) {
    case "string":
      return "a string";
    case "number":
      return "a number";
    case "boolean":
      return "true or false";
    case "enum":
      return `one of ${spec.values.map(quote).join(", ")}`;
    case "list":
      return `a list of ${plural(describe(spec.item))}`;
    case "optional":
      return describe(spec.inner);
    case "object":
      return `an object with ${Object.keys(spec.fields).join(", ")}`;
  }
}

function plural(description: string): string {
  if (description === "true or false") return "booleans";
  return description.replace(/^an? (object|string|number)/, "$1s");
}

/** What a value is, in words, for "got …" messages. */
function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "number" && !Number.isFinite(value)) return "a number that is not finite";
  return typeof value === "object" ? "an object" : typeof value;
}

/**
 * Checks `value` against `spec`, reporting each wrong field as `<path> … (expected …)`. Returns
 * the paths that failed, so checks reading those fields can be skipped instead of crashing.
 */
export function checkShape<T>(problems: ProblemSink, value: unknown, spec: Spec<T>, path = ""): Set<string> {
  const failed = new Set<string>();
  walk(problems, value, spec, path, failed);
  return failed;
}

function walk(problems: ProblemSink, value: unknown, spec: AnySpec, path: string, failed: Set<string>): void {
  const fail = (message: string): void => {
    failed.add(path);
    problems.add(path, message);
  };
  switch (spec.kind) {
    case "optional":
      if (value !== undefined) walk(problems, value, spec.inner, path, failed);
      return;
    case "string":
      if (typeof value !== "string") fail(`${quote(value)} is not allowed (expected a string, got ${kindOf(value)})`);
      return;
    case "number":
      if (typeof value !== "number" || !Number.isFinite(value)) fail(`${quote(value)} is not allowed (expected a number, got ${kindOf(value)})`);
      return;
    case "boolean":
      if (typeof value !== "boolean") fail(`${quote(value)} is not allowed (expected true or false, got ${kindOf(value)})`);
      return;
    case "enum":
      if (typeof value !== "string" || !spec.values.includes(value)) fail(`${quote(value)} is not allowed (allowed: ${spec.values.map(quote).join(", ")})`);
      return;
    case "list":
      if (!Array.isArray(value)) {
        fail(`${quote(value)} is not allowed (expected ${describe(spec)}, got ${kindOf(value)})`);
        return;
      }
      value.forEach((item: unknown, index) => {
        walk(problems, item, spec.item, `${path}[${index}]`, failed);
      });
      if ([...failed].some((p) => p.startsWith(`${path}[`))) failed.add(path);
      return;
    case "object": {
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        fail(`${quote(value)} is not allowed (expected ${describe(spec)}, got ${kindOf(value)})`);
        return;
      }
      const record = value as Record<string, unknown>;
      const prefix = path === "" ? "" : `${path}.`;
      for (const [key, fieldSpec] of Object.entries(spec.fields)) {
        if (record[key] === undefined && fieldSpec.kind !== "optional") {
          failed.add(`${prefix}${key}`);
          problems.add(`${prefix}${key}`, `is missing (expected ${describe(fieldSpec)})`);
        } else {
          walk(problems, record[key], fieldSpec, `${prefix}${key}`, failed);
        }
      }
      // A misspelt key would otherwise be ignored while the real field silently keeps its old value.
      for (const key of Object.keys(record)) {
        if (!(key in spec.fields)) {
          failed.add(`${prefix}${key}`);
          problems.add(`${prefix}${key}`, `is not a known setting (known here: ${Object.keys(spec.fields).join(", ")})`);
        }
      }
      return;
    }
  }
}

/** True when `path` or any field inside or around it failed the shape check. */
export function touchesFailed(failed: ReadonlySet<string>, path: string): boolean {
  for (const bad of failed) {
    if (bad === path || bad.startsWith(`${path}.`) || bad.startsWith(`${path}[`) || path.startsWith(`${bad}.`) || path.startsWith(`${bad}[`)) return true;
  }
  return false;
}
