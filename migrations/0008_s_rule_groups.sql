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
ALTER TABLE "rule_groups" ADD CONSTRAINT "rule_groups_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "rule_groups_tenant_ns_name_uq" ON "rule_groups" USING btree ("tenant_id","namespace","name");--> statement-breakpoint
CREATE INDEX "rule_groups_last_eval_idx" ON "rule_groups" USING btree ("last_eval_ms");