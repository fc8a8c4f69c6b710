// GET /api/v1/requests/summary's SQL: sums and histogram buckets of the
// request-log rollups (never the raw logs), grouped by dimensions. Whole UTC
// days inside the range are read from the per-day tables, the rest from the
// per-minute ones. Dimension sets are chosen first (log_dims, small), then
// their rollup rows by primary key range.
import { sql, type SQL } from "drizzle-orm";
import type { Db } from "../../db";
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

/** The minute spans and whole days a range [start, end) of minutes is read from. */
export function splitRange(start: number, end: number): { minutes: Array<[number, number]>; days: [number, number] | null } {
  const firstDay = Math.ceil(start / DAY_MS) * DAY_MS;
  const lastDay = Math.floor(end / DAY_MS) * DAY_MS;
  if (firstDay >= lastDay) return { minutes: [[start, end]], days: null };
  const minutes: Array<[number, number]> = [];
  if (start < firstDay) minutes.push([start, firstDay]);
  if (lastDay < end) minutes.push([lastDay, end]);
  return { minutes, days: [firstDay, lastDay] };
}

export async function rollupSummary(db: Db, tenantId: number, q: SummaryQuery): Promise<SummaryGroupSums[]> {
  const { minutes, days } = splitRange(q.startMinute, q.endMinute);
  const keys = q.by.map((k, i) => sql`coalesce(${dim(k)}, '') AS ${sql.raw(`k${i}`)}`);
  const keyCols = q.by.map((_, i) => sql.raw(`k${i}`));
  const dims = sql`
    SELECT d.id, (d.dims ->> 'status') = 'failure' AS failed ${keys.length ? sql`, ${sql.join(keys, sql`, `)}` : sql``}
    FROM log_dims d WHERE ${sql.join([sql`d.tenant_id = ${tenantId}`, ...filterSql(q.filter)], sql` AND `)}`;
  const minuteRange = minutes.length ? sql.join(minutes.map(([a, b]) => sql`(minute >= ${a} AND minute < ${b})`), sql` OR `) : sql`false`;
  const fromBoth = (minuteTable: string, dayTable: string, cols: string) => sql`
    SELECT ${sql.raw(cols)} FROM ${sql.raw(minuteTable)} WHERE tenant_id = ${tenantId} AND dims_id IN (SELECT id FROM d) AND (${minuteRange})
    ${days ? sql`UNION ALL SELECT ${sql.raw(cols)} FROM ${sql.raw(dayTable)} WHERE tenant_id = ${tenantId} AND dims_id IN (SELECT id FROM d) AND day >= ${days[0]} AND day < ${days[1]}` : sql``}`;
  const groupBy = keyCols.length ? sql`GROUP BY ${sql.join(keyCols, sql`, `)}` : sql``;
  const select = keyCols.length ? sql`${sql.join(keyCols, sql`, `)}, ` : sql``;
  const histSums = HISTOGRAMS.map((_, i) => sql.raw(`sum(r.hist_count[${i + 1}]) AS c${i}, sum(r.hist_sum[${i + 1}]) AS s${i}`));

  const sumsQuery = db.execute<Record<string, unknown>>(sql`
    WITH d AS (${dims}), r AS (${fromBoth("log_rollups", "log_rollups_day", "dims_id, requests, input_tokens, output_tokens, total_tokens, cached_tokens, cost_usd, hist_count, hist_sum")})
    SELECT ${select} sum(r.requests) AS requests, coalesce(sum(r.requests) FILTER (WHERE d.failed), 0) AS failures,
      sum(r.input_tokens) AS input_tokens, sum(r.output_tokens) AS output_tokens, sum(r.total_tokens) AS total_tokens,
      sum(r.cached_tokens) AS cached_tokens, sum(r.cost_usd) AS cost_usd, ${sql.join(histSums, sql`, `)}
    FROM r JOIN d ON d.id = r.dims_id ${groupBy}`);
  const hists = sql.raw(q.hists.length ? q.hists.map(Number).join(", ") : "-1");
  const bucketsQuery = db.execute<Record<string, unknown>>(sql`
    WITH d AS (${dims}), r AS (${fromBoth("log_rollup_buckets", "log_rollup_buckets_day", "dims_id, hist, bucket, n")})
    SELECT ${select} r.hist, r.bucket, sum(r.n) AS n FROM r JOIN d ON d.id = r.dims_id WHERE r.hist IN (${hists})
    GROUP BY ${sql.join([...keyCols, sql.raw("r.hist"), sql.raw("r.bucket")], sql`, `)}`);
  const [sums, buckets] = await Promise.all([sumsQuery, bucketsQuery]);

  const keyOf = (r: Record<string, unknown>) => q.by.map((_, i) => String(r[`k${i}`])).join("\u0000");
  const groups = new Map<string, SummaryGroupSums>();
  for (const r of sums.rows) {
    if (r.requests === null) continue; // no rows at all: the aggregate's one empty row
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
