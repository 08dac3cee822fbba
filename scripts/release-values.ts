/**
 * Writes the values each environment's -apps stack passes to the mindhit release (Terraform
 * references replaced by plausible literals), for the chart stage (scripts/verify-chart.sh) and for
 * operators who want to see what a release renders: `node dist/scripts/release-values.js <dir>`
 * writes `<env>.json` per environment and `environments.txt`, and `kube-prometheus-stack-<env>.json`
 * (that release's values) for each environment with in-cluster monitoring.
 */
import * as fs from "fs";
import * as path from "path";
import { addProjectStacks, resolveRunOptions } from "../src/app";
import { Testing } from "../src/cdktf";
import { environments, project } from "../src/environments";
import { MONITORING } from "../src/modules/controllers/kube-prometheus-stack";
import { releaseValueLayers, thirdPartyReleaseValues } from "../src/release/rendered-values";

const outDir = process.argv[2];
if (!outDir) throw new Error("usage: node dist/scripts/release-values.js <output dir>");
fs.mkdirSync(outDir, { recursive: true });
// The default run (state in S3, `aws eks get-token`), as `npm run synth` builds it without options.
const stacks = addProjectStacks(
  Testing.app(),
  project,
  environments,
  resolveRunOptions({}, () => undefined),
);
// One line per environment for the shell stage: <env> <values file or -> <kubernetes version> <overrides file>
const lines = stacks.environments.map((env) => {
  const apps = stacks.apps.get(env.identity.name);
  if (apps === undefined) throw new Error(`no -apps stack for ${env.identity.name}`);
  const synthesized = Testing.synth(apps);
  const layers = releaseValueLayers(synthesized, env);
  const file = path.join(outDir, `${env.identity.name}.json`);
  fs.writeFileSync(file, JSON.stringify(layers[layers.length - 1], null, 2));
  const monitoring = thirdPartyReleaseValues(synthesized, env, MONITORING.release);
  if (monitoring !== undefined) fs.writeFileSync(path.join(outDir, `${MONITORING.release}-${env.identity.name}.json`), JSON.stringify(monitoring, null, 2));
  return [env.identity.name, env.identity.valuesFile ?? "-", env.cluster.version, file].join(" ");
});
fs.writeFileSync(path.join(outDir, "environments.txt"), `${lines.join("\n")}\n`);
