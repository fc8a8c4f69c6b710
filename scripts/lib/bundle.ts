// Bundles each worker of the local stack with esbuild for workerd, as wrangler
// would. Ingest and aggregator are bundled from their local entries, which run
// the production workers unchanged with the queue's durable outbox around them.
import { build, stop } from "esbuild";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export const WORKER_ENTRIES = {
  ingest: "scripts/local-workers/ingest.ts",
  aggregator: "scripts/local-workers/aggregator.ts",
  outbox: "scripts/local-workers/outbox.ts",
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
  // esbuild keeps a service process (~150 MB) alive for later builds; there are none.
  await stop();
  return out;
}
