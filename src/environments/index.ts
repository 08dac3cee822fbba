import type { EnvironmentConfig } from "../config";
import { prod } from "./prod";
import { staging } from "./staging";

export { project } from "./project";

/**
 * Every environment main.ts synthesizes. Adding one: a new file beside this one (README, "Adding an
 * environment") and a line here; validation rejects any identity it would share with another.
 */
export const environments: readonly EnvironmentConfig[] = [staging, prod];
