/**
 * Prints every configured environment's identity for scripts and workflows. Checks types and
 * identities first (as synth does), so a script never acts on an environment synth would refuse.
 *   node dist/src/cli/environments.js            one tab-separated line each (name, environment,
 *                                                resourceName = EKS cluster, region, namespace, release),
 *                                                for scripts/rollback.sh
 *   node dist/src/cli/environments.js --json     the whole identity and region per environment
 *   node dist/src/cli/environments.js --matrix   the workflows' matrices (GitHub Actions `fromJSON`):
 *                                                `deploy` per tier, in promotion order, and `plans`, one per stack
 */
import { EnvironmentTier, StackLayer, STACK_LAYERS, validateConfiguration } from "../config";
import type { Environment } from "../config";
import { environments, project } from "../environments";
import { APP } from "../release/app";
import { ValidationError } from "../validation";

/** Deploys promote in this order: every non-production environment first, production after them (and after its approval). */
export const PROMOTION_ORDER: readonly EnvironmentTier[] = ["non-production", "production"];

/** One environment's deploy job. */
export interface DeployLeg {
  readonly name: string;
  readonly githubEnvironment: string;
  readonly region: string;
  readonly platformStack: string;
  readonly appsStack: string;
}

/** One stack's pull-request plan, with the plan role of its environment. */
export interface PlanLeg {
  readonly stack: string;
  readonly layer: StackLayer;
  readonly name: string;
  readonly region: string;
  /** The environment's account: the plan role is assumed there. */
  readonly account: string;
  readonly planRole: string;
}

/** What the workflows run on: a deploy list per tier (empty lists included) and every stack's plan. */
export interface WorkflowMatrix {
  readonly deploy: Readonly<Record<EnvironmentTier, readonly DeployLeg[]>>;
  readonly plans: readonly PlanLeg[];
}

export function workflowMatrix(resolved: readonly Environment[]): WorkflowMatrix {
  const leg = (env: Environment): DeployLeg => ({
    name: env.identity.name,
    githubEnvironment: env.identity.githubEnvironment,
    region: env.region,
    platformStack: env.identity.stackNames.platform,
    appsStack: env.identity.stackNames.apps,
  });
  const deploy = Object.fromEntries(PROMOTION_ORDER.map((tier) => [tier, resolved.filter((env) => env.tier === tier).map(leg)])) as Record<
    EnvironmentTier,
    DeployLeg[]
  >;
  const plans = resolved.flatMap((env) =>
    STACK_LAYERS.map((layer) => ({
      stack: env.identity.stackNames[layer],
      layer,
      name: env.identity.name,
      region: env.region,
      account: env.identity.account,
      planRole: env.identity.ciRoleNames.plan,
    })),
  );
  return { deploy, plans };
}

function main(): void {
  try {
    const { environments: resolved } = validateConfiguration(project, environments);
    if (process.argv.includes("--matrix")) {
      console.log(JSON.stringify(workflowMatrix(resolved)));
      return;
    }
    if (process.argv.includes("--json")) {
      console.log(
        JSON.stringify(
          resolved.map((env) => ({ region: env.region, tier: env.tier, ...env.identity })),
          null,
          2,
        ),
      );
      return;
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
}

if (require.main === module) main();
