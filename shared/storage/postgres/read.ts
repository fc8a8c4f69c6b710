// QueryStorage on Postgres: the only place that writes SQL for queries.
// Scraped series (series, samples) and series derived from request-log
// rollups (derived-read.ts) answer every call together, indistinguishable.
// Series are chosen in SQL where SQL decides matchers exactly, and re-checked
// with the engine's own matcher (passed in as `exact`) where it cannot (RE2
// regexes). Samples come back per series as two bytea columns, the int8
// timestamps and the float8 values, big-endian: one row per series, exact float
// bits, cheap to decode. Older samples are in compacted XOR chunks, fetched in
// the same row and merged with the head rows by chunk-read.ts.
import { sql, type SQL } from "drizzle-orm";
import type { Db } from "../../db";
import { NAME_LABEL, type Labels } from "../../labels";
import { STALE_NAN } from "../../staleness";
import { derivedStorage, type DerivedStorage } from "../derived/storage";
import { DEFAULT_DERIVED_TTL_MS } from "../derived/ttl";
import type { ExactMatcher, LabelMatcher, MetricMetadata, QueryStorage, SeriesData, TimeRange } from "../types";
import { asBytes, permuteFloat64, readFloat8s, readInt8s } from "./bytea";
import { chunkInRange, chunksOf, withChunks } from "./chunk-read";
import { postgresDerivedReader } from "./derived-read";
import { isUnstorable, planMatchers, planMatcherSets } from "./matchers";
import { checkedLabelNames, checkedLabelValues } from "./checked-lookups";
import { indexedLabelNames, indexedLabelValues, type IndexRead } from "./label-index-read";
import { boundsJoinFor } from "./bounds-join";
import { boundsInRange } from "./series-bounds";

export type { ExactMatcher } from "../types";

/**
 * The two aggregates see the rows in the same order: the time order of the
 * sorted subquery that feeds them (an ORDER BY inside each aggregate, or one
 * concatenated pair per row, made reads ~40% slower). Postgres does not
 * promise to keep a subquery's order for an aggregate, so check, and sort
 * here when needed, moving values as raw words.
 */
export function decodeSamples(tsBytes: unknown, valueBytes: unknown): { timestamps: Float64Array; values: Float64Array } {
  const timestamps = readInt8s(asBytes(tsBytes));
  const values = readFloat8s(asBytes(valueBytes));
  let sorted = true;
  for (let i = 1; i < timestamps.length && sorted; i++) sorted = timestamps[i - 1] < timestamps[i];
  if (sorted) return { timestamps, values };
  const order = Array.from({ length: timestamps.length }, (_, i) => i).sort((a, b) => timestamps[a] - timestamps[b]);
  return { timestamps: Float64Array.from(order, (j) => timestamps[j]), values: permuteFloat64(values, order) };
}

// NULL (a staleness marker) travels as STALE_NAN's bits.
const staleBytes = (() => {
  const b = new DataView(new ArrayBuffer(8));
  b.setFloat64(0, STALE_NAN);
  let hex = "";
  for (let i = 0; i < 8; i++) hex += b.getUint8(i).toString(16).padStart(2, "0");
  return `\\x${hex}`;
})();

const withName = (name: string, labels: Labels): Labels => ({ [NAME_LABEL]: name, ...labels });
const samplesSql = sql`string_agg(int8send(x.ts), ''::bytea) AS ts, string_agg(coalesce(float8send(x.value), ${staleBytes}::bytea), ''::bytea) AS vs`;
/**
 * One series' samples in range, per series through LATERAL: that keeps
 * the plan to one index range scan per series. As a join, a range covering
 * whole partitions made Postgres seq-scan every partition and hash-join (10x slower).
 */
/**
 * Times as bigint parameters: whole ms within +-2^62, so that no time the API or
 * an @ modifier lets through (1e20 s, 1e308 s) becomes "1e+23" or overflows bigint.
 * No sample lies outside that range.
 */
const TS_LIMIT = 2 ** 62;
function tsParam(t: number): number {
  if (Number.isNaN(t)) return -TS_LIMIT;
  return Math.max(-TS_LIMIT, Math.min(TS_LIMIT, Math.round(t)));
}
/** Head rows (d.ts, d.vs) and compacted chunks (k.cs, chunk-read.ts) of one series in range. */
const samplesOf = (seriesId: SQL, range: TimeRange) =>
  sql`CROSS JOIN LATERAL (SELECT ${samplesSql} FROM (SELECT ts, value FROM samples y WHERE y.series_id = ${seriesId} AND y.ts BETWEEN ${tsParam(range.start)} AND ${tsParam(range.end)} ORDER BY y.ts) x) d
    ${chunksOf(seriesId, tsParam(range.start), tsParam(range.end))}`;
const hasSamples = sql`(d.ts IS NOT NULL OR k.cs IS NOT NULL)`;
/** A row of samplesOf as the series' samples: chunks merged with head rows. */
function decodeRow(r: { ts: unknown; vs: unknown; cs: unknown }, range: TimeRange) {
  const head = r.ts === null ? { timestamps: new Float64Array(0), values: new Float64Array(0) } : decodeSamples(r.ts, r.vs);
  return withChunks(head, r.cs, { start: tsParam(range.start), end: tsParam(range.end) });
}
const inRange = (range: TimeRange) =>
  sql`EXISTS (SELECT 1 FROM samples x WHERE x.series_id = s.id AND x.ts BETWEEN ${tsParam(range.start)} AND ${tsParam(range.end)})`;
/** The lookups' range test: series bounds first, samples probed only where they cannot decide (series-bounds.ts). */
const lookupInRange = (range: TimeRange) => boundsInRange(tsParam(range.start), tsParam(range.end));
const limitSql = (limit?: number) => (limit && limit > 0 ? sql`LIMIT ${limit}` : sql``);

type SeriesRow = {
  id: string;
  metric_name: string;
  labels: Labels;
};

/** Scraped series: the series and samples tables. */
function scrapedStorage(db: Db, tenantId: number, exact: ExactMatcher): QueryStorage {
  /** Series matching any matcher set with samples in range, re-checked exactly where SQL could not decide. */
  async function matchingSeries(sets: LabelMatcher[][], range: TimeRange, limit?: number): Promise<Labels[] | null> {
    const plan = planMatcherSets(sets);
    if (!plan.residual) return null;
    const res = await db.execute<SeriesRow>(sql`
      SELECT s.id, s.metric_name, s.labels FROM series s ${await boundsJoinFor(db, tenantId, sets)}
      WHERE s.tenant_id = ${tenantId} AND ${plan.where} AND ${lookupInRange(range)}
      ORDER BY s.metric_name, s.labels::text`);
    const preds = sets.map(exact);
    const out = res.rows.map((r) => withName(r.metric_name, r.labels)).filter((l) => preds.some((p) => p(l)));
    return limit ? out.slice(0, limit) : out;
  }

  /** Without match[], label names and values come from the label index (label-index-read.ts). */
  const indexRead = (range: TimeRange, fallback: () => Promise<string[]>): IndexRead => ({
    db, tenantId, start: tsParam(range.start), end: tsParam(range.end), fallback,
  });

  return {
    async select(matchers: LabelMatcher[], range: TimeRange): Promise<SeriesData[]> {
      const plan = planMatchers(matchers);
      if (plan.residual.length === 0) {
        const res = await db.execute<SeriesRow & { ts: unknown; vs: unknown; cs: unknown }>(sql`
          SELECT s.metric_name, s.labels, d.ts, d.vs, k.cs FROM series s ${samplesOf(sql`s.id`, range)}
          WHERE s.tenant_id = ${tenantId} AND ${plan.where} AND ${hasSamples}`);
        return res.rows.map((r) => ({ labels: withName(r.metric_name, r.labels), ...decodeRow(r, range) }));
      }
      // Two steps: candidate series, the exact check, then samples of those that passed.
      const candidates = await db.execute<SeriesRow>(sql`
        SELECT s.id, s.metric_name, s.labels FROM series s
        WHERE s.tenant_id = ${tenantId} AND ${plan.where} AND (${inRange(range)} OR ${chunkInRange(tsParam(range.start), tsParam(range.end))})`);
      const pred = exact(matchers);
      const chosen = new Map<string, Labels>();
      for (const r of candidates.rows) {
        const labels = withName(r.metric_name, r.labels);
        if (pred(labels)) chosen.set(String(r.id), labels);
      }
      if (chosen.size === 0) return [];
      const res = await db.execute<{ series_id: string; ts: unknown; vs: unknown; cs: unknown }>(sql`
        SELECT c.id AS series_id, d.ts, d.vs, k.cs FROM unnest(${sql.param([...chosen.keys()])}::bigint[]) AS c(id) ${samplesOf(sql`c.id`, range)}
        WHERE ${hasSamples}`);
      return res.rows.map((r) => ({ labels: chosen.get(String(r.series_id))!, ...decodeRow(r, range) }));
    },

    async series(matcherSets: LabelMatcher[][], range: TimeRange, limit?: number): Promise<Labels[]> {
      const checked = await matchingSeries(matcherSets, range, limit);
      if (checked) return checked;
      const res = await db.execute<SeriesRow>(sql`
        SELECT s.metric_name, s.labels FROM series s ${await boundsJoinFor(db, tenantId, matcherSets)}
        WHERE s.tenant_id = ${tenantId} AND ${planMatcherSets(matcherSets).where} AND ${lookupInRange(range)}
        ORDER BY s.metric_name, s.labels::text ${limitSql(limit)}`);
      return res.rows.map((r) => withName(r.metric_name, r.labels));
    },

    async labelNames(matcherSets: LabelMatcher[][], range: TimeRange, limit?: number): Promise<string[]> {
      const plan = planMatcherSets(matcherSets);
      const bounds = await boundsJoinFor(db, tenantId, matcherSets);
      const where: SQL = sql`s.tenant_id = ${tenantId} AND ${plan.where} AND ${lookupInRange(range)}`;
      if (plan.residual) {
        const names = await checkedLabelNames(db, sql`FROM series s ${bounds} WHERE ${where}`, matcherSets, exact);
        return limit ? names.slice(0, limit) : names;
      }
      const fromSeries = async () => {
        // __name__ needs one matching series, not a row per series beside their keys.
        const res = await db.execute<{ name: string }>(sql`
          SELECT k AS name FROM (
            SELECT ${NAME_LABEL} AS k WHERE EXISTS (SELECT 1 FROM series s ${bounds} WHERE ${where})
            UNION
            SELECT DISTINCT jsonb_object_keys(s.labels) FROM series s ${bounds} WHERE ${where}
          ) names ORDER BY name ${limitSql(limit)}`);
        return res.rows.map((r) => r.name);
      };
      return matcherSets.length === 0 ? indexedLabelNames(indexRead(range, fromSeries), limit) : fromSeries();
    },

    async labelValues(name: string, matcherSets: LabelMatcher[][], range: TimeRange, limit?: number): Promise<string[]> {
      const plan = planMatcherSets(matcherSets);
      const bounds = await boundsJoinFor(db, tenantId, matcherSets);
      const col = name === NAME_LABEL ? sql`s.metric_name` : sql`s.labels ->> ${name}`;
      const where = sql`s.tenant_id = ${tenantId} AND ${col} IS NOT NULL AND ${plan.where} AND ${lookupInRange(range)}`;
      if (plan.residual) {
        const values = await checkedLabelValues(db, sql`FROM series s ${bounds} WHERE ${where}`, matcherSets, exact, name);
        return limit ? values.slice(0, limit) : values;
      }
      const fromSeries = async () => {
        const res = await db.execute<{ value: string }>(sql`
          SELECT DISTINCT ${col} AS value FROM series s ${bounds} WHERE ${where}
          ORDER BY value ${limitSql(limit)}`);
        return res.rows.map((r) => r.value);
      };
      return matcherSets.length === 0 ? indexedLabelValues(indexRead(range, fromSeries), name, limit) : fromSeries();
    },

    async metadata(metric?: string, limit?: number): Promise<Record<string, MetricMetadata[]>> {
      if (metric !== undefined && isUnstorable(metric)) return {};
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

export interface QueryStorageOptions {
  /** How long a derived series stays after its last event (DERIVED_SERIES_TTL); 24 h by default. */
  derivedTtlMs?: number;
  /** The clock: derived series have no samples after the current minute. */
  now?: () => number;
}

/**
 * A label set's identity and Prometheus's series order in one string: pairs by
 * name, each name and value closed by a byte below any character they hold.
 */
function labelsKey(l: Labels): string {
  let k = "";
  for (const name of Object.keys(l).sort()) k += `${name}\u0000${l[name]}\u0001`;
  return k;
}

/** Series of both kinds in Prometheus's order, a pushed series winning over a derived one with its exact labels. */
function mergeSeries(a: Labels[], b: Labels[], limit?: number): Labels[] {
  const keyed = new Map<string, Labels>();
  for (const l of b) keyed.set(labelsKey(l), l);
  for (const l of a) keyed.set(labelsKey(l), l);
  const out = [...keyed.keys()].sort().map((k) => keyed.get(k)!);
  return limit ? out.slice(0, limit) : out;
}

function sortedUnion(a: string[], b: Iterable<string>, limit?: number): string[] {
  const all = new Set(a);
  for (const v of b) all.add(v);
  const out = [...all].sort();
  return limit ? out.slice(0, limit) : out;
}

function* namesOf(sets: Labels[]) {
  for (const l of sets) for (const k in l) yield k;
}

export function postgresQueryStorage(db: Db, tenantId: number, exact: ExactMatcher, opts: QueryStorageOptions = {}): QueryStorage {
  const scraped = scrapedStorage(db, tenantId, exact);
  const derived: DerivedStorage = derivedStorage(postgresDerivedReader(db, tenantId), exact, {
    ttlMs: opts.derivedTtlMs ?? DEFAULT_DERIVED_TTL_MS,
    now: opts.now ?? Date.now,
  });

  return {
    async select(matchers, range, hints) {
      const [a, b] = await Promise.all([scraped.select(matchers, range, hints), derived.select(matchers, range)]);
      if (b.length === 0) return a;
      if (a.length === 0) return b;
      // A pushed series with a derived one's exact labels wins: one series per label set.
      const taken = new Set(a.map((s) => labelsKey(s.labels)));
      return a.concat(b.filter((s) => !taken.has(labelsKey(s.labels))));
    },

    async series(matcherSets, range, limit) {
      const [a, b] = await Promise.all([scraped.series(matcherSets, range, limit), derived.series(matcherSets, range)]);
      return b.length === 0 ? a : mergeSeries(a, b, limit);
    },

    async labelNames(matcherSets, range, limit) {
      const [a, b] = await Promise.all([scraped.labelNames(matcherSets, range, limit), derived.series(matcherSets, range)]);
      return b.length === 0 ? a : sortedUnion(a, namesOf(b), limit);
    },

    async labelValues(name, matcherSets, range, limit) {
      const [a, b] = await Promise.all([scraped.labelValues(name, matcherSets, range, limit), derived.series(matcherSets, range)]);
      const values = new Set<string>();
      for (const l of b) if (l[name] !== undefined) values.add(l[name]);
      return values.size === 0 ? a : sortedUnion(a, values, limit);
    },

    async metadata(metric, limit) {
      const [a, b] = await Promise.all([scraped.metadata(metric, limit), derived.metadata(metric)]);
      const names = Object.keys(b);
      if (names.length === 0) return a;
      const out: Record<string, MetricMetadata[]> = { ...a };
      for (const n of names) {
        const have = out[n] ?? [];
        // Prometheus lists each distinct (type, help, unit) once.
        const add = b[n].filter((m) => !have.some((h) => h.type === m.type && h.help === m.help && h.unit === m.unit));
        out[n] = have.concat(add);
      }
      const sorted = Object.keys(out).sort();
      return Object.fromEntries((limit ? sorted.slice(0, limit) : sorted).map((n) => [n, out[n]]));
    },
  };
}
