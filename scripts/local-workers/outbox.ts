// Local stack only: a durable outbox in front of Miniflare's queue, whose
// broker keeps messages in memory only (a kill -9 lost what ingest had just
// acknowledged). A message is written to this Durable Object's storage,
// persisted under the stack's data dir, before it is enqueued and before
// ingest answers 2xx; the aggregator's wrapper deletes it once the queue is
// done with it (acked, or handed to the dead-letter queue); at start the
// stack sends whatever is left again. Writes are idempotent, so a message
// delivered twice is harmless. Production Queues are durable: none of this
// is deployed.
import { DurableObject } from "cloudflare:workers";
import { wrapBody } from "./envelope";

export interface OutboxEnv {
  INGEST_QUEUE: Queue;
  OUTBOX: DurableObjectNamespace<QueueOutbox>;
}

/** Storage calls take at most 128 keys; a sendBatch at most 100 messages. */
const CHUNK = 100;

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

/** The one outbox object of a stack. */
export function outboxOf(env: { OUTBOX: DurableObjectNamespace<QueueOutbox> }): DurableObjectStub<QueueOutbox> {
  return env.OUTBOX.get(env.OUTBOX.idFromName("ingest-queue"));
}

export class QueueOutbox extends DurableObject<OutboxEnv> {
  // Keys sort in the order messages came in, across restarts too.
  #seq = 0;
  #run = crypto.randomUUID().slice(0, 8);
  #key(): string {
    return `${Date.now().toString(36).padStart(10, "0")}-${this.#run}-${(this.#seq++).toString(36).padStart(6, "0")}`;
  }

  /** Persists the messages, then enqueues them; resolves once both are done. */
  async sendBatch(messages: MessageSendRequest[], options?: QueueSendBatchOptions): Promise<QueueSendBatchResponse> {
    const keyed = messages.map((m) => ({ key: this.#key(), message: m }));
    for (const part of chunks(keyed)) await this.ctx.storage.put(Object.fromEntries(part.map((k) => [k.key, k.message])));
    await this.ctx.storage.sync();
    try {
      return await this.env.INGEST_QUEUE.sendBatch(keyed.map((k) => ({ ...k.message, body: wrapBody(k.key, k.message.body) })), options);
    } catch (err) {
      // Not enqueued: the sender gets a 5xx and retries, so nothing is owed.
      for (const part of chunks(keyed)) await this.ctx.storage.delete(part.map((k) => k.key));
      throw err;
    }
  }

  /** Forgets messages the queue is done with. */
  async settle(keys: string[]): Promise<void> {
    for (const part of chunks(keys)) await this.ctx.storage.delete(part);
  }

  /** Messages not settled yet. */
  async pending(): Promise<number> {
    let count = 0;
    let startAfter: string | undefined;
    for (;;) {
      const keys = [...(await this.ctx.storage.list({ limit: 1000, startAfter })).keys()];
      if (keys.length === 0) return count;
      count += keys.length;
      startAfter = keys[keys.length - 1];
    }
  }

  /** Enqueues again every message not settled: called once at start, when the queue is empty. */
  async redeliver(): Promise<number> {
    let count = 0;
    let startAfter: string | undefined;
    for (;;) {
      const page = [...(await this.ctx.storage.list<MessageSendRequest>({ limit: CHUNK, startAfter })).entries()];
      if (page.length === 0) return count;
      await this.env.INGEST_QUEUE.sendBatch(page.map(([key, m]) => ({ ...m, body: wrapBody(key, m.body) })));
      count += page.length;
      startAfter = page[page.length - 1][0];
    }
  }
}

export default {
  async fetch(req: Request, env: OutboxEnv): Promise<Response> {
    if (req.method === "POST" && new URL(req.url).pathname === "/redeliver") return Response.json({ redelivered: await outboxOf(env).redeliver() });
    return new Response("not found\n", { status: 404 });
  },
} satisfies ExportedHandler<OutboxEnv>;
