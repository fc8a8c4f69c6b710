// GET /api/v1/requests/summary's SQL: sums and histogram buckets of the
// request-log rollups (never the raw logs), grouped by dimensions. UTC days
// are read from the per-day tables, the ragged ends from the per-minute ones
// (added, or subtracted from their day: see splitRange), so a 24 h summary
// reads at most half a day of minutes per end. Dimension sets are chosen
// first (log_dims, small), then their rollup rows by primary key range.
import { sql, type SQL } from "drizzle-orm";
import type { Reader } from "./deadline";
import { DAY_MS, HISTOGRAMS, type DimKey } from "../../logs/rollup-spec";
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

/** A span [from, to) of minutes added (sign 1) or subtracted (sign -1). */
export interface MinuteSpan {
  from: number;
  to: number;
  sign: 1 | -1;
}

/**
 * What a range [start, end) of minutes is read from: whole days [days[0], days[1])
 * from the per-day tables, plus or minus minute spans. Each ragged end is read
 * whichever way has fewer minutes: its own minutes added, or its day added and
 * the rest of that day subtracted (a "last 24 h" ending now subtracts the
 * minutes after now: none). So at most half a day of minutes per end, never 24 h.
 */
export function splitRange(start: number, end: number): { minutes: MinuteSpan[]; days: [number, number] | null } {
  const dayA = Math.floor(start / DAY_MS) * DAY_MS;
  const dayB = Math.ceil(end / DAY_MS) * DAY_MS;
  const spans: MinuteSpan[] = [];
  const push = (from: number, to: number, sign: 1 | -1) => from < to && spans.push({ from, to, sign });
  if (dayB - dayA === DAY_MS) {
    // Inside one day: its minutes, or the day less the minutes around them.
    if (end - start <= DAY_MS - (end - start)) return { minutes: [{ from: start, to: end, sign: 1 }], days: null };
    push(dayA, start, -1);
    push(end, dayB, -1);
    return { minutes: spans, days: [dayA, dayB] };
  }
  let lo = dayA;
  if (start - dayA <= dayA + DAY_MS - start) push(dayA, start, -1);
  else push(start, (lo = dayA + DAY_MS), 1);
  let hi = dayB;
  if (dayB - end <= end - (dayB - DAY_MS)) push(end, dayB, -1);
  else push((hi = dayB - DAY_MS), end, 1);
  return { minutes: spans, days: lo < hi ? [lo, hi] : null };
}

export async function rollupSummary(db: Reader, tenantId: number, q: SummaryQuery): Promise<SummaryGroupSums[]> {
  const { minutes, days } = splitRange(q.startMinute, q.endMinute);
  const keys = q.by.map((k, i) => sql`coalesce(${dim(k)}, '') AS ${sql.raw(`k${i}`)}`);
  const keyCols = q.by.map((_, i) => sql.raw(`k${i}`));
  const dims = sql`
    SELECT d.id, (d.dims ->> 'status') = 'failure' AS failed ${keys.length ? sql`, ${sql.join(keys, sql`, `)}` : sql``}
    FROM log_dims d WHERE ${sql.join([sql`d.tenant_id = ${tenantId}`, ...filterSql(q.filter)], sql` AND `)}`;
  // Per dims set (LATERAL), one UNION ALL branch per span: each a range of the
  // primary key (tenant_id, dims_id, minute | day); an OR of ranges is none, and
  // without dims_id a minute range is a scan of the table. Then a hash aggregate
  // by group key (few groups). OFFSET 0 keeps a lone branch from being pulled up
  // into a plain join (then a scan of the whole table, however short the range). Not `dims_id IN (SELECT id FROM d)`: the planner
  // guessed 200 dims sets there and hashed (and spilled) the rollup rows instead.
  const fromParts = (minuteTable: string, dayTable: string, cols: (sign: string) => string, where = "") => {
    const part = (table: string, col: string, from: number, to: number, sign: 1 | -1) => sql`
      SELECT ${sql.raw(cols(sign === 1 ? "" : "-"))} FROM ${sql.raw(table)}
      WHERE tenant_id = ${tenantId} AND dims_id = d.id AND ${sql.raw(col)} >= ${from} AND ${sql.raw(col)} < ${to} ${sql.raw(where)}`;
    const parts = minutes.map((m) => part(minuteTable, "minute", m.from, m.to, m.sign));
    if (days) parts.push(part(dayTable, "day", days[0], days[1], 1));
    return parts.length ? sql.join(parts, sql` UNION ALL `) : sql.raw(`SELECT ${cols("")} FROM ${minuteTable} WHERE false`);
  };
  const groupBy = keyCols.length ? sql`GROUP BY ${sql.join(keyCols, sql`, `)}` : sql``;
  const select = keyCols.length ? sql`${sql.join(keyCols, sql`, `)}, ` : sql``;
  const histNames = HISTOGRAMS.flatMap((_, i) => [`c${i}`, `s${i}`]);
  const sumCols = ["requests", "input_tokens", "output_tokens", "total_tokens", "cached_tokens", "cost_usd"];
  const partCols = (s: string) =>
    [...sumCols.map((c) => `${s}${c} AS ${c}`), ...HISTOGRAMS.flatMap((_, i) => [`${s}hist_count[${i + 1}] AS c${i}`, `${s}hist_sum[${i + 1}] AS s${i}`])].join(", ");

  const sumRows = fromParts("log_rollups", "log_rollups_day", partCols);
  const sumsQuery = db.execute<Record<string, unknown>>(sql`
    WITH d AS MATERIALIZED (${dims})
    SELECT ${select} sum(r.requests) AS requests, coalesce(sum(r.requests) FILTER (WHERE d.failed), 0) AS failures,
      sum(r.input_tokens) AS input_tokens, sum(r.output_tokens) AS output_tokens, sum(r.total_tokens) AS total_tokens,
      sum(r.cached_tokens) AS cached_tokens, sum(r.cost_usd) AS cost_usd, ${sql.raw(histNames.map((c) => `sum(r.${c}) AS ${c}`).join(", "))}
    FROM d CROSS JOIN LATERAL (${sumRows} OFFSET 0) r ${groupBy} HAVING sum(r.requests) > 0`);
  const hists = q.hists.length ? q.hists.map(Number).join(", ") : "-1";
  const bucketRows = fromParts("log_rollup_buckets", "log_rollup_buckets_day", (s) => `hist, bucket, ${s}n AS n`, `AND hist IN (${hists})`);
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
