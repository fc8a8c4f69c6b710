// Copies a built artifact ALONE into a fresh directory under the system temp
// dir, with no node_modules in it or any directory above it, so a run there
// proves the file needs nothing but Node.
import { copyFileSync, existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";

export function lonely(file: string): string {
  const dir = mkdtempSync(join(tmpdir(), "inferscope-lone-"));
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, "node_modules"))) throw new Error(`${join(d, "node_modules")} exists: a run under ${dir} would not prove the artifact is self-contained`);
    if (dirname(d) === d) break;
  }
  const out = join(dir, basename(file));
  copyFileSync(file, out);
  return out;
}
