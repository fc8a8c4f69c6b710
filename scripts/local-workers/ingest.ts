// The ingest worker as the local stack runs it: unchanged, but its queue
// producer goes through the durable outbox (./outbox.ts), so what it
// acknowledged survives a kill -9 of the stack.
import ingest from "../../workers/ingest/index";
import type { IngestEnv } from "../../shared/env";
import { outboxOf, type QueueOutbox } from "./outbox";

type LocalIngestEnv = IngestEnv & { OUTBOX: DurableObjectNamespace<QueueOutbox> };

function outboxProducer(env: LocalIngestEnv): IngestEnv["INGEST_QUEUE"] {
  const outbox = outboxOf(env);
  return {
    metrics: () => env.INGEST_QUEUE.metrics(),
    send: (body, options) => outbox.sendBatch([{ body, ...options }]),
    sendBatch: (messages, options) => outbox.sendBatch([...messages], options),
  };
}

export { TenantLimiter } from "../../workers/ingest/index";
export default {
  fetch: (req: Request, env: LocalIngestEnv, ctx: ExecutionContext) => ingest.fetch(req, { ...env, INGEST_QUEUE: outboxProducer(env) }, ctx),
} satisfies ExportedHandler<LocalIngestEnv>;
