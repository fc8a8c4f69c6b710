-- Sample reads over a few hundred series cross jit_above_cost, and Postgres
-- then spends ~65 ms compiling a plan that runs in less (bench:query,
-- BENCH_JIT=off). Turn JIT off for this database's new sessions. Where that is
-- not allowed (no ownership, or a build without JIT settings) it is skipped.
DO $$
BEGIN
  EXECUTE format('ALTER DATABASE %I SET jit = off', current_database());
EXCEPTION WHEN OTHERS THEN
  RAISE NOTICE 'jit left as it is: %', SQLERRM;
END $$;
