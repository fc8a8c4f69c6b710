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
