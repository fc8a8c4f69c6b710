// Adds rollup deltas (shared/logs/rollup.ts) to the four rollup tables: one
// set-based upsert per table, each row's sums added to what is there. Rows go
// in sorted by primary key and the tables in a fixed order, so concurrent
// writers lock the same rows in the same order and cannot deadlock.
import { sql, type SQL } from "drizzle-orm";
import type { Db } from "../../db";
import type { BucketDelta, RollupDelta, RollupDeltas } from "../../logs/rollup";
import { HISTOGRAMS } from "../../logs/rollup-spec";
import { resolveDimsIds } from "./log-dims";
import { pgNumbers } from "./pg-array";

type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
type Exec = Pick<Db | Tx, "execute">;

/** (tenant, dimsKey) -> log_dims.id, for every dims the deltas name. */
export type DimsIds = Map<string, number>;

export const dimsIdKey = (tenantId: number, key: string) => `${tenantId}\u0001${key}`;

/** Resolves the dims of deltas (or of the rows that will make them) before a transaction. */
export async function dimsIdsOf(db: Db, entries: RollupDeltas["dims"]): Promise<DimsIds> {
  const ids = await resolveDimsIds(db, entries);
  return new Map(entries.map((e, i) => [dimsIdKey(e.tenantId, e.key), ids[i]]));
}


type Keyed<T> = T & { dimsId: number };

function withIds<T extends RollupDelta | BucketDelta>(rows: readonly T[], ids: DimsIds): Keyed<T>[] {
  return rows.map((r) => {
    const dimsId = ids.get(dimsIdKey(r.tenantId, r.dimsKey));
    if (dimsId === undefined) throw new Error(`rollup dims not resolved: tenant ${r.tenantId} ${r.dimsKey}`);
    return { ...r, dimsId };
  });
}

const byKey = (a: Keyed<RollupDelta>, b: Keyed<RollupDelta>) => a.tenantId - b.tenantId || a.dimsId - b.dimsId || a.at - b.at;
const byBucketKey = (a: Keyed<BucketDelta>, b: Keyed<BucketDelta>) =>
  a.tenantId - b.tenantId || a.dimsId - b.dimsId || a.at - b.at || a.hist - b.hist || a.bucket - b.bucket;

const SUMS = [
  ["requests", "bigint", (r: RollupDelta) => r.requests],
  ["input_tokens", "bigint", (r: RollupDelta) => r.inputTokens],
  ["output_tokens", "bigint", (r: RollupDelta) => r.outputTokens],
  ["total_tokens", "bigint", (r: RollupDelta) => r.totalTokens],
  ["cached_tokens", "bigint", (r: RollupDelta) => r.cachedTokens],
  ["cost_usd", "float8", (r: RollupDelta) => r.costUsd],
  ["cache_hits", "bigint", (r: RollupDelta) => r.cacheHits],
  ["cache_misses", "bigint", (r: RollupDelta) => r.cacheMisses],
] as const;
const H = HISTOGRAMS.map((h) => h.id);
// Arrays of arrays do not unnest row by row: each histogram's count and sum
// travel as a column of their own and are put back together in SQL.
const histArray = (prefix: string) => `ARRAY[${H.map((i) => `t.${prefix}${i}`).join(", ")}]`;
// Element-wise sum; an element an older, shorter array lacks counts as 0.
const histAdd = (col: string) => `ARRAY[${H.map((i) => `coalesce(r.${col}[${i + 1}], 0) + excluded.${col}[${i + 1}]`).join(", ")}]`;

function upsertSums(table: "log_rollups" | "log_rollups_day", at: "minute" | "day", rows: Keyed<RollupDelta>[]): SQL {
  const cols: Array<[string, string, string]> = [
    ["tenant_id", "integer", pgNumbers(rows.map((r) => r.tenantId))],
    ["dims_id", "bigint", pgNumbers(rows.map((r) => r.dimsId))],
    ["at", "bigint", pgNumbers(rows.map((r) => r.at))],
    ...SUMS.map(([c, type, get]) => [c, type, pgNumbers(rows.map(get))] as [string, string, string]),
    ...H.map((i) => [`hc${i}`, "bigint", pgNumbers(rows.map((r) => r.histCount[i]))] as [string, string, string]),
    ...H.map((i) => [`hs${i}`, "float8", pgNumbers(rows.map((r) => r.histSum[i]))] as [string, string, string]),
  ];
  const sums = SUMS.map(([c]) => c);
  return sql`
    INSERT INTO ${sql.raw(table)} AS r (tenant_id, dims_id, ${sql.raw(at)}, ${sql.raw(sums.join(", "))}, hist_count, hist_sum)
    SELECT t.tenant_id, t.dims_id, t.at, ${sql.raw(sums.map((c) => `t.${c}`).join(", "))}, ${sql.raw(histArray("hc"))}, ${sql.raw(histArray("hs"))}
    FROM unnest(${sql.join(cols.map(([, type, lit]) => sql`${lit}::${sql.raw(type)}[]`), sql`, `)}) AS t(${sql.raw(cols.map(([c]) => c).join(", "))})
    ON CONFLICT (tenant_id, dims_id, ${sql.raw(at)}) DO UPDATE SET
      ${sql.raw(sums.map((c) => `${c} = r.${c} + excluded.${c}`).join(", "))},
      hist_count = ${sql.raw(histAdd("hist_count"))}, hist_sum = ${sql.raw(histAdd("hist_sum"))}`;
}

function upsertBuckets(table: "log_rollup_buckets" | "log_rollup_buckets_day", at: "minute" | "day", rows: Keyed<BucketDelta>[]): SQL {
  return sql`
    INSERT INTO ${sql.raw(table)} AS r (tenant_id, dims_id, ${sql.raw(at)}, hist, bucket, n)
    SELECT * FROM unnest(${pgNumbers(rows.map((r) => r.tenantId))}::integer[], ${pgNumbers(rows.map((r) => r.dimsId))}::bigint[],
      ${pgNumbers(rows.map((r) => r.at))}::bigint[], ${pgNumbers(rows.map((r) => r.hist))}::smallint[],
      ${pgNumbers(rows.map((r) => r.bucket))}::smallint[], ${pgNumbers(rows.map((r) => r.n))}::bigint[])
    ON CONFLICT (tenant_id, dims_id, ${sql.raw(at)}, hist, bucket) DO UPDATE SET n = r.n + excluded.n`;
}

/** Adds the deltas to the rollup tables (in the caller's transaction); every dims must be in ids. */
export async function addRollups(tx: Exec, deltas: RollupDeltas, ids: DimsIds): Promise<void> {
  const minutes = withIds(deltas.minutes, ids).sort(byKey);
  const minuteBuckets = withIds(deltas.minuteBuckets, ids).sort(byBucketKey);
  const days = withIds(deltas.days, ids).sort(byKey);
  const dayBuckets = withIds(deltas.dayBuckets, ids).sort(byBucketKey);
  if (minutes.length > 0) await tx.execute(upsertSums("log_rollups", "minute", minutes));
  if (minuteBuckets.length > 0) await tx.execute(upsertBuckets("log_rollup_buckets", "minute", minuteBuckets));
  if (days.length > 0) await tx.execute(upsertSums("log_rollups_day", "day", days));
  if (dayBuckets.length > 0) await tx.execute(upsertBuckets("log_rollup_buckets_day", "day", dayBuckets));
}
