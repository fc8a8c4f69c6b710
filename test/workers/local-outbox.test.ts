// The local stack's queue outbox (scripts/local-workers/): every message is
// kept until the queue is done with it — written and acked, or handed to the
// dead-letter queue after its last retry — and no longer.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { eventually, startTestStack, type TestStack } from "../helpers/stack";
import type { MetricsMessage } from "../../shared/contracts/queue";
import type { QueueOutbox } from "../../scripts/local-workers/outbox";

let stack: TestStack;
beforeAll(async () => {
  // A 2 s batch timeout: time to see a message wait in the outbox.
  stack = await startTestStack({ queueMaxRetries: 1, inspectDeadLetters: true, queueBatchTimeout: 2 });
});
afterAll(async () => {
  await stack?.close();
});

// Miniflare's node-side stub types know fetch() only; the RPC methods are there.
type OutboxStub = Pick<QueueOutbox, "pending" | "sendBatch">;
async function outbox(): Promise<OutboxStub> {
  const ns = await stack.mf.getDurableObjectNamespace("OUTBOX", "outbox");
  return ns.get(ns.idFromName("ingest-queue")) as unknown as OutboxStub;
}

describe("the local queue's outbox", () => {
  it("holds what ingest acknowledged until it is written", async () => {
    const t = Date.now() - 1000;
    const res = await fetch(`${stack.url}/v1/metrics`, {
      method: "POST",
      headers: { authorization: `Bearer ${stack.key}`, "content-type": "application/json" },
      body: JSON.stringify({ series: [{ name: "outbox_settled_metric", samples: [[t, 1]] }] }),
    });
    expect(res.status).toBe(202);
    const box = await outbox();
    expect(await box.pending()).toBeGreaterThanOrEqual(1);
    await eventually(async () => (await box.pending()) === 0, 15_000, "the outbox to empty");
    const stored = await stack.db.db.execute<{ n: string }>(sql`
      SELECT count(*) AS n FROM samples x JOIN series s ON s.id = x.series_id WHERE s.metric_name = 'outbox_settled_metric'`);
    expect(Number(stored.rows[0].n)).toBe(1);
  });

  it("lets a message go once it is in the dead-letter queue, its body as sent", async () => {
    const now = Date.now() - 1000;
    // Unknown tenant: the series insert violates its foreign key on every attempt.
    const poison: MetricsMessage = {
      v: 1, kind: "metrics", tenantId: 987655, batchId: "outbox-poison", part: 0, metadata: [],
      series: [{ name: "outbox_poison_metric", labels: {}, timestamps: new Float64Array([now]), values: new Float64Array([1]) }],
    };
    const box = await outbox();
    const before = await box.pending();
    await box.sendBatch([{ body: poison, contentType: "v8" }]);
    expect(await box.pending()).toBe(before + 1);
    const dlq = await stack.mf.getWorker("dlq");
    const dead = await eventually(async () => {
      const list = (await (await dlq.fetch("http://dlq/")).json()) as { body: { batchId?: string }; attempts: number }[];
      return list.find((d) => d.body.batchId === "outbox-poison");
    }, 45_000, "the poison message in the dead-letter queue");
    expect(dead.body).toMatchObject({ batchId: "outbox-poison", tenantId: 987655 });
    expect(await box.pending()).toBe(before);
  });
});
