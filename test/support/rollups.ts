// Rollup rows for tests, written with plain SQL from request-log events (LogRow),
// as the aggregator will maintain them: per dims set and minute of the log's
// start, the sums, histogram counts/sums and non-empty buckets, and the same per
// UTC day. Adds to rows already there, so calls accumulate like later batches.
import type pg from "pg";
import { createHash } from "node:crypto";
import type { LogRow } from "../../shared/logs/record";
import { bucketIndex, dayStartOf, dimsKey, dimsOf, HISTOGRAMS, minuteOf } from "../../shared/logs/rollup-spec";

interface Sums {
  requests: number;
  input: number;
  output: number;
  total: number;
  cached: number;
  cost: number;
  hits: number;
  misses: number;
  histCount: number[];
  histSum: number[];
  buckets: Map<string, number>; // "hist/bucket" -> n
}

const empty = (): Sums => ({
  requests: 0, input: 0, output: 0, total: 0, cached: 0, cost: 0, hits: 0, misses: 0,
  histCount: HISTOGRAMS.map(() => 0), histSum: HISTOGRAMS.map(() => 0), buckets: new Map(),
});

function add(s: Sums, r: LogRow): void {
  s.requests += 1;
  s.input += r.inputTokens ?? 0;
  s.output += r.outputTokens ?? 0;
  s.total += r.totalTokens ?? 0;
  s.cached += r.cachedTokens ?? 0;
  s.cost += r.costUsd ?? 0;
  if (r.cacheHit === true) s.hits += 1;
  if (r.cacheHit === false) s.misses += 1;
  for (const h of HISTOGRAMS) {
    const v = h.observe(r);
    if (v === null) continue;
    s.histCount[h.id] += 1;
    s.histSum[h.id] += v;
    const key = `${h.id}/${bucketIndex(h.bounds, v)}`;
    s.buckets.set(key, (s.buckets.get(key) ?? 0) + 1);
  }
}

const uuidOf = (text: string) => {
  const hex = createHash("sha256").update(text).digest("hex").slice(0, 32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};

/** Writes the rollups of these events for the tenant; returns the dims ids by dimsKey. */
export async function writeRollups(client: pg.Client | pg.PoolClient, tenantId: number, events: LogRow[]): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  const perMinute = new Map<string, Sums>(); // "dimsKey\x00minute"
  const perDay = new Map<string, Sums>();
  for (const r of events) {
    const d = dimsOf(r);
    const key = dimsKey(d);
    if (!ids.has(key)) {
      const res = await client.query<{ id: string }>(
        `INSERT INTO log_dims (tenant_id, dims, dims_hash) VALUES ($1, $2, $3)
         ON CONFLICT (tenant_id, dims_hash) DO UPDATE SET dims = excluded.dims RETURNING id`,
        [tenantId, JSON.stringify(d), uuidOf(key)],
      );
      ids.set(key, Number(res.rows[0].id));
    }
    for (const [map, at] of [[perMinute, minuteOf(r.time)], [perDay, dayStartOf(r.time)]] as const) {
      const k = `${key}\x00${at}`;
      let s = map.get(k);
      if (!s) map.set(k, (s = empty()));
      add(s, r);
    }
  }
  for (const [table, buckets, col, map] of [
    ["log_rollups", "log_rollup_buckets", "minute", perMinute],
    ["log_rollups_day", "log_rollup_buckets_day", "day", perDay],
  ] as const) {
    for (const [k, s] of map) {
      const [key, at] = k.split("\x00");
      const dimsId = ids.get(key)!;
      await client.query(
        `INSERT INTO ${table} (tenant_id, dims_id, ${col}, requests, input_tokens, output_tokens, total_tokens, cached_tokens, cost_usd, cache_hits, cache_misses, hist_count, hist_sum)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
         ON CONFLICT (tenant_id, dims_id, ${col}) DO UPDATE SET
           requests = ${table}.requests + excluded.requests, input_tokens = ${table}.input_tokens + excluded.input_tokens,
           output_tokens = ${table}.output_tokens + excluded.output_tokens, total_tokens = ${table}.total_tokens + excluded.total_tokens,
           cached_tokens = ${table}.cached_tokens + excluded.cached_tokens, cost_usd = ${table}.cost_usd + excluded.cost_usd,
           cache_hits = ${table}.cache_hits + excluded.cache_hits, cache_misses = ${table}.cache_misses + excluded.cache_misses,
           hist_count = ARRAY(SELECT a + b FROM unnest(${table}.hist_count, excluded.hist_count) AS t(a, b)),
           hist_sum = ARRAY(SELECT a + b FROM unnest(${table}.hist_sum, excluded.hist_sum) AS t(a, b))`,
        [tenantId, dimsId, Number(at), s.requests, s.input, s.output, s.total, s.cached, s.cost, s.hits, s.misses, s.histCount, s.histSum],
      );
      for (const [hb, n] of s.buckets) {
        const [hist, bucket] = hb.split("/").map(Number);
        await client.query(
          `INSERT INTO ${buckets} (tenant_id, dims_id, ${col}, hist, bucket, n) VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (tenant_id, dims_id, ${col}, hist, bucket) DO UPDATE SET n = ${buckets}.n + excluded.n`,
          [tenantId, dimsId, Number(at), hist, bucket, n],
        );
      }
    }
  }
  return ids;
}
