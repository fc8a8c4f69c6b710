-- Daily partitions for samples (ts in unix ms) and request_logs (time), named
-- <table>_pYYYYMMDD. Writers call inferscope_ensure_day_partitions for the days
-- they are about to write; the retention cron drops whole days.
CREATE OR REPLACE FUNCTION inferscope_ensure_day_partitions(p_days integer[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  d integer;
  day_start date;
  suffix text;
BEGIN
  FOREACH d IN ARRAY p_days LOOP
    day_start := date '1970-01-01' + d;
    suffix := to_char(day_start, 'YYYYMMDD');
    BEGIN
      EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF samples FOR VALUES FROM (%s) TO (%s)',
        'samples_p' || suffix, d::bigint * 86400000, (d::bigint + 1) * 86400000);
    EXCEPTION WHEN duplicate_table OR unique_violation THEN NULL; -- created concurrently
    END;
    BEGIN
      EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF request_logs FOR VALUES FROM (%L) TO (%L)',
        'request_logs_p' || suffix, day_start::timestamp AT TIME ZONE 'UTC', (day_start + 1)::timestamp AT TIME ZONE 'UTC');
    EXCEPTION WHEN duplicate_table OR unique_violation THEN NULL;
    END;
  END LOOP;
END $$;
--> statement-breakpoint
-- Drops every daily partition of samples and request_logs that ends on or before
-- day p_before (days since 1970-01-01, UTC). Returns the names dropped.
CREATE OR REPLACE FUNCTION inferscope_drop_partitions_before(p_before integer) RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
  r record;
  cutoff text := to_char(date '1970-01-01' + p_before, 'YYYYMMDD');
BEGIN
  FOR r IN
    SELECT c.relname FROM pg_inherits i
    JOIN pg_class c ON c.oid = i.inhrelid
    JOIN pg_class p ON p.oid = i.inhparent
    WHERE p.relname IN ('samples', 'request_logs')
      AND c.relname ~ '_p[0-9]{8}$'
      AND right(c.relname, 8) < cutoff
  LOOP
    EXECUTE format('DROP TABLE IF EXISTS %I', r.relname);
    RETURN NEXT r.relname;
  END LOOP;
END $$;
