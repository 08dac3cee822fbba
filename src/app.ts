import * as fs from "fs";
import * as path from "path";
import { Construct } from "constructs";
import type { CiRoleScope } from "./modules/identity/ci-role";
import {
  AccountIdentity,
  accountsOf,
  ClusterAuth,
  Environment,
  hcpTerraformProject,
  ModuleChecks,
  ProjectSettings,
  STACK_LAYERS,
  StateBackend,
  validateConfiguration,
} from "./config";
import { AccountBaselineStack } from "./stacks/account-baseline";
import { AppsStack } from "./stacks/apps";
import { PlatformStack } from "./stacks/platform";
import { BootstrapStateLocation, StateBootstrapStack } from "./stacks/state-bootstrap";
import { TerraformStack } from "./cdktf";
import { checkUniqueAwsNames } from "./unique-names";
import { Problems, quote } from "./validation";

/** Choices made per run rather than per environment: where state lives, and where Terraform runs. */
export interface RunOptions {
  readonly backend: StateBackend;
  readonly bootstrapState: BootstrapStateLocation;
  /**
   * How the in-cluster stacks' providers authenticate to EKS. `resolveRunOptions` (below)
   * picks "token" for the HCP Terraform backend (its runners have no AWS CLI), else "exec".
   */
  readonly clusterAuth: ClusterAuth;
}

/** HCP Terraform organization names: letters, digits, `_` and `-`. */
const TF_CLOUD_ORGANIZATION = /^[A-Za-z0-9_-]{1,40}$/;
/** HCP Terraform project names: letters, digits, spaces, `_` and `-`, 3-40 characters, no space at either end. */
const TF_CLOUD_PROJECT = /^[A-Za-z0-9_-][A-Za-z0-9 _-]{1,38}[A-Za-z0-9_-]$/;
/** A bare host (optionally with a port), as Terraform's `cloud` block wants it: no scheme, no path. */
const TF_CLOUD_HOSTNAME = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+(?::\d{1,5})?$/;

/**
 * Reads the run options from environment variables (which win) or cdktf context:
 * - `MINDHIT_STATE_BACKEND` / context `stateBackend`: `s3` (default) or `cloud`
 * - `TF_CLOUD_ORGANIZATION` / context `tfCloudOrganization`: required for `cloud`, refused otherwise
 * - `TF_CLOUD_HOSTNAME` / context `tfCloudHostname`: default `app.terraform.io`, only with `cloud`
 * - `TF_CLOUD_PROJECT` / context `tfCloudProject`: the workspaces' HCP Terraform project, only with
 *   `cloud` (default: the project's name)
 * - `MINDHIT_CLUSTER_AUTH` / context `clusterAuth`: `exec` or `token` (default: `token` with `cloud`, else `exec`)
 * - `MINDHIT_BOOTSTRAP_STATE` / context `bootstrapState`: `local` (default) or `s3`
 */
export function resolveRunOptions(env: NodeJS.ProcessEnv, context: (key: string) => unknown): RunOptions {
  const problems = new Problems("run options");
  const read = (variable: string, contextKey: string): string | undefined => {
    const fromEnv = env[variable];
    if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
    const fromContext = context(contextKey);
    if (fromContext === undefined || fromContext === "") return undefined;
    if (typeof fromContext !== "string") {
      problems.add(`${variable} (cdktf context ${contextKey})`, `${quote(fromContext)} is not allowed (expected a string)`);
      return undefined;
    }
    return fromContext;
  };
  const kind = read("MINDHIT_STATE_BACKEND", "stateBackend") ?? "s3";
  const bootstrapState = read("MINDHIT_BOOTSTRAP_STATE", "bootstrapState") ?? "local";
  const organization = read("TF_CLOUD_ORGANIZATION", "tfCloudOrganization");
  const hostname = read("TF_CLOUD_HOSTNAME", "tfCloudHostname");
  const hcpProject = read("TF_CLOUD_PROJECT", "tfCloudProject");
  const clusterAuth = read("MINDHIT_CLUSTER_AUTH", "clusterAuth") ?? (kind === "cloud" ? "token" : "exec");
  problems.check(kind === "s3" || kind === "cloud", "MINDHIT_STATE_BACKEND", `${quote(kind)} is not allowed (allowed: "s3", "cloud")`);
  problems.check(
    bootstrapState === "local" || bootstrapState === "s3",
    "MINDHIT_BOOTSTRAP_STATE",
    `${quote(bootstrapState)} is not allowed (allowed: "local", "s3")`,
  );
  problems.check(
    clusterAuth === "exec" || clusterAuth === "token",
    "MINDHIT_CLUSTER_AUTH",
    `${quote(clusterAuth)} is not allowed (allowed: "exec" runs \`aws eks get-token\` and needs the AWS CLI where Terraform runs; "token" uses the AWS provider's ephemeral aws_eks_cluster_auth and needs Terraform >= 1.10)`,
  );
  let backend: StateBackend = { kind: "s3" };
  if (kind === "cloud") {
    if (organization === undefined) {
      problems.add("TF_CLOUD_ORGANIZATION", "must name the HCP Terraform organization when MINDHIT_STATE_BACKEND=cloud");
    } else {
      problems.check(
        TF_CLOUD_ORGANIZATION.test(organization),
        "TF_CLOUD_ORGANIZATION",
        `${quote(organization)} is not an HCP Terraform organization name (1-40 of A-Z a-z 0-9 _ -)`,
      );
    }
    if (hostname !== undefined) {
      problems.check(
        TF_CLOUD_HOSTNAME.test(hostname),
        "TF_CLOUD_HOSTNAME",
        `${quote(hostname)} is not a host name (e.g. "app.terraform.io" or "tfe.example.com", no https:// and no path)`,
      );
    }
    if (hcpProject !== undefined) {
      problems.check(
        TF_CLOUD_PROJECT.test(hcpProject),
        "TF_CLOUD_PROJECT",
        `${quote(hcpProject)} is not an HCP Terraform project name (3-40 of A-Z a-z 0-9 _ - and inner spaces)`,
      );
    }
    backend = {
      kind: "cloud",
      organization: organization ?? "",
      hostname: hostname ?? "app.terraform.io",
      ...(hcpProject === undefined ? {} : { project: hcpProject }),
    };
  } else if (kind === "s3") {
    // A half-configured switch: the operator meant HCP Terraform but state would go to S3.
    for (const [variable, value] of [
      ["TF_CLOUD_ORGANIZATION", organization],
      ["TF_CLOUD_HOSTNAME", hostname],
      ["TF_CLOUD_PROJECT", hcpProject],
    ] as const) {
      if (value !== undefined) {
        problems.add(
          variable,
          `${quote(value)} is set but the state backend is "s3" (set MINDHIT_STATE_BACKEND=cloud to use HCP Terraform, or unset ${variable})`,
        );
      }
    }
  }
  problems.throwIfAny();
  return { backend, bootstrapState: bootstrapState as BootstrapStateLocation, clusterAuth: clusterAuth as ClusterAuth };
}

/**
 * The `context` of cdktf.json in `root`. The cdktf CLI passes it to the app in CDKTF_CONTEXT_JSON;
 * `npm run synth` runs the app without the CLI, so main.ts reads it here: the same keys
 * (stateBackend, tfCloudOrganization …) then work either way.
 */
export function cdktfJsonContext(root: string, env: NodeJS.ProcessEnv): Record<string, unknown> {
  if (env.CDKTF_CONTEXT_JSON) return {};
  const config = JSON.parse(fs.readFileSync(path.join(root, "cdktf.json"), "utf8")) as { context?: Record<string, unknown> };
  return config.context ?? {};
}

export interface ProjectStacks {
  /** The accounts the environments live in, in the order their first environment is listed. */
  readonly accounts: readonly AccountIdentity[];
  /** Account ID → its bootstrap stack. */
  readonly bootstraps: ReadonlyMap<string, StateBootstrapStack>;
  /** Account ID → its baseline stack; empty when an organization-wide baseline covers the accounts. */
  readonly baselines: ReadonlyMap<string, AccountBaselineStack>;
  /** The validated environments, identities resolved, in list order. */
  readonly environments: readonly Environment[];
  readonly platforms: ReadonlyMap<string, PlatformStack>;
  readonly apps: ReadonlyMap<string, AppsStack>;
}

/** The stacks' and modules' checks, run on every environment during validation. */
function moduleChecks(options: RunOptions): ModuleChecks {
  return (env, project, problems, readable) => {
    PlatformStack.checkConfig(env, project, problems, readable);
    AppsStack.checkConfig(env, project, problems, readable, options.clusterAuth);
  };
}

/**
 * Validates every input first (project settings, each environment, identities across
 * environments, and the modules' own rules: one run reports all problems), then adds every stack.
 * `environmentConfigs` is `unknown[]` on purpose: JavaScript callers get the same checks.
 */
export function addProjectStacks(app: Construct, projectSettings: unknown, environmentConfigs: unknown, options: RunOptions): ProjectStacks {
  const { project, environments } = validateConfiguration(projectSettings, environmentConfigs, moduleChecks(options));
  return buildStacks(app, project, environments, options);
}

/** What an environment's CI roles work on. */
function ciRoleScope(env: Environment): CiRoleScope {
  return {
    environment: env.identity.environment,
    region: env.region,
    resourceName: env.identity.resourceName,
    peopleRoleNames: [env.identity.breakGlassRoleName, env.identity.clusterAdminRoleName],
  };
}

/** One account's bootstrap: its state, its environments' CI roles and hosted zones. */
function addBootstrap(app: Construct, project: ProjectSettings, account: AccountIdentity, options: RunOptions): StateBootstrapStack {
  const { environments } = account;
  return new StateBootstrapStack(app, account.bootstrapStackName, {
    project,
    account,
    stateLocation: options.bootstrapState,
    ciEnvironments: environments.map((env) => ({
      ...ciRoleScope(env),
      githubEnvironment: env.identity.githubEnvironment,
      roleNames: env.identity.ciRoleNames,
    })),
    hostedZones: [...new Set(environments.map((env) => env.identity.hostedZone))],
    hcpTerraform:
      options.backend.kind === "cloud"
        ? {
            hostname: options.backend.hostname,
            organization: options.backend.organization,
            hcpProject: hcpTerraformProject(project, options.backend),
            workspaces: environments.flatMap((env) =>
              STACK_LAYERS.map((layer) => ({
                workspace: env.identity.stackNames[layer],
                scope: ciRoleScope(env),
                roleNames: env.identity.hcpTerraformRoleNames[layer],
              })),
            ),
          }
        : undefined,
  });
}

function buildStacks(app: Construct, project: ProjectSettings, environments: readonly Environment[], options: RunOptions): ProjectStacks {
  const accounts = accountsOf(project, environments);
  const bootstraps = new Map<string, StateBootstrapStack>();
  const baselines = new Map<string, AccountBaselineStack>();
  for (const account of accounts) {
    bootstraps.set(account.id, addBootstrap(app, project, account, options));
    if (project.accountBaseline.provider === "project") {
      baselines.set(
        account.id,
        new AccountBaselineStack(app, account.baselineStackName, {
          project,
          backend: options.backend,
          account,
          auditedBucketPrefixes: [`${account.stateBucket}/`, ...account.environments.map((env) => env.identity.backupsBucketPrefix)],
        }),
      );
    }
  }
  const platforms = new Map<string, PlatformStack>();
  const apps = new Map<string, AppsStack>();
  for (const env of environments) {
    const platform = new PlatformStack(app, { project, env, backend: options.backend });
    platforms.set(env.identity.name, platform);
    const inCluster = new AppsStack(app, { project, env, backend: options.backend, clusterAuth: options.clusterAuth });
    // Deploy order for `cdktf deploy`: the cluster before what runs on it. Nothing crosses
    // the stacks but this ordering: the in-cluster stack finds the cluster by name.
    inCluster.addDependency(platform);
    apps.set(env.identity.name, inCluster);
  }
  // AWS names are unique per account (and region): each account's stacks are checked together.
  for (const account of accounts) {
    const accountStacks: TerraformStack[] = [bootstraps.get(account.id), baselines.get(account.id)].filter((s) => s !== undefined);
    checkUniqueAwsNames([
      ...accountStacks.map((stack) => ({ stack, owner: `the ${stack.node.id} stack`, region: project.state.region })),
      ...account.environments.flatMap((env) => {
        const owner = `environment ${quote(env.identity.name)}`;
        return [platforms.get(env.identity.name), apps.get(env.identity.name)].map((stack) => ({ stack: stack as TerraformStack, owner, region: env.region }));
      }),
    ]);
  }
  return { accounts, bootstraps, baselines, environments, platforms, apps };
}
