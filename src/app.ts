import { Construct } from "constructs";
import { EnvironmentConfig, ProjectSettings, StateBackend, validateEnvironment, validateProject } from "./config";
import { AppsStack } from "./stacks/apps";
import { PlatformStack } from "./stacks/platform";
import { BootstrapStateLocation, StateBootstrapStack } from "./stacks/state-bootstrap";
import { duplicates, Problems, quote, ValidationError } from "./validation";

/** Choices made per run rather than per environment: where state lives. */
export interface RunOptions {
  readonly backend: StateBackend;
  readonly bootstrapState: BootstrapStateLocation;
}

/**
 * Reads the run options from environment variables (which win) or cdktf context:
 * - `MINDHIT_STATE_BACKEND` / context `stateBackend`: `s3` (default) or `cloud`
 * - `TF_CLOUD_ORGANIZATION` / context `tfCloudOrganization`: required for `cloud`
 * - `TF_CLOUD_HOSTNAME` / context `tfCloudHostname`: default `app.terraform.io`
 * - `MINDHIT_BOOTSTRAP_STATE` / context `bootstrapState`: `local` (default) or `s3`
 */
export function resolveRunOptions(env: NodeJS.ProcessEnv, context: (key: string) => unknown): RunOptions {
  const read = (variable: string, contextKey: string): string | undefined => {
    const fromEnv = env[variable];
    if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
    const fromContext = context(contextKey);
    return typeof fromContext === "string" && fromContext !== "" ? fromContext : undefined;
  };
  const problems = new Problems("run options");
  const kind = read("MINDHIT_STATE_BACKEND", "stateBackend") ?? "s3";
  const bootstrapState = read("MINDHIT_BOOTSTRAP_STATE", "bootstrapState") ?? "local";
  problems.check(kind === "s3" || kind === "cloud", "MINDHIT_STATE_BACKEND", `${quote(kind)} is not allowed (allowed: "s3", "cloud")`);
  problems.check(bootstrapState === "local" || bootstrapState === "s3", "MINDHIT_BOOTSTRAP_STATE", `${quote(bootstrapState)} is not allowed (allowed: "local", "s3")`);
  let backend: StateBackend = { kind: "s3" };
  if (kind === "cloud") {
    const organization = read("TF_CLOUD_ORGANIZATION", "tfCloudOrganization");
    problems.check(organization !== undefined, "TF_CLOUD_ORGANIZATION", "must name the HCP Terraform organization when MINDHIT_STATE_BACKEND=cloud");
    backend = { kind: "cloud", organization: organization ?? "", hostname: read("TF_CLOUD_HOSTNAME", "tfCloudHostname") ?? "app.terraform.io" };
  }
  problems.throwIfAny();
  return { backend, bootstrapState: bootstrapState as BootstrapStateLocation };
}

/** Runs every validation and throws one error listing all problems found. */
function validateAll(project: ProjectSettings, environments: readonly EnvironmentConfig[]): void {
  const found: string[] = [];
  const collect = (validate: () => void): void => {
    try {
      validate();
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      found.push(...error.problems);
    }
  };
  collect(() => validateProject(project));
  for (const env of environments) collect(() => validateEnvironment(env));
  collect(() => {
    const problems = new Problems("environments");
    for (const name of duplicates(environments.map((e) => e.name))) {
      problems.add("name", `${quote(name)} is used by more than one environment (names must be unique)`);
    }
    problems.throwIfAny();
  });
  if (found.length > 0) throw new ValidationError(found);
}

export interface ProjectStacks {
  readonly bootstrap: StateBootstrapStack;
  readonly platforms: ReadonlyMap<string, PlatformStack>;
  readonly apps: ReadonlyMap<string, AppsStack>;
}

/** Validates every input first (so one run reports all problems), then adds every stack. */
export function addProjectStacks(
  app: Construct,
  project: ProjectSettings,
  environments: readonly EnvironmentConfig[],
  options: RunOptions,
): ProjectStacks {
  validateAll(project, environments);
  const bootstrap = new StateBootstrapStack(app, `${project.project}-state-bootstrap`, {
    project,
    stateLocation: options.bootstrapState,
  });
  const platforms = new Map<string, PlatformStack>();
  const apps = new Map<string, AppsStack>();
  for (const env of environments) {
    const platform = new PlatformStack(app, { project, env, backend: options.backend });
    platforms.set(env.name, platform);
    const inCluster = new AppsStack(app, { project, env, backend: options.backend });
    // Deploy order for `cdktf deploy '*'`: the cluster before what runs on it. Nothing crosses
    // the stacks but this ordering: the in-cluster stack finds the cluster by name.
    inCluster.addDependency(platform);
    apps.set(env.name, inCluster);
  }
  return { bootstrap, platforms, apps };
}
