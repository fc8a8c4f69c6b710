-- Hand-written: trigram matching for q= (text in error messages) of the log API. Neon, Debian's PostgreSQL
-- and PGlite (its contrib build) ship pg_trgm.
CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
DROP INDEX "request_logs_received_brin";--> statement-breakpoint
CREATE INDEX "request_logs_failures_idx" ON "request_logs" USING btree ("tenant_id","time","request_id","error_fingerprint","model","provider","http_status") WHERE status = 'failure';--> statement-breakpoint
CREATE INDEX "request_logs_slow_idx" ON "request_logs" USING btree ("tenant_id","latency_ms") WHERE latency_ms >= 5000;--> statement-breakpoint
CREATE INDEX "request_logs_error_trgm_idx" ON "request_logs" USING gin ("error_message" gin_trgm_ops) WHERE status = 'failure';--> statement-breakpoint
CREATE INDEX "request_logs_received_brin" ON "request_logs" USING brin ("received_at") WITH (autosummarize=on);