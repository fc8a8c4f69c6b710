// `inferscope --version`. The release bundle (scripts/build-agent.ts) injects
// the string at build time with esbuild `define`: the package version and, when
// built in a git checkout, the revision. Run from sources, it reads package.json.
import { readFileSync } from "node:fs";

declare const __INFERSCOPE_VERSION__: string | undefined;

export function versionString(): string {
  if (typeof __INFERSCOPE_VERSION__ === "string") return `inferscope ${__INFERSCOPE_VERSION__}`;
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
  return `inferscope ${pkg.version} (sources)`;
}
