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
ALTER TABLE "log_rollup_hist" ADD CONSTRAINT "log_rollup_hist_minute_fk" FOREIGN KEY ("tenant_id","dims_id","minute") REFERENCES "public"."log_rollups"("tenant_id","dims_id","minute") ON DELETE cascade ON UPDATE no action;