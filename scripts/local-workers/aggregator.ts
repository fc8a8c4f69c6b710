// The aggregator worker as the local stack runs it: unchanged, but it reads
// the bodies out of the outbox's envelopes and, once the queue is done with a
// message (acked, or past its last retry and so in the dead-letter queue),
// settles it in the outbox (./outbox.ts).
import aggregator from "../../workers/aggregator/index";
import type { AggregatorEnv } from "../../shared/env";
import type { IngestMessage } from "../../shared/contracts/queue";
import { isEnvelope } from "./envelope";
import { outboxOf, type QueueOutbox } from "./outbox";

type LocalAggregatorEnv = AggregatorEnv & { OUTBOX: DurableObjectNamespace<QueueOutbox>; QUEUE_MAX_RETRIES: string };

interface Tracked {
  key: string | undefined;
  attempts: number;
  state: "ack" | "retry" | undefined;
  message: Message<IngestMessage>;
}

/** The batch the aggregator sees: bodies unwrapped, each ack or retry recorded before it is passed on. */
function unwrap(batch: MessageBatch<unknown>): { batch: MessageBatch<IngestMessage>; tracked: Tracked[] } {
  const tracked = batch.messages.map((m): Tracked => {
    const key = isEnvelope(m.body) ? m.body.outboxKey : undefined;
    const t: Tracked = {
      key,
      attempts: m.attempts,
      state: undefined,
      message: {
        id: m.id,
        timestamp: m.timestamp,
        attempts: m.attempts,
        body: (isEnvelope(m.body) ? m.body.body : m.body) as IngestMessage,
        ack: () => ((t.state = "ack"), m.ack()),
        retry: (options) => ((t.state = "retry"), m.retry(options)),
      },
    };
    return t;
  });
  const inner: MessageBatch<IngestMessage> = {
    queue: batch.queue,
    metadata: batch.metadata,
    messages: tracked.map((t) => t.message),
    ackAll: () => tracked.forEach((t) => t.message.ack()),
    retryAll: (options) => tracked.forEach((t) => t.message.retry(options)),
  };
  return { batch: inner, tracked };
}

export default {
  fetch: aggregator.fetch,
  async queue(batch: MessageBatch<unknown>, env: LocalAggregatorEnv, ctx: ExecutionContext): Promise<void> {
    const { batch: inner, tracked } = unwrap(batch);
    let failure: unknown;
    try {
      await aggregator.queue(inner, env, ctx);
    } catch (err) {
      failure = err ?? new Error("queue handler failed");
    }
    // As the queue decides: unmarked messages are acked when the handler
    // returns and retried when it throws; a retry past max_retries goes to the
    // dead-letter queue, which is the end of the outbox's duty too.
    const lastAttempt = Number(env.QUEUE_MAX_RETRIES) + 1;
    const done = tracked.filter((t) => t.key !== undefined && ((t.state ?? (failure ? "retry" : "ack")) === "ack" || t.attempts >= lastAttempt));
    if (done.length > 0) {
      // Unsettled is safe (sent again at the next start), so this never fails the batch.
      await outboxOf(env)
        .settle(done.map((t) => t.key!))
        .catch((err) => console.log(JSON.stringify({ level: "warn", worker: "aggregator", msg: "outbox settle failed", error: (err as Error).message })));
    }
    if (failure !== undefined) throw failure;
  },
} satisfies ExportedHandler<LocalAggregatorEnv>;
