import { quote, ValidationError } from "../validation";
import type { EnvironmentConfig, EnvironmentSettings, IdentityOverrides } from "./types";

/** Every field optional, recursively; lists are replaced whole, never merged item by item. */
export type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { readonly [K in keyof T]?: DeepPartial<T[K]> } : T;

/** A new environment written as its base plus what differs: a name, its account, maybe identity overrides, changed settings. */
export type EnvironmentChanges = { readonly name: string; readonly account: string; readonly identity?: IdentityOverrides } & DeepPartial<EnvironmentSettings>;

/**
 * `base`'s settings with `changes` applied (nested objects merged, lists and values replaced),
 * under a new name in its own account. The base's name, account and identity overrides are never
 * copied, so the variant's state keys, resource names, repositories, host and values file all
 * derive from its own name, and it never lands in production's account by omission.
 */
export function variantOf(base: EnvironmentConfig, changes: EnvironmentChanges): EnvironmentConfig {
  // Called while src/environments loads: a JavaScript caller's mistake must still be one clear line.
  if (!isPlainObject(base))
    throw new ValidationError([
      `variantOf: the base environment is ${quote(base)} (expected an environment config such as prod or staging; a circular import between environment files gives undefined)`,
    ]);
  if (!isPlainObject(changes) || typeof changes.name !== "string")
    throw new ValidationError([`variantOf: the changes are ${quote(changes)} (expected an object with at least a name and an account)`]);
  const { name: _baseName, account: _baseAccount, identity: _baseIdentity, ...settings } = base;
  const { name, account, identity, ...settingChanges } = changes;
  const merged = merge(settings, settingChanges) as EnvironmentSettings;
  return identity === undefined ? { ...merged, name, account } : { ...merged, name, account, identity };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function merge(base: unknown, changes: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(changes)) return changes === undefined ? base : changes;
  const result: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(changes)) result[key] = merge(base[key], value);
  return result;
}
