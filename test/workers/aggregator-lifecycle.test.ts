// The aggregator's failure path (retry, then the dead-letter queue) and the
// query worker's cron (partitions ahead, retention by dropping whole days).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { eventually, startTestStack, type TestStack } from "../helpers/stack";
import type { LogRow, LogsMessage, MetricsMessage } from "../../shared/contracts/queue";
import { logRow } from "../support/log-row";

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

describe("a part Postgres refuses for some of its items", () => {
  it("has its good items written once; the refused items alone go on to the dead-letter queue", async () => {
    const queue = await stack.mf.getQueueProducer<unknown>("INGEST_QUEUE", "ingest");
    const now = Date.now() - 1000;
    const one = (name: string, labels: Record<string, string> = {}) => ({ name, labels, timestamps: new Float64Array([now]), values: new Float64Array([1]) });
    // What ingest now refuses, sent to the queue directly, as an older ingest (or a bug) could have.
    const metrics: MetricsMessage = {
      v: 1, kind: "metrics", tenantId: stack.tenantId, batchId: "mixed-metrics", part: 0,
      metadata: [{ name: "iso_good", type: "gauge", help: "fine", unit: "" }, { name: "iso_bad_help", type: "gauge", help: "a\u0000b", unit: "" }],
      series: [one("iso_good"), one("iso_bad", { a: "x\u0000y" }), one("iso_good_2"), one("iso_good_3")],
    };
    const log = (requestId: string, extra: Partial<LogRow> = {}): LogRow => logRow(requestId, now, extra);
    const logs: LogsMessage = {
      v: 1, kind: "logs", tenantId: stack.tenantId, batchId: "mixed-logs", part: 0,
      records: [log("iso-ok-1"), log("iso-nul\u0000"), log("iso-ok-2"), log("iso-tokens", { inputTokens: 1e19 }), log("iso-attr-nul", { attributes: { a: "\u0000" } }), log("iso-ok-3")],
    };
    await queue.sendBatch([{ body: metrics, contentType: "v8" }, { body: logs, contentType: "v8" }]);
    const dlq = await stack.mf.getWorker("dlq");
    type Dead = { body: { batchId?: string; metadata?: { name: string }[]; series?: { name: string }[]; records?: { requestId: string }[] } };
    const dead = await eventually(async () => {
      const list = (await (await dlq.fetch("http://dlq/")).json()) as Dead[];
      const mine = list.filter((d) => d.body.batchId?.startsWith("mixed-"));
      return mine.length === 2 ? mine : undefined;
    }, 45_000, "both parts' refused items in the dead-letter queue");
    const byId: Record<string, Dead["body"]> = Object.fromEntries(dead.map((d) => [d.body.batchId, d.body]));
    expect(Object.keys(byId).sort()).toEqual(["mixed-logs#refused", "mixed-metrics#refused"]);
    expect(byId["mixed-metrics#refused"].metadata!.map((x) => x.name)).toEqual(["iso_bad_help"]);
    expect(byId["mixed-metrics#refused"].series!.map((x) => x.name)).toEqual(["iso_bad"]);
    expect(byId["mixed-logs#refused"].records!.map((x) => x.requestId)).toEqual(["iso-nul\u0000", "iso-tokens", "iso-attr-nul"]);
    const names = (await stack.db.db.execute<{ name: string; n: string }>(sql`
      SELECT s.metric_name AS name, count(*) AS n FROM samples x JOIN series s ON s.id = x.series_id
      WHERE s.tenant_id = ${stack.tenantId} AND s.metric_name LIKE 'iso%' GROUP BY 1 ORDER BY 1`)).rows;
    // Written once, and the part acked: nothing else of it reaches the dead-letter queue.
    expect(names).toEqual([{ name: "iso_good", n: "1" }, { name: "iso_good_2", n: "1" }, { name: "iso_good_3", n: "1" }]);
    const md = (await stack.db.db.execute<{ name: string }>(sql`
      SELECT metric_name AS name FROM metric_metadata WHERE tenant_id = ${stack.tenantId} AND metric_name LIKE 'iso%'`)).rows;
    expect(md).toEqual([{ name: "iso_good" }]);
    const ids = (await stack.db.db.execute<{ id: string }>(sql`
      SELECT request_id AS id FROM request_logs WHERE tenant_id = ${stack.tenantId} AND request_id LIKE 'iso-%' ORDER BY 1`)).rows.map((r) => r.id);
    expect(ids).toEqual(["iso-ok-1", "iso-ok-2", "iso-ok-3"]);
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
