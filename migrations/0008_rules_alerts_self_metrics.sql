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
CREATE TABLE "notifier_configs" (
	"tenant_id" integer PRIMARY KEY NOT NULL,
	"config" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"lease_until" timestamp with time zone,
	"lease_token" text
);
--> statement-breakpoint
CREATE TABLE "notify_group_alerts" (
	"tenant_id" integer NOT NULL,
	"receiver" text NOT NULL,
	"fingerprint" text NOT NULL,
	"group_key" text NOT NULL,
	"labels" jsonb NOT NULL,
	"annotations" jsonb NOT NULL,
	"starts_at" bigint NOT NULL,
	"ends_at" bigint NOT NULL,
	"generator_url" text DEFAULT '' NOT NULL,
	"rev" bigint DEFAULT 1 NOT NULL,
	CONSTRAINT "notify_group_alerts_tenant_id_receiver_fingerprint_pk" PRIMARY KEY("tenant_id","receiver","fingerprint")
);
--> statement-breakpoint
CREATE TABLE "notify_groups" (
	"tenant_id" integer NOT NULL,
	"receiver" text NOT NULL,
	"group_key" text NOT NULL,
	"group_labels" jsonb NOT NULL,
	"next_flush_at" bigint NOT NULL,
	"flushed" boolean DEFAULT false NOT NULL,
	"last_notify_at" bigint,
	"last_firing" text[] DEFAULT '{}'::text[] NOT NULL,
	"last_resolved" text[] DEFAULT '{}'::text[] NOT NULL,
	"failures" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "notify_groups_tenant_id_receiver_group_key_pk" PRIMARY KEY("tenant_id","receiver","group_key")
);
--> statement-breakpoint
CREATE TABLE "notify_outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tenant_id" integer NOT NULL,
	"alertmanager" text NOT NULL,
	"alerts" jsonb NOT NULL,
	"enqueued_at" bigint NOT NULL,
	"next_attempt_at" bigint NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text
);
--> statement-breakpoint
CREATE TABLE "rule_groups" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tenant_id" integer NOT NULL,
	"namespace" text NOT NULL,
	"name" text NOT NULL,
	"spec" jsonb NOT NULL,
	"source" text NOT NULL,
	"interval_ms" bigint NOT NULL,
	"state" jsonb NOT NULL,
	"last_eval_ms" bigint DEFAULT 0 NOT NULL,
	"failures_total" bigint DEFAULT 0 NOT NULL,
	"stale_series" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"lease_until_ms" bigint DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "self_metrics_state" (
	"tenant_id" integer PRIMARY KEY NOT NULL,
	"watermark" timestamp with time zone DEFAULT '-infinity' NOT NULL,
	"last_minute" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "ingest_counters" ADD CONSTRAINT "ingest_counters_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notifier_configs" ADD CONSTRAINT "notifier_configs_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notify_group_alerts" ADD CONSTRAINT "notify_group_alerts_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notify_groups" ADD CONSTRAINT "notify_groups_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notify_outbox" ADD CONSTRAINT "notify_outbox_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rule_groups" ADD CONSTRAINT "rule_groups_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "self_metrics_state" ADD CONSTRAINT "self_metrics_state_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "notify_group_alerts_group_idx" ON "notify_group_alerts" USING btree ("tenant_id","receiver","group_key");--> statement-breakpoint
CREATE INDEX "notify_groups_due_idx" ON "notify_groups" USING btree ("tenant_id","next_flush_at");--> statement-breakpoint
CREATE INDEX "notify_outbox_dest_idx" ON "notify_outbox" USING btree ("tenant_id","alertmanager","id");--> statement-breakpoint
CREATE UNIQUE INDEX "rule_groups_tenant_ns_name_uq" ON "rule_groups" USING btree ("tenant_id","namespace","name");--> statement-breakpoint
CREATE INDEX "rule_groups_last_eval_idx" ON "rule_groups" USING btree ("last_eval_ms");