CREATE TABLE "log_rollup_hist" (
	"tenant_id" integer NOT NULL,
	"dims_id" bigint NOT NULL,
	"minute" bigint NOT NULL,
	"buckets" bigint[] NOT NULL,
	CONSTRAINT "log_rollup_hist_tenant_id_dims_id_minute_pk" PRIMARY KEY("tenant_id","dims_id","minute")
);
--> statement-breakpoint
CREATE TABLE "log_rollup_hist_day" (
	"tenant_id" integer NOT NULL,
	"dims_id" bigint NOT NULL,
	"day" bigint NOT NULL,
	"buckets" bigint[] NOT NULL,
	CONSTRAINT "log_rollup_hist_day_tenant_id_dims_id_day_pk" PRIMARY KEY("tenant_id","dims_id","day")
);
--> statement-breakpoint
CREATE TABLE "log_rollups_hour" (
	"tenant_id" integer NOT NULL,
	"dims_id" bigint NOT NULL,
	"hour" bigint NOT NULL,
	"requests" bigint DEFAULT 0 NOT NULL,
	"input_tokens" bigint DEFAULT 0 NOT NULL,
	"output_tokens" bigint DEFAULT 0 NOT NULL,
	"total_tokens" bigint DEFAULT 0 NOT NULL,
	"cached_tokens" bigint DEFAULT 0 NOT NULL,
	"cost_usd" double precision DEFAULT 0 NOT NULL,
	"cache_hits" bigint DEFAULT 0 NOT NULL,
	"cache_misses" bigint DEFAULT 0 NOT NULL,
	"hist_count" bigint[] NOT NULL,
	"hist_sum" double precision[] NOT NULL,
	"buckets" bigint[] NOT NULL,
	CONSTRAINT "log_rollups_hour_tenant_id_dims_id_hour_pk" PRIMARY KEY("tenant_id","dims_id","hour")
);
--> statement-breakpoint
ALTER TABLE "log_rollup_hist" ADD CONSTRAINT "log_rollup_hist_minute_fk" FOREIGN KEY ("tenant_id","dims_id","minute") REFERENCES "public"."log_rollups"("tenant_id","dims_id","minute") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
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
-- are now ([0, 36, 72, 90], 105; one aggregate per slot: no join, no sort).
-- test/storage/log-rollups-hour.test.ts runs this file against the
-- aggregator's own rows.
INSERT INTO log_rollup_hist (tenant_id, dims_id, minute, buckets)
SELECT tenant_id, dims_id, minute, ARRAY[coalesce(sum(n) FILTER (WHERE slot = 0), 0), coalesce(sum(n) FILTER (WHERE slot = 1), 0), coalesce(sum(n) FILTER (WHERE slot = 2), 0), coalesce(sum(n) FILTER (WHERE slot = 3), 0), coalesce(sum(n) FILTER (WHERE slot = 4), 0), coalesce(sum(n) FILTER (WHERE slot = 5), 0), coalesce(sum(n) FILTER (WHERE slot = 6), 0), coalesce(sum(n) FILTER (WHERE slot = 7), 0), coalesce(sum(n) FILTER (WHERE slot = 8), 0), coalesce(sum(n) FILTER (WHERE slot = 9), 0), coalesce(sum(n) FILTER (WHERE slot = 10), 0), coalesce(sum(n) FILTER (WHERE slot = 11), 0), coalesce(sum(n) FILTER (WHERE slot = 12), 0), coalesce(sum(n) FILTER (WHERE slot = 13), 0), coalesce(sum(n) FILTER (WHERE slot = 14), 0), coalesce(sum(n) FILTER (WHERE slot = 15), 0), coalesce(sum(n) FILTER (WHERE slot = 16), 0), coalesce(sum(n) FILTER (WHERE slot = 17), 0), coalesce(sum(n) FILTER (WHERE slot = 18), 0), coalesce(sum(n) FILTER (WHERE slot = 19), 0), coalesce(sum(n) FILTER (WHERE slot = 20), 0), coalesce(sum(n) FILTER (WHERE slot = 21), 0), coalesce(sum(n) FILTER (WHERE slot = 22), 0), coalesce(sum(n) FILTER (WHERE slot = 23), 0), coalesce(sum(n) FILTER (WHERE slot = 24), 0), coalesce(sum(n) FILTER (WHERE slot = 25), 0), coalesce(sum(n) FILTER (WHERE slot = 26), 0), coalesce(sum(n) FILTER (WHERE slot = 27), 0), coalesce(sum(n) FILTER (WHERE slot = 28), 0), coalesce(sum(n) FILTER (WHERE slot = 29), 0), coalesce(sum(n) FILTER (WHERE slot = 30), 0), coalesce(sum(n) FILTER (WHERE slot = 31), 0), coalesce(sum(n) FILTER (WHERE slot = 32), 0), coalesce(sum(n) FILTER (WHERE slot = 33), 0), coalesce(sum(n) FILTER (WHERE slot = 34), 0), coalesce(sum(n) FILTER (WHERE slot = 35), 0), coalesce(sum(n) FILTER (WHERE slot = 36), 0), coalesce(sum(n) FILTER (WHERE slot = 37), 0), coalesce(sum(n) FILTER (WHERE slot = 38), 0), coalesce(sum(n) FILTER (WHERE slot = 39), 0), coalesce(sum(n) FILTER (WHERE slot = 40), 0), coalesce(sum(n) FILTER (WHERE slot = 41), 0), coalesce(sum(n) FILTER (WHERE slot = 42), 0), coalesce(sum(n) FILTER (WHERE slot = 43), 0), coalesce(sum(n) FILTER (WHERE slot = 44), 0), coalesce(sum(n) FILTER (WHERE slot = 45), 0), coalesce(sum(n) FILTER (WHERE slot = 46), 0), coalesce(sum(n) FILTER (WHERE slot = 47), 0), coalesce(sum(n) FILTER (WHERE slot = 48), 0), coalesce(sum(n) FILTER (WHERE slot = 49), 0), coalesce(sum(n) FILTER (WHERE slot = 50), 0), coalesce(sum(n) FILTER (WHERE slot = 51), 0), coalesce(sum(n) FILTER (WHERE slot = 52), 0), coalesce(sum(n) FILTER (WHERE slot = 53), 0), coalesce(sum(n) FILTER (WHERE slot = 54), 0), coalesce(sum(n) FILTER (WHERE slot = 55), 0), coalesce(sum(n) FILTER (WHERE slot = 56), 0), coalesce(sum(n) FILTER (WHERE slot = 57), 0), coalesce(sum(n) FILTER (WHERE slot = 58), 0), coalesce(sum(n) FILTER (WHERE slot = 59), 0), coalesce(sum(n) FILTER (WHERE slot = 60), 0), coalesce(sum(n) FILTER (WHERE slot = 61), 0), coalesce(sum(n) FILTER (WHERE slot = 62), 0), coalesce(sum(n) FILTER (WHERE slot = 63), 0), coalesce(sum(n) FILTER (WHERE slot = 64), 0), coalesce(sum(n) FILTER (WHERE slot = 65), 0), coalesce(sum(n) FILTER (WHERE slot = 66), 0), coalesce(sum(n) FILTER (WHERE slot = 67), 0), coalesce(sum(n) FILTER (WHERE slot = 68), 0), coalesce(sum(n) FILTER (WHERE slot = 69), 0), coalesce(sum(n) FILTER (WHERE slot = 70), 0), coalesce(sum(n) FILTER (WHERE slot = 71), 0), coalesce(sum(n) FILTER (WHERE slot = 72), 0), coalesce(sum(n) FILTER (WHERE slot = 73), 0), coalesce(sum(n) FILTER (WHERE slot = 74), 0), coalesce(sum(n) FILTER (WHERE slot = 75), 0), coalesce(sum(n) FILTER (WHERE slot = 76), 0), coalesce(sum(n) FILTER (WHERE slot = 77), 0), coalesce(sum(n) FILTER (WHERE slot = 78), 0), coalesce(sum(n) FILTER (WHERE slot = 79), 0), coalesce(sum(n) FILTER (WHERE slot = 80), 0), coalesce(sum(n) FILTER (WHERE slot = 81), 0), coalesce(sum(n) FILTER (WHERE slot = 82), 0), coalesce(sum(n) FILTER (WHERE slot = 83), 0), coalesce(sum(n) FILTER (WHERE slot = 84), 0), coalesce(sum(n) FILTER (WHERE slot = 85), 0), coalesce(sum(n) FILTER (WHERE slot = 86), 0), coalesce(sum(n) FILTER (WHERE slot = 87), 0), coalesce(sum(n) FILTER (WHERE slot = 88), 0), coalesce(sum(n) FILTER (WHERE slot = 89), 0), coalesce(sum(n) FILTER (WHERE slot = 90), 0), coalesce(sum(n) FILTER (WHERE slot = 91), 0), coalesce(sum(n) FILTER (WHERE slot = 92), 0), coalesce(sum(n) FILTER (WHERE slot = 93), 0), coalesce(sum(n) FILTER (WHERE slot = 94), 0), coalesce(sum(n) FILTER (WHERE slot = 95), 0), coalesce(sum(n) FILTER (WHERE slot = 96), 0), coalesce(sum(n) FILTER (WHERE slot = 97), 0), coalesce(sum(n) FILTER (WHERE slot = 98), 0), coalesce(sum(n) FILTER (WHERE slot = 99), 0), coalesce(sum(n) FILTER (WHERE slot = 100), 0), coalesce(sum(n) FILTER (WHERE slot = 101), 0), coalesce(sum(n) FILTER (WHERE slot = 102), 0), coalesce(sum(n) FILTER (WHERE slot = 103), 0), coalesce(sum(n) FILTER (WHERE slot = 104), 0)]::bigint[]
FROM (SELECT b.tenant_id, b.dims_id, b.minute, (ARRAY[0, 36, 72, 90])[b.hist + 1] + b.bucket AS slot, b.n
      FROM log_rollup_buckets b JOIN log_rollups r USING (tenant_id, dims_id, minute)) x
GROUP BY 1, 2, 3
ON CONFLICT (tenant_id, dims_id, minute) DO NOTHING;
--> statement-breakpoint
INSERT INTO log_rollup_hist_day (tenant_id, dims_id, day, buckets)
SELECT tenant_id, dims_id, day, ARRAY[coalesce(sum(n) FILTER (WHERE slot = 0), 0), coalesce(sum(n) FILTER (WHERE slot = 1), 0), coalesce(sum(n) FILTER (WHERE slot = 2), 0), coalesce(sum(n) FILTER (WHERE slot = 3), 0), coalesce(sum(n) FILTER (WHERE slot = 4), 0), coalesce(sum(n) FILTER (WHERE slot = 5), 0), coalesce(sum(n) FILTER (WHERE slot = 6), 0), coalesce(sum(n) FILTER (WHERE slot = 7), 0), coalesce(sum(n) FILTER (WHERE slot = 8), 0), coalesce(sum(n) FILTER (WHERE slot = 9), 0), coalesce(sum(n) FILTER (WHERE slot = 10), 0), coalesce(sum(n) FILTER (WHERE slot = 11), 0), coalesce(sum(n) FILTER (WHERE slot = 12), 0), coalesce(sum(n) FILTER (WHERE slot = 13), 0), coalesce(sum(n) FILTER (WHERE slot = 14), 0), coalesce(sum(n) FILTER (WHERE slot = 15), 0), coalesce(sum(n) FILTER (WHERE slot = 16), 0), coalesce(sum(n) FILTER (WHERE slot = 17), 0), coalesce(sum(n) FILTER (WHERE slot = 18), 0), coalesce(sum(n) FILTER (WHERE slot = 19), 0), coalesce(sum(n) FILTER (WHERE slot = 20), 0), coalesce(sum(n) FILTER (WHERE slot = 21), 0), coalesce(sum(n) FILTER (WHERE slot = 22), 0), coalesce(sum(n) FILTER (WHERE slot = 23), 0), coalesce(sum(n) FILTER (WHERE slot = 24), 0), coalesce(sum(n) FILTER (WHERE slot = 25), 0), coalesce(sum(n) FILTER (WHERE slot = 26), 0), coalesce(sum(n) FILTER (WHERE slot = 27), 0), coalesce(sum(n) FILTER (WHERE slot = 28), 0), coalesce(sum(n) FILTER (WHERE slot = 29), 0), coalesce(sum(n) FILTER (WHERE slot = 30), 0), coalesce(sum(n) FILTER (WHERE slot = 31), 0), coalesce(sum(n) FILTER (WHERE slot = 32), 0), coalesce(sum(n) FILTER (WHERE slot = 33), 0), coalesce(sum(n) FILTER (WHERE slot = 34), 0), coalesce(sum(n) FILTER (WHERE slot = 35), 0), coalesce(sum(n) FILTER (WHERE slot = 36), 0), coalesce(sum(n) FILTER (WHERE slot = 37), 0), coalesce(sum(n) FILTER (WHERE slot = 38), 0), coalesce(sum(n) FILTER (WHERE slot = 39), 0), coalesce(sum(n) FILTER (WHERE slot = 40), 0), coalesce(sum(n) FILTER (WHERE slot = 41), 0), coalesce(sum(n) FILTER (WHERE slot = 42), 0), coalesce(sum(n) FILTER (WHERE slot = 43), 0), coalesce(sum(n) FILTER (WHERE slot = 44), 0), coalesce(sum(n) FILTER (WHERE slot = 45), 0), coalesce(sum(n) FILTER (WHERE slot = 46), 0), coalesce(sum(n) FILTER (WHERE slot = 47), 0), coalesce(sum(n) FILTER (WHERE slot = 48), 0), coalesce(sum(n) FILTER (WHERE slot = 49), 0), coalesce(sum(n) FILTER (WHERE slot = 50), 0), coalesce(sum(n) FILTER (WHERE slot = 51), 0), coalesce(sum(n) FILTER (WHERE slot = 52), 0), coalesce(sum(n) FILTER (WHERE slot = 53), 0), coalesce(sum(n) FILTER (WHERE slot = 54), 0), coalesce(sum(n) FILTER (WHERE slot = 55), 0), coalesce(sum(n) FILTER (WHERE slot = 56), 0), coalesce(sum(n) FILTER (WHERE slot = 57), 0), coalesce(sum(n) FILTER (WHERE slot = 58), 0), coalesce(sum(n) FILTER (WHERE slot = 59), 0), coalesce(sum(n) FILTER (WHERE slot = 60), 0), coalesce(sum(n) FILTER (WHERE slot = 61), 0), coalesce(sum(n) FILTER (WHERE slot = 62), 0), coalesce(sum(n) FILTER (WHERE slot = 63), 0), coalesce(sum(n) FILTER (WHERE slot = 64), 0), coalesce(sum(n) FILTER (WHERE slot = 65), 0), coalesce(sum(n) FILTER (WHERE slot = 66), 0), coalesce(sum(n) FILTER (WHERE slot = 67), 0), coalesce(sum(n) FILTER (WHERE slot = 68), 0), coalesce(sum(n) FILTER (WHERE slot = 69), 0), coalesce(sum(n) FILTER (WHERE slot = 70), 0), coalesce(sum(n) FILTER (WHERE slot = 71), 0), coalesce(sum(n) FILTER (WHERE slot = 72), 0), coalesce(sum(n) FILTER (WHERE slot = 73), 0), coalesce(sum(n) FILTER (WHERE slot = 74), 0), coalesce(sum(n) FILTER (WHERE slot = 75), 0), coalesce(sum(n) FILTER (WHERE slot = 76), 0), coalesce(sum(n) FILTER (WHERE slot = 77), 0), coalesce(sum(n) FILTER (WHERE slot = 78), 0), coalesce(sum(n) FILTER (WHERE slot = 79), 0), coalesce(sum(n) FILTER (WHERE slot = 80), 0), coalesce(sum(n) FILTER (WHERE slot = 81), 0), coalesce(sum(n) FILTER (WHERE slot = 82), 0), coalesce(sum(n) FILTER (WHERE slot = 83), 0), coalesce(sum(n) FILTER (WHERE slot = 84), 0), coalesce(sum(n) FILTER (WHERE slot = 85), 0), coalesce(sum(n) FILTER (WHERE slot = 86), 0), coalesce(sum(n) FILTER (WHERE slot = 87), 0), coalesce(sum(n) FILTER (WHERE slot = 88), 0), coalesce(sum(n) FILTER (WHERE slot = 89), 0), coalesce(sum(n) FILTER (WHERE slot = 90), 0), coalesce(sum(n) FILTER (WHERE slot = 91), 0), coalesce(sum(n) FILTER (WHERE slot = 92), 0), coalesce(sum(n) FILTER (WHERE slot = 93), 0), coalesce(sum(n) FILTER (WHERE slot = 94), 0), coalesce(sum(n) FILTER (WHERE slot = 95), 0), coalesce(sum(n) FILTER (WHERE slot = 96), 0), coalesce(sum(n) FILTER (WHERE slot = 97), 0), coalesce(sum(n) FILTER (WHERE slot = 98), 0), coalesce(sum(n) FILTER (WHERE slot = 99), 0), coalesce(sum(n) FILTER (WHERE slot = 100), 0), coalesce(sum(n) FILTER (WHERE slot = 101), 0), coalesce(sum(n) FILTER (WHERE slot = 102), 0), coalesce(sum(n) FILTER (WHERE slot = 103), 0), coalesce(sum(n) FILTER (WHERE slot = 104), 0)]::bigint[]
FROM (SELECT tenant_id, dims_id, day, (ARRAY[0, 36, 72, 90])[hist + 1] + bucket AS slot, n FROM log_rollup_buckets_day) x
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
  SELECT tenant_id, dims_id, minute / 3600000 * 3600000 AS hour, ARRAY[sum(buckets[1]), sum(buckets[2]), sum(buckets[3]), sum(buckets[4]), sum(buckets[5]), sum(buckets[6]), sum(buckets[7]), sum(buckets[8]), sum(buckets[9]), sum(buckets[10]), sum(buckets[11]), sum(buckets[12]), sum(buckets[13]), sum(buckets[14]), sum(buckets[15]), sum(buckets[16]), sum(buckets[17]), sum(buckets[18]), sum(buckets[19]), sum(buckets[20]), sum(buckets[21]), sum(buckets[22]), sum(buckets[23]), sum(buckets[24]), sum(buckets[25]), sum(buckets[26]), sum(buckets[27]), sum(buckets[28]), sum(buckets[29]), sum(buckets[30]), sum(buckets[31]), sum(buckets[32]), sum(buckets[33]), sum(buckets[34]), sum(buckets[35]), sum(buckets[36]), sum(buckets[37]), sum(buckets[38]), sum(buckets[39]), sum(buckets[40]), sum(buckets[41]), sum(buckets[42]), sum(buckets[43]), sum(buckets[44]), sum(buckets[45]), sum(buckets[46]), sum(buckets[47]), sum(buckets[48]), sum(buckets[49]), sum(buckets[50]), sum(buckets[51]), sum(buckets[52]), sum(buckets[53]), sum(buckets[54]), sum(buckets[55]), sum(buckets[56]), sum(buckets[57]), sum(buckets[58]), sum(buckets[59]), sum(buckets[60]), sum(buckets[61]), sum(buckets[62]), sum(buckets[63]), sum(buckets[64]), sum(buckets[65]), sum(buckets[66]), sum(buckets[67]), sum(buckets[68]), sum(buckets[69]), sum(buckets[70]), sum(buckets[71]), sum(buckets[72]), sum(buckets[73]), sum(buckets[74]), sum(buckets[75]), sum(buckets[76]), sum(buckets[77]), sum(buckets[78]), sum(buckets[79]), sum(buckets[80]), sum(buckets[81]), sum(buckets[82]), sum(buckets[83]), sum(buckets[84]), sum(buckets[85]), sum(buckets[86]), sum(buckets[87]), sum(buckets[88]), sum(buckets[89]), sum(buckets[90]), sum(buckets[91]), sum(buckets[92]), sum(buckets[93]), sum(buckets[94]), sum(buckets[95]), sum(buckets[96]), sum(buckets[97]), sum(buckets[98]), sum(buckets[99]), sum(buckets[100]), sum(buckets[101]), sum(buckets[102]), sum(buckets[103]), sum(buckets[104]), sum(buckets[105])]::bigint[] AS buckets
  FROM log_rollup_hist GROUP BY 1, 2, 3
)
SELECT s.tenant_id, s.dims_id, s.hour, s.requests, s.input_tokens, s.output_tokens, s.total_tokens, s.cached_tokens,
  s.cost_usd, s.cache_hits, s.cache_misses, s.hist_count, s.hist_sum, coalesce(b.buckets, array_fill(0::bigint, ARRAY[105]))
FROM sums s LEFT JOIN b USING (tenant_id, dims_id, hour)
ON CONFLICT (tenant_id, dims_id, hour) DO NOTHING;
--> statement-breakpoint
DELETE FROM log_rollup_buckets;
--> statement-breakpoint
DELETE FROM log_rollup_buckets_day;
