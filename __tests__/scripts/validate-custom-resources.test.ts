/**
 * scripts/validate_custom_resources.py, the chart stage's check of custom resources against their
 * CRDs: it passes what the CRDs accept and fails, one line per problem, on what the API server
 * would refuse or silently prune. Runs the script with the tools venv (scripts/tools.sh python, installed by the setup stage).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { CONTROLLERS } from "../../src/controllers";
import { toolPath } from "../helpers/tools";

const repoRoot = path.resolve(__dirname, "..", "..", "..");
const python = toolPath("venv/bin/python");
const script = path.join(repoRoot, "scripts", "validate_custom_resources.py");
/** The controllers' chart sources, as src/cli/chart-sources.ts prints them for the chart stage: where the CRDs come from. */
const chartSources = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "chart-sources-")), "chart-sources.json");
fs.writeFileSync(chartSources, JSON.stringify(Object.fromEntries(CONTROLLERS.map((c) => [c.chart.chart, c.clusterStage]))));
afterAll(() => {
  fs.rmSync(path.dirname(chartSources), { recursive: true, force: true });
});

type Manifest = Record<string, unknown>;

const serviceMonitor = (endpoint: Record<string, unknown> = {}): Manifest => ({
  apiVersion: "monitoring.coreos.com/v1",
  kind: "ServiceMonitor",
  metadata: { name: "mindhit-api", namespace: "mindhit", labels: { release: "kube-prometheus-stack" } },
  spec: { selector: { matchLabels: { "app.kubernetes.io/component": "api" } }, endpoints: [{ port: "http", path: "/metrics", interval: "30s", ...endpoint }] },
});

/** Writes the manifests as one multi-document file and validates it. */
function validate(...manifests: Manifest[]): { status: number | null; stdout: string; stderr: string; kinds: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "crs-"));
  const file = path.join(dir, "rendered.yaml");
  const kinds = path.join(dir, "kinds.txt");
  fs.writeFileSync(file, manifests.map((m) => YAML.stringify(m)).join("---\n"));
  const result = spawnSync(python, [script, "--chart-sources", chartSources, "--validated-kinds", kinds, file], { encoding: "utf8" });
  const listed = fs.existsSync(kinds) ? fs.readFileSync(kinds, "utf8") : "";
  fs.rmSync(dir, { recursive: true, force: true });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr.replaceAll(file, "rendered.yaml"), kinds: listed };
}

describe("scripts/validate_custom_resources.py", () => {
  it("passes a valid ServiceMonitor and lists the kinds it validated", () => {
    const result = validate(serviceMonitor());
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(
      /^custom resources valid: 1 ServiceMonitor \(in 1 file\(s\); \d+ served CRD versions of external-secrets v1\.3\.2, prometheus-operator v0\.94\.0\)/,
    );
    expect(result.kinds).toBe("ServiceMonitor monitoring.coreos.com/v1\n");
  });

  it.each([
    ["an integer", 8080],
    ["a string", "http"],
  ])("accepts %s where the CRD takes an int-or-string (targetPort)", (_what, targetPort) => {
    expect(validate(serviceMonitor({ targetPort })).status).toBe(0);
  });

  it("leaves built-in kinds to kubernetes-validate", () => {
    const result = validate({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, bogus: true });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^custom resources valid: none/);
  });

  it.each<[string, Manifest, string]>([
    [
      "an unknown field in spec.endpoints[0]",
      serviceMonitor({ intervall: "30s" }),
      "rendered.yaml: ServiceMonitor/mindhit-api: $.spec.endpoints[0].intervall: unknown field",
    ],
    [
      "a wrong type",
      serviceMonitor({ honorLabels: "true" }),
      'rendered.yaml: ServiceMonitor/mindhit-api: $.spec.endpoints[0].honorLabels: "true" is not of type boolean',
    ],
    [
      "a value outside the enum",
      serviceMonitor({ scheme: "gopher" }),
      'rendered.yaml: ServiceMonitor/mindhit-api: $.spec.endpoints[0].scheme: "gopher" is not one of',
    ],
    [
      "a bad duration",
      serviceMonitor({ interval: "30 seconds" }),
      'rendered.yaml: ServiceMonitor/mindhit-api: $.spec.endpoints[0].interval: "30 seconds" does not match ^(0|',
    ],
    [
      "an unknown field in a PrometheusRule's rule",
      {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PrometheusRule",
        metadata: { name: "r" },
        spec: { groups: [{ name: "g", rules: [{ alert: "A", expr: "up == 0", annotation: { summary: "down" } }] }] },
      },
      "rendered.yaml: PrometheusRule/r: $.spec.groups[0].rules[0].annotation: unknown field",
    ],
    [
      "an unknown kind in a CRD group",
      { ...serviceMonitor(), kind: "ServiceMonitors" },
      "rendered.yaml: ServiceMonitors/mindhit-api: no CRD of group monitoring.coreos.com serves kind ServiceMonitors in monitoring.coreos.com/v1",
    ],
    [
      "a version the CRD no longer serves",
      { apiVersion: "external-secrets.io/v1beta1", kind: "ExternalSecret", metadata: { name: "s" }, spec: {} },
      "rendered.yaml: ExternalSecret/s: no CRD of group external-secrets.io serves kind ExternalSecret in external-secrets.io/v1beta1",
    ],
    [
      "an unknown field in an ExternalSecret",
      {
        apiVersion: "external-secrets.io/v1",
        kind: "ExternalSecret",
        metadata: { name: "s" },
        spec: { secretStoreRef: { name: "aws", kind: "SecretStore" }, refreshIntervall: "1h" },
      },
      "rendered.yaml: ExternalSecret/s: $.spec.refreshIntervall: unknown field",
    ],
  ])("fails %s with one line naming file, kind/name and path", (_what, manifest, message) => {
    const result = validate(manifest);
    expect(result.status).toBe(1);
    const problems = result.stderr.split("\n").filter((line) => line.startsWith("rendered.yaml: "));
    expect(problems).toEqual([expect.stringContaining(message)]);
    expect(result.stderr).toMatch(/^custom resources: 1 problem\(s\) in 1 file\(s\)/m);
  });

  it("reports every problem of a file, not only the first", () => {
    const result = validate(serviceMonitor({ intervall: "30s", honorLabels: "true" }), { ...serviceMonitor(), kind: "ServiceMonitors" });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^custom resources: 3 problem\(s\)/m);
  });
});
