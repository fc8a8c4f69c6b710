// Rollup rows for tests of what reads them, written straight into the tables
// (log_dims, log_rollups, log_rollup_buckets and their per-day twins) from
// LogRows with the spec's own functions (dimsOf, HISTOGRAMS, bucketIndex), so
// those tests do not depend on the aggregator maintaining them.
import { sql } from "drizzle-orm";
import { createHash } from "node:crypto";
import type { Db } from "../../shared/db";
import type { LogRow } from "../../shared/logs/record";
import { DAY_MS, HISTOGRAMS, bucketIndex, dimsKey, dimsOf, minuteOf } from "../../shared/logs/rollup-spec";

interface Acc {
  dims: Record<string, string>;
  unit: number;
  requests: number;
  input: number;
  output: number;
  total: number;
  cached: number;
  cost: number;
  hits: number;
  misses: number;
  count: number[];
  sum: number[];
  buckets: Map<string, number>;
}

const hashOf = (key: string) => {
  const h = createHash("sha256").update(key).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
};

function accumulate(rows: LogRow[], unitOf: (ms: number) => number): Acc[] {
  const out = new Map<string, Acc>();
  for (const r of rows) {
    const dims = dimsOf(r) as Record<string, string>;
    const unit = unitOf(r.time);
    const k = `${dimsKey(dims)}@${unit}`;
    let a = out.get(k);
    if (!a) {
      a = { dims, unit, requests: 0, input: 0, output: 0, total: 0, cached: 0, cost: 0, hits: 0, misses: 0, count: HISTOGRAMS.map(() => 0), sum: HISTOGRAMS.map(() => 0), buckets: new Map() };
      out.set(k, a);
    }
    a.requests++;
    a.input += r.inputTokens ?? 0;
    a.output += r.outputTokens ?? 0;
    a.total += r.totalTokens ?? 0;
    a.cached += r.cachedTokens ?? 0;
    a.cost += r.costUsd ?? 0;
    if (r.cacheHit === true) a.hits++;
    if (r.cacheHit === false) a.misses++;
    HISTOGRAMS.forEach((h, i) => {
      const v = h.observe(r);
      if (v === null) return;
      a.count[i]++;
      a.sum[i] += v;
      const bk = `${h.id}/${bucketIndex(h.bounds, v)}`;
      a.buckets.set(bk, (a.buckets.get(bk) ?? 0) + 1);
    });
  }
  return [...out.values()];
}

/** Inserts the rollups of `rows` for the tenant, per minute and per day (either can be left out); calls must not share a dims set and minute or day. */
export async function insertRollups(db: Db, tenantId: number, rows: LogRow[], opts: { minutes?: boolean; days?: boolean } = {}): Promise<void> {
  const tables: Array<[string, string, string, (ms: number) => number]> = [];
  if (opts.minutes !== false) tables.push(["log_rollups", "log_rollup_buckets", "minute", minuteOf]);
  if (opts.days !== false) tables.push(["log_rollups_day", "log_rollup_buckets_day", "day", (ms) => Math.floor(ms / DAY_MS) * DAY_MS]);
  for (const [sums, buckets, unit, unitOf] of tables) {
    for (const a of accumulate(rows, unitOf)) {
      const id = (await db.execute<{ id: string }>(sql`
        INSERT INTO log_dims (tenant_id, dims, dims_hash) VALUES (${tenantId}, ${JSON.stringify(a.dims)}::jsonb, ${hashOf(dimsKey(a.dims))}::uuid)
        ON CONFLICT (tenant_id, dims_hash) DO UPDATE SET dims = excluded.dims RETURNING id`)).rows[0].id;
      await db.execute(sql`
        INSERT INTO ${sql.raw(sums)} (tenant_id, dims_id, ${sql.raw(unit)}, requests, input_tokens, output_tokens, total_tokens, cached_tokens, cost_usd, cache_hits, cache_misses, hist_count, hist_sum)
        VALUES (${tenantId}, ${id}, ${a.unit}, ${a.requests}, ${a.input}, ${a.output}, ${a.total}, ${a.cached}, ${a.cost}, ${a.hits}, ${a.misses},
          ${`{${a.count.join(",")}}`}::bigint[], ${`{${a.sum.join(",")}}`}::float8[])`);
      for (const [bk, n] of a.buckets) {
        const [hist, bucket] = bk.split("/").map(Number);
        await db.execute(sql`
          INSERT INTO ${sql.raw(buckets)} (tenant_id, dims_id, ${sql.raw(unit)}, hist, bucket, n) VALUES (${tenantId}, ${id}, ${a.unit}, ${hist}, ${bucket}, ${n})`);
      }
    }
  }
}
