/**
 * Prints every configured environment's identity for shell scripts (scripts/rollback.sh), one
 * tab-separated line each: name, environment, resourceName (= EKS cluster), region, namespace,
 * release. Checks types and identities first (as synth does), so a script never acts on an
 * environment synth would refuse.
 *   node dist/src/cli/environments.js
 */
import { validateConfiguration } from "../config";
import { environments, project } from "../environments";
import { APP } from "../stacks/apps";
import { ValidationError } from "../validation";

try {
  const { environments: resolved } = validateConfiguration(project, environments);
  for (const env of resolved) {
    const { name, environment, resourceName } = env.identity;
    console.log([name, environment, resourceName, env.region, APP.namespace, APP.release].join("\t"));
  }
} catch (error) {
  if (!(error instanceof ValidationError)) throw error;
  console.error(`invalid configuration:\n${error.problems.map((p) => `  - ${p}`).join("\n")}`);
  process.exit(1);
}
