// The query worker's cron compacts (workers/query/compaction.ts): on the local
// stack, samples sent by remote_write hours ago move into chunks when
// scheduled() runs, the HTTP API answers exactly as before, and the job's
// configuration fails loudly when wrong. On a database of its own: the cron
// compacts every tenant's old rows.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { pushInTimeOrder } from "../../scripts/lib/prometheus";
import { STALE_NAN } from "../../shared/staleness";
import { compactionHeadMs } from "../../workers/query/compaction";
import { createOwnDatabase, type OwnDatabase } from "../helpers/own-database";
import { eventually, startTestStack, type TestStack } from "../helpers/stack";

describe("COMPACTION_HEAD", () => {
  it("is a Prometheus duration, 2h when unset", () => {
    expect(compactionHeadMs(undefined)).toBe(7_200_000);
    expect(compactionHeadMs(" ")).toBe(7_200_000);
    expect(compactionHeadMs("90m")).toBe(5_400_000);
    expect(compactionHeadMs("0s")).toBe(0);
    expect(() => compactionHeadMs("2 hours")).toThrow('COMPACTION_HEAD="2 hours" is not a Prometheus duration (like 2h or 90m)');
  });
});

describe("compaction in the query worker's cron", () => {
  let own: OwnDatabase;
  let stack: TestStack;
  const end = Math.floor(Date.now() / 60_000) * 60_000 - 60_000;
  const timestamps = Array.from({ length: 360 }, (_, i) => end - (359 - i) * 60_000); // 6 h at 1 min
  const series = Array.from({ length: 6 }, (_, s) => ({
    labels: { __name__: "cron_compacted", instance: `i${s}` },
    timestamps,
    values: Float64Array.from(timestamps, (_, i) => (i === 200 && s === 0 ? STALE_NAN : s * 1000 + i * 0.25)),
  }));
  const total = series.length * timestamps.length;

  beforeAll(async () => {
    own = await createOwnDatabase("compaction_cron");
    stack = await startTestStack({ databaseUrl: own.url });
  });
  afterAll(async () => {
    await stack?.close();
    await own?.drop();
  });

  const rows = async () =>
    (await stack.db.db.execute<{ rows: number; old: number; chunked: number }>(sql`
      SELECT (SELECT count(*)::int FROM samples x JOIN series s ON s.id = x.series_id WHERE s.metric_name = 'cron_compacted') AS rows,
        (SELECT count(*)::int FROM samples x JOIN series s ON s.id = x.series_id WHERE s.metric_name = 'cron_compacted' AND x.ts < ${Date.now() - 2.25 * 3_600_000}) AS old,
        (SELECT coalesce(sum(c.n), 0)::int FROM sample_chunks c JOIN series s ON s.id = c.series_id WHERE s.metric_name = 'cron_compacted') AS chunked`)).rows[0];
  const query = async (q: string) => {
    const params = new URLSearchParams({ query: q, start: String((end - 6 * 3_600_000) / 1000), end: String(end / 1000), step: "60" });
    const res = await fetch(`${stack.url}/api/v1/query_range?${params}`, { headers: { authorization: `Bearer ${stack.key}` } });
    expect(res.status).toBe(200);
    return res.json();
  };

  it("moves rows older than the head into chunks; queries answer the same", async () => {
    await pushInTimeOrder(stack.url, series, { headers: { authorization: `Bearer ${stack.key}` }, sliceMs: 3_600_000, concurrency: 2 });
    await eventually(async () => (await rows()).rows === total, 20_000, `${total} samples stored`);
    const queries = ["cron_compacted", "rate(cron_compacted[5m])", "count_over_time(cron_compacted[1h])"];
    const before = await Promise.all(queries.map(query));
    expect((before[0] as { data: { result: unknown[] } }).data.result.length).toBe(6);

    await stack.runCron();
    const after = await rows();
    expect(after.old).toBe(0);
    expect(after.chunked).toBeGreaterThan(total / 2);
    expect(after.rows + after.chunked).toBe(total);
    expect(await Promise.all(queries.map(query))).toEqual(before);
  });
});
