/**
 * A tool from the per-machine cache (scripts/tools.sh), for the few unit tests that run one.
 * npm test's setup stage installs every tool before the unit stage; run alone, the tests say how
 * to get it instead of failing on a missing file.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** Where scripts/lib.sh puts the tools: MINDHIT_TOOLS_DIR, else the XDG cache. */
export const toolsDir = process.env.MINDHIT_TOOLS_DIR ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "mindhit-infra", "tools");

/** The path of an installed tool, relative to the tool cache (e.g. `bin/helm`, `venv/bin/python`). */
export function toolPath(relative: string): string {
  const file = path.join(toolsDir, relative);
  if (!fs.existsSync(file)) throw new Error(`${file} is not installed: run \`bash scripts/setup.sh\` (npm test's setup stage does) and rerun the tests`);
  return file;
}
