/**
 * The `docs` stage of `npm test`: every command and name in the operator documentation, checked
 * against the synthesized stacks (both state backends), the rendered chart and the repository.
 *   node dist/src/cli/check-docs.js [--rendered <dir of rendered chart manifests>]
 * Prints one line per problem (`file:line: …`) and a summary; exits 1 when there is a problem.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { addProjectStacks, RunOptions } from "../app";
import { App, TerraformStack } from "../cdktf";
import { BOOTSTRAP_STATE_KEY, EnvironmentConfig, ProjectSettings } from "../config";
import { DocsChecker, DocsFacts } from "../docs/check-docs";
import { environments, project } from "../environments";
// The README's "Adding an environment" example, kept compiling and synthesizing (never deployed).
import { dev } from "../environments/examples/dev";
import { repoRoot } from "../paths";

/** The documentation an operator follows. */
const DOC_FILES = ["README.md", "SECURITY.md", "CONTRIBUTING.md", "helm/mindhit/README.md", ".github/workflows/README.md"];
const DOC_DIRS = ["docs"];

/**
 * Every way the documentation says the stacks can be built: both state backends, the migrated
 * bootstrap, a project that creates its hosted zone, and the README's example of adding an
 * environment (`dev`, src/environments/examples/), so what they document exists in one of them.
 */
const BUILDS: ReadonlyArray<{ readonly run: RunOptions; readonly project: ProjectSettings; readonly environments: readonly EnvironmentConfig[] }> = [
  { run: { backend: { kind: "s3" }, bootstrapState: "local", clusterAuth: "exec" }, project, environments },
  {
    run: { backend: { kind: "s3" }, bootstrapState: "s3", clusterAuth: "exec" },
    project: { ...project, dns: { ...project.dns, createHostedZone: true } },
    environments,
  },
  {
    run: { backend: { kind: "cloud", organization: "docs-check", hostname: "app.terraform.io" }, bootstrapState: "local", clusterAuth: "token" },
    project,
    environments,
  },
  // The example replaces a configured environment of the same name (one added by the README's recipe).
  {
    run: { backend: { kind: "s3" }, bootstrapState: "local", clusterAuth: "exec" },
    project,
    environments: [...environments.filter((e) => e.name !== dev.name), dev],
  },
];

function markdownFiles(root: string): string[] {
  const found = DOC_FILES.filter((f) => fs.existsSync(path.join(root, f)));
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const relative = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(relative);
      else if (entry.name.endsWith(".md")) found.push(relative);
    }
  };
  for (const dir of DOC_DIRS) if (fs.existsSync(path.join(root, dir))) walk(dir);
  return found;
}

/** `${…}` Terraform references read `TFREF`, so `mindhit-production-backups-${…account_id}` stays one name. */
function withoutReferences(text: string): string {
  return text.replace(/\$\{[^}]*\}/g, "TFREF");
}

/** Every string in a JSON value, keys included. */
function strings(value: unknown, into: string[] = []): string[] {
  if (typeof value === "string") into.push(value);
  else if (Array.isArray(value)) value.forEach((v) => strings(v, into));
  else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      into.push(k);
      strings(v, into);
    }
  }
  return into;
}

function gatherFacts(root: string, renderedDir: string | undefined): DocsFacts {
  const stacks = new Map<string, string[]>();
  const outputs = new Set<string>();
  const stateKeys = new Set<string>([BOOTSTRAP_STATE_KEY]);
  const namespaces = new Set<string>(["default", "kube-system", "kube-public", "kube-node-lease"]);
  const releases = new Set<string>();
  const stateBuckets = new Set<string>();
  const buckets = new Set<string>();
  const hosts = new Set<string>([project.domain]);
  const texts: string[] = [];
  for (const build of BUILDS) {
    const app = new App({ outdir: path.join(root, ".cache", "docs-check") });
    const built = addProjectStacks(app, build.project, build.environments, build.run);
    built.environments.forEach((env) => hosts.add(env.identity.host));
    for (const account of built.accounts) {
      stateBuckets.add(account.stateBucket);
      buckets.add(account.stateBucket);
    }
    for (const stack of app.node.children.filter((c): c is TerraformStack => c instanceof TerraformStack)) {
      stacks.set(
        stack.node.id,
        stack.dependencies.map((d) => d.node.id),
      );
      const json = stack.toTerraform() as {
        output?: Record<string, unknown>;
        terraform?: { backend?: { s3?: { key?: string } } };
        resource?: Record<string, Record<string, Record<string, unknown>>>;
      };
      for (const bucket of Object.values(json.resource?.aws_s3_bucket ?? {})) buckets.add(withoutReferences(String(bucket.bucket ?? bucket.bucket_prefix)));
      Object.keys(json.output ?? {}).forEach((o) => outputs.add(o));
      const key = json.terraform?.backend?.s3?.key;
      if (key !== undefined) stateKeys.add(key);
      for (const release of Object.values(json.resource?.helm_release ?? {})) {
        releases.add(String(release.name));
        namespaces.add(typeof release.namespace === "string" ? release.namespace : "default");
      }
      for (const ns of Object.values(json.resource?.kubernetes_namespace_v1 ?? {})) {
        const metadata = ns.metadata as Array<{ name?: string }> | { name?: string };
        const name = Array.isArray(metadata) ? metadata[0]?.name : metadata?.name;
        if (name !== undefined) namespaces.add(name);
      }
      texts.push(...strings(json).map(withoutReferences));
    }
  }
  // Service accounts IRSA roles trust name their namespaces (`system:serviceaccount:<ns>:<sa>`).
  for (const text of texts) for (const m of text.matchAll(/system:serviceaccount:([a-z0-9-]+):/g)) namespaces.add(m[1]);
  if (renderedDir !== undefined) {
    for (const file of fs.readdirSync(renderedDir).filter((f) => f.endsWith(".yaml"))) {
      const manifest = fs.readFileSync(path.join(renderedDir, file), "utf8");
      texts.push(manifest);
      for (const m of manifest.matchAll(/^\s+namespace: ([a-z0-9-]+)$/gm)) namespaces.add(m[1]);
    }
  }
  // Names the scripts, workflows and chart use (cache directories, kube contexts, chart names …).
  const repositoryTexts = [
    ...fs.readdirSync(path.join(root, "scripts")).map((f) => path.join("scripts", f)),
    ...fs.readdirSync(path.join(root, ".github", "workflows")).map((f) => path.join(".github", "workflows", f)),
    "package.json",
    "cdktf.json",
    "helm/mindhit/Chart.yaml",
    "helm/mindhit/values.yaml",
  ];
  for (const file of repositoryTexts) {
    const absolute = path.join(root, file);
    if (fs.statSync(absolute).isFile()) texts.push(fs.readFileSync(absolute, "utf8"));
  }
  const names = new Set<string>();
  const namePattern = new RegExp(`(?<![A-Za-z0-9_-])${project.project}[A-Za-z0-9/._-]*`, "g");
  for (const text of texts) for (const m of text.matchAll(namePattern)) names.add(m[0].replace(/[-/._]+$/, ""));

  const npmScripts = new Set(
    Object.keys((JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { scripts?: Record<string, string> }).scripts ?? {}),
  );
  const helpCache = new Map<string, ReadonlySet<string> | undefined>();
  const scriptFlags = (script: string): ReadonlySet<string> | undefined => {
    if (!helpCache.has(script)) {
      let help: string | undefined;
      try {
        help = execFileSync("bash", [script, "--help"], { cwd: root, encoding: "utf8", timeout: 10_000, stdio: ["ignore", "pipe", "pipe"] });
      } catch {
        help = undefined;
      }
      helpCache.set(script, help === undefined ? undefined : new Set(help.match(/(?<![A-Za-z0-9])--?[A-Za-z][A-Za-z-]*/g) ?? []));
    }
    return helpCache.get(script);
  };
  return {
    stacks,
    outputs,
    stateKeys,
    stateBuckets,
    names,
    buckets,
    hosts,
    namespaces,
    releases,
    npmScripts,
    project: project.project,
    scriptFlags,
    repoRoot: root,
  };
}

const args = process.argv.slice(2);
const renderedIndex = args.indexOf("--rendered");
const rendered = renderedIndex >= 0 ? args[renderedIndex + 1] : undefined;
const root = repoRoot();
const files = markdownFiles(root);
const facts = gatherFacts(root, rendered);
// Scripts' --help texts are documentation too (names and example commands in them).
const helpTexts = new Map<string, string>();
for (const script of ["scripts/rollback.sh"]) {
  helpTexts.set(`${script} --help`, execFileSync("bash", [script, "--help"], { cwd: root, encoding: "utf8", timeout: 10_000 }));
}
const report = new DocsChecker(facts).checkFiles(files, helpTexts);
for (const p of report.problems) console.log(`${p.file}:${p.line}: ${p.message}`);
console.log(
  `docs: ${report.files} files, ${report.commands} commands and ${report.references} names, flags, outputs, state keys and links checked: ${report.problems.length} problems`,
);
process.exit(report.problems.length === 0 ? 0 : 1);
