/**
 * Entry point: one App with every stack of every environment in src/environments.
 * Run by `npm run synth` (JSON; `SYNTH_HCL_OUTPUT=true` for HCL) and by `cdktf synth`.
 */
import { addProjectStacks, resolveRunOptions } from "./src/app";
import { App } from "./src/cdktf";
import { repairHclOutput } from "./src/hcl";
import { environments, project } from "./src/environments";
import { ValidationError } from "./src/validation";

async function main(): Promise<void> {
  const app = new App();
  const options = resolveRunOptions(process.env, (key) => app.node.tryGetContext(key));
  addProjectStacks(app, project, environments, options);
  app.synth();
  if (app.hclOutput) await repairHclOutput(app, app.outdir);
}

main().catch((error: unknown) => {
  // Bad input is the user's to fix: print the problems alone, not a stack trace.
  if (error instanceof ValidationError) {
    console.error(`cdktf synth: invalid configuration:\n${error.problems.map((p) => `  - ${p}`).join("\n")}`);
    process.exit(1);
  }
  console.error(error);
  process.exit(1);
});
