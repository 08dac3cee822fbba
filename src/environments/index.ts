import type { EnvironmentConfig } from "../config";
import { prod } from "./prod";
import { staging } from "./staging";

export { project } from "./project";

/** Every environment main.ts synthesizes. Adding one: a new file beside this one and a line here. */
export const environments: readonly EnvironmentConfig[] = [staging, prod];
