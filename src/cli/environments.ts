/**
 * Prints every configured environment's identity for scripts: one tab-separated line each
 * (name, environment, resourceName = EKS cluster, region, namespace, release) for
 * scripts/rollback.sh, or with --json the whole identity and region per environment (the
 * workflows select theirs with jq). Checks types and identities first (as synth does), so a script never acts on an
 * environment synth would refuse.
 *   node dist/src/cli/environments.js
 */
import { validateConfiguration } from "../config";
import { environments, project } from "../environments";
import { APP } from "../release/app";
import { ValidationError } from "../validation";

try {
  const { environments: resolved } = validateConfiguration(project, environments);
  if (process.argv.includes("--json")) {
    console.log(
      JSON.stringify(
        resolved.map((env) => ({ region: env.region, ...env.identity })),
        null,
        2,
      ),
    );
    process.exit(0);
  }
  for (const env of resolved) {
    const { name, environment, resourceName } = env.identity;
    console.log([name, environment, resourceName, env.region, APP.namespace, APP.release].join("\t"));
  }
} catch (error) {
  if (!(error instanceof ValidationError)) throw error;
  console.error(`invalid configuration:\n${error.problems.map((p) => `  - ${p}`).join("\n")}`);
  process.exit(1);
}
