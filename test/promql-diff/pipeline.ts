// Loads the differential dataset into a running test stack through the real
// ingest path (remote_write → queue → aggregator → Postgres), then waits until
// every sample, staleness markers included, is stored.
import { sql } from "drizzle-orm";
import { eventually, type TestStack } from "../helpers/stack";
import { notSelfSeries } from "../support/self-series";
import { pushInTimeOrder } from "../../scripts/lib/prometheus";
import { isStaleNaN } from "../../shared/staleness";
import { decodeXorChunk } from "../../shared/storage/chunks/xor";
import { asBytes } from "../../shared/storage/postgres/bytea";
import type { Dataset } from "./dataset";

/**
 * Samples and staleness markers stored for the stack's tenant (its own: not Inferscope's self-metrics),
 * as head rows and in compacted chunks: any cron run (another file's too) may compact rows older than its head.
 */
export async function storedSamples(stack: TestStack): Promise<{ n: number; stale: number }> {
  const { rows } = await stack.db.db.execute<{ n: number; stale: number }>(sql`
    SELECT count(*)::int AS n, count(*) FILTER (WHERE x.value IS NULL)::int AS stale
    FROM samples x JOIN series s ON s.id = x.series_id WHERE s.tenant_id = ${stack.tenantId} AND ${notSelfSeries()}`);
  const chunks = await stack.db.db.execute<{ data: unknown }>(sql`
    SELECT c.data FROM sample_chunks c JOIN series s ON s.id = c.series_id WHERE s.tenant_id = ${stack.tenantId} AND ${notSelfSeries()}`);
  let { n, stale } = rows[0];
  for (const c of chunks.rows) {
    const { values } = decodeXorChunk(asBytes(c.data));
    n += values.length;
    for (const v of values) if (isStaleNaN(v)) stale++;
  }
  return { n, stale };
}

/** Returns the number of samples sent (and stored). */
export async function loadIntoStack(stack: TestStack, ds: Dataset): Promise<number> {
  // Inferscope accepts any order, so bigger slices and parallel requests are fine.
  const sent = await pushInTimeOrder(stack.url, ds.series, { headers: { authorization: `Bearer ${stack.key}` }, sliceMs: 30 * 60_000, concurrency: 3 });
  const stale = ds.series.reduce((n, s) => n + s.values.filter((v) => isStaleNaN(v)).length, 0);
  await eventually(
    async () => {
      const got = await storedSamples(stack);
      if (got.n > sent) throw new Error(`${got.n} samples stored, more than the ${sent} sent`);
      if (got.n === sent && got.stale !== stale) throw new Error(`${got.stale} staleness markers stored, ${stale} sent`);
      return got.n === sent;
    },
    60_000,
    `all ${sent} samples stored`,
  );
  return sent;
}
