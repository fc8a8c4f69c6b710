-- Token counts of request logs were integer: a count of 2^31 or more (long
-- contexts summed by a gateway, or a sender's garbage) failed the whole queue
-- message. bigint holds every count ingest accepts (integers up to 2^53).
-- ALTER TYPE on the partitioned table rewrites each partition; rows are kept.
ALTER TABLE "request_logs" ALTER COLUMN "input_tokens" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "request_logs" ALTER COLUMN "output_tokens" SET DATA TYPE bigint;