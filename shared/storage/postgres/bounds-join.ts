// Which join the lookups use to read series bounds (series-bounds.ts) for a
// set of matchers. Postgres, costing a page read at random_page_cost, always
// hash-joined all of the tenant's bounds rows, also for 200 matched series of
// 100k (a seq scan of every bounds row, ~2x slower than 200 primary-key
// probes); for 25k matched series the hash join is faster. Its row estimates
// are right, its page costs are not, so the choice is made here: per-series
// probes when every matcher set has an equality matcher that picks a small
// share of the series: on __name__, or on a label with many values in the
// label index (one index-only read of at most MANY_VALUES keys per label).
import { sql, type SQL } from "drizzle-orm";
import type { Db } from "../../db";
import { NAME_LABEL } from "../../labels";
import type { LabelMatcher } from "../types";
import { BOUNDS_JOIN, BOUNDS_LOOKUP } from "./series-bounds";

/** A label with at least this many values: one value of it is taken to pick few series. */
const MANY_VALUES = 32;

const equalities = (set: LabelMatcher[]) => set.filter((m) => m.type === "=" && m.value !== "");

export async function boundsJoinFor(db: Db, tenantId: number, sets: LabelMatcher[][]): Promise<SQL> {
  if (sets.length === 0) return BOUNDS_JOIN;
  const open = sets.filter((set) => !equalities(set).some((m) => m.name === NAME_LABEL));
  if (open.length === 0) return BOUNDS_LOOKUP;
  if (open.some((set) => equalities(set).length === 0)) return BOUNDS_JOIN;
  const names = [...new Set(open.flatMap((set) => equalities(set).map((m) => m.name)))];
  const res = await db.execute<{ name: string }>(sql`
    SELECT n.name FROM unnest(${sql.param(names)}::text[]) n(name)
    WHERE (SELECT count(*) FROM (SELECT 1 FROM label_values l WHERE l.tenant_id = ${tenantId} AND l.name = n.name LIMIT ${MANY_VALUES}) x) >= ${MANY_VALUES}`);
  const many = new Set(res.rows.map((r) => r.name));
  return open.every((set) => equalities(set).some((m) => many.has(m.name))) ? BOUNDS_LOOKUP : BOUNDS_JOIN;
}
