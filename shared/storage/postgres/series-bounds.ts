// Per-series time bounds (schema section "B"): kept by the metrics write,
// read by the series, label-name and label-value lookups. A bound is the time
// of a sample that was written, so while the day holding it is still stored,
// a bound inside the asked range proves the series has a sample there, with no
// look at samples. Retention drops whole days oldest first and never narrows
// the bounds, so a bound is trusted only at or after the start of the oldest
// day still attached (`floor`); a series that only straddles the range, or
// whose bounds lie before the floor, or has no bounds row yet, is probed in
// samples exactly as before: answers equal those of a probe of every series.
import { sql, type SQL } from "drizzle-orm";
import type { Tx } from "../../db";
import type { TimeRange } from "../types";
import { chunkInRange } from "./chunk-read";

/** One series' span in one write: [lo, hi] over the samples written for it. */
export interface Span {
  id: number;
  lo: number;
  hi: number;
}

/**
 * Widens the bounds of the spans' series, one statement; a series whose span is
 * already inside its bounds is left unwritten (no new tuple, no WAL).
 */
export async function widenBounds(tx: Tx, spans: Span[]): Promise<void> {
  if (spans.length === 0) return;
  const list = (f: (s: Span) => number) => `{${spans.map(f).join(",")}}`;
  await tx.execute(sql`
    INSERT INTO series_bounds AS b (series_id, min_t, max_t)
    SELECT * FROM unnest(${list((s) => s.id)}::bigint[], ${list((s) => s.lo)}::bigint[], ${list((s) => s.hi)}::bigint[])
    ON CONFLICT (series_id) DO UPDATE SET min_t = least(b.min_t, excluded.min_t), max_t = greatest(b.max_t, excluded.max_t)
    WHERE excluded.min_t < b.min_t OR excluded.max_t > b.max_t`);
}

/**
 * Unix ms of the oldest samples partition still attached (one scalar subquery
 * per statement over pg_inherits, a few dozen rows); far future when there is none.
 * A partition being detached counts as gone, which only makes readers probe more.
 */
export const FLOOR = sql`(SELECT coalesce(extract(epoch FROM to_date(min(right(c.relname, 8)), 'YYYYMMDD'))::bigint * 1000, ${2 ** 62}::bigint)
  FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
  WHERE i.inhparent = 'samples'::regclass AND NOT i.inhdetachpending AND c.relname ~ '_p[0-9]{8}$')`;

/**
 * True for a series (alias `s`, its bounds joined as `b`) with a sample in
 * range. `start`/`end` are already clamped bigint parameters. A bound inside
 * the range proves a sample there (the newest bound when both are inside, as
 * more likely after the floor). The probe's OFFSET 0 keeps Postgres from
 * turning it into a hashed subplan, which reads every sample in range once
 * (all series') to answer the few series that need a probe.
 */
export function boundsInRange(start: number, end: number): SQL {
  // Head rows or compacted chunks (chunk-read.ts): a series whose samples in range were all compacted still counts.
  const probe = sql`(EXISTS (SELECT 1 FROM samples x WHERE x.series_id = s.id AND x.ts BETWEEN ${start} AND ${end} OFFSET 0) OR ${chunkInRange(start, end)})`;
  return sql`(CASE
    WHEN b.series_id IS NULL THEN ${probe}
    WHEN b.max_t < ${start} OR b.min_t > ${end} THEN false
    WHEN (CASE WHEN b.max_t <= ${end} THEN b.max_t ELSE b.min_t END) >= greatest(${start}::bigint, ${FLOOR}) THEN true
    ELSE ${probe} END)`;
}

/**
 * The join that `boundsInRange` reads, for a FROM list that names series `s`,
 * when most of the tenant's series may match: a hash join over all bounds rows.
 */
export const BOUNDS_JOIN = sql`LEFT JOIN series_bounds b ON b.series_id = s.id`;

/**
 * The same join for series chosen by matchers: one primary-key probe per
 * matched series. As a plain join, Postgres hash-joined all of the tenant's
 * bounds rows even for 200 matched series of 100k; OFFSET 0 keeps the
 * subquery from being pulled up into such a join.
 */
export const BOUNDS_LOOKUP = sql`LEFT JOIN LATERAL (SELECT * FROM series_bounds sb WHERE sb.series_id = s.id OFFSET 0) b ON true`;
