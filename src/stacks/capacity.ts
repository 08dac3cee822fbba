/**
 * Synth-time capacity check: the most the application can ask for (each component's maximum
 * replicas × its CPU and memory requests, from the chart values the release uses) must fit on
 * the most nodes the cluster may have (cluster.nodeMaxSize of the smallest listed instance type).
 * Otherwise the HPA's maximum is a promise the Cluster Autoscaler cannot keep.
 *
 * The model is deliberately simple and conservative, and its numbers are in the message:
 * - a node offers 75% of its vCPU and memory to workloads; the rest goes to the kubelet's
 *   reservation, eviction headroom and the add-ons' DaemonSets (VPC CNI, kube-proxy, EBS CSI node,
 *   CloudWatch agent, Fluent Bit);
 * - the cluster's own controllers (CoreDNS, load balancer controller, metrics-server, External
 *   Secrets, Cluster Autoscaler, ExternalDNS) take SYSTEM_RESERVE once.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import type { Environment } from "../config";
import { chartDir } from "../paths";
import type { Problems } from "../validation";

const USABLE_FRACTION = 0.75;
const SYSTEM_RESERVE = { milliCpu: 1000, mebibytes: 1536 };

/** GiB of memory per vCPU by family class (AWS instance type docs): c compute, m general, r/x/z memory. */
const MEMORY_PER_VCPU: ReadonlyArray<readonly [RegExp, number]> = [
  [/^c\d/, 2],
  [/^m\d/, 4],
  [/^r\d/, 8],
  [/^z\d/, 8],
  [/^x\d/, 16],
];
/** Burstable sizes (t3, t3a, t4g): vCPU and GiB. */
const BURSTABLE: Readonly<Record<string, readonly [number, number]>> = {
  nano: [2, 0.5],
  micro: [2, 1],
  small: [2, 2],
  medium: [2, 4],
  large: [2, 8],
  xlarge: [4, 16],
  "2xlarge": [8, 32],
};

/** vCPU and memory (MiB) of an instance type, or undefined when the rules here do not cover it. */
export function instanceCapacity(type: string): { milliCpu: number; mebibytes: number } | undefined {
  const [family, size] = type.split(".");
  if (family === undefined || size === undefined) return undefined;
  if (/^t\d/.test(family)) {
    const spec = BURSTABLE[size];
    return spec && { milliCpu: spec[0] * 1000, mebibytes: spec[1] * 1024 };
  }
  const perVcpu = MEMORY_PER_VCPU.find(([pattern]) => pattern.test(family))?.[1];
  const vcpus = size === "medium" ? 1 : size === "large" ? 2 : size === "xlarge" ? 4 : /^\d+xlarge$/.test(size) ? 4 * Number.parseInt(size, 10) : undefined;
  return perVcpu === undefined || vcpus === undefined ? undefined : { milliCpu: vcpus * 1000, mebibytes: vcpus * perVcpu * 1024 };
}

type Values = Record<string, unknown>;

function merge(base: Values, override: Values): Values {
  const out: Values = { ...base };
  for (const [k, v] of Object.entries(override)) {
    const cur = out[k];
    out[k] =
      typeof cur === "object" && cur !== null && !Array.isArray(cur) && typeof v === "object" && v !== null && !Array.isArray(v)
        ? merge(cur as Values, v as Values)
        : v;
  }
  return out;
}

/** Kubernetes quantities as the chart writes them: `250m`, `1`, `512Mi`, `1Gi`. */
function milliCpu(quantity: unknown): number {
  const text = String(quantity);
  return text.endsWith("m") ? Number(text.slice(0, -1)) : Number(text) * 1000;
}

function mebibytes(quantity: unknown): number {
  const match = /^(\d+(?:\.\d+)?)(Mi|Gi|Ki)?$/.exec(String(quantity));
  if (!match) return Number.NaN;
  const factor = match[2] === "Gi" ? 1024 : match[2] === "Ki" ? 1 / 1024 : match[2] === "Mi" ? 1 : 1 / (1024 * 1024);
  return Number(match[1]) * factor;
}

/** What the components may request at most, from the chart defaults and the environment's values file. */
export function applicationDemand(valuesFile: string | undefined): { milliCpu: number; mebibytes: number; detail: string[] } {
  const read = (file: string): Values => (YAML.parse(fs.readFileSync(path.join(chartDir(), file), "utf8")) as Values | null) ?? {};
  const values = valuesFile === undefined ? read("values.yaml") : merge(read("values.yaml"), read(valuesFile));
  let cpu = 0;
  let memory = 0;
  const detail: string[] = [];
  for (const component of ["api", "worker"]) {
    const v = values[component] as {
      replicas: number;
      hpa: { enabled: boolean; maxReplicas: number };
      resources: { requests: { cpu: unknown; memory: unknown } };
    };
    const replicas = v.hpa.enabled ? v.hpa.maxReplicas : v.replicas;
    cpu += replicas * milliCpu(v.resources.requests.cpu);
    memory += replicas * mebibytes(v.resources.requests.memory);
    detail.push(`${component} ${replicas} × ${String(v.resources.requests.cpu)}/${String(v.resources.requests.memory)}`);
  }
  return { milliCpu: cpu, mebibytes: memory, detail };
}

export function checkCapacity(env: Environment, problems: Problems): void {
  const field = "cluster.nodeMaxSize";
  // Nothing to size against: an empty type list or a missing values file is reported by its own check.
  const valuesFile = env.identity.valuesFile;
  if (env.cluster.nodeInstanceTypes.length === 0 || (valuesFile !== undefined && !fs.existsSync(path.join(chartDir(), valuesFile)))) return;
  const capacities = env.cluster.nodeInstanceTypes.map((type) => [type, instanceCapacity(type)] as const);
  const unknown = capacities.filter(([, c]) => c === undefined).map(([t]) => t);
  if (unknown.length > 0) {
    problems.add(
      "cluster.nodeInstanceTypes",
      `${unknown.map((t) => JSON.stringify(t)).join(", ")}: no vCPU/memory rule for the capacity check (covered: t, c, m, r, x, z families; src/stacks/capacity.ts)`,
    );
    return;
  }
  // The autoscaler may pick any listed type: plan for the smallest.
  const node = capacities.flatMap(([, c]) => (c === undefined ? [] : [c])).reduce((a, b) => (a.milliCpu * a.mebibytes <= b.milliCpu * b.mebibytes ? a : b));
  const nodes = env.cluster.nodeMaxSize;
  const supply = {
    milliCpu: Math.floor(nodes * node.milliCpu * USABLE_FRACTION) - SYSTEM_RESERVE.milliCpu,
    mebibytes: Math.floor(nodes * node.mebibytes * USABLE_FRACTION) - SYSTEM_RESERVE.mebibytes,
  };
  const demand = applicationDemand(env.identity.valuesFile);
  if (demand.milliCpu > supply.milliCpu || demand.mebibytes > supply.mebibytes) {
    problems.add(
      field,
      `${nodes} is too small: at their maximum the app requests ${demand.milliCpu}m CPU and ${Math.round(demand.mebibytes)}Mi (${demand.detail.join(", ")}), ` +
        `${nodes} nodes offer ${supply.milliCpu}m and ${supply.mebibytes}Mi (75% of each node, less ${SYSTEM_RESERVE.milliCpu}m/${SYSTEM_RESERVE.mebibytes}Mi for the cluster's controllers); ` +
        `raise nodeMaxSize, pick a larger instance type, or lower the HPA maximum in the values file`,
    );
  }
}
