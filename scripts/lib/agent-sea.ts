// `npm run build:agent -- --sea`: dist/inferscope, one executable (Node's
// single-executable application: a copy of this node binary with the bundle
// injected by postject). Node 20's SEA runs a CommonJS main script only, so it
// gets the CommonJS build of the same bundle. The executable is as large as
// node itself (~100 MB) and runs only on this OS and CPU architecture.
import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { buildAgentBundle, ROOT, type BundleResult } from "./agent-bundle";

export const POSTJECT_VERSION = "1.0.0-alpha.6";
// The fuse compiled into Node's binary that marks it as able to carry a SEA blob.
const SEA_FUSE = "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2";

export class SeaUnsupported extends Error {}

function postjectCli(root: string): string {
  try {
    const pkg = createRequire(join(root, "package.json")).resolve("postject/package.json");
    return join(dirname(pkg), "dist", "cli.js");
  } catch {
    throw new SeaUnsupported(`--sea needs postject: npm install --save-dev postject@${POSTJECT_VERSION}`);
  }
}

export async function buildSea(outfile: string, root = ROOT): Promise<BundleResult> {
  const [major] = process.versions.node.split(".").map(Number);
  if (major < 20) throw new SeaUnsupported(`--sea needs Node >= 20 (this is ${process.version})`);
  if (process.platform !== "linux") throw new SeaUnsupported(`--sea is built and tested on Linux only (this is ${process.platform}); use dist/inferscope.mjs`);
  const cli = postjectCli(root);
  const work = mkdtempSync(join(tmpdir(), "inferscope-sea-"));
  try {
    const main = join(work, "inferscope.cjs");
    const bundle = await buildAgentBundle(main, "cjs", root);
    const blob = join(work, "sea-prep.blob");
    const config = join(work, "sea-config.json");
    writeFileSync(config, JSON.stringify({ main, output: blob, disableExperimentalSEAWarning: true, useCodeCache: false, useSnapshot: false }));
    execFileSync(process.execPath, ["--experimental-sea-config", config], { stdio: ["ignore", "ignore", "pipe"] });
    copyFileSync(process.execPath, outfile);
    chmodSync(outfile, 0o755);
    execFileSync(process.execPath, [cli, outfile, "NODE_SEA_BLOB", blob, "--sentinel-fuse", SEA_FUSE], { stdio: ["ignore", "ignore", "pipe"] });
    return { ...bundle, file: outfile };
  } catch (e) {
    rmSync(outfile, { force: true });
    const err = e as { stderr?: Buffer; message: string };
    if (e instanceof SeaUnsupported) throw e;
    throw new Error(`building the single executable failed: ${err.stderr?.toString().trim() || err.message}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
