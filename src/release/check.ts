/**
 * The app release's rules on an environment's `release` settings, under their config fields; run
 * by validation (src/stacks/apps.ts wires them in). The timeout's budget follows from the
 * controller table: what the app's release waits for, and for how long.
 */
import { ClusterAuth, Environment, IMAGE_TAG, Readable } from "../config";
import { CONTROLLERS } from "../controllers";
import type { InClusterController } from "../controllers/controller";
import { checkWhole, Problems, quote } from "../validation";

/**
 * With `clusterAuth: "token"` one token serves the whole apply, and EKS accepts it for 15 minutes.
 * The controllers' releases and then the app's release must finish within that, less a minute for
 * what the apply does before them.
 */
export const TOKEN_RELEASE_BUDGET_SECONDS = 15 * 60 - 60;

/** The longest a release can take to finish: its own timeout after the longest chain of releases it follows. */
export function releaseChainSeconds(controller: InClusterController, controllers: readonly InClusterController[] = CONTROLLERS): number {
  const before = controller.after.map((name) => controllers.find((c) => c.name === name));
  return controller.timeoutSeconds + Math.max(0, ...before.map((c) => (c === undefined ? 0 : releaseChainSeconds(c, controllers))));
}

/**
 * How long the app's release can wait for the controllers it follows, whichever environment runs
 * them: the longest chain among them. Releases nothing waits for run beside the app's.
 */
export function controllerWaitBeforeApp(controllers: readonly InClusterController[] = CONTROLLERS): number {
  return Math.max(0, ...controllers.filter((c) => c.appReleaseWaits).map((c) => releaseChainSeconds(c, controllers)));
}

export function checkReleaseConfig(env: Environment, problems: Problems, readable: Readable, clusterAuth: ClusterAuth): void {
  for (const [field, tag] of [
    ["release.apiImageTag", env.release.apiImageTag],
    ["release.workerImageTag", env.release.workerImageTag],
  ] as const) {
    if (!readable(field)) continue;
    problems.check(IMAGE_TAG.test(tag), field, `${quote(tag)} is not a container image tag (1-128 of A-Z a-z 0-9 _ . -, not starting with . or -)`);
    // Builds push :<git sha> only; a moving tag would also make a rollback ambiguous.
    problems.check(tag !== "latest", field, `"latest" is not allowed (a moving tag: deploy an immutable one, e.g. the git SHA)`);
  }
  if (readable("release.timeoutSeconds")) {
    const timeout = env.release.timeoutSeconds;
    const controllersFirst = controllerWaitBeforeApp();
    const max = clusterAuth === "token" ? TOKEN_RELEASE_BUDGET_SECONDS - controllersFirst : 3600;
    checkWhole(problems, "release.timeoutSeconds", timeout, 60, 3600);
    if (Number.isInteger(timeout) && timeout <= 3600 && timeout > max) {
      problems.add(
        "release.timeoutSeconds",
        `${timeout} is not allowed with cluster authentication "token" (at most ${max}: the EKS token lasts 15 minutes, and the controllers' releases (${controllersFirst} s) and this one must finish within it, with 60 s for the rest of the apply; or run with MINDHIT_CLUSTER_AUTH=exec where the AWS CLI exists)`,
      );
    }
  }
}
