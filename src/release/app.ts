/**
 * The application as the apps stack releases it: its names (shared with the chart and its tests)
 * and the values the stack adds on top of the environment's values file, typed so tests can check
 * them against the chart's schema.
 */
import * as fs from "fs";
import * as path from "path";
import { SPOT_CAPACITY } from "../modules/eks";
import { chartDir } from "../paths";

/** Where the application runs and what its pieces are called, shared with the chart and its tests. */
export const APP = {
  namespace: "mindhit",
  release: "mindhit",
  components: ["api", "worker"],
  /** PostgreSQL role the app logs in as with an IAM token (`GRANT rds_iam TO mindhit_app`). */
  databaseUser: "mindhit_app",
  secretStoreName: "aws-secrets-manager",
  /** The SecretStore's service account: its IRSA role is the only reader of the app secret. */
  secretsServiceAccount: "mindhit-secrets-reader",
} as const;

/** Where the logical dumps go in the backups bucket; their IAM role may write nowhere else. */
export const LOGICAL_BACKUP_PREFIX = "postgres/";

/** Values the stack adds on top of the environment's values file (typed so tests can check them against the chart schema). */
export interface AppReleaseValues {
  global: { environment: string; imageRegistry: string };
  secrets: {
    externalSecret: {
      enabled: boolean;
      remoteKey: string;
      store: { create: boolean; name: string; region: string; roleArn: string; serviceAccountName: string };
    };
  };
  api: ComponentValues;
  worker: ComponentValues;
  ingress: { enabled: boolean; host: string; certificateArn: string; wafAclArn: string; loadBalancerName: string };
  networkPolicy: { egress: { vpcCidr: string } };
  databaseInit: { enabled: boolean; host: string; port: number; database: string; appUser: string; masterSecretArn: string };
  logicalBackup: { enabled: boolean; schedule?: string; bucket?: string; prefix?: string; region?: string; roleArn?: string };
  /** The app's ServiceMonitor and alert rules, where kube-prometheus-stack runs. */
  monitoring: { enabled: boolean };
}

/** One component's values (`api`, `worker`). */
export interface ComponentValues {
  image: { repository: string; tag: string };
  serviceAccount: { create: boolean; roleArn: string };
  tolerations?: Array<{ key: string; operator: "Equal"; value: string; effect: "NoSchedule" }>;
  affinity?: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: Array<{ weight: number; preference: NodeSelectorTerm }> } };
}

interface NodeSelectorTerm {
  matchExpressions: Array<{ key: string; operator: "In"; values: string[] }>;
}

/**
 * The worker is stateless (seed 004: stateless workloads on Spot): where the environment has Spot
 * nodes it tolerates their taint and prefers them, and still runs on on-demand nodes when Spot
 * capacity is short or being reclaimed. The api stays on on-demand capacity.
 */
export const SPOT_WORKLOAD: Pick<ComponentValues, "tolerations" | "affinity"> = {
  tolerations: [{ key: SPOT_CAPACITY.key, operator: "Equal", value: SPOT_CAPACITY.value, effect: "NoSchedule" }],
  affinity: {
    nodeAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [
        { weight: 100, preference: { matchExpressions: [{ key: SPOT_CAPACITY.key, operator: "In", values: [SPOT_CAPACITY.value] }] } },
      ],
    },
  },
};

/** The values file as the release's first layer, or nothing when the environment uses the chart's defaults. */
export function valuesFileLayer(valuesFile: string | undefined): string[] {
  return valuesFile === undefined ? [] : [fs.readFileSync(path.join(chartDir(), valuesFile), "utf8")];
}
