/**
 * Node preload for the cdktn stage: `node -r ./dist/scripts/cdktn-preload.js dist/main.js`
 * resolves `cdktf` and `constructs` (and their subpaths) to the prefix in MINDHIT_CDKTN_PREFIX,
 * from every requirer: the project's code and the @cdktf/provider-* packages, which require both
 * themselves. Node's own resolver does the work, started from the prefix instead of the requirer.
 * It refuses to start unless the prefix holds the pinned cdktn, and fails the process at exit if
 * any file of another cdktf or constructs copy was loaded: two copies break tokens and instanceof.
 */
import Module from "module";
import * as path from "path";
import { assertCoreLoaded, cdktnPrefix, loadedCopies } from "./cdktn-core";

interface ResolveOptions {
  paths?: string[];
}
type ResolveFilename = (this: unknown, request: string, parent: unknown, isMain: boolean, options?: ResolveOptions) => string;
// Module._resolveFilename is Node's internal hook point for CommonJS resolution; not in @types/node.
const internals = Module as unknown as { _resolveFilename: ResolveFilename; _cache: Record<string, unknown> };

const prefix = cdktnPrefix();
const redirected = /^(?:cdktf|constructs)(?:\/.*)?$/;
const resolveFilename = internals._resolveFilename;
internals._resolveFilename = function (this: unknown, request, parent, isMain, options) {
  return resolveFilename.call(this, request, parent, isMain, redirected.test(request) ? { paths: [prefix] } : options);
};

const loaded = assertCoreLoaded((request) => require.resolve(request));

process.on("exit", () => {
  const copies = [...loadedCopies(Object.keys(internals._cache))];
  const foreign = copies.filter((root) => !root.startsWith(prefix + path.sep));
  if (foreign.length > 0 || copies.length === 0) {
    console.error(`cdktn stage: loaded ${copies.length === 0 ? "no cdktf core at all" : `a copy outside ${prefix}: ${foreign.join(", ")}`}`);
    process.exitCode = 1;
  } else if (process.env.MINDHIT_CDKTN_REPORT === "1") {
    console.error(`cdktn stage: ${loaded}; loaded only from ${prefix}`);
  }
});
