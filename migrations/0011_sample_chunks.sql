CREATE TABLE "compaction_days" (
	"day" integer PRIMARY KEY NOT NULL,
	"next_series" bigint DEFAULT 0 NOT NULL,
	"swept_to" bigint DEFAULT 0 NOT NULL,
	"swept_at" timestamp with time zone,
	"moved" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sample_chunks" (
	"series_id" bigint NOT NULL,
	"window_start" bigint NOT NULL,
	"min_t" bigint NOT NULL,
	"max_t" bigint NOT NULL,
	"n" integer NOT NULL,
	"data" "bytea" NOT NULL,
	CONSTRAINT "sample_chunks_series_id_window_start_pk" PRIMARY KEY("series_id","window_start")
);
