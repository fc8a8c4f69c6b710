-- DATA MIGRATION (issue 7, helper "logs"): re-append after regenerating the
-- schema migration that creates log_rollups_hour. Builds the hour tier from the
-- per-minute rollups already stored (an hour row is exactly the sum of its
-- minute rows: shared/logs/rollup.ts). Minutes that retention already deleted
-- have no hours; summaries of such old ranges read the day rows as before.
-- The bucket array is dense, slot = offset of its histogram + bucket, with the
-- offsets and length of shared/logs/rollup-spec.ts BUCKET_OFFSET / BUCKET_SLOTS
-- as they are now ([0, 36, 72, 90], 105); test/storage/log-rollups-hour.test.ts
-- checks this file against the aggregator's own hour rows.
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
  SELECT tenant_id, dims_id, minute / 3600000 * 3600000 AS hour, (ARRAY[0, 36, 72, 90])[hist + 1] + bucket AS slot, sum(n)::bigint AS n
  FROM log_rollup_buckets GROUP BY 1, 2, 3, 4
), dense AS (
  SELECT s.tenant_id, s.dims_id, s.hour, array_agg(coalesce(b.n, 0) ORDER BY k.slot) AS buckets
  FROM sums s CROSS JOIN generate_series(0, 104) k(slot)
  LEFT JOIN b ON b.tenant_id = s.tenant_id AND b.dims_id = s.dims_id AND b.hour = s.hour AND b.slot = k.slot
  GROUP BY 1, 2, 3
)
SELECT s.tenant_id, s.dims_id, s.hour, s.requests, s.input_tokens, s.output_tokens, s.total_tokens, s.cached_tokens,
  s.cost_usd, s.cache_hits, s.cache_misses, s.hist_count, s.hist_sum, d.buckets
FROM sums s JOIN dense d USING (tenant_id, dims_id, hour)
ON CONFLICT (tenant_id, dims_id, hour) DO NOTHING;
