// QueryStorage on Postgres: the only place that writes SQL for queries.
// Samples come back per series as one bytea of (int8 ts, float8 value) pairs,
// big-endian: one row per series, exact float bits, and cheap to decode.
import { sql } from "drizzle-orm";
import type { Db } from "../../db";
import { NAME_LABEL, type Labels } from "../../labels";
import { STALE_NAN } from "../../staleness";
import type { LabelMatcher, MetricMetadata, QueryStorage, SeriesData, TimeRange } from "../types";
import { matcherSetsSql, matchersSql } from "./matchers";

function asBytes(v: unknown): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (typeof v === "string" && v.startsWith("\\x")) {
    const out = new Uint8Array((v.length - 2) / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(v.substr(2 + 2 * i, 2), 16);
    return out;
  }
  throw new Error(`unexpected bytea value of type ${typeof v}`);
}

function decodePairs(v: unknown): { timestamps: Float64Array; values: Float64Array } {
  const bytes = asBytes(v);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = bytes.byteLength / 16;
  const timestamps = new Float64Array(n);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    timestamps[i] = Number(view.getBigInt64(16 * i));
    values[i] = view.getFloat64(16 * i + 8);
  }
  return { timestamps, values };
}

// NULL (a staleness marker) travels as STALE_NAN's bits.
const staleBytes = (() => {
  const b = new DataView(new ArrayBuffer(8));
  b.setFloat64(0, STALE_NAN);
  let hex = "";
  for (let i = 0; i < 8; i++) hex += b.getUint8(i).toString(16).padStart(2, "0");
  return `\\x${hex}`;
})();

function withName(name: string, labels: Labels): Labels {
  return { [NAME_LABEL]: name, ...labels };
}

const inRange = (range: TimeRange) =>
  sql`EXISTS (SELECT 1 FROM samples x WHERE x.series_id = s.id AND x.ts BETWEEN ${range.start} AND ${range.end})`;

const limitSql = (limit?: number) => (limit && limit > 0 ? sql`LIMIT ${limit}` : sql``);

export function postgresQueryStorage(db: Db, tenantId: number): QueryStorage {
  return {
    async select(matchers: LabelMatcher[], range: TimeRange): Promise<SeriesData[]> {
      const res = await db.execute<{ metric_name: string; labels: Labels; data: unknown }>(sql`
        SELECT s.metric_name, s.labels,
          string_agg(int8send(x.ts) || coalesce(float8send(x.value), ${staleBytes}::bytea), ''::bytea ORDER BY x.ts) AS data
        FROM series s JOIN samples x ON x.series_id = s.id
        WHERE s.tenant_id = ${tenantId} AND ${matchersSql(matchers)} AND x.ts BETWEEN ${range.start} AND ${range.end}
        GROUP BY s.id, s.metric_name, s.labels`);
      return res.rows.map((r) => ({ labels: withName(r.metric_name, r.labels), ...decodePairs(r.data) }));
    },

    async series(matcherSets: LabelMatcher[][], range: TimeRange, limit?: number): Promise<Labels[]> {
      const res = await db.execute<{ metric_name: string; labels: Labels }>(sql`
        SELECT s.metric_name, s.labels FROM series s
        WHERE s.tenant_id = ${tenantId} AND ${matcherSetsSql(matcherSets)} AND ${inRange(range)}
        ORDER BY s.metric_name, s.labels::text ${limitSql(limit)}`);
      return res.rows.map((r) => withName(r.metric_name, r.labels));
    },

    async labelNames(matcherSets: LabelMatcher[][], range: TimeRange, limit?: number): Promise<string[]> {
      const res = await db.execute<{ name: string }>(sql`
        SELECT DISTINCT k AS name FROM (
          SELECT ${NAME_LABEL} AS k FROM series s WHERE s.tenant_id = ${tenantId} AND ${matcherSetsSql(matcherSets)} AND ${inRange(range)}
          UNION
          SELECT jsonb_object_keys(s.labels) FROM series s WHERE s.tenant_id = ${tenantId} AND ${matcherSetsSql(matcherSets)} AND ${inRange(range)}
        ) names ORDER BY name ${limitSql(limit)}`);
      return res.rows.map((r) => r.name);
    },

    async labelValues(name: string, matcherSets: LabelMatcher[][], range: TimeRange, limit?: number): Promise<string[]> {
      const col = name === NAME_LABEL ? sql`s.metric_name` : sql`s.labels ->> ${name}`;
      const res = await db.execute<{ value: string }>(sql`
        SELECT DISTINCT ${col} AS value FROM series s
        WHERE s.tenant_id = ${tenantId} AND ${col} IS NOT NULL AND ${matcherSetsSql(matcherSets)} AND ${inRange(range)}
        ORDER BY value ${limitSql(limit)}`);
      return res.rows.map((r) => r.value);
    },

    async metadata(metric?: string, limit?: number): Promise<Record<string, MetricMetadata[]>> {
      const res = await db.execute<{ metric_name: string; type: string; help: string; unit: string }>(sql`
        SELECT metric_name, type, help, unit FROM metric_metadata
        WHERE tenant_id = ${tenantId} ${metric ? sql`AND metric_name = ${metric}` : sql``}
        ORDER BY metric_name ${limitSql(limit)}`);
      const out: Record<string, MetricMetadata[]> = {};
      for (const r of res.rows) out[r.metric_name] = [{ type: r.type, help: r.help, unit: r.unit }];
      return out;
    },
  };
}
