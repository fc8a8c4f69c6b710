// Label names and values without match[] from the label index (label_values,
// label-index-write.ts) instead of every series: at 100k series a few rows
// per name, read in key order, where the series path scanned, joined and
// sorted all of them. Each index row is decided from its bounds alone, as a
// series' bounds are (series-bounds.ts): out when its bounds miss the range
// (max_t widened by the slack it may lag), in when a bound inside the range
// lies at or after the oldest day still stored, else undecided. Undecided
// values are checked against their series; when too many are undecided (an
// old range, or bounds behind retention) the caller's series statement
// answers instead, so answers always equal those of a probe of every series.
import { sql, type SQL } from "drizzle-orm";
import type { Db } from "../../db";
import { NAME_LABEL } from "../../labels";
import { LABEL_INDEX_SLACK_MS } from "./label-index-write";
import { BOUNDS_LOOKUP, FLOOR, boundsInRange } from "./series-bounds";

/** Undecided values checked one by one against their series; beyond this, the series statement is cheaper. */
const MAX_CHECKED = 2_000;

type State = 1 | 2;

/**
 * Over an index row `l` (start/end are clamped bigints): whether its series may
 * have a sample in range, as plain column comparisons so that Postgres
 * estimates them from the column statistics (an opaque CASE made it guess a
 * third of the rows, then seq-scan and sort 80k values instead of reading
 * them in order from the primary key).
 */
const mayHold = (start: number, end: number) => sql`l.max_t >= ${start - LABEL_INDEX_SLACK_MS}::bigint AND l.min_t <= ${end}::bigint`;

/** Of rows that may hold one: 1 where a sample in range is proven, else 2 (undecided). */
function stateOf(start: number, end: number): SQL {
  return sql`(CASE WHEN (CASE WHEN l.max_t <= ${end}::bigint THEN l.max_t ELSE l.min_t END) >= greatest(${start}::bigint, ${FLOOR}) THEN 1 ELSE 2 END)`;
}

export interface IndexRead {
  db: Db;
  tenantId: number;
  start: number;
  end: number;
  /** The series path's answer, used when the index cannot decide cheaply. */
  fallback: () => Promise<string[]>;
}

/** True when `a` sorts before `b` by code point, as UTF-8 bytes do (UTF-16 units differ only past U+FFFF). */
function codePointLess(a: string, b: string): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const sx = x >= 0xd800 && x <= 0xdfff;
    const sy = y >= 0xd800 && y <= 0xdfff;
    return sx === sy ? x < y : sy;
  }
  return a.length < b.length;
}

/**
 * The index rows of `name` that may hold a sample in range, in key order. One
 * row of two aggregates over the ordered rows: 80k rows one by one cost the
 * driver more than the scan. Postgres does not promise to keep the subquery's
 * order for an aggregate, so it is checked; when it does not hold (or the
 * database sorts text otherwise than by code point), the rows are read again
 * one by one, sorted by the database.
 */
async function candidates(r: IndexRead, name: string): Promise<Array<{ value: string; state: number }>> {
  const rows = sql`SELECT l.value, ${stateOf(r.start, r.end)} AS state FROM label_values l
    WHERE l.tenant_id = ${r.tenantId} AND l.name = ${name} AND ${mayHold(r.start, r.end)} ORDER BY l.value`;
  const agg = await r.db.execute<{ vals: string[] | null; states: string | null }>(sql`
    SELECT json_agg(v.value) AS vals, string_agg(v.state::text, '') AS states FROM (${rows}) v`);
  const vals = agg.rows[0]?.vals ?? [];
  const states = agg.rows[0]?.states ?? "";
  let ordered = vals.length === states.length;
  for (let i = 1; i < vals.length && ordered; i++) ordered = codePointLess(vals[i - 1], vals[i]);
  if (ordered) return vals.map((value, i) => ({ value, state: states.charCodeAt(i) - 48 }));
  const res = await r.db.execute<{ value: string; state: number }>(rows);
  return res.rows.map((x) => ({ value: x.value, state: Number(x.state) }));
}

/** Values of `name` (metric names for __name__) with a sample in range, in the database's order, as the series path returns them. */
export async function indexedLabelValues(r: IndexRead, name: string, limit?: number): Promise<string[]> {
  const rows = await candidates(r, name);
  const undecided = rows.filter((x) => x.state === 2).map((x) => x.value);
  if (undecided.length > MAX_CHECKED) return r.fallback();
  const proven = new Set(undecided.length === 0 ? [] : await valuesWithSamples(r, name, undecided));
  const out = rows.filter((x) => x.state === 1 || proven.has(x.value)).map((x) => x.value);
  return limit && limit > 0 ? out.slice(0, limit) : out;
}

/** Of `values`, those some series of the tenant holds (for `name`) with a sample in range. */
async function valuesWithSamples(r: IndexRead, name: string, values: string[]): Promise<string[]> {
  const holds = name === NAME_LABEL ? sql`s.metric_name = v.value` : sql`s.labels @> jsonb_build_object(${name}::text, v.value)`;
  const res = await r.db.execute<{ value: string }>(sql`
    SELECT v.value FROM unnest(${sql.param(values)}::text[]) v(value)
    WHERE EXISTS (SELECT 1 FROM series s ${BOUNDS_LOOKUP} WHERE s.tenant_id = ${r.tenantId} AND ${holds} AND ${boundsInRange(r.start, r.end)})`);
  return res.rows.map((x) => x.value);
}

/**
 * Label names (with __name__) with a sample in range: the distinct names by a
 * skip scan of the primary key, each decided by its first proven value
 * (OFFSET 0: as a hashed subplan, Postgres read every row of the tenant).
 */
export async function indexedLabelNames(r: IndexRead, limit?: number): Promise<string[]> {
  const of = (state: State) =>
    sql`EXISTS (SELECT 1 FROM label_values l WHERE l.tenant_id = ${r.tenantId} AND l.name = n.name AND ${mayHold(r.start, r.end)} AND ${stateOf(r.start, r.end)} = ${state} OFFSET 0)`;
  const res = await r.db.execute<{ name: string; state: State }>(sql`
    WITH RECURSIVE n(name) AS (
      SELECT min(name) FROM label_values WHERE tenant_id = ${r.tenantId}
      UNION ALL
      SELECT (SELECT min(name) FROM label_values WHERE tenant_id = ${r.tenantId} AND name > n.name) FROM n WHERE n.name IS NOT NULL
    )
    SELECT name, state FROM (
      SELECT n.name, CASE WHEN ${of(1)} THEN 1 WHEN ${of(2)} THEN 2 END AS state FROM n WHERE n.name IS NOT NULL
    ) v WHERE state IS NOT NULL ORDER BY name`);
  // A name whose values are all undecided is rare (an old range): the series statement answers then.
  if (res.rows.some((x) => Number(x.state) === 2)) return r.fallback();
  const out = res.rows.map((x) => x.name);
  return limit && limit > 0 ? out.slice(0, limit) : out;
}
