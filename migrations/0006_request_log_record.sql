CREATE TABLE "log_dims" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tenant_id" integer NOT NULL,
	"dims" jsonb NOT NULL,
	"dims_hash" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "log_rollup_buckets" (
	"tenant_id" integer NOT NULL,
	"dims_id" bigint NOT NULL,
	"minute" bigint NOT NULL,
	"hist" smallint NOT NULL,
	"bucket" smallint NOT NULL,
	"n" bigint NOT NULL,
	CONSTRAINT "log_rollup_buckets_tenant_id_dims_id_minute_hist_bucket_pk" PRIMARY KEY("tenant_id","dims_id","minute","hist","bucket")
);
--> statement-breakpoint
CREATE TABLE "log_rollup_buckets_day" (
	"tenant_id" integer NOT NULL,
	"dims_id" bigint NOT NULL,
	"day" bigint NOT NULL,
	"hist" smallint NOT NULL,
	"bucket" smallint NOT NULL,
	"n" bigint NOT NULL,
	CONSTRAINT "log_rollup_buckets_day_tenant_id_dims_id_day_hist_bucket_pk" PRIMARY KEY("tenant_id","dims_id","day","hist","bucket")
);
--> statement-breakpoint
CREATE TABLE "log_rollups" (
	"tenant_id" integer NOT NULL,
	"dims_id" bigint NOT NULL,
	"minute" bigint NOT NULL,
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
	CONSTRAINT "log_rollups_tenant_id_dims_id_minute_pk" PRIMARY KEY("tenant_id","dims_id","minute")
);
--> statement-breakpoint
CREATE TABLE "log_rollups_day" (
	"tenant_id" integer NOT NULL,
	"dims_id" bigint NOT NULL,
	"day" bigint NOT NULL,
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
	CONSTRAINT "log_rollups_day_tenant_id_dims_id_day_pk" PRIMARY KEY("tenant_id","dims_id","day")
);
--> statement-breakpoint
CREATE TABLE "model_prices" (
	"tenant_id" integer NOT NULL,
	"model" text NOT NULL,
	"input_per_mtok" double precision,
	"output_per_mtok" double precision,
	"cached_per_mtok" double precision,
	"gpu_hour_usd" double precision,
	"concurrency" double precision,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "model_prices_tenant_id_model_pk" PRIMARY KEY("tenant_id","model")
);
--> statement-breakpoint
ALTER TABLE "request_logs" ADD COLUMN "trace_id" text;--> statement-breakpoint
ALTER TABLE "request_logs" ADD COLUMN "end_time" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "request_logs" ADD COLUMN "requested_model" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "request_logs" ADD COLUMN "api_base" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "request_logs" ADD COLUMN "deployment_id" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "request_logs" ADD COLUMN "call_type" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "request_logs" ADD COLUMN "stream" boolean;--> statement-breakpoint
ALTER TABLE "request_logs" ADD COLUMN "total_tokens" bigint;--> statement-breakpoint
ALTER TABLE "request_logs" ADD COLUMN "cached_tokens" bigint;--> statement-breakpoint
ALTER TABLE "request_logs" ADD COLUMN "cost_source" text;--> statement-breakpoint
ALTER TABLE "request_logs" ADD COLUMN "cache_hit" boolean;--> statement-breakpoint
ALTER TABLE "request_logs" ADD COLUMN "error_class" text;--> statement-breakpoint
ALTER TABLE "request_logs" ADD COLUMN "error_fingerprint" text;--> statement-breakpoint
ALTER TABLE "request_logs" ADD COLUMN "user_id" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "request_logs" ADD COLUMN "end_user" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "request_logs" ADD COLUMN "team" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "request_logs" ADD COLUMN "team_alias" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "request_logs" ADD COLUMN "api_key_alias" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "request_logs" ADD COLUMN "api_key_hash" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "request_logs" ADD COLUMN "project" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "request_logs" ADD COLUMN "environment" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "request_logs" ADD COLUMN "tags" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "request_logs" ADD COLUMN "received_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "log_dims" ADD CONSTRAINT "log_dims_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "model_prices" ADD CONSTRAINT "model_prices_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "log_dims_tenant_hash_uq" ON "log_dims" USING btree ("tenant_id","dims_hash");--> statement-breakpoint
CREATE INDEX "request_logs_trace_idx" ON "request_logs" USING btree ("tenant_id","trace_id");--> statement-breakpoint
CREATE INDEX "request_logs_received_brin" ON "request_logs" USING brin ("received_at");--> statement-breakpoint
-- Hand-written: today's rows carried over to the canonical record. Status uses
-- LiteLLM's words now ("failure", not "error"); total tokens are the sum where
-- either side is known.
UPDATE "request_logs" SET "status" = 'failure' WHERE "status" = 'error';--> statement-breakpoint
UPDATE "request_logs" SET "total_tokens" = coalesce("input_tokens", 0) + coalesce("output_tokens", 0)
  WHERE "total_tokens" IS NULL AND ("input_tokens" IS NOT NULL OR "output_tokens" IS NOT NULL);--> statement-breakpoint
-- Rollup rows of the current minute are updated many times a minute: leave room
-- on each page so those updates stay HOT (no index write).
ALTER TABLE "log_rollups" SET (fillfactor = 70);--> statement-breakpoint
ALTER TABLE "log_rollup_buckets" SET (fillfactor = 70);--> statement-breakpoint
ALTER TABLE "log_rollups_day" SET (fillfactor = 70);--> statement-breakpoint
ALTER TABLE "log_rollup_buckets_day" SET (fillfactor = 70);
