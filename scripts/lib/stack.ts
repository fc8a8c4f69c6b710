// The whole local stack in one process: the three workers (plus the local
// router) in workerd via Miniflare, the local queue between ingest and
// aggregator, the query worker's cron, and the database behind the Neon
// driver's WebSocket proxy. Used by `npm start` and by the tests.
import { Miniflare } from "miniflare";
import { join } from "node:path";
import { bundleWorkers, ROOT } from "./bundle";
import { startWsProxy, type WsProxy } from "./ws-proxy";
import { DEFAULT_RETENTION_DAYS } from "../../shared/limits";

export const COMPATIBILITY_DATE = "2026-04-01";
export const QUEUE_NAME = "inferscope-ingest";
export const DLQ_NAME = "inferscope-ingest-dlq";
export const CRON = "* * * * *";

export interface StackOptions {
  databaseUrl: string;
  port?: number;
  /** Where bundles go. */
  buildDir?: string;
  adminBootstrapKey?: string;
  retentionDays?: number;
  /** Seconds the queue waits to fill a batch; small in tests. */
  queueBatchTimeout?: number;
  queueMaxRetries?: number;
  /** Run the query worker's scheduled() every this many ms (0: never). */
  cronIntervalMs?: number;
  /** "debug": the aggregator logs every group it writes. */
  logLevel?: string;
  /** Tests: a worker that consumes the dead-letter queue and lists what arrived at GET / (service "dlq"). */
  inspectDeadLetters?: boolean;
  log?: (line: string) => void;
}

export interface Stack {
  url: string;
  mf: Miniflare;
  proxy: WsProxy;
  /** Runs the query worker's scheduled handler once, as the cron trigger would. */
  runCron(): Promise<void>;
  close(): Promise<void>;
}

// In production nothing consumes the dead-letter queue: operators inspect it.
// Tests need to see what landed there.
function deadLetterInspector() {
  return {
    name: "dlq",
    modules: true,
    compatibilityDate: COMPATIBILITY_DATE,
    script: `const seen = [];
      export default {
        fetch() { return Response.json(seen); },
        queue(batch) { for (const m of batch.messages) { seen.push({ body: m.body, attempts: m.attempts }); m.ack(); } },
      };`,
    queueConsumers: { [DLQ_NAME]: { maxBatchSize: 100, maxBatchTimeout: 0.2 } },
  };
}

export async function startStack(opts: StackOptions): Promise<Stack> {
  const db = new URL(opts.databaseUrl);
  const proxy = await startWsProxy({ host: db.hostname === "localhost" ? "127.0.0.1" : db.hostname, port: Number(db.port || 5432) });
  const buildDir = opts.buildDir ?? join(ROOT, ".inferscope", "build");
  const bundles = await bundleWorkers(buildDir);
  const dbBindings = { DATABASE_URL: opts.databaseUrl, DB_WS_PROXY: proxy.url };
  const authBindings = {
    ...dbBindings,
    RETENTION_DAYS: String(opts.retentionDays ?? DEFAULT_RETENTION_DAYS),
    ...(opts.adminBootstrapKey ? { ADMIN_BOOTSTRAP_KEY: opts.adminBootstrapKey } : {}),
  };
  // Module names are relative to modulesRoot; bundles may live outside the cwd (tests).
  const common = { modules: true, modulesRoot: buildDir, compatibilityDate: COMPATIBILITY_DATE, compatibilityFlags: ["nodejs_compat"] };
  const mf = new Miniflare({
    host: "127.0.0.1",
    port: opts.port ?? 8787,
    workers: [
      { ...common, name: "router", scriptPath: bundles.router, serviceBindings: { INGEST: "ingest", QUERY: "query", AGGREGATOR: "aggregator" } },
      {
        ...common,
        name: "ingest",
        scriptPath: bundles.ingest,
        bindings: authBindings,
        queueProducers: { INGEST_QUEUE: { queueName: QUEUE_NAME } },
        durableObjects: { TENANT_LIMITER: "TenantLimiter" },
      },
      {
        ...common,
        name: "aggregator",
        scriptPath: bundles.aggregator,
        bindings: { ...dbBindings, ...(opts.logLevel ? { LOG_LEVEL: opts.logLevel } : {}) },
        queueConsumers: {
          [QUEUE_NAME]: {
            maxBatchSize: 100,
            maxBatchTimeout: opts.queueBatchTimeout ?? 1,
            maxRetries: opts.queueMaxRetries ?? 5,
            deadLetterQueue: DLQ_NAME,
          },
        },
      },
      {
        ...common,
        name: "query",
        scriptPath: bundles.query,
        bindings: authBindings,
      },
      ...(opts.inspectDeadLetters ? [deadLetterInspector()] : []),
    ],
  });
  const url = (await mf.ready).toString().replace(/\/$/, "");
  const runCron = async () => {
    const query = await mf.getWorker("query");
    await query.scheduled({ cron: CRON, scheduledTime: new Date() });
  };
  let timer: NodeJS.Timeout | undefined;
  if (opts.cronIntervalMs) {
    timer = setInterval(() => {
      runCron().catch((err) => opts.log?.(`cron failed: ${(err as Error).message}`));
    }, opts.cronIntervalMs);
    timer.unref();
  }
  return {
    url,
    mf,
    proxy,
    runCron,
    async close() {
      if (timer) clearInterval(timer);
      await mf.dispose();
      await proxy.close();
    },
  };
}
