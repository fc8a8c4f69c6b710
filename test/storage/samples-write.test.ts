// Samples go in with a plain INSERT first and only on a stored row again with
// ON CONFLICT DO NOTHING (write.ts insertSamples): a fresh part that repeats
// stored samples (a resend under a new batch id), or repeats a sample within
// itself, writes only the new rows, keeps the first value written, and fails
// nothing; a replayed part is skipped whole.
import { describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { ensureTenant } from "../../shared/admin";
import { postgresWriteStorage } from "../../shared/storage/postgres/write";
import { metricsMessage } from "../support/metrics-message";
import { useNodeDb } from "../support/node-db";

const testDb = useNodeDb();
const T = Math.floor(Date.now() / 60_000) * 60_000 - 3_600_000;

const message = (tenantId: number, batchId: string, series: Array<[name: string, times: number[], values: number[]]>) =>
  metricsMessage(tenantId, batchId, series.map(([name, times, values]) => ({ name, labels: { job: "w" }, times, values })));

describe("samples write", () => {
  it("writes only the new rows of a part that repeats stored samples, keeping the stored values", async () => {
    const db = testDb();
    const tenantId = (await ensureTenant(db, `samples-write-${Date.now().toString(36)}`)).id;
    const w = postgresWriteStorage(db);
    const first = await w.writeMetrics([message(tenantId, "a", [["sw_one", [T, T + 15_000], [1, 2]]])]);
    expect(first).toEqual([{ written: 2, duplicate: false }]);
    // New batch id, two stored samples (other values), two new ones, and one new sample sent twice in the part.
    const resend = message(tenantId, "b", [
      ["sw_one", [T, T + 15_000, T + 30_000], [10, 20, 3]],
      ["sw_two", [T], [7]],
      ["sw_two", [T], [8]],
    ]);
    expect(await w.writeMetrics([resend])).toEqual([{ written: 2, duplicate: false }]);
    expect(await w.writeMetrics([resend])).toEqual([{ written: 0, duplicate: true }]);
    const rows = await db.execute<{ name: string; ts: string; v: number }>(sql`
      SELECT s.metric_name AS name, x.ts::text AS ts, x.value AS v FROM samples x JOIN series s ON s.id = x.series_id
      WHERE s.tenant_id = ${tenantId} ORDER BY 1, 2`);
    expect(rows.rows.map((r) => [r.name, Number(r.ts) - T, r.v])).toEqual([
      ["sw_one", 0, 1],
      ["sw_one", 15_000, 2],
      ["sw_one", 30_000, 3],
      ["sw_two", 0, 7],
    ]);
    const bounds = await db.execute<{ name: string; lo: string; hi: string }>(sql`
      SELECT s.metric_name AS name, b.min_t::text AS lo, b.max_t::text AS hi FROM series_bounds b JOIN series s ON s.id = b.series_id
      WHERE s.tenant_id = ${tenantId} ORDER BY 1`);
    expect(bounds.rows.map((r) => [r.name, Number(r.lo) - T, Number(r.hi) - T])).toEqual([["sw_one", 0, 30_000], ["sw_two", 0, 0]]);
  });
});
