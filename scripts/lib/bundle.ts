// Bundles each worker with esbuild for workerd, as wrangler would.
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export const WORKER_ENTRIES = {
  ingest: "workers/ingest/index.ts",
  aggregator: "workers/aggregator/index.ts",
  query: "workers/query/index.ts",
  router: "scripts/local-router.ts",
} as const;

export type WorkerName = keyof typeof WORKER_ENTRIES;

export async function bundleWorkers(outDir: string): Promise<Record<WorkerName, string>> {
  const out = {} as Record<WorkerName, string>;
  await Promise.all(
    (Object.keys(WORKER_ENTRIES) as WorkerName[]).map(async (name) => {
      const outfile = join(outDir, `${name}.js`);
      await build({
        entryPoints: [join(ROOT, WORKER_ENTRIES[name])],
        outfile,
        bundle: true,
        format: "esm",
        platform: "neutral",
        target: "es2022",
        conditions: ["workerd", "worker", "browser"],
        mainFields: ["browser", "module", "main"],
        external: ["node:*", "cloudflare:*"],
        sourcemap: false,
        logLevel: "error",
      });
      out[name] = outfile;
    }),
  );
  return out;
}
