// Inferscope's own ingest health as series of the tenant: the self-metrics
// job (workers/query/self-metrics.ts) run directly on the test database with
// chosen minutes, and through the query worker's cron in workerd; dead letters
// recorded by the aggregator in workerd. Read back through /api/v1/query.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { eventually, startTestStack, type TestStack } from "../helpers/stack";
import type { LogsMessage, MetricsMessage, QueueSeries } from "../../shared/contracts/queue";
import type { Db } from "../../shared/db";
import { postgresWriteStorage } from "../../shared/storage/postgres/write";
import { runSelfMetrics, selfBatchId } from "../../workers/query/self-metrics";
import { logRow } from "../support/log-row";

let stack: TestStack;
let db: Db;
beforeAll(async () => {
  stack = await startTestStack({ queueMaxRetries: 1, inspectDeadLetters: true });
  db = stack.db.db;
});
afterAll(async () => {
  await stack?.close();
});

// Minutes of the runs driven by hand: an hour ahead. Any test's cron (this file's, or another's on the
// shared database) reports every tenant at the current minute; once a run here has reported a later one,
// the cron leaves these tenants alone, and a report it made before is out of these minutes' lookback.
const T0 = Math.floor((Date.now() + 60 * 60_000) / 60_000) * 60_000;
const minute = (k: number) => T0 + k * 60_000;
let names = 0;
const tenant = (what: string) => stack.tenantWithKey(`self-${what}-${process.pid}-${Date.now().toString(36)}-${names++}`);

const series = (name: string, n: number): QueueSeries => ({
  name, labels: { job: "self-test" },
  timestamps: Float64Array.from({ length: n }, (_, i) => T0 - 600_000 + i * 1000),
  values: Float64Array.from({ length: n }, (_, i) => i),
});
const metrics = (tenantId: number, batchId: string, s: QueueSeries[]): MetricsMessage => ({ v: 1, kind: "metrics", tenantId, batchId, part: 0, metadata: [], series: s });
const logs = (tenantId: number, batchId: string, ids: string[]): LogsMessage => ({
  v: 1, kind: "logs", tenantId, batchId, part: 0, records: ids.map((id, i) => logRow(id, T0 - 600_000 + i * 1000)),
});

async function api(key: string, path: string) {
  const res = await fetch(`${stack.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { data: any }).data;
}
const q = (expr: string) => encodeURIComponent(expr);
const at = (ms?: number) => (ms === undefined ? "" : `&time=${ms / 1000}`);

/** The counters at a time, by kind ("dead" for the dead-letter counter). */
async function counters(key: string, ms?: number): Promise<Record<string, number>> {
  const data = await api(key, `/api/v1/query?query=${q('{__name__=~"inferscope_ingest_rows_total|inferscope_dead_letter_items_total"}')}${at(ms)}`);
  return Object.fromEntries(data.result.map((r: any) => [r.metric.kind ?? "dead", Number(r.value[1])]));
}
async function lastWrites(key: string, ms?: number): Promise<Record<string, number>> {
  const data = await api(key, `/api/v1/query?query=${q("inferscope_ingest_last_write_timestamp_seconds")}${at(ms)}`);
  return Object.fromEntries(data.result.map((r: any) => [r.metric.kind, Number(r.value[1])]));
}
const run = (tenantId: number, k: number, settleMs?: number) => runSelfMetrics(db, { now: minute(k) + 5000, tenantIds: [tenantId], settleMs });
const stored = async (tenantId: number) =>
  Object.fromEntries((await db.execute<{ kind: string; rows: string }>(sql`SELECT kind, rows::text FROM ingest_counters WHERE tenant_id = ${tenantId}`)).rows.map((r) => [r.kind, Number(r.rows)]));
const selfSamples = async (tenantId: number) =>
  Number((await db.execute<{ n: string }>(sql`
    SELECT count(*)::text AS n FROM samples x JOIN series s ON s.id = x.series_id
    WHERE s.tenant_id = ${tenantId} AND s.metric_name LIKE 'inferscope_%'`)).rows[0].n);

describe("ingest counters", () => {
  let a: { tenantId: number; key: string };
  beforeAll(async () => {
    a = await tenant("a");
  });

  it("advance by exactly the rows ingested, rule outputs apart, the job's own samples not at all", async () => {
    const w = postgresWriteStorage(db);
    const before = Date.now() / 1000;
    await w.writeMetrics([metrics(a.tenantId, "metrics:one", [series("m_a", 4), series("m_b", 4), series("m_c", 4)])]);
    await w.writeLogs([logs(a.tenantId, "logs:one", ["r1", "r2", "r3", "r4", "r5"])]);
    const after = Date.now() / 1000;
    expect(await run(a.tenantId, 0)).toBe(1);
    expect(await counters(a.key, minute(0))).toEqual({ samples: 12, logs: 5, dead: 0 });
    const last = await lastWrites(a.key, minute(0));
    expect(Object.keys(last).sort()).toEqual(["logs", "samples"]);
    for (const v of Object.values(last)) {
      expect(v).toBeGreaterThanOrEqual(before - 1);
      expect(v).toBeLessThanOrEqual(after + 1);
    }

    await w.writeMetrics([metrics(a.tenantId, "metrics:two", [series("m_a", 7)]), metrics(a.tenantId, "rules/ns/group/1", [series("rule_out", 2)])]);
    // A redelivered part is claimed once: counted once.
    await w.writeMetrics([metrics(a.tenantId, "metrics:two", [series("m_a", 7)])]);
    expect(await run(a.tenantId, 1)).toBe(1);
    // The samples written at minute 0 (rows, last write, dead letters) are not in the count.
    expect(await counters(a.key, minute(1))).toEqual({ samples: 19, logs: 5, rules: 2, dead: 0 });
    // The earlier minute still answers its own values.
    expect(await counters(a.key, minute(0))).toEqual({ samples: 12, logs: 5, dead: 0 });
  });

  it("count a part that commits after a run that could not see it, once, and keep counting after ingested_batches forgets", async () => {
    let release!: () => void;
    let inserted!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const ready = new Promise<void>((r) => (inserted = r));
    // A claim whose transaction (so its ingested_at) started before the run and commits after it.
    const held = db.transaction(async (tx) => {
      await tx.execute(sql`INSERT INTO ingested_batches (tenant_id, batch_id, part, kind, rows) VALUES (${a.tenantId}, 'metrics:late', 0, 'metrics', 100)`);
      inserted();
      await gate;
    });
    await ready;
    expect(await run(a.tenantId, 2)).toBe(1);
    expect((await counters(a.key, minute(2))).samples).toBe(19);
    release();
    await held;
    expect(await run(a.tenantId, 3)).toBe(1);
    expect(await counters(a.key, minute(3))).toEqual({ samples: 119, logs: 5, rules: 2, dead: 0 });
    // All of it is recent, so none of it is stored yet: reported on top of the (empty) stored counters.
    expect(await stored(a.tenantId)).toEqual({});

    // Settled (as 20 minutes later): moved into the stored counters, not counted twice.
    expect(await run(a.tenantId, 4, 0)).toBe(1);
    expect(await stored(a.tenantId)).toEqual({ samples: 119, logs: 5, rules: 2 });
    expect(await counters(a.key, minute(4))).toEqual({ samples: 119, logs: 5, rules: 2, dead: 0 });
    const last = await lastWrites(a.key, minute(4));

    // Retention forgets the claims after 7 days; the counters stay.
    await db.execute(sql`DELETE FROM ingested_batches WHERE tenant_id = ${a.tenantId}`);
    expect(await run(a.tenantId, 5)).toBe(1);
    expect(await counters(a.key, minute(5))).toEqual({ samples: 119, logs: 5, rules: 2, dead: 0 });
    expect(await lastWrites(a.key, minute(5))).toEqual(last);
    const range = await api(a.key, `/api/v1/query_range?query=${q('inferscope_ingest_rows_total{kind="samples"}')}&start=${minute(0) / 1000}&end=${minute(5) / 1000}&step=60`);
    expect(range.result[0].values.map((v: [number, string]) => Number(v[1]))).toEqual([12, 19, 19, 119, 119, 119]);
  });

  it("write nothing new when the minute runs again, even with the job's state rewound", async () => {
    const samples = await selfSamples(a.tenantId);
    expect(await run(a.tenantId, 5)).toBe(0);
    expect(await selfSamples(a.tenantId)).toBe(samples);
    // Rewound, the job reports the minute again, but its batch id is claimed: the write is skipped.
    await db.execute(sql`UPDATE self_metrics_state SET last_minute = ${minute(5) - 1} WHERE tenant_id = ${a.tenantId}`);
    await postgresWriteStorage(db).writeMetrics([metrics(a.tenantId, "metrics:after", [series("m_a", 3)])]);
    expect(await run(a.tenantId, 5)).toBe(1);
    expect(await selfSamples(a.tenantId)).toBe(samples);
    expect((await counters(a.key, minute(5))).samples).toBe(119);
    const claims = await db.execute<{ n: string }>(sql`SELECT count(*)::text AS n FROM ingested_batches WHERE tenant_id = ${a.tenantId} AND batch_id = ${selfBatchId(minute(5))}`);
    expect(claims.rows[0].n).toBe("1");
    // An earlier minute than the last reported is not reported at all (a late run must not write an older, larger value).
    expect(await run(a.tenantId, 3)).toBe(0);
    expect(await run(a.tenantId, 6)).toBe(1);
    expect((await counters(a.key, minute(6))).samples).toBe(122);
    // Two isolates on the same minute: one reports it, the other finds it reported.
    await postgresWriteStorage(db).writeMetrics([metrics(a.tenantId, "metrics:race", [series("m_a", 5)])]);
    const raced = await Promise.all([run(a.tenantId, 7), run(a.tenantId, 7), run(a.tenantId, 7)]);
    expect(raced.sort()).toEqual([0, 0, 1]);
    expect((await counters(a.key, minute(7))).samples).toBe(127);
    expect(await stored(a.tenantId)).toEqual({ samples: 119, logs: 5, rules: 2 });
  });

  it("stay flat on an idle tenant, and at zero on one that never sent anything", async () => {
    const idle = await tenant("idle");
    const never = await tenant("never");
    await postgresWriteStorage(db).writeMetrics([metrics(idle.tenantId, "metrics:only", [series("m_idle", 4)])]);
    for (let k = 0; k < 4; k++) {
      expect(await run(idle.tenantId, k)).toBe(1);
      expect(await run(never.tenantId, k)).toBe(1);
    }
    const values = async (key: string, expr: string) => {
      const data = await api(key, `/api/v1/query_range?query=${q(expr)}&start=${minute(0) / 1000}&end=${minute(3) / 1000}&step=60`);
      return Object.fromEntries(data.result.map((r: any) => [r.metric.kind ?? "dead", r.values.map((v: [number, string]) => Number(v[1]))]));
    };
    expect(await values(idle.key, "inferscope_ingest_rows_total")).toEqual({ samples: [4, 4, 4, 4], logs: [0, 0, 0, 0] });
    expect(await values(never.key, "{__name__=~\"inferscope_ingest_rows_total|inferscope_dead_letter_items_total\"}")).toEqual({ samples: [0, 0, 0, 0], logs: [0, 0, 0, 0], dead: [0, 0, 0, 0] });
    expect((await api(never.key, `/api/v1/query?query=${q("inferscope_ingest_last_write_timestamp_seconds")}${at(minute(3))}`)).result).toEqual([]);
    const increase = await api(idle.key, `/api/v1/query?query=${q("sum(increase(inferscope_ingest_rows_total[3m]))")}${at(minute(3))}`);
    expect(Number(increase.result[0].value[1])).toBe(0);
  });
});

describe("dead letters", () => {
  it("are recorded once per part however often it is delivered, and counted by the cron in workerd", async () => {
    const c = await tenant("dead");
    const queue = await stack.mf.getQueueProducer<unknown>("INGEST_QUEUE", "ingest");
    const dlq = await stack.mf.getWorker("dlq");
    const inDlq = async (prefix: string, n: number) =>
      eventually(async () => {
        const list = (await (await dlq.fetch("http://dlq/")).json()) as { body: { tenantId?: number; batchId?: string } }[];
        const mine = list.filter((d) => d.body.tenantId === c.tenantId && d.body.batchId?.startsWith(prefix));
        return mine.length === n ? mine : undefined;
      }, 45_000, `${n} dead letters of ${prefix}`);
    // One refused record among good ones: the refused one alone goes, and the part is acked. Delivered twice.
    const mixed = logs(c.tenantId, "logs:dl-mixed", ["ok-1", "bad\u0000", "ok-2"]);
    await queue.send(mixed, { contentType: "v8" });
    await inDlq("logs:dl-mixed", 1);
    await queue.send(mixed, { contentType: "v8" });
    await inDlq("logs:dl-mixed", 2);
    // Every record refused: the part itself goes, after its retries.
    await queue.send(logs(c.tenantId, "logs:dl-all", ["x\u0000", "y\u0000"]), { contentType: "v8" });
    await inDlq("logs:dl-all", 1);
    // A record the writer cannot handle (a bug, not bad data): retried with backoff until the queue gives up.
    await queue.send({ ...logs(c.tenantId, "logs:dl-bug", []), records: [null] }, { contentType: "v8" });
    await inDlq("logs:dl-bug", 1);
    const rows = await eventually(async () => {
      const r = await db.execute<{ batch_id: string; part: number; kind: string; items: number; reason: string }>(sql`
        SELECT batch_id, part, kind, items, reason FROM dead_letters WHERE tenant_id = ${c.tenantId} ORDER BY batch_id`);
      return r.rows.length === 3 ? r.rows : undefined;
    }, 10_000, "three dead_letters rows");
    expect(rows.map(({ batch_id, part, kind, items }) => ({ batch_id, part, kind, items }))).toEqual([
      { batch_id: "logs:dl-all", part: 0, kind: "logs", items: 2 },
      { batch_id: "logs:dl-bug", part: 0, kind: "logs", items: 1 },
      { batch_id: "logs:dl-mixed#refused", part: 0, kind: "logs", items: 1 },
    ]);
    expect(rows[0].reason).toMatch(/^every item refused; first: records\[0\] request_id "x\\u0000" .*SQLSTATE 22021/);
    expect(rows[1].reason).toMatch(/^failed on all 2 attempts; last: /);
    expect(rows[2].reason).toMatch(/^1 of 3 items refused; first: records\[1\]/);

    // The good records were written once (as sub-parts), however often the part came. A cron elsewhere may have
    // reported this minute before the last record: then the next minute's report has it (at most a minute late).
    const want = { samples: 0, logs: 2, dead: 4 };
    await eventually(async () => {
      await stack.runCron();
      const got = await counters(c.key);
      if (Object.keys(want).every((k) => got[k] === want[k as keyof typeof want]) && Object.keys(got).length === 3) return true;
      await new Promise((r) => setTimeout(r, 2_000));
    }, 75_000, "the cron's counters");
    expect(await counters(c.key)).toEqual(want);
    const meta = await api(c.key, `/api/v1/metadata?metric=inferscope_dead_letter_items_total`);
    expect(meta.inferscope_dead_letter_items_total[0]).toMatchObject({ type: "counter", help: expect.stringMatching(/dead-letter queue/) });
    const rowsMeta = await api(c.key, `/api/v1/metadata?metric=inferscope_ingest_rows_total`);
    expect(rowsMeta.inferscope_ingest_rows_total[0].type).toBe("counter");
  }, 180_000);
});
