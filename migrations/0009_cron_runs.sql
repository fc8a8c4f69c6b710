CREATE TABLE "cron_runs" (
	"job" text PRIMARY KEY NOT NULL,
	"finished_at" timestamp with time zone NOT NULL,
	"duration_ms" integer NOT NULL
);
