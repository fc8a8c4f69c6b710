// The whole local stack: the three workers (plus the local router) in workerd
// via Miniflare, the local queue between ingest and aggregator with its
// durable outbox, the query worker's cron, and the database behind the Neon
// driver's WebSocket proxy. Used by `npm start` and by the tests.
//
// Two workerd processes: workerd runs every worker of one instance on one
// thread, so a CPU-heavy query would stall ingest and /healthz (a 4 s query
// held an ingest POST for 3.6 s). The query worker gets its own instance; the
// router reaches it over loopback HTTP. The node process (DB proxy, PGlite,
// cron) is shared.
import { Miniflare } from "miniflare";
import { join } from "node:path";
import { bundleWorkers, ROOT } from "./bundle";
import { startWsProxy, type WsProxy } from "./ws-proxy";
import { freePort } from "./free-port";
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
  /** Where the queue's outbox is kept across restarts (npm start's data dir); without one it lives in memory and a restart forgets it. */
  dataDir?: string;
  adminBootstrapKey?: string;
  retentionDays?: number;
  /** The query worker's DERIVED_SERIES_TTL (a Prometheus duration); its default when absent. */
  derivedSeriesTtl?: string;
  /** The query worker's COMPACTION_HEAD (a Prometheus duration); its default when absent. */
  compactionHead?: string;
  /** Seconds the queue waits to fill a batch; small in tests. */
  queueBatchTimeout?: number;
  queueMaxRetries?: number;
  /** Where users reach the stack (the query worker's EXTERNAL_URL: alerts' generatorURL, webhook payloads); default the router's URL. */
  externalUrl?: string;
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
  /** The instance of the router, ingest, aggregator, queue and outbox. */
  mf: Miniflare;
  /** The query worker's own instance. */
  queryMf: Miniflare;
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
    // Bodies that came through the outbox are in its envelope (local-workers/envelope.ts).
    script: `const seen = [];
      const unwrap = (b) => (b && typeof b.outboxKey === "string" ? b.body : b);
      export default {
        fetch() { return Response.json(seen); },
        queue(batch) { for (const m of batch.messages) { seen.push({ body: unwrap(m.body), attempts: m.attempts }); m.ack(); } },
      };`,
    queueConsumers: { [DLQ_NAME]: { maxBatchSize: 100, maxBatchTimeout: 0.2 } },
  };
}

export async function startStack(opts: StackOptions): Promise<Stack> {
  const db = new URL(opts.databaseUrl);
  const proxy = await startWsProxy({ host: db.hostname === "localhost" ? "127.0.0.1" : db.hostname, port: Number(db.port || 5432) });
  // Undone in reverse when start-up fails half way.
  const undo: (() => Promise<void>)[] = [() => proxy.close()];
  try {
    const buildDir = opts.buildDir ?? join(ROOT, ".inferscope", "build");
    const bundles = await bundleWorkers(buildDir);
    const dbBindings = { DATABASE_URL: opts.databaseUrl, DB_WS_PROXY: proxy.url };
    const authBindings = {
      ...dbBindings,
      RETENTION_DAYS: String(opts.retentionDays ?? DEFAULT_RETENTION_DAYS),
      ...(opts.derivedSeriesTtl ? { DERIVED_SERIES_TTL: opts.derivedSeriesTtl } : {}),
      ...(opts.compactionHead ? { COMPACTION_HEAD: opts.compactionHead } : {}),
      ...(opts.adminBootstrapKey ? { ADMIN_BOOTSTRAP_KEY: opts.adminBootstrapKey } : {}),
    };
    // Module names are relative to modulesRoot; bundles may live outside the cwd (tests).
    const common = { modules: true, modulesRoot: buildDir, compatibilityDate: COMPATIBILITY_DATE, compatibilityFlags: ["nodejs_compat"] };

    // Ports are chosen first so that both instances start at once and the query worker knows the router's URL.
    const queryAddress = `127.0.0.1:${await freePort()}`;
    const routerPort = opts.port === 0 ? await freePort() : (opts.port ?? 8787);
    const queryMf = new Miniflare({
      host: "127.0.0.1",
      port: Number(queryAddress.split(":")[1]),
      workers: [{ ...common, name: "query", scriptPath: bundles.query, bindings: { ...authBindings, EXTERNAL_URL: opts.externalUrl ?? `http://127.0.0.1:${routerPort}` } }],
    });
    undo.unshift(() => queryMf.dispose());

    const maxRetries = opts.queueMaxRetries ?? 5;
    const outboxBinding = { OUTBOX: { className: "QueueOutbox", scriptName: "outbox" } };
    const mf = new Miniflare({
      host: "127.0.0.1",
      port: routerPort,
      // Kept across restarts: the outbox's storage only (the ingest worker's limiter objects stay in memory).
      durableObjectsPersist: opts.dataDir ? join(opts.dataDir, "queue-outbox") : undefined,
      workers: [
        {
          ...common,
          name: "router",
          scriptPath: bundles.router,
          serviceBindings: { INGEST: "ingest", AGGREGATOR: "aggregator", QUERY: { external: { address: queryAddress, http: {} } } },
        },
        {
          ...common,
          name: "ingest",
          scriptPath: bundles.ingest,
          bindings: authBindings,
          // The queue itself stays bound too: the outbox producer reads its metrics, tests send to it directly.
          queueProducers: { INGEST_QUEUE: { queueName: QUEUE_NAME } },
          durableObjects: { TENANT_LIMITER: "TenantLimiter", ...outboxBinding },
          unsafeEphemeralDurableObjects: true,
        },
        {
          ...common,
          name: "aggregator",
          scriptPath: bundles.aggregator,
          bindings: { ...dbBindings, QUEUE_MAX_RETRIES: String(maxRetries), ...(opts.logLevel ? { LOG_LEVEL: opts.logLevel } : {}) },
          durableObjects: outboxBinding,
          queueProducers: { DEAD_LETTERS: { queueName: DLQ_NAME } },
          queueConsumers: {
            [QUEUE_NAME]: { maxBatchSize: 100, maxBatchTimeout: opts.queueBatchTimeout ?? 1, maxRetries, deadLetterQueue: DLQ_NAME },
          },
        },
        {
          ...common,
          name: "outbox",
          scriptPath: bundles.outbox,
          queueProducers: { INGEST_QUEUE: { queueName: QUEUE_NAME } },
          durableObjects: { OUTBOX: { className: "QueueOutbox", useSQLite: true } },
        },
        ...(opts.inspectDeadLetters ? [deadLetterInspector()] : []),
      ],
    });
    undo.unshift(() => mf.dispose());
    const [ready] = await Promise.all([mf.ready, queryMf.ready]);
    const url = ready.toString().replace(/\/$/, "");

    // What the last run acknowledged but had not written (kill -9, or Ctrl-C with messages queued) goes out again.
    const outbox = await mf.getWorker("outbox");
    const { redelivered } = (await (await outbox.fetch("http://outbox/redeliver", { method: "POST" })).json()) as { redelivered: number };
    if (redelivered > 0) opts.log?.(`queue: ${redelivered} message(s) from the outbox sent again`);

    const runCron = async () => {
      const query = await queryMf.getWorker("query");
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
      queryMf,
      proxy,
      runCron,
      async close() {
        if (timer) clearInterval(timer);
        await mf.dispose();
        await queryMf.dispose();
        await proxy.close();
      },
    };
  } catch (err) {
    for (const step of undo) await step().catch(() => {});
    throw err;
  }
}
