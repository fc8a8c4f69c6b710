CREATE TABLE "dead_letters" (
	"tenant_id" integer NOT NULL,
	"batch_id" text NOT NULL,
	"part" integer NOT NULL,
	"kind" text NOT NULL,
	"items" integer NOT NULL,
	"reason" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "dead_letters_tenant_id_batch_id_part_pk" PRIMARY KEY("tenant_id","batch_id","part")
);
--> statement-breakpoint
CREATE TABLE "ingest_counters" (
	"tenant_id" integer NOT NULL,
	"kind" text NOT NULL,
	"rows" bigint DEFAULT 0 NOT NULL,
	"last_write_at" timestamp with time zone,
	CONSTRAINT "ingest_counters_tenant_id_kind_pk" PRIMARY KEY("tenant_id","kind")
);
--> statement-breakpoint
CREATE TABLE "self_metrics_state" (
	"tenant_id" integer PRIMARY KEY NOT NULL,
	"watermark" timestamp with time zone DEFAULT '-infinity' NOT NULL,
	"last_minute" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "ingest_counters" ADD CONSTRAINT "ingest_counters_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "self_metrics_state" ADD CONSTRAINT "self_metrics_state_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;