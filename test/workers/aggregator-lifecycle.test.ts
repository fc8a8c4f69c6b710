// The aggregator's failure path (retry, then the dead-letter queue) and the
// query worker's cron (partitions ahead, retention by dropping whole days).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { eventually, startTestStack, type TestStack } from "../helpers/stack";
import type { MetricsMessage } from "../../shared/contracts/queue";

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ queueMaxRetries: 2, inspectDeadLetters: true });
});
afterAll(async () => {
  await stack?.close();
});

describe("poison messages", () => {
  it("are retried, then end in the dead-letter queue; good messages beside them are written", async () => {
    const queue = await stack.mf.getQueueProducer<unknown>("INGEST_QUEUE", "ingest");
    const now = Date.now() - 1000;
    // Unknown tenant: the series insert violates its foreign key on every attempt.
    const poison: MetricsMessage = {
      v: 1, kind: "metrics", tenantId: 987654, batchId: "poison-1", part: 0, metadata: [],
      series: [{ name: "poison_metric", labels: {}, timestamps: new Float64Array([now]), values: new Float64Array([1]) }],
    };
    const good: MetricsMessage = { ...poison, tenantId: stack.tenantId, batchId: "good-1", series: [{ ...poison.series[0], name: "good_beside_poison" }] };
    await queue.sendBatch([{ body: poison, contentType: "v8" }, { body: good, contentType: "v8" }, { body: { v: 99, kind: "unknown" }, contentType: "v8" }]);
    const dlq = await stack.mf.getWorker("dlq");
    const dead = await eventually(async () => {
      const list = (await (await dlq.fetch("http://dlq/")).json()) as { body: { batchId?: string; v: number }; attempts: number }[];
      return list.length === 2 ? list : undefined;
    }, 45_000, "two messages in the dead-letter queue");
    expect(dead.map((d) => d.body.batchId ?? `v${d.body.v}`).sort()).toEqual(["poison-1", "v99"]);
    const stored = await stack.db.db.execute<{ n: string }>(sql`
      SELECT count(*) AS n FROM samples x JOIN series s ON s.id = x.series_id WHERE s.metric_name = 'good_beside_poison'`);
    expect(Number(stored.rows[0].n)).toBe(1);
  });
});

describe("the cron", () => {
  it("creates today's and tomorrow's partitions and drops days past the retention", async () => {
    const DAY = 86_400_000;
    const today = Math.floor(Date.now() / DAY);
    const old = today - 40;
    await stack.db.db.execute(sql`SELECT inferscope_ensure_day_partitions(${sql.param([old])}::integer[])`);
    const partitions = async () =>
      (await stack.db.db.execute<{ relname: string }>(sql`
        SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
        WHERE p.relname = 'samples' ORDER BY 1`)).rows.map((r) => r.relname);
    const name = (day: number) => `samples_p${new Date(day * DAY).toISOString().slice(0, 10).replace(/-/g, "")}`;
    expect(await partitions()).toContain(name(old));
    await stack.runCron();
    const after = await partitions();
    expect(after).not.toContain(name(old));
    expect(after).toContain(name(today));
    expect(after).toContain(name(today + 1));
  });
});
