// Rollup rows for the derived-metrics benchmark, generated in SQL: `dims` dims
// sets with 1-4 requests every minute of [from, to], two non-empty buckets per
// histogram and minute, and the day rows that sum them; the bucket rows then
// become arrays and the hours are built as the data migration does.
import type pg from "pg";
import { carryRollupsOver } from "./rollup-backfill";

const MINUTE = 60_000;
const DAY = 86_400_000;

export async function loadDerivedBenchData(c: pg.Client, tenantId: number, dims: number, from: number, to: number) {
  await c.query(
    `INSERT INTO log_dims (tenant_id, dims, dims_hash)
     SELECT $1, jsonb_strip_nulls(jsonb_build_object(
       'model', 'model-' || (i % 6), 'requested_model', 'group-' || (i % 6), 'provider', (ARRAY['openai','anthropic','ollama'])[1 + i % 3],
       'deployment_id', 'dep-' || (i % 12), 'api_base', 'https://api-' || (i % 3) || '.example',
       'status', CASE WHEN i % 10 = 0 THEN 'failure' ELSE 'success' END, 'http_status', CASE WHEN i % 10 = 0 THEN '429' ELSE '200' END,
       'error_class', CASE WHEN i % 10 = 0 THEN 'RateLimitError' END,
       'team', 'team-' || (i % 10), 'team_alias', 'Team ' || (i % 10), 'user', 'user-' || i,
       'api_key_alias', 'key-' || (i % 20), 'api_key_hash', md5('k' || (i % 20)),
       'project', 'proj-' || (i % 4), 'environment', CASE WHEN i < 150 THEN 'prod' ELSE 'staging' END,
       'stream', CASE WHEN i % 2 = 0 THEN 'true' ELSE 'false' END)), md5('dims' || i)::uuid
     FROM generate_series(0, ${dims - 1}) i`,
    [tenantId],
  );
  // 1-4 requests per dims set and minute (2.5 on average).
  await c.query(
    `INSERT INTO log_rollups (tenant_id, dims_id, minute, requests, input_tokens, output_tokens, total_tokens, cached_tokens, cost_usd, cache_hits, cache_misses, hist_count, hist_sum)
     SELECT $1, d.id, m, x.r, x.r * 500, x.r * 200, x.r * 700, x.r * 50, x.r * 0.001, 0, x.r,
       ARRAY[x.r, CASE WHEN d.dims->>'stream' = 'true' THEN x.r ELSE 0 END, x.r, x.r], ARRAY[x.r * 1.2, x.r * 0.3, x.r * 40, x.r * 0.01]
     FROM log_dims d CROSS JOIN generate_series($2::bigint, $3::bigint, ${MINUTE}) m
     CROSS JOIN LATERAL (SELECT (1 + floor(random() * 3) + ((m / ${MINUTE} + d.id) % 2))::int AS r WHERE d.id IS NOT NULL) x
     WHERE d.tenant_id = $1`,
    [tenantId, from, to],
  );
  // Two non-empty buckets per histogram and minute.
  await c.query(
    `INSERT INTO log_rollup_buckets (tenant_id, dims_id, minute, hist, bucket, n)
     SELECT r.tenant_id, r.dims_id, r.minute, h, v.b, v.n
     FROM log_rollups r CROSS JOIN generate_series(0, 3) h
     CROSS JOIN LATERAL (SELECT 5 + floor(random() * 8)::int AS b0 WHERE h IS NOT NULL AND r.minute IS NOT NULL) x
     CROSS JOIN LATERAL (VALUES (x.b0, ceil(r.hist_count[h + 1] / 2.0)::bigint), (x.b0 + 2, floor(r.hist_count[h + 1] / 2.0)::bigint)) v(b, n)
     WHERE r.tenant_id = $1 AND v.n > 0`,
    [tenantId],
  );
  await c.query(
    `INSERT INTO log_rollups_day (tenant_id, dims_id, day, requests, input_tokens, output_tokens, total_tokens, cached_tokens, cost_usd, cache_hits, cache_misses, hist_count, hist_sum)
     SELECT tenant_id, dims_id, minute / ${DAY} * ${DAY}, sum(requests), sum(input_tokens), sum(output_tokens), sum(total_tokens), sum(cached_tokens), sum(cost_usd),
       sum(cache_hits), sum(cache_misses),
       ARRAY[sum(hist_count[1]), sum(hist_count[2]), sum(hist_count[3]), sum(hist_count[4])]::bigint[],
       ARRAY[sum(hist_sum[1]), sum(hist_sum[2]), sum(hist_sum[3]), sum(hist_sum[4])]
     FROM log_rollups WHERE tenant_id = $1 GROUP BY 1, 2, 3`,
    [tenantId],
  );
  await c.query(
    `INSERT INTO log_rollup_buckets_day (tenant_id, dims_id, day, hist, bucket, n)
     SELECT tenant_id, dims_id, minute / ${DAY} * ${DAY}, hist, bucket, sum(n) FROM log_rollup_buckets WHERE tenant_id = $1 GROUP BY 1, 2, 3, 4, 5`,
    [tenantId],
  );
  await carryRollupsOver(c);
  await c.query("ANALYZE log_dims, log_rollups, log_rollup_hist, log_rollups_hour, log_rollups_day, log_rollup_hist_day");
  const counts = await c.query(
    `SELECT (SELECT count(*) FROM log_rollups) AS minutes, (SELECT sum(requests) FROM log_rollups) AS logs, (SELECT count(*) FROM log_rollup_hist) AS buckets`,
  );
  return counts.rows[0] as { minutes: string; logs: string; buckets: string };
}

