import type { EnvironmentConfig } from "../config";
import { prod } from "./prod";
import { staging } from "./staging";

export { project } from "./project";

/**
 * Every environment main.ts synthesizes. Adding one: a new file beside this one and a line here
 * (README, "Adding an environment", lists the steps outside the code: the bootstrap re-apply and
 * the GitHub environment); validation rejects any identity it would share with another.
 * examples/ holds the README's example (dev), which the unit tests and the docs check build beside
 * these; it is in no list, so nothing deploys it.
 */
export const environments: readonly EnvironmentConfig[] = [staging, prod];
