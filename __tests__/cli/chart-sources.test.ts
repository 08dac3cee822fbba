/** src/cli/chart-sources.ts: what the cluster stage (test_cluster.py) reads of the controller table. */
import { execFileSync } from "child_process";
import * as path from "path";
import { CONTROLLERS } from "../../src/controllers";

const cli = path.join(__dirname, "..", "..", "src", "cli", "chart-sources.js");

describe("chart-sources", () => {
  const printed = JSON.parse(execFileSync(process.execPath, [cli], { encoding: "utf8" })) as Record<string, Record<string, unknown>>;

  it("prints every entry's cluster-stage source, keyed by chart name", () => {
    expect(printed).toEqual(Object.fromEntries(CONTROLLERS.map((c) => [c.chart.chart, c.clusterStage])));
  });

  it.each(Object.entries(printed))("gives %s in a shape the stage reads: unavailable, a stand-in, or a Go module's chart or CRDs", (_chart, source) => {
    const shape =
      "unavailable" in source
        ? "unavailable"
        : source.extraManifestsOnly === true
          ? "stand-in"
          : typeof source.module === "string" && typeof source.version === "string" && ("path" in source || "crdsChart" in source)
            ? "module"
            : "unknown";
    expect(shape).not.toBe("unknown");
  });
});
