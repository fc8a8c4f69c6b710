// GET /api/v1/requests/summary's SQL: sums and histogram buckets of the
// request-log rollups (never the raw logs), grouped by dimensions. Whole UTC
// days are read from the per-day tables, whole hours from the per-hour one,
// the ragged ends from the per-minute ones (added, or subtracted from their
// hour: see splitRange), so a 24 h summary reads at most 12 hours and 30
// minutes per end and dims set. Dimension sets are chosen
// first (log_dims, small), then their rollup rows by primary key range.
import { sql, type SQL } from "drizzle-orm";
import type { Reader } from "./deadline";
import { BUCKET_OFFSET, DAY_MS, HISTOGRAMS, HOUR_MS, MINUTE_MS, type DimKey } from "../../logs/rollup-spec";
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

export async function rollupSummary(db: Reader, tenantId: number, q: SummaryQuery, split = splitRange): Promise<SummaryGroupSums[]> {
  const spans = split(q.startMinute, q.endMinute);
  const keys = q.by.map((k, i) => sql`coalesce(${dim(k)}, '') AS ${sql.raw(`k${i}`)}`);
  const keyCols = q.by.map((_, i) => sql.raw(`k${i}`));
  const dims = sql`
    SELECT d.id, (d.dims ->> 'status') = 'failure' AS failed ${keys.length ? sql`, ${sql.join(keys, sql`, `)}` : sql``}
    FROM log_dims d WHERE ${sql.join([sql`d.tenant_id = ${tenantId}`, ...filterSql(q.filter)], sql` AND `)}`;
  // Per dims set (LATERAL), one UNION ALL branch per span: each a range of the
  // primary key (tenant_id, dims_id, minute | hour | day); an OR of ranges is none, and
  // without dims_id a minute range is a scan of the table. Then a hash aggregate
  // by group key (few groups). OFFSET 0 keeps a lone branch from being pulled up
  // into a plain join (then a scan of the whole table, however short the range). Not `dims_id IN (SELECT id FROM d)`: the planner
  // guessed 200 dims sets there and hashed (and spilled) the rollup rows instead.
  const union = (parts: SQL[], empty: string) => (parts.length ? sql.join(parts, sql` UNION ALL `) : sql.raw(empty));
  const keyRange = (sp: Span, alias: string) => {
    const col = `${alias}.${TABLES[sp.tier].col}`;
    return sql`${sql.raw(alias)}.tenant_id = ${tenantId} AND ${sql.raw(alias)}.dims_id = d.id AND ${sql.raw(col)} >= ${sp.from} AND ${sql.raw(col)} < ${sp.to}`;
  };
  const groupBy = keyCols.length ? sql`GROUP BY ${sql.join(keyCols, sql`, `)}` : sql``;
  const select = keyCols.length ? sql`${sql.join(keyCols, sql`, `)}, ` : sql``;
  const histNames = HISTOGRAMS.flatMap((_, i) => [`c${i}`, `s${i}`]);
  const sumCols = ["requests", "input_tokens", "output_tokens", "total_tokens", "cached_tokens", "cost_usd"];
  const partCols = (s: string) =>
    [...sumCols.map((c) => `${s}r.${c} AS ${c}`), ...HISTOGRAMS.flatMap((_, i) => [`${s}r.hist_count[${i + 1}] AS c${i}`, `${s}r.hist_sum[${i + 1}] AS s${i}`])].join(", ");

  const sumRows = union(
    spans.map((sp) => sql`SELECT ${sql.raw(partCols(sp.sign === 1 ? "" : "-"))} FROM ${sql.raw(TABLES[sp.tier].sums)} r WHERE ${keyRange(sp, "r")}`),
    `SELECT ${partCols("")} FROM log_rollups r WHERE false`,
  );
  const sumsQuery = db.execute<Record<string, unknown>>(sql`
    WITH d AS MATERIALIZED (${dims})
    SELECT ${select} sum(r.requests) AS requests, coalesce(sum(r.requests) FILTER (WHERE d.failed), 0) AS failures,
      sum(r.input_tokens) AS input_tokens, sum(r.output_tokens) AS output_tokens, sum(r.total_tokens) AS total_tokens,
      sum(r.cached_tokens) AS cached_tokens, sum(r.cost_usd) AS cost_usd, ${sql.raw(histNames.map((c) => `sum(r.${c}) AS ${c}`).join(", "))}
    FROM d CROSS JOIN LATERAL (${sumRows} OFFSET 0) r ${groupBy} HAVING sum(r.requests) > 0`);
  const hists = q.hists.map(Number).filter((h) => Number.isInteger(h) && h >= 0 && h < HISTOGRAMS.length);
  // Each span's bucket arrays sliced per histogram wanted, zeros left out.
  const bucketRows = union(
    spans.flatMap((sp) =>
      hists.map((h) => {
        const lo = BUCKET_OFFSET[h] + 1;
        return sql`SELECT ${sql.raw(String(h))} AS hist, (u.o - 1)::int AS bucket, ${sql.raw(sp.sign === 1 ? "" : "-")}u.n AS n
          FROM ${sql.raw(TABLES[sp.tier].buckets)} r CROSS JOIN LATERAL unnest(r.buckets[${sql.raw(`${lo}:${lo + HISTOGRAMS[h].bounds.length}`)}]) WITH ORDINALITY u(n, o)
          WHERE ${keyRange(sp, "r")} AND u.n <> 0`;
      }),
    ),
    "SELECT 0 AS hist, 0 AS bucket, 0::bigint AS n WHERE false",
  );
  const bucketsQuery = db.execute<Record<string, unknown>>(sql`
    WITH d AS MATERIALIZED (${dims})
    SELECT ${select} r.hist, r.bucket, sum(r.n) AS n FROM d CROSS JOIN LATERAL (${bucketRows} OFFSET 0) r
    GROUP BY ${sql.join([...keyCols, sql.raw("r.hist"), sql.raw("r.bucket")], sql`, `)} HAVING sum(r.n) <> 0`);
  const [sums, buckets] = await Promise.all([sumsQuery, bucketsQuery]);

  const keyOf = (r: Record<string, unknown>) => q.by.map((_, i) => String(r[`k${i}`])).join("\u0000");
  const groups = new Map<string, SummaryGroupSums>();
  for (const r of sums.rows) {
    const key: Partial<Record<DimKey, string>> = {};
    q.by.forEach((k, i) => (key[k] = String(r[`k${i}`])));
    groups.set(keyOf(r), {
      key,
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
    const g = groups.get(keyOf(r));
    const hist = g?.buckets[Number(r.hist)];
    const b = Number(r.bucket);
    if (hist && b >= 0 && b < hist.length) hist[b] += Number(r.n);
  }
  return [...groups.values()];
}
