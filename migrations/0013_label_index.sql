CREATE TABLE "label_values" (
	"tenant_id" integer NOT NULL,
	"name" text NOT NULL,
	"value" text NOT NULL,
	"min_t" bigint NOT NULL,
	"max_t" bigint NOT NULL,
	CONSTRAINT "label_values_tenant_id_name_value_pk" PRIMARY KEY("tenant_id","name","value")
);
--> statement-breakpoint
ALTER TABLE "label_values" ADD CONSTRAINT "label_values_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- Data step of issue 9's label index (schema section "B"): every label name
-- and value (metric names under __name__) of the series that have time
-- bounds, with the widest bounds of the series holding it. Append it, after a
-- statement-breakpoint marker line, to the migration that creates
-- label_values, after the series_bounds backfill has run. Series without
-- bounds (no samples) add nothing, as they add nothing to the answers. Safe
-- beside running ingest and to run again (only widens): run it once more
-- after the new aggregator is deployed, to take in what the old one wrote.
INSERT INTO label_values (tenant_id, name, value, min_t, max_t)
SELECT s.tenant_id, kv.name, kv.value, min(b.min_t), max(b.max_t)
FROM series s JOIN series_bounds b ON b.series_id = s.id
CROSS JOIN LATERAL (SELECT '__name__'::text, s.metric_name UNION ALL SELECT key, value FROM jsonb_each_text(s.labels)) kv(name, value)
GROUP BY 1, 2, 3
ORDER BY 1, 2, 3
ON CONFLICT (tenant_id, name, value) DO UPDATE
  SET min_t = least(label_values.min_t, excluded.min_t), max_t = greatest(label_values.max_t, excluded.max_t);
