// The agent's release artifact: cli/bin.ts (the agent and every operator
// command) bundled by esbuild into one ES module that runs on Node >= 20 with
// nothing beside it: every npm dependency inlined, only Node built-ins left as
// imports. Checked after the build from esbuild's metafile, not assumed.
import { build, type Metafile } from "esbuild";
import { execFileSync } from "node:child_process";
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { join, relative } from "node:path";
import { ROOT } from "./bundle";

export { ROOT };
export const ENTRY = "cli/bin.ts";
const SHEBANG = "#!/usr/bin/env node";

export type BundleFormat = "esm" | "cjs";
export type BundleResult = { file: string; bytes: number; version: string; inputs: string[] };

/** "0.1.0 (git 5e98bd4)" in a clean checkout, "... 5e98bd4-dirty" with uncommitted changes, "0.1.0" outside git. */
export function buildVersion(root = ROOT): string {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
  try {
    const git = (...args: string[]) => execFileSync("git", args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const rev = git("rev-parse", "--short=12", "HEAD");
    const dirty = git("status", "--porcelain", "--untracked-files=no") !== "";
    return `${pkg.version} (git ${rev}${dirty ? "-dirty" : ""})`;
  } catch {
    return pkg.version; // not a checkout, or no git on PATH
  }
}

/** The relative specifiers of every `import("./...")` in the entry: the commands loaded on demand. */
export function dynamicImports(root = ROOT): string[] {
  const src = readFileSync(join(root, ENTRY), "utf8");
  return [...src.matchAll(/\bimport\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g)].map((m) => m[1]);
}

const isBuiltin = (spec: string) => spec.startsWith("node:") || builtinModules.includes(spec) || builtinModules.includes(spec.split("/")[0]);

/** Problems with a built bundle, from its metafile: a command left outside it, or a non-built-in import. */
export function checkMetafile(meta: Metafile, outfile: string, root = ROOT): string[] {
  const out = meta.outputs[relative(process.cwd(), outfile)] ?? Object.values(meta.outputs)[0];
  const inside = new Set(Object.keys(out.inputs).map((p) => relative(root, join(process.cwd(), p))));
  const problems: string[] = [];
  for (const spec of dynamicImports(root)) {
    const base = relative(root, join(root, "cli", spec));
    if (![`${base}.ts`, `${base}/index.ts`, base].some((p) => inside.has(p))) problems.push(`${ENTRY}: import("${spec}") is not inside the bundle`);
  }
  for (const imp of out.imports) {
    if (!imp.external) problems.push(`unresolved import ${imp.path} (${imp.kind})`);
    else if (!isBuiltin(imp.path)) problems.push(`import of ${JSON.stringify(imp.path)} left outside the bundle: it would need node_modules at run time`);
  }
  return problems;
}

/**
 * Builds `outfile`. esm: dist/inferscope.mjs, the artifact. cjs: the input of a
 * Node 20 single executable, whose main script must be CommonJS.
 */
export async function buildAgentBundle(outfile: string, format: BundleFormat = "esm", root = ROOT): Promise<BundleResult> {
  const version = buildVersion(root);
  // CommonJS packages bundled into an ES module still call require() for Node
  // built-ins; give them a real one. In CommonJS, import.meta.url has no value
  // of its own: derive it from __filename.
  const banner =
    format === "esm"
      ? `import { createRequire as __inferscopeCreateRequire } from "node:module";\nconst require = __inferscopeCreateRequire(import.meta.url);`
      : `const __inferscope_import_meta_url = require("node:url").pathToFileURL(__filename).href;`;
  const result = await build({
    absWorkingDir: root,
    entryPoints: [join(root, ENTRY)],
    outfile,
    bundle: true,
    write: false,
    splitting: false,
    format,
    platform: "node",
    target: "node20",
    mainFields: ["module", "main"],
    conditions: ["node", "import"],
    define: {
      __INFERSCOPE_VERSION__: JSON.stringify(version),
      ...(format === "cjs" ? { "import.meta.url": "__inferscope_import_meta_url", "import.meta.dirname": "__dirname" } : {}),
    },
    banner: { js: banner },
    legalComments: "none",
    minifySyntax: true,
    minifyWhitespace: true,
    sourcemap: false,
    metafile: true,
    logLevel: "error",
  });
  const problems = checkMetafile(result.metafile, outfile, root);
  if (problems.length) throw new Error(`the bundle is not self-contained:\n  ${problems.join("\n  ")}`);
  // esbuild keeps the entry's own hashbang (`npx tsx`): the artifact runs with plain node.
  let text = result.outputFiles[0].text.replace(/^#![^\n]*\n/, "");
  // ASCII only: one non-Latin-1 character (a "µs" in a regex literal, which
  // esbuild leaves as written) makes V8 hold the whole source as UTF-16, twice
  // the memory for the life of the process. \uXXXX means the same in strings,
  // templates, identifiers and regexes.
  text = `${SHEBANG}\n${text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)}`;
  writeFileSync(outfile, text);
  chmodSync(outfile, 0o755);
  return { file: outfile, bytes: Buffer.byteLength(text), version, inputs: Object.keys(result.metafile.inputs) };
}
