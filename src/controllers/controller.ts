/**
 * The shape of an entry in the in-cluster controller table (./index.ts), and how the apps stack
 * installs one: the namespace the table names (created once), what the entry's hook makes, the
 * IRSA role of its service account, and its Helm release, after the releases it names.
 */
import type { DataAwsEksCluster } from "@cdktf/provider-aws/lib/data-aws-eks-cluster";
import type { DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import type { DataAwsSnsTopic } from "@cdktf/provider-aws/lib/data-aws-sns-topic";
import type { Release } from "@cdktf/provider-helm/lib/release";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import type { Construct } from "constructs";
import { ReleaseV3 } from "../bindings/helm-provider-v3";
import type { ITerraformDependable } from "../cdktf";
import type { Environment, ProjectSettings, Readable } from "../config";
import type { AwsAccount } from "../modules/shared/aws-account";
import { Defaults, withDefaults } from "../modules/shared/defaults";
import { HelmValues, toValuesDocument } from "../modules/shared/helm-values";
import type { IrsaRole } from "../modules/shared/irsa-role";
import type { Problems } from "../validation";

/** How long Helm waits for a controller's release unless its entry says otherwise (they are ready in about a minute). */
export const CONTROLLER_RELEASE_TIMEOUT_SECONDS = 240;

/** The "restricted" Pod Security Standard, enforced and audited: what the app's and External Secrets' namespaces run under. */
export const RESTRICTED_POD_SECURITY: Readonly<Record<string, string>> = {
  "pod-security.kubernetes.io/enforce": "restricted",
  "pod-security.kubernetes.io/audit": "restricted",
};

/** A third-party chart, pinned to one version. */
export interface ChartPin {
  /** The Helm repository (`https://…`), or the OCI registry path (`oci://…`). */
  readonly repository: string;
  readonly chart: string;
  /** Exact version. Bump deliberately: each bump is a change to the running cluster. */
  readonly version: string;
  /** Where that version was read (index, commit, date): where the next bump starts. */
  readonly versionReadFrom: string;
}

/**
 * Where the cluster stage (__tests__/integration/test_cluster.py) gets the chart. The Helm
 * repositories are unreachable there, so each chart comes from its source in a module the Go
 * module proxy serves (cached per machine in GOMODCACHE); when that source holds another version
 * than the pin, the stage says so. `src/cli/chart-sources.ts` prints these for the stage.
 */
export type ClusterStageChart = ChartInGoModule | CrdsInGoModule | ExtraManifestsStandIn | UnavailableChart;

/** The chart's own directory in a Go module. */
export interface ChartInGoModule {
  readonly module: string;
  /** The module version (what the proxy serves, often a pseudo-version). */
  readonly version: string;
  /** The chart's directory in the module. */
  readonly path: string;
  /** A CRD bundle in the module the stage puts into the chart's crds/ (for charts whose release job adds them). @default none */
  readonly crds?: string;
  /**
   * Values that switch the chart's webhooks off, added by the stage after the release's own: with
   * no nodes no pod runs, so a webhook could never answer the API server. @default none: it has none
   */
  readonly webhooksOff?: HelmValues;
  /** What the stage changes, and why. @default none */
  readonly note?: string;
}

/** A chart that is only a package of CRDs: the stage packages the same CRDs from the module into a stand-in chart. */
export interface CrdsInGoModule {
  readonly module: string;
  readonly version: string;
  /** The module directory holding the CRD files. */
  readonly crdsChart: string;
  readonly note: string;
}

/** A stand-in chart rendering only the release's `extraManifests`, as the real chart does. */
export interface ExtraManifestsStandIn {
  readonly extraManifestsOnly: true;
  readonly note: string;
}

/** No served module holds the chart: the stage plans and applies everything but this release. */
export interface UnavailableChart {
  /** Why. */
  readonly unavailable: string;
}

/** Where a controller runs. */
export interface ControllerNamespace {
  readonly name: string;
  /**
   * Pod Security labels of a namespace the apps stack creates for it, once, as
   * `kubernetes_namespace_v1.<name>-namespace` (its releases name it through that resource).
   * @default none: a namespace every cluster has (kube-system), not created
   */
  readonly podSecurity?: Readonly<Record<string, string>>;
}

/** What an entry's hooks read and add to: the apps stack and the environment it is for. */
export interface ControllerContext {
  /** The apps stack: where a hook adds the resources its controller needs. */
  readonly scope: Construct;
  readonly env: Environment;
  readonly project: ProjectSettings;
  readonly account: AwsAccount;
  /** The environment's EKS cluster, looked up by name. */
  readonly cluster: DataAwsEksCluster;
  /** The environment's alert topic (the platform stack's), looked up by name. */
  readonly alertTopic: DataAwsSnsTopic;
  /** An IRSA role for one service account of this cluster. */
  readonly irsaRole: (id: string, role: IrsaRoleSpec) => IrsaRole;
}

/** An IRSA role: who may assume it and what it may do. */
export interface IrsaRoleSpec {
  readonly roleName: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly statements: DataAwsIamPolicyDocumentStatement[];
}

/** The IRSA role of a controller's service account. */
export interface ControllerRole<Needs> {
  /**
   * The role is `<resourceName>-<name>`, its construct id `<name>-role`: renaming it replaces the
   * role (a short name where the release's is long: `lb-controller`).
   */
  readonly name: string;
  /** What the controller may do in AWS, narrowed to this environment. */
  readonly statements: (ctx: ControllerContext, needs: Needs) => DataAwsIamPolicyDocumentStatement[];
}

/** The chart values that create a service account, bound to an IRSA role where it has one (the controllers' charts share this shape). */
export interface ServiceAccountValues {
  readonly create: true;
  readonly name: string;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** What an entry's `values` receive besides the context: what its hook made, and its service account's values. */
export interface ControllerParts<Needs, ServiceAccount extends string | undefined> {
  readonly needs: Needs;
  readonly serviceAccount: ServiceAccount extends string ? ServiceAccountValues : undefined;
}

/** The plain settings of an entry (its hooks aside), each optional one with its default in CONTROLLER_DEFAULTS. */
export interface ControllerSettings {
  /** The Helm release's name and its construct id (`helm_release.<name>`): renaming it replaces the release. */
  readonly name: string;
  readonly chart: ChartPin;
  readonly clusterStage: ClusterStageChart;
  readonly namespace: ControllerNamespace;
  /** Whether the environment runs it. @default always */
  readonly enabledFor?: (env: Environment) => boolean;
  /**
   * Releases (earlier in the table, on wherever this one is) installed before this one: what its
   * objects need (CRDs, webhooks, a Secret's store). @default [] (nothing)
   */
  readonly after?: readonly string[];
  /**
   * The app's release waits for it: the chart's objects need it at install (webhooks, CRDs).
   * Everything else (autoscaling, metrics, DNS) comes later and must never hold a release back.
   * @default false
   */
  readonly appReleaseWaits?: boolean;
  /** How long Helm waits for the release (atomic: it rolls back after that). @default 240 (CONTROLLER_RELEASE_TIMEOUT_SECONDS) */
  readonly timeoutSeconds?: number;
  /** Its rules on the environment's config, under the config fields an operator edits; run by validation. @default none */
  readonly checkConfig?: (env: Environment, problems: Problems, readable: Readable) => void;
}

/** An entry as written in the table: its settings and its typed hooks. */
export interface ControllerSpec<Needs, ServiceAccount extends string | undefined> extends ControllerSettings {
  /** The service account the chart creates for it (its values carry the name). @default none: the chart's own, set by nothing here */
  readonly serviceAccount?: ServiceAccount;
  /**
   * Resources it needs beyond its role and release (lookups, a storage class, other roles), made
   * before them; what it returns reaches `role` and `values` (typed from it: annotate the
   * parameter, `(ctx: ControllerContext) => …`, or name a function). @default none
   */
  readonly needs?: (ctx: ControllerContext) => Needs;
  /** The IRSA role of its service account. @default none: it calls no AWS API as itself */
  readonly role?: ServiceAccount extends string ? ControllerRole<Needs> : never;
  /** Releases besides `after` it waits for, from what `needs` made. @default none */
  readonly alsoAfter?: (needs: Needs) => ITerraformDependable[];
  /** The chart values, one document (the keys in the order the chart documents them). */
  readonly values: (ctx: ControllerContext, parts: ControllerParts<Needs, ServiceAccount>) => HelmValues;
}

/** A table entry: its settings with defaults applied, and its hooks behind `install`. */
export interface InClusterController extends Required<Omit<ControllerSettings, "checkConfig">> {
  readonly serviceAccount: string | undefined;
  /** Its IRSA role's name suffix (`<resourceName>-<roleName>`), if it has one. */
  readonly roleName: string | undefined;
  readonly checkConfig: (env: Environment, problems: Problems, readable: Readable) => void;
  /** Adds what it needs, its role and its release to the context's stack; returns the release. */
  readonly install: (ctx: ControllerContext, installed: InstalledControllers) => Release;
}

export const CONTROLLER_DEFAULTS = {
  enabledFor: () => true,
  after: [],
  appReleaseWaits: false,
  timeoutSeconds: CONTROLLER_RELEASE_TIMEOUT_SECONDS,
} as const satisfies Defaults<ControllerSettings, "checkConfig">;

/**
 * A table entry from its spec. The hooks' types (what `needs` returns, whether there is a service
 * account) are checked here, within the entry, so entries of different shapes share one table.
 */
export function controller<Needs = undefined, ServiceAccount extends string | undefined = undefined>(
  spec: ControllerSpec<Needs, ServiceAccount>,
): InClusterController {
  const settings = withDefaults(spec, CONTROLLER_DEFAULTS);
  return {
    name: settings.name,
    chart: settings.chart,
    clusterStage: settings.clusterStage,
    namespace: settings.namespace,
    enabledFor: settings.enabledFor,
    after: settings.after,
    appReleaseWaits: settings.appReleaseWaits,
    timeoutSeconds: settings.timeoutSeconds,
    serviceAccount: spec.serviceAccount,
    roleName: spec.role?.name,
    checkConfig: (env, problems, readable) => spec.checkConfig?.(env, problems, readable),
    install: (ctx, installed) => {
      const namespace = installed.namespace(ctx.scope, settings.namespace);
      const needs = spec.needs ? spec.needs(ctx) : (undefined as Needs);
      let serviceAccount: ServiceAccountValues | undefined;
      if (spec.serviceAccount !== undefined) {
        const role =
          spec.role &&
          ctx.irsaRole(`${spec.role.name}-role`, {
            roleName: `${ctx.env.identity.resourceName}-${spec.role.name}`,
            namespace: settings.namespace.name,
            serviceAccount: spec.serviceAccount,
            statements: spec.role.statements(ctx, needs),
          });
        serviceAccount = { create: true, name: spec.serviceAccount, ...(role ? { annotations: { "eks.amazonaws.com/role-arn": role.roleArn } } : {}) };
      }
      const parts = { needs, serviceAccount } as ControllerParts<Needs, ServiceAccount>;
      const dependsOn = [...settings.after.map((name) => installed.release(settings.name, name)), ...(spec.alsoAfter?.(needs) ?? [])];
      const release = new ReleaseV3(ctx.scope, settings.name, {
        name: settings.name,
        repository: settings.chart.repository,
        chart: settings.chart.chart,
        version: settings.chart.version,
        namespace,
        createNamespace: false,
        dependsOn: dependsOn.length > 0 ? dependsOn : undefined,
        values: [toValuesDocument(spec.values(ctx, parts))],
        atomic: true,
        wait: true,
        timeout: settings.timeoutSeconds,
        cleanupOnFail: true,
        maxHistory: 10,
      });
      installed.add(settings.name, release);
      return release;
    },
  };
}

/** The releases and namespaces installed so far in one apps stack, for the entries that follow. */
export class InstalledControllers {
  private readonly releases = new Map<string, Release>();
  private readonly namespaces = new Map<string, string>();

  /** The namespace's name as a release names it: through the namespace resource where the stack creates one (created here, once). */
  namespace(scope: Construct, namespace: ControllerNamespace): string {
    if (namespace.podSecurity === undefined) return namespace.name;
    let name = this.namespaces.get(namespace.name);
    if (name === undefined) {
      name = new NamespaceV1(scope, `${namespace.name}-namespace`, { metadata: { name: namespace.name, labels: { ...namespace.podSecurity } } }).metadata.name;
      this.namespaces.set(namespace.name, name);
    }
    return name;
  }

  /** The release `name`, which `dependent` waits for: installed before it (earlier in the table, and on here). */
  release(dependent: string, name: string): Release {
    const release = this.releases.get(name);
    if (release === undefined)
      throw new Error(
        `controller ${dependent} waits for ${name}, which is not installed before it (later in src/controllers/index.ts, or off in this environment)`,
      );
    return release;
  }

  add(name: string, release: Release): void {
    this.releases.set(name, release);
  }
}
