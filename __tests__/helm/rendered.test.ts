/**
 * The chart as Helm renders it for each environment's exact release values: probes per component,
 * NetworkPolicy egress, the database-init and ingress-ready hooks, the certificate annotation; and
 * the monitoring objects (ServiceMonitor, PodMonitor, PrometheusRule) with monitoring on and off.
 * Uses the helm the setup stage builds into the tool cache (scripts/tools.sh helm).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { toolPath } from "../helpers/tools";
import { chartDir } from "../../src/paths";
import { releaseValueLayers, Values } from "../helpers/release-values";
import { buildProject } from "../helpers/synth";

const helm = toolPath("bin/helm");

type Metadata = { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
type Manifest = { kind: string; metadata: Metadata; spec: Record<string, unknown> };

function render(layers: Values[]): Manifest[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "render-"));
  const args = layers.flatMap((layer, i) => {
    const file = path.join(dir, `${i}.json`);
    fs.writeFileSync(file, JSON.stringify(layer));
    return ["-f", file];
  });
  const out = execFileSync(helm, ["template", "mindhit", chartDir(), "--namespace", "mindhit", "--kube-version", "1.35", ...args], { encoding: "utf8" });
  fs.rmSync(dir, { recursive: true, force: true });
  return YAML.parseAllDocuments(out).map((d) => d.toJSON() as Manifest).filter((m) => m !== null);
}

const stacks = buildProject();

describe.each(stacks.environments.map((e) => [e.identity.name, e] as const))("%s release, rendered", (name, env) => {
  const manifests = render(releaseValueLayers(stacks.apps.get(name)!, env));
  const find = (kind: string, objectName: string): Manifest => {
    const found = manifests.find((m) => m.kind === kind && m.metadata.name === objectName);
    if (!found) throw new Error(`no ${kind} ${objectName}`);
    return found;
  };
  const container = (deployment: string): Record<string, unknown> =>
    ((find("Deployment", deployment).spec.template as { spec: { containers: Array<Record<string, unknown>> } }).spec.containers[0]);

  it("schedules the nightly pg_dump where the environment turns it on: master credentials from the RDS secret as a file, the upload under the dumps' prefix", () => {
    const cronjobs = manifests.filter((m) => m.kind === "CronJob");
    if (!env.backup.logicalDumps.enabled) {
      expect(cronjobs).toEqual([]);
      return;
    }
    const cronjob = find("CronJob", "mindhit-logical-backup");
    expect(cronjob.spec).toMatchObject({ schedule: env.backup.logicalDumps.schedule, timeZone: "Etc/UTC", concurrencyPolicy: "Forbid" });
    type PodSpec = {
      serviceAccountName: string;
      initContainers: Array<{ command: string[]; env: Array<{ name: string; value: string }> }>;
      containers: Array<{ env: Array<{ name: string; value: string }> }>;
    };
    const pod = (cronjob.spec as { jobTemplate: { spec: { template: { spec: PodSpec } } } }).jobTemplate.spec.template.spec;
    expect(pod.serviceAccountName).toBe("mindhit-logical-backup");
    expect(pod.initContainers[0].command).toEqual(["pg_dump", "--format=custom", "--compress=6", "--file=/dump/database.dump"]);
    expect(pod.initContainers[0].env).toContainEqual({ name: "PGSERVICEFILE", value: "/run/db/pg_service.conf" });
    expect(pod.containers[0].env).toContainEqual({
      name: "DESTINATION",
      value: `s3://${env.identity.backupsBucketPrefix}111111111111/postgres/${env.database.dbName}`,
    });
    const secret = find("ExternalSecret", "mindhit-logical-backup").spec as { data: Array<{ remoteRef: { key: string; property: string } }> };
    expect(secret.data.map((d) => d.remoteRef.property)).toEqual(["username", "password"]);
    expect(secret.data.every((d) => d.remoteRef.key.startsWith("arn:aws:secretsmanager:"))).toBe(true);
    expect(find("ServiceAccount", "mindhit-logical-backup").metadata.annotations).toEqual({
      "eks.amazonaws.com/role-arn": expect.stringMatching(/^arn:aws:iam::111111111111:role\//),
    });
    expect(find("NetworkPolicy", "mindhit-logical-backup").spec.policyTypes).toEqual(["Ingress", "Egress"]);
  });

  it("wires each component to its environment, database, cache and secret from the chart itself, whatever the values file", () => {
    type EnvVar = { name: string; value?: string; valueFrom?: { secretKeyRef: { name: string; key: string } } };
    const variables = (deployment: string): Record<string, string> =>
      Object.fromEntries(
        (container(deployment).env as EnvVar[]).map((e) => [e.name, e.valueFrom ? `${e.valueFrom.secretKeyRef.name}/${e.valueFrom.secretKeyRef.key}` : (e.value ?? "")]),
      );
    expect(variables("mindhit-api")).toEqual({
      ENVIRONMENT: env.identity.environment,
      PORT: "8080",
      DATABASE_URL: "mindhit-secrets/database-url",
      REDIS_ADDR: "mindhit-secrets/redis-addr",
      JWT_SECRET: "mindhit-secrets/jwt-secret",
    });
    expect(variables("mindhit-worker")).toEqual({
      ENVIRONMENT: env.identity.environment,
      PORT: "8080",
      DATABASE_URL: "mindhit-secrets/database-url",
      REDIS_ADDR: "mindhit-secrets/redis-addr",
      OPENAI_API_KEY: "mindhit-secrets/openai-api-key",
    });
    // The ExternalSecret copies exactly the keys the pods read.
    const secret = find("ExternalSecret", "mindhit-secrets").spec as { data: Array<{ secretKey: string; remoteRef: { key: string; property: string } }> };
    expect(secret.data.map((d) => d.secretKey)).toEqual(["database-url", "jwt-secret", "openai-api-key", "redis-addr"]);
    expect(new Set(secret.data.map((d) => d.remoteRef.key))).toEqual(new Set([env.identity.appSecretName]));
  });

  it("probes the api over HTTP and the worker not at all (a queue consumer with no HTTP server)", () => {
    expect(container("mindhit-api").livenessProbe).toMatchObject({ httpGet: { path: "/health", port: "http" } });
    expect(container("mindhit-api").readinessProbe).toMatchObject({ httpGet: { path: "/health", port: "http" } });
    expect(container("mindhit-worker")).not.toHaveProperty("livenessProbe");
    expect(container("mindhit-worker")).not.toHaveProperty("readinessProbe");
  });

  it("lets the pods reach only DNS, PostgreSQL and Redis in the VPC, and HTTPS", () => {
    for (const component of ["api", "worker"]) {
      const policy = find("NetworkPolicy", `mindhit-${component}`).spec as { policyTypes: string[]; egress: Array<{ to: unknown[]; ports: Array<{ port: number }> }> };
      expect(policy.policyTypes).toEqual(["Ingress", "Egress"]);
      expect(policy.egress.map((rule) => rule.ports.map((p) => p.port))).toEqual([[53, 53], [5432, 6379], [443]]);
      expect(policy.egress[1].to).toEqual([{ ipBlock: { cidr: env.network.vpcCidr } }]);
    }
  });

  it("creates the app's PostgreSQL role in a pre-install/pre-upgrade hook, with the master secret only for the hook's life", () => {
    const job = find("Job", "mindhit-db-init");
    expect(job.metadata.annotations).toMatchObject({ "helm.sh/hook": "pre-install,pre-upgrade", "helm.sh/hook-delete-policy": "before-hook-creation,hook-succeeded" });
    const command = ((job.spec.template as { spec: { containers: Array<{ command: string[] }> } }).spec.containers[0]).command.join(" ");
    expect(command).toContain("CREATE ROLE \"mindhit_app\" LOGIN");
    expect(command).toContain("GRANT rds_iam TO \"mindhit_app\"");
    const secret = find("ExternalSecret", "mindhit-db-init");
    expect(secret.metadata.annotations).toMatchObject({ "helm.sh/hook": "pre-install,pre-upgrade", "helm.sh/hook-weight": "-5" });
    expect(JSON.stringify(secret.spec)).toContain("secretsmanager");
  });

  it("holds the release until the controller has given the Ingress an ALB", () => {
    const job = find("Job", "mindhit-ingress-ready");
    expect(job.metadata.annotations).toMatchObject({ "helm.sh/hook": "post-install,post-upgrade" });
    const command = ((job.spec.template as { spec: { containers: Array<{ command: string[] }> } }).spec.containers[0]).command;
    expect(command).toEqual(expect.arrayContaining(["wait", "--for=jsonpath={.status.loadBalancer.ingress[0].hostname}", "ingress/mindhit-api"]));
  });

  it("authenticates the SecretStore as its own IRSA service account, never as the ESO controller", () => {
    const store = find("SecretStore", "aws-secrets-manager");
    expect(store.spec).toMatchObject({ provider: { aws: { auth: { jwt: { serviceAccountRef: { name: "mindhit-secrets-reader" } } } } } });
    expect(find("ServiceAccount", "mindhit-secrets-reader").metadata.annotations).toMatchObject({ "eks.amazonaws.com/role-arn": expect.stringMatching(/^arn:aws:iam::/) });
  });

  it("admits connections to the pods from inside the VPC only", () => {
    const ingress = (find("NetworkPolicy", "mindhit-api").spec as { ingress: Array<{ from: unknown }> }).ingress;
    expect(ingress[0].from).toEqual([{ ipBlock: { cidr: env.network.vpcCidr } }]);
  });

  it("names the host's ACM certificate on the Ingress", () => {
    expect(find("Ingress", "mindhit-api").metadata.annotations).toMatchObject({ "alb.ingress.kubernetes.io/certificate-arn": expect.stringMatching(/^arn:aws:acm:/) });
  });
});

describe("probes from values", () => {
  const prod = stacks.environments.find((e) => e.identity.name === "prod")!;
  it("run a command when the worker's image has a health check", () => {
    const layers = [...releaseValueLayers(stacks.apps.get("prod")!, prod), { worker: { probes: { type: "exec", command: ["/worker", "healthcheck"] } } }];
    const worker = render(layers).find((m) => m.kind === "Deployment" && m.metadata.name === "mindhit-worker")!;
    const c = (worker.spec.template as { spec: { containers: Array<Record<string, unknown>> } }).spec.containers[0];
    expect(c.livenessProbe).toMatchObject({ exec: { command: ["/worker", "healthcheck"] }, periodSeconds: 10 });
  });
});

describe("monitoring", () => {
  const prod = stacks.environments.find((e) => e.identity.name === "prod")!;
  const withValues = (monitoring: Values): Manifest[] => render([...releaseValueLayers(stacks.apps.get("prod")!, prod), { monitoring }]);
  const monitoringKinds = ["ServiceMonitor", "PodMonitor", "PrometheusRule"];
  const only = (manifests: Manifest[], kind: string): Manifest => {
    const found = manifests.filter((m) => m.kind === kind);
    expect(found).toHaveLength(1);
    return found[0];
  };
  type Rule = { alert: string; expr: string; for: string; labels: { severity: string }; annotations: { summary: string; description: string } };
  const rules = (manifests: Manifest[]): Rule[] => (only(manifests, "PrometheusRule").spec as { groups: Array<{ rules: Rule[] }> }).groups.flatMap((g) => g.rules);

  it("renders no monitoring object when off", () => {
    expect(withValues({ enabled: false }).filter((m) => monitoringKinds.includes(m.kind))).toEqual([]);
  });

  const on = withValues({ enabled: true });

  it("scrapes the api Service's http port: the ServiceMonitor selects exactly the Service's selector labels, which the Service carries", () => {
    const service = on.find((m) => m.kind === "Service" && m.metadata.name === "mindhit-api")!;
    const monitor = only(on, "ServiceMonitor");
    const spec = monitor.spec as { selector: { matchLabels: Record<string, string> }; endpoints: Array<Record<string, string>> };
    expect(monitor.metadata).toMatchObject({ name: "mindhit-api" });
    expect(spec.selector.matchLabels).toEqual(service.spec.selector);
    expect(service.metadata.labels).toMatchObject(spec.selector.matchLabels);
    expect((service.spec.ports as Array<{ name: string }>).map((p) => p.name)).toContain("http");
    expect(spec.endpoints).toEqual([{ port: "http", path: "/metrics", interval: "30s" }]);
  });

  it("scrapes the worker only when its scraping is turned on (it serves no documented HTTP), through its pods' http port", () => {
    expect(on.filter((m) => m.kind === "PodMonitor")).toEqual([]);
    const rendered = withValues({ enabled: true, worker: { enabled: true, path: "/internal/metrics" } });
    const monitor = only(rendered, "PodMonitor").spec as { selector: { matchLabels: Record<string, string> }; podMetricsEndpoints: unknown[] };
    const worker = rendered.find((m) => m.kind === "Deployment" && m.metadata.name === "mindhit-worker")!;
    const template = worker.spec.template as { metadata: { labels: Record<string, string> }; spec: { containers: Array<{ ports: Array<{ name: string }> }> } };
    expect(template.metadata.labels).toMatchObject(monitor.selector.matchLabels);
    expect(monitor.selector.matchLabels["app.kubernetes.io/component"]).toBe("worker");
    expect(template.spec.containers[0].ports.map((p) => p.name)).toContain("http");
    expect(monitor.podMetricsEndpoints).toEqual([{ port: "http", path: "/internal/metrics", interval: "30s" }]);
  });

  it("labels every monitoring object with monitoring.labels, for a Prometheus that selects by label", () => {
    const rendered = withValues({ enabled: true, labels: { release: "kube-prometheus-stack" }, worker: { enabled: true } });
    for (const kind of monitoringKinds) expect(only(rendered, kind).metadata.labels).toMatchObject({ release: "kube-prometheus-stack" });
  });

  it("carries the seed's alerts and the new ones, each with a severity, a summary and Prometheus's templating left intact", () => {
    const all = rules(on);
    expect(all.map((r) => r.alert)).toEqual(["ApiHighErrorRate", "ApiHighLatency", "ApiTargetDown", "PodCrashLooping", "HighMemoryUsage", "NodePressure"]);
    for (const rule of all) {
      expect(rule.labels.severity).toMatch(/^(critical|warning)$/);
      expect(rule.annotations.summary).not.toBe("");
      expect(rule.annotations.description).toMatch(/\{\{ \$(labels\.[a-z]+|value( \| humanize[A-Za-z]*)?) \}\}/);
      expect(`${rule.annotations.summary} ${rule.annotations.description}`).not.toContain("<no value>");
    }
  });

  it("scopes the api's alerts to the api Service's job in the release's namespace, and the workload alerts to the namespace", () => {
    const byName = new Map(rules(on).map((r) => [r.alert, r.expr]));
    for (const alert of ["ApiHighErrorRate", "ApiHighLatency", "ApiTargetDown"]) expect(byName.get(alert)).toContain('job="mindhit-api", namespace="mindhit"');
    for (const alert of ["PodCrashLooping", "HighMemoryUsage"]) expect(byName.get(alert)).toContain('namespace="mindhit"');
    // A ratio of the api's 5xx to all its requests, not the seed's raw per-second rate.
    expect(byName.get("ApiHighErrorRate")).toMatch(/sum by \(namespace, job\) \(rate\(http_requests_total\{status=~"5\.\.", [^}]+\}\[5m\]\)\)\s+\/\s+sum by \(namespace, job\) \(rate\(http_requests_total\{[^}]+\}\[5m\]\)\)/);
  });

  const custom = {
    apiErrorRate: { threshold: 0.02, for: "3m", severity: "warning" },
    apiLatency: { thresholdSeconds: 0.75, for: "15m", severity: "critical" },
    apiTargetDown: { for: "2m", severity: "warning" },
    podRestarts: { threshold: 3, for: "1m", severity: "warning" },
    memoryUsage: { threshold: 0.8, for: "7m", severity: "critical" },
    nodePressure: { for: "1m", severity: "critical" },
  };
  const customRules = new Map(rules(withValues({ enabled: true, rules: custom })).map((r) => [r.alert, r]));
  const defaults = new Map(rules(on).map((r) => [r.alert, r]));

  it.each<[string, keyof typeof custom, string, string, string, string]>([
    ["ApiHighErrorRate", "apiErrorRate", "> 0.05", "5m", "> 0.02", "API error rate above 2%"],
    ["ApiHighLatency", "apiLatency", "> 1", "10m", "> 0.75", "API p95 latency above 0.75s"],
    ["ApiTargetDown", "apiTargetDown", "== 0", "5m", "== 0", "Prometheus cannot scrape an api pod"],
    ["PodCrashLooping", "podRestarts", "> 0", "5m", "> 3", "A container is restarting"],
    ["HighMemoryUsage", "memoryUsage", "> 0.9", "5m", "> 0.8", "Container memory above 80% of its limit"],
    ["NodePressure", "nodePressure", "== 1", "5m", "== 1", "A node is under resource pressure"],
  ])("%s takes its threshold, for and severity from monitoring.rules.%s (defaults: %s for %s)", (alert, key, defaultComparison, defaultFor, comparison, summary) => {
    expect(defaults.get(alert)!.expr.endsWith(defaultComparison)).toBe(true);
    expect(defaults.get(alert)!.for).toBe(defaultFor);
    const rule = customRules.get(alert)!;
    expect(rule.expr.endsWith(comparison)).toBe(true);
    expect(rule).toMatchObject({ for: custom[key].for, labels: { severity: custom[key].severity }, annotations: { summary } });
  });
});
