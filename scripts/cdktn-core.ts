/**
 * The cdktn stage (scripts/verify-cdktn.sh) runs the unchanged dist/ on CDK Terrain's core,
 * installed as `cdktf` in a prefix outside node_modules. Shared by its Node preload
 * (cdktn-preload.ts) and its jest check (cdktn-jest-check.ts): the pins, the prefix, and the
 * proof that what a process loaded as `cdktf` and `constructs` is exactly that install.
 */
import * as fs from "fs";
import * as path from "path";
import { repoRoot } from "../src/paths";

interface PackageJson {
  name?: string;
  version?: string;
  dependencies?: Record<string, string>;
}

function readPackage(file: string): PackageJson {
  return JSON.parse(fs.readFileSync(file, "utf8")) as PackageJson;
}

/** The packages redirected, and the (name, version) each must be: from cdktn/package.json, the pins' one place. */
export function corePins(): ReadonlyMap<string, { name: string; version: string }> {
  const dependencies = readPackage(path.join(repoRoot(), "cdktn", "package.json")).dependencies ?? {};
  const cdktn = /^npm:(cdktn)@(\d+\.\d+\.\d+)$/.exec(dependencies.cdktf ?? "");
  const constructs = /^(\d+\.\d+\.\d+)$/.exec(dependencies.constructs ?? "");
  if (cdktn === null || constructs === null) throw new Error("cdktn/package.json: expected exact pins cdktf: npm:cdktn@x.y.z and constructs: x.y.z");
  return new Map([
    ["cdktf", { name: cdktn[1], version: cdktn[2] }],
    ["constructs", { name: "constructs", version: constructs[1] }],
  ]);
}

/** The installed prefix (real path: Node reports loaded files by real path). */
export function cdktnPrefix(): string {
  const prefix = process.env.MINDHIT_CDKTN_PREFIX;
  if (prefix === undefined || prefix === "") throw new Error("MINDHIT_CDKTN_PREFIX is not set: the cdktn stage runs through scripts/verify-cdktn.sh");
  return fs.realpathSync(prefix);
}

/**
 * Throws unless each redirected package resolved (by `resolve`, the caller's own resolver) to its
 * pinned name and version inside the prefix. Returns e.g. "cdktf = cdktn@0.24.0, constructs = constructs@10.7.0".
 */
export function assertCoreLoaded(resolve: (request: string) => string): string {
  const prefix = cdktnPrefix();
  const found: string[] = [];
  for (const [request, pin] of corePins()) {
    const file = fs.realpathSync(resolve(`${request}/package.json`));
    const { name, version } = readPackage(file);
    if (!file.startsWith(prefix + path.sep) || name !== pin.name || version !== pin.version) {
      throw new Error(`cdktn stage: "${request}" resolved to ${name ?? "?"}@${version ?? "?"} at ${file}, not ${pin.name}@${pin.version} under ${prefix}`);
    }
    found.push(`${request} = ${name}@${version}`);
  }
  return found.join(", ");
}

/** Package roots of redirected packages (`…/node_modules/cdktf`, `…/node_modules/constructs`) among loaded files. */
export function loadedCopies(files: Iterable<string>): Set<string> {
  const roots = new Set<string>();
  for (const file of files) {
    const match = /^(.*[\\/]node_modules[\\/](?:cdktf|constructs))[\\/]/.exec(file);
    if (match !== null) roots.add(match[1]);
  }
  return roots;
}
