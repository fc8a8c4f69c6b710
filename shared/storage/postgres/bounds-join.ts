// Which join the lookups use to read series bounds (series-bounds.ts) for a
// set of matchers. Postgres, costing a page read at random_page_cost, always
// hash-joined all of the tenant's bounds rows, also for 200 matched series of
// 100k (a seq scan of every bounds row, ~2x slower than 200 primary-key
// probes); for 25k matched series the hash join is faster. Its row estimates
// are right, its page costs are not, so the choice is made here: per-series
// probes when every matcher set has an equality matcher that picks a small
// share of the series: on __name__, or on a label with many values in the
// label index (one index-only read of at most MANY_VALUES keys per label,
// remembered for a minute).
import { sql, type SQL } from "drizzle-orm";
import type { Db } from "../../db";
import { NAME_LABEL } from "../../labels";
import type { LabelMatcher } from "../types";
import { BOUNDS_JOIN, BOUNDS_LOOKUP } from "./series-bounds";

/** A label with at least this many values: one value of it is taken to pick few series. */
const MANY_VALUES = 32;
/**
 * Per tenant and label: whether it has many values, for a minute. A label's
 * cardinality changes slowly, and a wrong guess only costs time, never an
 * answer; the read would otherwise add a round trip to every lookup.
 */
const CACHE_MS = 60_000;
const MAX_CACHE = 10_000;
const known = new Map<string, { many: boolean; until: number }>();

async function manyValued(db: Db, tenantId: number, names: string[]): Promise<Set<string>> {
  const now = Date.now();
  const many = new Set<string>();
  const todo: string[] = [];
  for (const n of names) {
    const k = known.get(`${tenantId}\u0000${n}`);
    if (k && k.until > now) {
      if (k.many) many.add(n);
    } else todo.push(n);
  }
  if (todo.length === 0) return many;
  const res = await db.execute<{ name: string }>(sql`
    SELECT n.name FROM unnest(${sql.param(todo)}::text[]) n(name)
    WHERE (SELECT count(*) FROM (SELECT 1 FROM label_values l WHERE l.tenant_id = ${tenantId} AND l.name = n.name LIMIT ${MANY_VALUES}) x) >= ${MANY_VALUES}`);
  const found = new Set(res.rows.map((r) => r.name));
  if (known.size + todo.length > MAX_CACHE) known.clear();
  for (const n of todo) {
    known.set(`${tenantId}\u0000${n}`, { many: found.has(n), until: now + CACHE_MS });
    if (found.has(n)) many.add(n);
  }
  return many;
}

const equalities = (set: LabelMatcher[]) => set.filter((m) => m.type === "=" && m.value !== "");

export async function boundsJoinFor(db: Db, tenantId: number, sets: LabelMatcher[][]): Promise<SQL> {
  if (sets.length === 0) return BOUNDS_JOIN;
  const open = sets.filter((set) => !equalities(set).some((m) => m.name === NAME_LABEL));
  if (open.length === 0) return BOUNDS_LOOKUP;
  if (open.some((set) => equalities(set).length === 0)) return BOUNDS_JOIN;
  const many = await manyValued(db, tenantId, [...new Set(open.flatMap((set) => equalities(set).map((m) => m.name)))]);
  return open.every((set) => equalities(set).some((m) => many.has(m.name))) ? BOUNDS_LOOKUP : BOUNDS_JOIN;
}
