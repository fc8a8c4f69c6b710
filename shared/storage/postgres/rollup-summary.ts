// GET /api/v1/requests/summary's SQL: sums and histogram buckets of the
// request-log rollups (never the raw logs), grouped by dimensions. Whole UTC
// days are read from the per-day tables, whole hours from the per-hour one,
// the ragged ends from the per-minute ones (added, or subtracted from their
// hour: see splitRange), so a 24 h summary reads at most 12 hours and 30
// minutes per end and dims set. Dimension sets are chosen
// first (log_dims, small), then the rollup rows of all of them by primary key.
import { sql, type SQL } from "drizzle-orm";
import type { Reader } from "./deadline";
import { BUCKET_OFFSET, BUCKET_SLOTS, DAY_MS, HISTOGRAMS, HOUR_MS, MINUTE_MS, type DimKey } from "../../logs/rollup-spec";
import type { SummaryFilter, SummaryGroupSums, SummaryQuery } from "../request-log-store";

const dim = (k: string) => sql`(d.dims ->> ${k})`;

function filterSql(f: SummaryFilter): SQL[] {
  const anyOf = (k: string, v: string[]) => sql`${dim(k)} = ANY(${sql.param(v)}::text[])`;
  const out: SQL[] = [];
  for (const [k, v] of Object.entries(f) as Array<[keyof SummaryFilter, string[] | undefined]>) {
    if (!v || v.length === 0) continue;
    out.push(k === "team" ? sql`(${anyOf("team", v)} OR ${anyOf("team_alias", v)})` : anyOf(k, v));
  }
  return out;
}

export type Tier = "minute" | "hour" | "day";

/** A span [from, to) of one tier's rows added (sign 1) or subtracted (sign -1). */
export interface Span {
  tier: Tier;
  from: number;
  to: number;
  sign: 1 | -1;
}

const TIERS: ReadonlyArray<[Tier, number]> = [["day", DAY_MS], ["hour", HOUR_MS], ["minute", MINUTE_MS]];

/**
 * What a range [start, end) of minutes is read from: whole days from the day
 * rows, whole hours from the hour rows, minutes only at the ragged ends. At
 * each tier, each ragged end is read whichever way is shorter: the part
 * inside the range added, or the whole unit added and the part outside it
 * subtracted (a "last 24 h" ending now subtracts the minutes after now: none).
 * So at most half a unit of the next finer tier per end: 12 hours, 30 minutes.
 * The parts are exact integers and quantised floats (shared/logs/rollup.ts),
 * so their signed sum is the minutes' sum to the bit.
 */
export function splitRange(start: number, end: number, tiers: ReadonlyArray<[Tier, number]> = TIERS): Span[] {
  const out: Span[] = [];
  const cover = (from: number, to: number, sign: 1 | -1, level: number) => {
    if (from >= to) return;
    const [tier, unit] = tiers[level];
    if (level === tiers.length - 1) {
      out.push({ tier, from, to, sign });
      return;
    }
    const neg = (sign === 1 ? -1 : 1) as 1 | -1;
    const a = Math.floor(from / unit) * unit;
    const b = Math.ceil(to / unit) * unit;
    if (b - a === unit) {
      // Inside one unit: the finer rows, or the unit less those around the range.
      if (to - from <= unit - (to - from)) return cover(from, to, sign, level + 1);
      out.push({ tier, from: a, to: b, sign });
      cover(a, from, neg, level + 1);
      cover(to, b, neg, level + 1);
      return;
    }
    const lo = from - a <= a + unit - from ? a : a + unit;
    const hi = b - to <= to - (b - unit) ? b : b - unit;
    if (lo < hi) out.push({ tier, from: lo, to: hi, sign });
    if (lo < from) cover(lo, from, neg, level + 1);
    else cover(from, lo, sign, level + 1);
    if (hi > to) cover(to, hi, neg, level + 1);
    else cover(hi, to, sign, level + 1);
  };
  cover(start, end, 1, 0);
  return out;
}

/** Minutes only: what the tiers must agree with (tests), and the plan before there were hours. */
export const minutesOnly = (start: number, end: number): Span[] => splitRange(start, end, [["minute", MINUTE_MS]]);

/** Each tier's sums, and where its dense bucket arrays (rollup-spec BUCKET_OFFSET) are: the hour row holds its own. */
const TABLES: Record<Tier, { sums: string; buckets: string; col: Tier }> = {
  minute: { sums: "log_rollups", buckets: "log_rollup_hist", col: "minute" },
  hour: { sums: "log_rollups_hour", buckets: "log_rollups_hour", col: "hour" },
  day: { sums: "log_rollups_day", buckets: "log_rollup_hist_day", col: "day" },
};

/** A tenant's dims sets matching the filter, by id, with their group keys and whether they are failures. */
async function dimsOf(db: Reader, tenantId: number, q: SummaryQuery) {
  const keys = q.by.map((k, i) => sql`coalesce(${dim(k)}, '') AS ${sql.raw(`k${i}`)}`);
  const res = await db.execute<Record<string, unknown>>(sql`
    SELECT d.id::text AS id, (d.dims ->> 'status') = 'failure' AS failed ${keys.length ? sql`, ${sql.join(keys, sql`, `)}` : sql``}
    FROM log_dims d WHERE ${sql.join([sql`d.tenant_id = ${tenantId}`, ...filterSql(q.filter)], sql` AND `)} ORDER BY d.id`);
  const groups: Array<Partial<Record<DimKey, string>>> = [];
  const groupOf = new Map<string, number>();
  const g = res.rows.map((r) => {
    const key: Partial<Record<DimKey, string>> = {};
    q.by.forEach((k, i) => (key[k] = String(r[`k${i}`])));
    const text = q.by.map((_, i) => String(r[`k${i}`])).join("\u0000");
    let i = groupOf.get(text);
    if (i === undefined) groupOf.set(text, (i = groups.push(key) - 1));
    return i;
  });
  return { ids: res.rows.map((r) => Number(r.id)), failed: res.rows.map((r) => r.failed === true), g, groups };
}

export async function rollupSummary(db: Reader, tenantId: number, q: SummaryQuery, split = splitRange): Promise<SummaryGroupSums[]> {
  const spans = split(q.startMinute, q.endMinute);
  const d = await dimsOf(db, tenantId, q);
  if (d.ids.length === 0 || spans.length === 0) return [];
  // Every dims set at once, one UNION ALL branch per span: each an index scan of the primary key (tenant_id,
  // dims_id = ANY(ids), minute | hour | day range), the dims set's group and failure flag found by binary search
  // over the sorted ids (width_bucket). A LATERAL per dims set cost an index scan's start-up per set and span,
  // most of a summary's time with thousands of sets; a join to the ids made the planner hash the rollup rows.
  const ids = sql`${sql.param(d.ids)}::bigint[]`;
  const pos = (alias: string) => sql`width_bucket(${sql.raw(alias)}.dims_id, ${ids})`;
  const groupOf = (alias: string) => sql`(${sql.param(d.g)}::int[])[${pos(alias)}]`;
  const failedOf = (alias: string) => sql`(${sql.param(d.failed)}::bool[])[${pos(alias)}]`;
  const keyRange = (sp: Span, alias: string) => {
    const col = `${alias}.${TABLES[sp.tier].col}`;
    return sql`${sql.raw(alias)}.tenant_id = ${tenantId} AND ${sql.raw(alias)}.dims_id = ANY(${ids}) AND ${sql.raw(col)} >= ${sp.from} AND ${sql.raw(col)} < ${sp.to}`;
  };
  const sumCols = ["requests", "input_tokens", "output_tokens", "total_tokens", "cached_tokens", "cost_usd"];
  const histCols = HISTOGRAMS.flatMap((_, i) => [[`c${i}`, `hist_count[${i + 1}]`], [`s${i}`, `hist_sum[${i + 1}]`]]);
  const partCols = (s: string) => [...sumCols.map((c) => `${s}r.${c} AS ${c}`), ...histCols.map(([as, c]) => `${s}r.${c} AS ${as}`)].join(", ");
  const sumRows = sql.join(
    spans.map((sp) => sql`SELECT ${groupOf("r")} AS g, ${failedOf("r")} AS failed, ${sql.raw(partCols(sp.sign === 1 ? "" : "-"))}
      FROM ${sql.raw(TABLES[sp.tier].sums)} r WHERE ${keyRange(sp, "r")}`),
    sql` UNION ALL `,
  );
  const sumsQuery = db.execute<Record<string, unknown>>(sql`
    SELECT x.g, sum(x.requests) AS requests, coalesce(sum(x.requests) FILTER (WHERE x.failed), 0) AS failures,
      ${sql.raw([...sumCols.slice(1), ...histCols.map(([as]) => as)].map((c) => `sum(x.${c}) AS ${c}`).join(", "))}
    FROM (${sumRows}) x GROUP BY x.g HAVING sum(x.requests) > 0`);
  // Buckets: the arrays of every span summed slot by slot per group, one aggregate per slot (cheaper than
  // unnesting each row into rows of its own); the wanted histograms are picked from the sums.
  const hists = q.hists.map(Number).filter((h) => Number.isInteger(h) && h >= 0 && h < HISTOGRAMS.length);
  const slots = Array.from({ length: BUCKET_SLOTS }, (_, i) => i + 1);
  const bucketRows = sql.join(
    spans.map((sp) => sql`SELECT ${groupOf("r")} AS g, r.buckets AS b, ${sql.raw(String(sp.sign))} AS s
      FROM ${sql.raw(TABLES[sp.tier].buckets)} r WHERE ${keyRange(sp, "r")}`),
    sql` UNION ALL `,
  );
  const bucketsQuery = hists.length
    ? db.execute<Record<string, unknown>>(sql`SELECT x.g, ${sql.raw(slots.map((i) => `sum(x.s * x.b[${i}]) AS b${i}`).join(", "))} FROM (${bucketRows}) x GROUP BY 1`)
    : Promise.resolve({ rows: [] as Record<string, unknown>[] });
  const [sums, buckets] = await Promise.all([sumsQuery, bucketsQuery]);

  const out = new Map<number, SummaryGroupSums>();
  for (const r of sums.rows) {
    out.set(Number(r.g), {
      key: d.groups[Number(r.g)],
      requests: Number(r.requests),
      failures: Number(r.failures),
      inputTokens: Number(r.input_tokens),
      outputTokens: Number(r.output_tokens),
      totalTokens: Number(r.total_tokens),
      cachedTokens: Number(r.cached_tokens),
      costUsd: Number(r.cost_usd),
      histCount: HISTOGRAMS.map((_, i) => Number(r[`c${i}`] ?? 0)),
      histSum: HISTOGRAMS.map((_, i) => Number(r[`s${i}`] ?? 0)),
      buckets: HISTOGRAMS.map((h) => new Array<number>(h.bounds.length + 1).fill(0)),
    });
  }
  for (const r of buckets.rows) {
    const g = out.get(Number(r.g));
    if (g) for (const h of hists) g.buckets[h] = g.buckets[h].map((_, i) => Number(r[`b${BUCKET_OFFSET[h] + i + 1}`] ?? 0));
  }
  return [...out.values()];
}
