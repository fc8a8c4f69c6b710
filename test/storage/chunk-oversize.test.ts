// A window that would hold more samples than a chunk can count (uint16: a
// series sampled faster than ~9 Hz) stays rows; compaction compacts the rest
// and keeps going, and queries still answer every sample.
import { describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { ensureTenant } from "../../shared/admin";
import { STALE_NAN } from "../../shared/staleness";
import { CHUNK_WINDOW_MS } from "../../shared/storage/chunks/window";
import { XOR_MAX_SAMPLES } from "../../shared/storage/chunks/xor";
import { runCompaction } from "../../shared/storage/postgres/chunk-compact";
import { postgresQueryStorage } from "../../shared/storage/postgres/read";
import { postgresWriteStorage } from "../../shared/storage/postgres/write";
import { labelsPredicate } from "../../workers/query/promql";
import { useOwnNodeDb } from "../helpers/own-database";
import { metricsMessage } from "../support/metrics-message";

const testDb = useOwnNodeDb("chunk_oversize");
const W0 = Math.floor((Date.now() - 3 * 86_400_000) / CHUNK_WINDOW_MS) * CHUNK_WINDOW_MS;
const FAST = XOR_MAX_SAMPLES + 5_000; // every 100 ms: 7,053 s, inside one 2 h window
const times = (n: number, step: number) => Array.from({ length: n }, (_, i) => W0 + i * step);
/** The fast series' values: a counter, with a staleness marker, NaN and ±Inf among them (bits must survive). */
function fastValues(n: number): Float64Array {
  const v = Float64Array.from({ length: n }, (_, i) => i);
  v[10] = STALE_NAN;
  v[12] = Infinity;
  v[13] = -Infinity;
  v[14] = NaN;
  return v;
}
const bits = (v: Float64Array) => Array.from(new BigUint64Array(v.buffer, v.byteOffset, v.length));

describe("compaction of an oversize window", () => {
  it("leaves the window's rows, compacts the other series, answers every sample", async () => {
    const db = testDb();
    const tenantId = (await ensureTenant(db, "oversize")).id;
    const fast = times(FAST, 100);
    const slow = times(480, 15_000);
    await postgresWriteStorage(db).writeMetrics([
      metricsMessage(tenantId, "o1", [
        { name: "fast_gauge", labels: {}, times: fast, values: fastValues(FAST) },
        { name: "slow_gauge", labels: {}, times: slow, values: slow.map((_, i) => i * 2) },
      ]),
    ]);
    const rowsOf = async (name: string) =>
      Number((await db.execute<{ n: string }>(sql`
        SELECT count(*)::text AS n FROM samples x JOIN series s ON s.id = x.series_id WHERE s.tenant_id = ${tenantId} AND s.metric_name = ${name}`)).rows[0].n);

    for (let run = 0; run < 2; run++) {
      await runCompaction(db, { retentionDays: 30, resweepMs: 0 });
      expect(await rowsOf("fast_gauge")).toBe(FAST);
      expect(await rowsOf("slow_gauge")).toBe(0);
    }
    const chunks = await db.execute<{ name: string; n: number }>(sql`
      SELECT s.metric_name AS name, c.n FROM sample_chunks c JOIN series s ON s.id = c.series_id WHERE s.tenant_id = ${tenantId}`);
    expect(chunks.rows).toEqual([{ name: "slow_gauge", n: 480 }]);

    const got = await postgresQueryStorage(db, tenantId, labelsPredicate).select(
      [{ name: "__name__", type: "=~", value: "fast_gauge|slow_gauge" }],
      { start: W0, end: W0 + CHUNK_WINDOW_MS - 1 },
    );
    const byName = new Map(got.map((s) => [s.labels.__name__, s]));
    expect(Array.from(byName.get("fast_gauge")!.timestamps)).toEqual(fast);
    expect(bits(byName.get("fast_gauge")!.values)).toEqual(bits(fastValues(FAST)));
    expect(Array.from(byName.get("slow_gauge")!.timestamps)).toEqual(slow);
    expect(Array.from(byName.get("slow_gauge")!.values)).toEqual(slow.map((_, i) => i * 2));
  });
});
