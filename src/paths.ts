import * as fs from "fs";
import * as path from "path";

/** The repository root (the directory holding cdktf.json), from source or compiled code alike. */
export function repoRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, "cdktf.json"))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cdktf.json not found above ${__dirname}`);
    dir = parent;
  }
  return dir;
}

/** The application chart shipped with this repository. */
export function chartDir(): string {
  return path.join(repoRoot(), "helm", "mindhit");
}
