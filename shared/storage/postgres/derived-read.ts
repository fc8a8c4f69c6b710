// The SQL behind derived series (shared/storage/derived/): a tenant's dims
// sets, and per group of dims sets (one projected series) its rollups summed in
// SQL, so one row per series comes back whatever the number of dims sets: the
// minutes with events and their deltas as packed bytea, the day totals before
// the range, and the last minute with events before it. Histogram buckets are
// dense arrays, one per rollup row (log_rollup_hist, log_rollup_hist_day). Each read is one
// statement, so its parts see one snapshot. Only the columns a family shows
// are read; the primary keys (tenant_id, dims_id, minute|day, ...) serve every
// filter.
import { sql, type SQL } from "drizzle-orm";
import type { Db } from "../../db";
import { BUCKET_OFFSET, HISTOGRAMS, dayStartOf, type Dims } from "../../logs/rollup-spec";
import type { Presence } from "../derived/catalogue";
import type { GroupRows, PrefixPlan, Window } from "../derived/cumulation";
import { denseBucketRows, liveFrom } from "../derived/cumulation";
import type { DimsRow } from "../derived/projection";
import type { ColumnRef, DerivedReader } from "../derived/storage";
import { asBytes, permuteFloat64, readFloat8s, readInt2s, readInt4s } from "./bytea";

const ROLLUP_COLUMNS = new Set(["requests", "input_tokens", "output_tokens", "total_tokens", "cached_tokens", "cost_usd", "cache_hits", "cache_misses"]);

function checkedHist(h: number): number {
  if (!Number.isInteger(h) || h < 0 || h >= HISTOGRAMS.length) throw new Error(`no histogram ${h}`);
  return h;
}
/** A histogram's 1-based array subscript, checked: it is written into the SQL text. */
const histIndex = (h: number): SQL => sql.raw(String(checkedHist(h) + 1));

function column(alias: string, c: string): SQL {
  if (!ROLLUP_COLUMNS.has(c)) throw new Error(`not a rollup column: ${c}`);
  return sql.raw(`${alias}.${c}`);
}

/** A value as float8: exact for the integer columns (all far below 2^53), and float8 sums are cheaper than numeric ones. */
function valueSql(alias: string, c: ColumnRef): SQL {
  if ("column" in c) return sql`${column(alias, c.column)}::float8`;
  if ("histCount" in c) return sql`coalesce(${sql.raw(alias)}.hist_count[${histIndex(c.histCount)}], 0)::float8`;
  return sql`coalesce(${sql.raw(alias)}.hist_sum[${histIndex(c.histSum)}], 0)`;
}

function presenceSql(alias: string, p: Presence): SQL {
  return "column" in p ? sql`${column(alias, p.column)} > 0` : sql`${sql.raw(alias)}.hist_count[${histIndex(p.hist)}] > 0`;
}

/**
 * The dims ids sorted, with each one's group: width_bucket() over the sorted
 * ids finds a row's group by binary search. (A join to the id list made the
 * planner hash the rollup rows instead of the short list, and no index would
 * have helped; this way it filters on dims_id = ANY and may scan in parallel.)
 */
function groupMap(groups: number[][]) {
  const pairs = groups.flatMap((g, i) => g.map((id) => [id, i] as const)).sort((a, b) => a[0] - b[0]);
  const ids = pairs.map((p) => p[0]);
  const gs = pairs.map((p) => p[1]);
  return {
    ids: () => sql`${sql.param(ids)}::bigint[]`,
    groupOf: (alias: string) => sql`(${sql.param(gs)}::int[])[width_bucket(${sql.raw(alias)}.dims_id, ${sql.param(ids)}::bigint[])]`,
    pairs: () => sql`unnest(${sql.param(ids)}::bigint[], ${sql.param(gs)}::int[]) AS m(dims_id, g)`,
  };
}

const bytes = (v: unknown) => (v === null || v === undefined ? new Uint8Array(0) : asBytes(v));

/** Minute starts sent as int4 minute numbers from lo (rows are minute starts: minuteOf). */
const minuteSql = (alias: string, lo: number) => sql`int4send(((${sql.raw(alias)}.minute - ${lo}) / 60000)::int)`;

const minutesOf = (v: unknown, lo: number) => Float64Array.from(readInt4s(bytes(v)), (k) => lo + k * 60_000);

/** Rows in minute order (the aggregates see them in no set order): the order, or null when already sorted. */
function minuteOrder(ts: Float64Array): number[] | null {
  for (let i = 1; i < ts.length; i++) {
    if (ts[i - 1] > ts[i]) return Array.from({ length: ts.length }, (_, j) => j).sort((a, b) => ts[a] - ts[b]);
  }
  return null;
}

function interleave(cols: Float64Array[], n: number): Float64Array {
  const c = cols.length;
  const out = new Float64Array(n * c);
  for (let k = 0; k < c; k++) for (let i = 0; i < n; i++) out[i * c + k] = cols[k][i];
  return out;
}

/**
 * Whether a dims set's day rows show any presence in [from, to): a probe
 * for the last minute with events then stops at once where there is none (a
 * family counting cache hits, for a dims set that never had one), instead of
 * walking a whole TTL of minute rows.
 */
const dayHas = (tenantId: number, presence: Presence, from: number, to: number) =>
  sql`EXISTS (SELECT 1 FROM log_rollups_day y WHERE y.tenant_id = ${tenantId} AND y.dims_id = m.dims_id AND y.day BETWEEN ${dayStartOf(from)} AND ${to} AND ${presenceSql("y", presence)})`;

const lastOf = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const emptyRows = (c: number): GroupRows => ({ dayTotals: new Float64Array(c), minutes: new Float64Array(0), deltas: new Float64Array(0), lastActive: null });

export function postgresDerivedReader(db: Db, tenantId: number): DerivedReader {
  let dims: Promise<DimsRow[]> | undefined;

  return {
    dims() {
      dims ??= db
        .execute<{ id: string; dims: Dims }>(sql`SELECT id, dims FROM log_dims WHERE tenant_id = ${tenantId} ORDER BY id`)
        .then((r) => r.rows.map((x) => ({ id: Number(x.id), dims: x.dims })));
      return dims;
    },

    async hasDims() {
      if (dims) return (await dims).length > 0;
      const r = await db.execute<{ found: boolean }>(sql`SELECT EXISTS (SELECT 1 FROM log_dims WHERE tenant_id = ${tenantId}) AS found`);
      return r.rows[0].found;
    },

    async rollups(groups, columns, presence, w, plan) {
      const c = columns.length;
      const m = groupMap(groups);
      const each = (f: (i: number) => SQL) => sql.join(columns.map((_, i) => f(i)), sql`, `);
      const name = (p: string, i: number) => sql.raw(`${p}${i}`);
      const res = await db.execute<Record<string, unknown>>(sql`
        WITH mins AS (
          SELECT ${m.groupOf("r")} AS g, r.minute, ${each((i) => sql`sum(${valueSql("r", columns[i])}) AS ${name("c", i)}`)}
          FROM log_rollups r
          WHERE r.tenant_id = ${tenantId} AND r.dims_id = ANY(${m.ids()}) AND r.minute BETWEEN ${plan.lo} AND ${plan.hi} AND ${presenceSql("r", presence)}
          GROUP BY 1, 2
        ),
        agg AS (
          SELECT x.g, string_agg(${minuteSql("x", plan.lo)}, ''::bytea) AS ts, ${each((i) => sql`string_agg(float8send(x.${name("c", i)}), ''::bytea) AS ${name("v", i)}`)}
          FROM mins x GROUP BY x.g
        ),
        days AS (
          SELECT ${m.groupOf("y")} AS g, ${each((i) => sql`sum(${valueSql("y", columns[i])}) AS ${name("d", i)}`)}
          FROM log_rollups_day y
          WHERE y.tenant_id = ${tenantId} AND y.dims_id = ANY(${m.ids()}) AND y.day <= ${plan.lastDay}
          GROUP BY 1
        ),
        live AS (
          SELECT m.g, max(l.minute) AS last
          FROM ${m.pairs()} CROSS JOIN LATERAL (
            SELECT r.minute FROM log_rollups r
            WHERE r.tenant_id = ${tenantId} AND r.dims_id = m.dims_id AND r.minute >= ${liveFrom(w)} AND r.minute < ${w.first} AND ${presenceSql("r", presence)}
              AND ${dayHas(tenantId, presence, liveFrom(w), w.first)}
            ORDER BY r.minute DESC LIMIT 1
          ) l GROUP BY m.g
        )
        SELECT coalesce(agg.g, days.g, live.g) AS g, agg.ts, ${each((i) => sql`agg.${name("v", i)}`)}, ${each((i) => sql`days.${name("d", i)}`)}, live.last
        FROM agg FULL JOIN days ON days.g = agg.g FULL JOIN live ON live.g = coalesce(agg.g, days.g)`);
      const out = groups.map(() => emptyRows(c));
      for (const row of res.rows) {
        let minutes = minutesOf(row.ts, plan.lo);
        let cols = columns.map((_, i) => readFloat8s(bytes(row[`v${i}`])));
        const order = minuteOrder(minutes);
        if (order) {
          minutes = Float64Array.from(order, (j) => minutes[j]);
          cols = cols.map((col) => permuteFloat64(col, order));
        }
        out[Number(row.g)] = {
          dayTotals: Float64Array.from(columns, (_, i) => Number(row[`d${i}`] ?? 0)),
          minutes,
          deltas: interleave(cols, minutes.length),
          lastActive: lastOf(row.last),
        };
      }
      return out;
    },

    async buckets(groups, hist, c, w, plan) {
      const h = checkedHist(hist);
      const m = groupMap(groups);
      // This histogram's part of a row's dense bucket array (rollup-spec BUCKET_OFFSET); a bucket is its place in it.
      const slice = sql.raw(`${BUCKET_OFFSET[h] + 1}:${BUCKET_OFFSET[h] + HISTOGRAMS[h].bounds.length + 1}`);
      const res = await db.execute<{ g: number; ts: unknown; bs: unknown; ns: unknown; dbs: unknown; dns: unknown; last: string | null }>(sql`
        WITH mins AS (
          SELECT ${m.groupOf("b")} AS g, b.minute, (u.o - 1)::int2 AS bucket, sum(u.n)::float8 AS n
          FROM log_rollup_hist b CROSS JOIN LATERAL unnest(b.buckets[${slice}]) WITH ORDINALITY u(n, o)
          WHERE b.tenant_id = ${tenantId} AND b.dims_id = ANY(${m.ids()}) AND b.minute BETWEEN ${plan.lo} AND ${plan.hi} AND u.n <> 0
          GROUP BY 1, 2, 3
        ),
        agg AS (
          SELECT x.g, string_agg(${minuteSql("x", plan.lo)}, ''::bytea) AS ts, string_agg(int2send(x.bucket), ''::bytea) AS bs, string_agg(float8send(x.n), ''::bytea) AS ns
          FROM mins x GROUP BY x.g
        ),
        days AS (
          SELECT x.g, string_agg(int2send(x.bucket), ''::bytea) AS dbs, string_agg(float8send(x.n), ''::bytea) AS dns
          FROM (
            SELECT ${m.groupOf("y")} AS g, (u.o - 1)::int2 AS bucket, sum(u.n)::float8 AS n
            FROM log_rollup_hist_day y CROSS JOIN LATERAL unnest(y.buckets[${slice}]) WITH ORDINALITY u(n, o)
            WHERE y.tenant_id = ${tenantId} AND y.dims_id = ANY(${m.ids()}) AND y.day <= ${plan.lastDay} AND u.n <> 0
            GROUP BY 1, 2
          ) x GROUP BY x.g
        ),
        live AS (
          SELECT m.g, max(l.minute) AS last
          FROM ${m.pairs()} CROSS JOIN LATERAL (
            SELECT r.minute FROM log_rollups r
            WHERE r.tenant_id = ${tenantId} AND r.dims_id = m.dims_id AND r.minute >= ${liveFrom(w)} AND r.minute < ${w.first} AND ${presenceSql("r", { hist: h })}
              AND ${dayHas(tenantId, { hist: h }, liveFrom(w), w.first)}
            ORDER BY r.minute DESC LIMIT 1
          ) l GROUP BY m.g
        )
        SELECT coalesce(agg.g, days.g, live.g) AS g, agg.ts, agg.bs, agg.ns, days.dbs, days.dns, live.last
        FROM agg FULL JOIN days ON days.g = agg.g FULL JOIN live ON live.g = coalesce(agg.g, days.g)`);
      const out = groups.map(() => emptyRows(c));
      for (const row of res.rows) {
        let minutes = minutesOf(row.ts, plan.lo);
        let bs = readInt2s(bytes(row.bs));
        let ns = readFloat8s(bytes(row.ns));
        const order = minuteOrder(minutes);
        if (order) {
          minutes = Float64Array.from(order, (j) => minutes[j]);
          bs = Int16Array.from(order, (j) => bs[j]);
          ns = permuteFloat64(ns, order);
        }
        const dense = denseBucketRows(minutes, bs, ns, c);
        const dayTotals = new Float64Array(c);
        const dbs = readInt2s(bytes(row.dbs));
        const dns = readFloat8s(bytes(row.dns));
        dbs.forEach((b, i) => {
          if (b >= 0 && b < c) dayTotals[b] += dns[i];
        });
        out[Number(row.g)] = { dayTotals, minutes: dense.minutes, deltas: dense.deltas, lastActive: lastOf(row.last) };
      }
      return out;
    },

    async live(pairs, from, to) {
      if (pairs.length === 0) return [];
      const kinds: Presence[] = [];
      const kindOf = new Map<string, number>();
      const ks = pairs.map(({ presence }) => {
        const key = JSON.stringify(presence);
        let k = kindOf.get(key);
        if (k === undefined) {
          kindOf.set(key, (k = kinds.length));
          kinds.push(presence);
        }
        return k;
      });
      const on = (alias: string) => sql`CASE q.k ${sql.join(kinds.map((p, i) => sql`WHEN ${sql.raw(String(i))} THEN ${presenceSql(alias, p)}`), sql` `)} END`;
      // The day rows rule out most (dims set, presence) pairs with nothing in the window at the cost of a row or two;
      // CASE keeps the minute scan behind that check.
      const res = await db.execute<{ i: string }>(sql`
        SELECT q.i FROM unnest(${sql.param(pairs.map((p) => p.dimsId))}::bigint[], ${sql.param(ks)}::int[]) WITH ORDINALITY AS q(dims_id, k, i)
        WHERE CASE WHEN EXISTS (
            SELECT 1 FROM log_rollups_day y
            WHERE y.tenant_id = ${tenantId} AND y.dims_id = q.dims_id AND y.day BETWEEN ${dayStartOf(from)} AND ${to} AND ${on("y")})
          THEN EXISTS (
            SELECT 1 FROM log_rollups r
            WHERE r.tenant_id = ${tenantId} AND r.dims_id = q.dims_id AND r.minute BETWEEN ${from} AND ${to} AND ${on("r")})
          ELSE false END`);
      const out = pairs.map(() => false);
      for (const r of res.rows) out[Number(r.i) - 1] = true;
      return out;
    },
  };
}
