import type { EnvironmentConfig } from "../config";
import { prod } from "./prod";
import { staging } from "./staging";

export { project } from "./project";

/**
 * Every environment main.ts synthesizes. Adding one: a new file beside this one and a line here
 * (README, "Adding an environment", lists the steps outside the code: the bootstrap re-apply, the
 * GitHub environment, the workflows); validation rejects any identity it would share with another.
 */
export const environments: readonly EnvironmentConfig[] = [staging, prod];
