-- Retention drops daily partitions in two steps outside any transaction (see
-- workers/query/retention.ts): DETACH ... CONCURRENTLY, then DROP, so that
-- neither takes an exclusive lock on samples or request_logs. This function
-- only lists what is due.
DROP FUNCTION IF EXISTS inferscope_drop_partitions_before(integer);
--> statement-breakpoint
CREATE OR REPLACE FUNCTION inferscope_partitions_before(p_before integer)
RETURNS TABLE(parent text, name text, detach_pending boolean)
LANGUAGE sql STABLE AS $$
  SELECT p.relname::text, c.relname::text, i.inhdetachpending
  FROM pg_inherits i
  JOIN pg_class c ON c.oid = i.inhrelid
  JOIN pg_class p ON p.oid = i.inhparent
  WHERE p.relname IN ('samples', 'request_logs')
    AND c.relname ~ '_p[0-9]{8}$'
    AND right(c.relname, 8) < to_char(date '1970-01-01' + p_before, 'YYYYMMDD')
  ORDER BY c.relname
$$;
