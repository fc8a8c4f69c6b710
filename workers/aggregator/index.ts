// The aggregator worker: queue consumer that writes Postgres. Each message is
// acked or retried on its own; after max_retries the queue moves it to the
// dead-letter queue. Writes are idempotent, so redelivery is harmless.
import type { IngestMessage } from "../../shared/contracts/queue";
import { QUEUE_MESSAGE_VERSION } from "../../shared/contracts/queue";
import { openDb } from "../../shared/db";
import type { AggregatorEnv } from "../../shared/env";
import { postgresWriteStorage } from "../../shared/storage/postgres/write";

function log(level: string, msg: string, extra: Record<string, unknown> = {}): void {
  console.log(JSON.stringify({ level, worker: "aggregator", msg, ...extra }));
}

/** Backoff for a retried message, in seconds: grows with attempts, capped. */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(300, 2 ** Math.min(attempts, 8));
}

/** Messages written at once: one pool connection each, each in its own transaction. */
const CONCURRENCY = 4;

export async function handleBatch(batch: MessageBatch<IngestMessage>, env: AggregatorEnv, ctx: ExecutionContext): Promise<void> {
  const { db, close } = openDb(env, CONCURRENCY);
  const storage = postgresWriteStorage(db);
  let next = 0;
  const worker = async () => {
    while (next < batch.messages.length) {
      const message = batch.messages[next++];
      const body = message.body;
      if (!body || body.v !== QUEUE_MESSAGE_VERSION || (body.kind !== "metrics" && body.kind !== "logs")) {
        // Not ours to understand: retrying cannot help, let it go to the dead-letter queue.
        log("error", "unreadable queue message; sending to dead-letter queue", { id: message.id });
        message.retry({ delaySeconds: 0 });
        continue;
      }
      try {
        const started = Date.now();
        const result = body.kind === "metrics" ? await storage.writeMetrics(body) : await storage.writeLogs(body);
        message.ack();
        if (env.LOG_LEVEL === "debug") log("debug", "written", { kind: body.kind, tenant: body.tenantId, batch: body.batchId, part: body.part, ...result, ms: Date.now() - started });
      } catch (err) {
        log("warn", "write failed; message will be retried", { id: message.id, attempts: message.attempts, error: (err as Error).message });
        message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, batch.messages.length) }, worker));
  } finally {
    ctx.waitUntil(close().catch(() => {}));
  }
}

export default {
  async fetch(req: Request): Promise<Response> {
    if (new URL(req.url).pathname === "/healthz") return Response.json({ status: "ok", worker: "aggregator" });
    return new Response("the aggregator consumes the ingest queue; it serves no HTTP API\n", { status: 404 });
  },
  queue: handleBatch,
} satisfies ExportedHandler<AggregatorEnv, IngestMessage>;
