/**
 * The in-cluster controller table's own rules: what the apps stack and the cluster stage rely on
 * for every entry, present and future. What each release looks like is in stacks/apps.test.ts.
 */
import { validateConfiguration } from "../../src/config";
import { CONTROLLERS } from "../../src/controllers";
import { InstalledControllers } from "../../src/controllers/controller";
import { environments, project } from "../../src/environments";
import { releaseChainSeconds, TOKEN_RELEASE_BUDGET_SECONDS } from "../../src/release/check";

const resolved = validateConfiguration(project, environments).environments;
const entries = CONTROLLERS.map((c, index) => [c.name, c, index] as const);

describe("the in-cluster controller table", () => {
  it("names each release and each chart once (the cluster stage finds sources by chart name)", () => {
    const names = CONTROLLERS.map((c) => c.name);
    const charts = CONTROLLERS.map((c) => c.chart.chart);
    expect(new Set(names).size).toBe(names.length);
    expect(new Set(charts).size).toBe(charts.length);
  });

  it.each(entries)("%s pins an exact chart version and says where it was read", (_name, controller) => {
    expect(controller.chart.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(controller.chart.repository).toMatch(/^(https|oci):\/\/./);
    expect(controller.chart.versionReadFrom.trim()).not.toBe("");
  });

  it.each(entries)("%s waits only for releases earlier in the table, on in every environment it is", (_name, controller, index) => {
    for (const dependency of controller.after) {
      const found = CONTROLLERS.findIndex((c) => c.name === dependency);
      expect({ dependency, found: found >= 0 && found < index }).toEqual({ dependency, found: true });
      for (const env of resolved.filter((e) => controller.enabledFor(e)))
        expect({ env: env.identity.name, dependency, on: CONTROLLERS[found].enabledFor(env) }).toEqual({ env: env.identity.name, dependency, on: true });
    }
  });

  it.each(entries)("%s finishes within one EKS token's life, after the releases it waits for", (_name, controller) => {
    expect(releaseChainSeconds(controller)).toBeLessThanOrEqual(TOKEN_RELEASE_BUDGET_SECONDS);
  });

  it("refuses, at synth, a release waiting for one that is not installed before it", () => {
    expect(() => new InstalledControllers().release("podinfo", "cert-manager")).toThrow(
      "controller podinfo waits for cert-manager, which is not installed before it (later in src/controllers/index.ts, or off in this environment)",
    );
  });
});
