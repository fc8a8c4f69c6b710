// The SQL behind derived series (shared/storage/derived/): a tenant's dims
// sets, and per group of dims sets (one projected series) its rollups summed in
// SQL, so one row per series comes back whatever the number of dims sets: the
// minutes with events and their deltas as packed bytea, the day totals before
// the range, and the last minute with events before it. Each read is one
// statement, so its parts see one snapshot. Every scan is per dims set through
// LATERAL (the primary key (tenant_id, dims_id, minute) range), never a scan of
// the tenant's table.
import { sql, type SQL } from "drizzle-orm";
import type { Db } from "../../db";
import { HISTOGRAMS, dayStartOf, type Dims } from "../../logs/rollup-spec";
import type { Presence } from "../derived/catalogue";
import type { GroupRows, PrefixPlan, Window } from "../derived/cumulation";
import { denseBucketRows, liveFrom } from "../derived/cumulation";
import type { DimsRow } from "../derived/projection";
import type { ColumnRef, DerivedReader } from "../derived/storage";
import { asBytes, permuteFloat64, readFloat8s, readInt2s, readInt8s } from "./bytea";

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

const groupsSql = (groups: number[][]) => {
  const ids: number[] = [];
  const gs: number[] = [];
  groups.forEach((g, i) => g.forEach((id) => (ids.push(id), gs.push(i))));
  return sql`m(dims_id, g) AS MATERIALIZED (SELECT * FROM unnest(${sql.param(ids)}::bigint[], ${sql.param(gs)}::int[]))`;
};

const bytes = (v: unknown) => (v === null || v === undefined ? new Uint8Array(0) : asBytes(v));

/** Minutes and their C-wide rows, in minute order (the aggregate saw a sorted subquery; checked, sorted here if not). */
function rowsOf(ts: Float64Array, cols: Float64Array[]): { minutes: Float64Array; cols: Float64Array[] } {
  let sorted = true;
  for (let i = 1; i < ts.length && sorted; i++) sorted = ts[i - 1] <= ts[i];
  if (sorted) return { minutes: ts, cols };
  const order = Array.from({ length: ts.length }, (_, i) => i).sort((a, b) => ts[a] - ts[b]);
  return { minutes: Float64Array.from(order, (j) => ts[j]), cols: cols.map((c) => permuteFloat64(c, order)) };
}

function interleave(cols: Float64Array[], n: number): Float64Array {
  const c = cols.length;
  const out = new Float64Array(n * c);
  for (let k = 0; k < c; k++) for (let i = 0; i < n; i++) out[i * c + k] = cols[k][i];
  return out;
}

const lastOf = (v: unknown) => (v === null || v === undefined ? null : Number(v));

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
      const k = (p: string) => sql.raw(columns.map((_, i) => p.replaceAll("#", String(i))).join(", "));
      const res = await db.execute<Record<string, unknown>>(sql`
        WITH ${groupsSql(groups)},
        mins AS (
          SELECT m.g, l.minute, ${k("sum(l.c#) AS c#")}
          FROM m CROSS JOIN LATERAL (
            SELECT r.minute, ${sql.join(columns.map((col, i) => sql`${valueSql("r", col)} AS ${sql.raw(`c${i}`)}`), sql`, `)}
            FROM log_rollups r
            WHERE r.tenant_id = ${tenantId} AND r.dims_id = m.dims_id AND r.minute BETWEEN ${plan.lo} AND ${plan.hi} AND ${presenceSql("r", presence)}
          ) l GROUP BY m.g, l.minute
        ),
        agg AS (
          SELECT x.g, string_agg(int8send(x.minute), ''::bytea) AS ts, ${k("string_agg(float8send(x.c#), ''::bytea) AS v#")}
          FROM (SELECT * FROM mins ORDER BY g, minute) x GROUP BY x.g
        ),
        days AS (
          SELECT m.g, ${k("sum(l.c#) AS d#")}
          FROM m CROSS JOIN LATERAL (
            SELECT ${sql.join(columns.map((col, i) => sql`${valueSql("y", col)} AS ${sql.raw(`c${i}`)}`), sql`, `)}
            FROM log_rollups_day y WHERE y.tenant_id = ${tenantId} AND y.dims_id = m.dims_id AND y.day <= ${plan.lastDay}
          ) l GROUP BY m.g
        ),
        live AS (
          SELECT m.g, max(l.minute) AS last
          FROM m CROSS JOIN LATERAL (
            SELECT r.minute FROM log_rollups r
            WHERE r.tenant_id = ${tenantId} AND r.dims_id = m.dims_id AND r.minute >= ${liveFrom(w)} AND r.minute < ${w.first} AND ${presenceSql("r", presence)}
            ORDER BY r.minute DESC LIMIT 1
          ) l GROUP BY m.g
        )
        SELECT g.g, agg.ts, ${k("agg.v#")}, ${k("days.d#")}, live.last
        FROM (SELECT DISTINCT g FROM m) g LEFT JOIN agg USING (g) LEFT JOIN days USING (g) LEFT JOIN live USING (g)`);
      const out: GroupRows[] = groups.map(() => ({ dayTotals: new Float64Array(c), minutes: new Float64Array(0), deltas: new Float64Array(0), lastActive: null }));
      for (const row of res.rows) {
        const { minutes, cols } = rowsOf(readInt8s(bytes(row.ts)), columns.map((_, i) => readFloat8s(bytes(row[`v${i}`]))));
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
      const res = await db.execute<{ g: number; ts: unknown; bs: unknown; ns: unknown; dbs: unknown; dns: unknown; last: string | null }>(sql`
        WITH ${groupsSql(groups)},
        mins AS (
          SELECT m.g, l.minute, l.bucket, sum(l.n) AS n
          FROM m CROSS JOIN LATERAL (
            SELECT b.minute, b.bucket, b.n::float8 AS n FROM log_rollup_buckets b
            WHERE b.tenant_id = ${tenantId} AND b.dims_id = m.dims_id AND b.minute BETWEEN ${plan.lo} AND ${plan.hi} AND b.hist = ${h}
          ) l GROUP BY m.g, l.minute, l.bucket
        ),
        agg AS (
          SELECT x.g, string_agg(int8send(x.minute), ''::bytea) AS ts, string_agg(int2send(x.bucket), ''::bytea) AS bs, string_agg(float8send(x.n), ''::bytea) AS ns
          FROM (SELECT * FROM mins ORDER BY g, minute) x GROUP BY x.g
        ),
        days AS (
          SELECT x.g, string_agg(int2send(x.bucket), ''::bytea) AS dbs, string_agg(float8send(x.n), ''::bytea) AS dns
          FROM (
            SELECT m.g, l.bucket, sum(l.n) AS n
            FROM m CROSS JOIN LATERAL (
              SELECT y.bucket, y.n::float8 AS n FROM log_rollup_buckets_day y
              WHERE y.tenant_id = ${tenantId} AND y.dims_id = m.dims_id AND y.day <= ${plan.lastDay} AND y.hist = ${h}
            ) l GROUP BY m.g, l.bucket
          ) x GROUP BY x.g
        ),
        live AS (
          SELECT m.g, max(l.minute) AS last
          FROM m CROSS JOIN LATERAL (
            SELECT b.minute FROM log_rollup_buckets b
            WHERE b.tenant_id = ${tenantId} AND b.dims_id = m.dims_id AND b.minute >= ${liveFrom(w)} AND b.minute < ${w.first} AND b.hist = ${h}
            ORDER BY b.minute DESC LIMIT 1
          ) l GROUP BY m.g
        )
        SELECT g.g, agg.ts, agg.bs, agg.ns, days.dbs, days.dns, live.last
        FROM (SELECT DISTINCT g FROM m) g LEFT JOIN agg USING (g) LEFT JOIN days USING (g) LEFT JOIN live USING (g)`);
      const out: GroupRows[] = groups.map(() => ({ dayTotals: new Float64Array(c), minutes: new Float64Array(0), deltas: new Float64Array(0), lastActive: null }));
      for (const row of res.rows) {
        const ts = readInt8s(bytes(row.ts));
        const bs = readInt2s(bytes(row.bs));
        const ns = readFloat8s(bytes(row.ns));
        // Sort (minute, bucket, n) together when the aggregate did not see the subquery's order.
        const { minutes, cols } = rowsOf(ts, [Float64Array.from(bs), ns]);
        const dense = denseBucketRows(minutes, Int16Array.from(cols[0]), cols[1], c);
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
