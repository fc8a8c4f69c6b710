-- Data step of issue 9's series time bounds (schema section "B"): every
-- existing series gets its bounds from the samples it has. Append it, after a
-- statement-breakpoint marker line, to the migration that creates
-- series_bounds. One index probe at each end per series (the samples primary
-- key is (series_id, ts)); series without samples get no row, and the
-- lookups probe those. Safe beside running ingest: a write that already
-- widened a row keeps the wider bound.
INSERT INTO series_bounds (series_id, min_t, max_t)
SELECT s.id, lo.ts, hi.ts FROM series s
CROSS JOIN LATERAL (SELECT x.ts FROM samples x WHERE x.series_id = s.id ORDER BY x.ts LIMIT 1) lo
CROSS JOIN LATERAL (SELECT x.ts FROM samples x WHERE x.series_id = s.id ORDER BY x.ts DESC LIMIT 1) hi
ON CONFLICT (series_id) DO UPDATE
  SET min_t = least(series_bounds.min_t, excluded.min_t), max_t = greatest(series_bounds.max_t, excluded.max_t);
