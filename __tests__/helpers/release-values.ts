/**
 * The release values the apps stack composes (src/release/rendered-values.ts), read from each
 * stack's one cached synth, and Helm's own merge of values layers for the chart tests.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import type { Environment } from "../../src/config";
import { chartDir } from "../../src/paths";
import { releaseValueLayers as layersOf, Values } from "../../src/release/rendered-values";
import type { AppsStack } from "../../src/stacks/apps";
import { synthText } from "./synth";

export type { Values } from "../../src/release/rendered-values";

/** The release's `values` list, parsed: [environment values file (when it has one), stack overrides]. */
export function releaseValueLayers(stack: AppsStack, env: Environment): Values[] {
  return layersOf(synthText(stack), env);
}

/** Helm's merge: maps merge key by key, everything else (lists included) is replaced. */
export function helmMerge(base: Values, override: Values): Values {
  const merged: Values = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = merged[key];
    merged[key] = isMap(current) && isMap(value) ? helmMerge(current, value) : value;
  }
  return merged;
}

function isMap(value: unknown): value is Values {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function chartDefaults(): Values {
  return YAML.parse(fs.readFileSync(path.join(chartDir(), "values.yaml"), "utf8")) as Values;
}
