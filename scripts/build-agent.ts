// `npm run build:agent [-- --outdir DIR] [-- --sea]`: the agent's release
// artifact, dist/inferscope.mjs (one file; needs only Node >= 20 on the host),
// and with --sea also dist/inferscope (one executable, Node inside).
import { mkdirSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { stop } from "esbuild";
import { buildAgentBundle, ROOT } from "./lib/agent-bundle";
import { buildSea, SeaUnsupported } from "./lib/agent-sea";

const USAGE = "usage: npm run build:agent [-- --outdir DIR] [-- --sea]\n";

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ options: { outdir: { type: "string", default: join(ROOT, "dist") }, sea: { type: "boolean", default: false }, help: { type: "boolean", short: "h" } } }));
  } catch (e) {
    process.stderr.write(`build:agent: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const outdir = resolve(values.outdir);
  mkdirSync(outdir, { recursive: true });
  const mib = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MiB`;
  const show = (p: string) => (p.startsWith(ROOT) ? relative(process.cwd(), p) || p : p);
  try {
    const t0 = Date.now();
    const bundle = await buildAgentBundle(join(outdir, "inferscope.mjs"));
    process.stdout.write(`built ${show(bundle.file)} (${mib(bundle.bytes)}, ${bundle.inputs.length} modules, inferscope ${bundle.version}) in ${Date.now() - t0} ms\n`);
    if (values.sea) {
      const t1 = Date.now();
      const sea = await buildSea(join(outdir, "inferscope"));
      process.stdout.write(`built ${show(sea.file)} (${mib(statSync(sea.file).size)}, single executable, Node ${process.version} ${process.platform}-${process.arch}) in ${Date.now() - t1} ms\n`);
    }
    return 0;
  } catch (e) {
    process.stderr.write(`build:agent: ${(e as Error).message}\n`);
    return e instanceof SeaUnsupported ? 2 : 1;
  } finally {
    await stop(); // esbuild's service process would keep this one alive
  }
}

process.exitCode = await main();
