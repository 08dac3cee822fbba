/**
 * Entry point: one App with every stack of every environment in src/environments.
 * Run by `npm run synth` (JSON; `SYNTH_HCL_OUTPUT=true` for HCL) and by `cdktf synth`, both
 * through scripts/synth.sh. Ends with one line per stack written (name, file, state), and leaves
 * nothing stale behind; on any failure it removes the generated files instead.
 */
import * as path from "path";
import { addProjectStacks, cdktfJsonContext, resolveRunOptions } from "./src/app";
import { App } from "./src/cdktf";
import { repairHclOutput } from "./src/hcl";
import { repoRoot } from "./src/paths";
import { finishOutput, invalidateOutput } from "./src/synth-output";
import { ValidationError } from "./src/validation";

async function main(app: App): Promise<void> {
  const options = resolveRunOptions(process.env, (key) => app.node.tryGetContext(key));
  // Loaded here, not at the top: a mistake that throws while an environment file loads is then
  // reported (and cleaned up after) like any other.
  const { environments, project } = await import("./src/environments");
  const stacks = addProjectStacks(app, project, environments, options);
  app.synth();
  if (app.hclOutput) await repairHclOutput(app, app.outdir);
  const written = [
    ...stacks.bootstraps.values(),
    ...stacks.baselines.values(),
    ...stacks.environments.flatMap((env) => [stacks.platforms.get(env.identity.name), stacks.apps.get(env.identity.name)]),
  ].flatMap((stack) => (stack === undefined ? [] : [{ name: stack.node.id, stateLocation: stack.stateLocation }]));
  const outdir = path.relative(process.cwd(), app.outdir) || ".";
  for (const line of finishOutput(outdir, app.hclOutput ? "hcl" : "json", written)) console.log(line);
}

const app = new App({ context: cdktfJsonContext(repoRoot(), process.env) });
main(app).catch((error: unknown) => {
  invalidateOutput(app.outdir);
  // Bad input is the user's to fix: print the problems alone, not a stack trace.
  if (error instanceof ValidationError) {
    console.error(`cdktf synth: invalid configuration:\n${error.problems.map((p) => `  - ${p}`).join("\n")}`);
    process.exit(1);
  }
  console.error(error);
  process.exit(1);
});
