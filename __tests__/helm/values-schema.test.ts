import * as fs from "fs";
import * as path from "path";
import Ajv, { ValidateFunction } from "ajv";
import * as YAML from "yaml";
import { chartDir } from "../../src/paths";
import { chartDefaults, helmMerge, releaseValueLayers, Values } from "../helpers/release-values";
import { buildProject } from "../helpers/synth";

const schema = JSON.parse(fs.readFileSync(path.join(chartDir(), "values.schema.json"), "utf8")) as object;
const validate: ValidateFunction = new Ajv({ allErrors: true, strict: false }).compile(schema);
const readValues = (file: string): Values => YAML.parse(fs.readFileSync(path.join(chartDir(), file), "utf8")) as Values;
const valuesFiles = fs.readdirSync(chartDir()).filter((f) => /^values(-[a-z0-9-]+)?\.yaml$/.test(f));

/** Validates what Helm would validate: the chart defaults merged with the given layers. */
function check(...layers: Values[]): string[] {
  const merged = layers.reduce(helmMerge, chartDefaults());
  return validate(merged) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ""}`);
}

const stacks = buildProject();
const environments = stacks.environments;

describe("values.schema.json", () => {
  it("ships no values file that no environment uses", () => {
    const used = environments.map((e) => e.identity.valuesFile).filter((f) => f !== undefined);
    expect(valuesFiles.filter((f) => f !== "values.yaml").sort()).toEqual([...used].sort());
  });

  it.each(valuesFiles)("accepts %s", (file) => {
    expect(check(readValues(file))).toEqual([]);
  });

  it.each(environments.map((e) => [e.identity.name, e] as const))("accepts the values the %s release passes (values file + stack overrides)", (name, env) => {
    const layers = releaseValueLayers(stacks.apps.get(name)!, env);
    expect(check(...layers)).toEqual([]);
  });

  it("rejects a wrong type", () => {
    expect(check({ api: { replicas: "two" } })).toContainEqual(expect.stringMatching(/^\/api\/replicas must be integer/));
    expect(check({ ingress: { enabled: "yes" } })).toContainEqual(expect.stringMatching(/^\/ingress\/enabled must be boolean/));
  });

  it("rejects a missing or empty image repository", () => {
    const defaults = chartDefaults() as { api: { image: Record<string, unknown> } };
    const withoutRepository = { ...defaults, api: { ...defaults.api, image: { tag: "v1" } } };
    expect(validate(withoutRepository)).toBe(false);
    expect(validate.errors).toContainEqual(expect.objectContaining({ instancePath: "/api/image", params: { missingProperty: "repository" } }));
    expect(check({ worker: { image: { repository: "" } } })).toContainEqual(expect.stringMatching(/^\/worker\/image\/repository must NOT have fewer than 1 characters/));
  });

  it("rejects an unknown top-level key (a typo such as `ingres`)", () => {
    expect(check({ ingres: { enabled: true } })).toContainEqual(expect.stringMatching(/must NOT have additional properties/));
  });

  it("requires the secret's remote key when External Secrets is on", () => {
    expect(check({ secrets: { externalSecret: { enabled: true, remoteKey: "" } } })).toContainEqual(expect.stringMatching(/remoteKey must NOT have fewer than 1 characters/));
  });

  it.each<[string, Values, RegExp]>([
    ["a ratio of 1 or more", { monitoring: { rules: { memoryUsage: { threshold: 1 } } } }, /^\/monitoring\/rules\/memoryUsage\/threshold must be < 1/],
    ["a ratio given as a percentage", { monitoring: { rules: { apiErrorRate: { threshold: 5 } } } }, /^\/monitoring\/rules\/apiErrorRate\/threshold must be < 1/],
    ["a duration Prometheus cannot read", { monitoring: { rules: { apiLatency: { for: "10 minutes" } } } }, /^\/monitoring\/rules\/apiLatency\/for must match pattern/],
    ["an unknown severity", { monitoring: { rules: { nodePressure: { severity: "page" } } } }, /^\/monitoring\/rules\/nodePressure\/severity must be equal to one of the allowed values/],
    ["a fractional restart count", { monitoring: { rules: { podRestarts: { threshold: 0.5 } } } }, /^\/monitoring\/rules\/podRestarts\/threshold must be integer/],
    ["an unknown rule", { monitoring: { rules: { diskUsage: { for: "5m" } } } }, /^\/monitoring\/rules must NOT have additional properties/],
  ])("rejects %s in monitoring", (_what, values, message) => {
    expect(check(values)).toContainEqual(expect.stringMatching(message));
  });

  it("rejects an IRSA annotation that is not a role ARN", () => {
    expect(check({ api: { serviceAccount: { roleArn: "admin" } } })).toContainEqual(expect.stringMatching(/^\/api\/serviceAccount\/roleArn must match pattern/));
  });
});

describe("values files hold sizes only", () => {
  // Identity, wiring and switches come from config through the release (an edit here could drift
  // from config, and a new environment without a file must still run): a file may size the components, nothing else.
  const SIZES = ["replicas", "resources", "hpa"];
  it.each(environments.filter((e) => e.identity.valuesFile !== undefined).map((e) => [e.identity.name, e] as const))(
    "%s: only api and worker replicas, resources and HPA",
    (_name, env) => {
      const values = readValues(env.identity.valuesFile!) as Record<string, Record<string, unknown> | undefined>;
      expect(Object.keys(values).filter((key) => key !== "api" && key !== "worker")).toEqual([]);
      for (const component of ["api", "worker"]) expect(Object.keys(values[component] ?? {}).filter((key) => !SIZES.includes(key))).toEqual([]);
    },
  );

  it("prod keeps the seed's replicas, resources, HPA and ALB settings", () => {
    const prod = environments.find((e) => e.identity.name === "prod")!;
    const values = releaseValueLayers(stacks.apps.get("prod")!, prod).reduce(helmMerge, chartDefaults());
    expect(values).toMatchObject({
      api: {
        replicas: 2,
        resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
        hpa: { enabled: true, minReplicas: 2, maxReplicas: 10, targetCPUUtilization: 70 },
      },
      worker: { replicas: 2, resources: { requests: { cpu: "500m", memory: "512Mi" }, limits: { cpu: "1000m", memory: "1Gi" } } },
      ingress: {
        enabled: true,
        className: "alb",
        host: "api.mindhit.io",
        annotations: { "alb.ingress.kubernetes.io/scheme": "internet-facing", "alb.ingress.kubernetes.io/target-type": "ip" },
      },
    });
  });
});
