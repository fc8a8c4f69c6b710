CREATE TABLE "api_keys" (
	"id" serial PRIMARY KEY NOT NULL,
	"tenant_id" integer NOT NULL,
	"key_hash" text NOT NULL,
	"prefix" text NOT NULL,
	"name" text DEFAULT '' NOT NULL,
	"scopes" text[] NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "api_keys_key_hash_unique" UNIQUE("key_hash")
);
--> statement-breakpoint
CREATE TABLE "ingested_batches" (
	"tenant_id" integer NOT NULL,
	"batch_id" text NOT NULL,
	"part" integer NOT NULL,
	"kind" text NOT NULL,
	"rows" integer NOT NULL,
	"ingested_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ingested_batches_tenant_id_batch_id_part_pk" PRIMARY KEY("tenant_id","batch_id","part")
);
--> statement-breakpoint
CREATE TABLE "metric_metadata" (
	"tenant_id" integer NOT NULL,
	"metric_name" text NOT NULL,
	"type" text DEFAULT 'unknown' NOT NULL,
	"help" text DEFAULT '' NOT NULL,
	"unit" text DEFAULT '' NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "metric_metadata_tenant_id_metric_name_pk" PRIMARY KEY("tenant_id","metric_name")
);
--> statement-breakpoint
CREATE TABLE "request_logs" (
	"tenant_id" integer NOT NULL,
	"time" timestamp with time zone NOT NULL,
	"request_id" text NOT NULL,
	"model" text DEFAULT '' NOT NULL,
	"provider" text DEFAULT '' NOT NULL,
	"status" text NOT NULL,
	"http_status" integer,
	"latency_ms" double precision,
	"ttft_ms" double precision,
	"input_tokens" integer,
	"output_tokens" integer,
	"cost_usd" double precision,
	"error_type" text,
	"error_message" text,
	"attributes" jsonb DEFAULT '{}'::jsonb NOT NULL,
	CONSTRAINT "request_logs_tenant_id_request_id_time_pk" PRIMARY KEY("tenant_id","request_id","time")
) PARTITION BY RANGE ("time");
--> statement-breakpoint
CREATE TABLE "samples" (
	"series_id" bigint NOT NULL,
	"ts" bigint NOT NULL,
	"value" double precision,
	CONSTRAINT "samples_series_id_ts_pk" PRIMARY KEY("series_id","ts")
) PARTITION BY RANGE ("ts");
--> statement-breakpoint
CREATE TABLE "series" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tenant_id" integer NOT NULL,
	"metric_name" text NOT NULL,
	"labels" jsonb NOT NULL,
	"labels_hash" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tenants" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"limits" jsonb DEFAULT '{}'::jsonb NOT NULL,
	CONSTRAINT "tenants_name_unique" UNIQUE("name")
);
--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "metric_metadata" ADD CONSTRAINT "metric_metadata_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "series" ADD CONSTRAINT "series_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "ingested_batches_at_idx" ON "ingested_batches" USING btree ("ingested_at");--> statement-breakpoint
CREATE INDEX "request_logs_tenant_time_idx" ON "request_logs" USING btree ("tenant_id","time");--> statement-breakpoint
CREATE UNIQUE INDEX "series_tenant_hash_uq" ON "series" USING btree ("tenant_id","labels_hash");--> statement-breakpoint
CREATE INDEX "series_tenant_name_idx" ON "series" USING btree ("tenant_id","metric_name");