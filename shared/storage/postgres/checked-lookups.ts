// Label names and values of series that only the engine's exact matcher can
// choose (RE2 regexes SQL cannot decide, matchers.ts). That check reads only
// the labels its matchers name, so the series are not fetched whole: one
// DISTINCT row per combination of those labels' values and the answer's part
// (a label's value, or a series' sorted label names). At 100k series that is
// a few hundred rows instead of every matching series' label set.
import { sql, type SQL } from "drizzle-orm";
import type { Db } from "../../db";
import { NAME_LABEL, type Labels } from "../../labels";
import type { ExactMatcher, LabelMatcher } from "../types";

type Row = Record<string, string | null> & { metric_name: string; part: unknown };

/**
 * The `part` of every distinct row of `from` (a FROM … WHERE over series `s`)
 * whose matcher labels pass any of the sets' exact predicates.
 */
async function checkedParts(db: Db, from: SQL, sets: LabelMatcher[][], exact: ExactMatcher, part: SQL): Promise<unknown[]> {
  const names = [...new Set(sets.flatMap((set) => set.map((m) => m.name)))].filter((n) => n !== NAME_LABEL).sort();
  const cols = names.map((n, i) => sql`s.labels ->> ${n} AS ${sql.identifier(`c${i}`)}`);
  const res = await db.execute<Row>(sql`
    SELECT DISTINCT s.metric_name, ${part} AS part${cols.length > 0 ? sql`, ${sql.join(cols, sql`, `)}` : sql``} ${from}`);
  const preds = sets.map(exact);
  const out: unknown[] = [];
  for (const r of res.rows) {
    const labels: Labels = { [NAME_LABEL]: r.metric_name };
    names.forEach((n, i) => {
      const v = r[`c${i}`];
      if (v !== null && v !== undefined) labels[n] = v;
    });
    if (preds.some((p) => p(labels))) out.push(r.part);
  }
  return out;
}

/** Values of label `name` (metric names for __name__) over the checked series, sorted, distinct. */
export async function checkedLabelValues(db: Db, from: SQL, sets: LabelMatcher[][], exact: ExactMatcher, name: string): Promise<string[]> {
  const col = name === NAME_LABEL ? sql`s.metric_name` : sql`s.labels ->> ${name}`;
  const parts = await checkedParts(db, from, sets, exact, col);
  return [...new Set(parts.filter((v): v is string => typeof v === "string"))].sort();
}

/** Label names (with __name__) of the checked series, sorted. */
export async function checkedLabelNames(db: Db, from: SQL, sets: LabelMatcher[][], exact: ExactMatcher): Promise<string[]> {
  const parts = await checkedParts(db, from, sets, exact, sql`(SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(s.labels) k)`);
  const names = new Set<string>();
  for (const p of parts) {
    names.add(NAME_LABEL);
    for (const n of (p as string[] | null) ?? []) names.add(n);
  }
  return [...names].sort();
}
