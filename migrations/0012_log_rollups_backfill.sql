-- DATA MIGRATION (issue 7, helper "logs"): re-append, in this order, after the
-- regenerated schema migration that creates log_rollups_hour, log_rollup_hist
-- and log_rollup_hist_day. It carries the stored rollups over, nothing is
-- recomputed from logs:
--   1. the bucket rows of log_rollup_buckets(_day) become one dense array per
--      rollup row in log_rollup_hist(_day);
--   2. the hour tier is built from the minute rows (an hour row is exactly the
--      sum of its minutes: shared/logs/rollup.ts); minutes retention already
--      deleted have no hours, and summaries of such old ranges read days;
--   3. the old bucket rows are emptied (nothing reads or writes them now).
-- Dense arrays: slot = offset of the histogram + bucket, with the offsets and
-- length of shared/logs/rollup-spec.ts BUCKET_OFFSET / BUCKET_SLOTS as they
-- are now ([0, 36, 72, 90], 105). test/storage/log-rollups-hour.test.ts runs
-- this file against the aggregator's own rows.
INSERT INTO log_rollup_hist (tenant_id, dims_id, minute, buckets)
SELECT k.tenant_id, k.dims_id, k.minute, array_agg(coalesce(b.n, 0) ORDER BY s.slot)
FROM (SELECT DISTINCT b.tenant_id, b.dims_id, b.minute FROM log_rollup_buckets b JOIN log_rollups r USING (tenant_id, dims_id, minute)) k
CROSS JOIN generate_series(0, 104) s(slot)
LEFT JOIN (SELECT tenant_id, dims_id, minute, (ARRAY[0, 36, 72, 90])[hist + 1] + bucket AS slot, n FROM log_rollup_buckets) b
  ON b.tenant_id = k.tenant_id AND b.dims_id = k.dims_id AND b.minute = k.minute AND b.slot = s.slot
GROUP BY 1, 2, 3
ON CONFLICT (tenant_id, dims_id, minute) DO NOTHING;
--> statement-breakpoint
INSERT INTO log_rollup_hist_day (tenant_id, dims_id, day, buckets)
SELECT k.tenant_id, k.dims_id, k.day, array_agg(coalesce(b.n, 0) ORDER BY s.slot)
FROM (SELECT DISTINCT tenant_id, dims_id, day FROM log_rollup_buckets_day) k
CROSS JOIN generate_series(0, 104) s(slot)
LEFT JOIN (SELECT tenant_id, dims_id, day, (ARRAY[0, 36, 72, 90])[hist + 1] + bucket AS slot, n FROM log_rollup_buckets_day) b
  ON b.tenant_id = k.tenant_id AND b.dims_id = k.dims_id AND b.day = k.day AND b.slot = s.slot
GROUP BY 1, 2, 3
ON CONFLICT (tenant_id, dims_id, day) DO NOTHING;
--> statement-breakpoint
INSERT INTO log_rollups_hour (tenant_id, dims_id, hour, requests, input_tokens, output_tokens, total_tokens, cached_tokens,
  cost_usd, cache_hits, cache_misses, hist_count, hist_sum, buckets)
WITH sums AS (
  SELECT tenant_id, dims_id, minute / 3600000 * 3600000 AS hour,
    sum(requests)::bigint AS requests, sum(input_tokens)::bigint AS input_tokens, sum(output_tokens)::bigint AS output_tokens,
    sum(total_tokens)::bigint AS total_tokens, sum(cached_tokens)::bigint AS cached_tokens, sum(cost_usd) AS cost_usd,
    sum(cache_hits)::bigint AS cache_hits, sum(cache_misses)::bigint AS cache_misses,
    ARRAY[sum(coalesce(hist_count[1], 0)), sum(coalesce(hist_count[2], 0)), sum(coalesce(hist_count[3], 0)), sum(coalesce(hist_count[4], 0))]::bigint[] AS hist_count,
    ARRAY[sum(coalesce(hist_sum[1], 0)), sum(coalesce(hist_sum[2], 0)), sum(coalesce(hist_sum[3], 0)), sum(coalesce(hist_sum[4], 0))]::float8[] AS hist_sum
  FROM log_rollups GROUP BY 1, 2, 3
), b AS (
  SELECT h.tenant_id, h.dims_id, h.minute / 3600000 * 3600000 AS hour, u.slot, sum(u.n)::bigint AS n
  FROM log_rollup_hist h CROSS JOIN LATERAL unnest(h.buckets) WITH ORDINALITY u(n, slot)
  GROUP BY 1, 2, 3, 4
), dense AS (
  SELECT s.tenant_id, s.dims_id, s.hour, array_agg(coalesce(b.n, 0) ORDER BY k.slot) AS buckets
  FROM sums s CROSS JOIN generate_series(1, 105) k(slot)
  LEFT JOIN b ON b.tenant_id = s.tenant_id AND b.dims_id = s.dims_id AND b.hour = s.hour AND b.slot = k.slot
  GROUP BY 1, 2, 3
)
SELECT s.tenant_id, s.dims_id, s.hour, s.requests, s.input_tokens, s.output_tokens, s.total_tokens, s.cached_tokens,
  s.cost_usd, s.cache_hits, s.cache_misses, s.hist_count, s.hist_sum, d.buckets
FROM sums s JOIN dense d USING (tenant_id, dims_id, hour)
ON CONFLICT (tenant_id, dims_id, hour) DO NOTHING;
--> statement-breakpoint
DELETE FROM log_rollup_buckets;
--> statement-breakpoint
DELETE FROM log_rollup_buckets_day;
