// Adds rollup deltas (shared/logs/rollup.ts) to the five rollup tables: one
// set-based upsert per table. Bucket counts travel as one dense array per
// rollup row (in the hour row itself, in log_rollup_hist(_day) for minutes and
// days), each added element-wise on conflict; each row's sums added to what is there. Rows go
// in sorted by primary key and the tables in a fixed order, so concurrent
// writers lock the same rows in the same order and cannot deadlock.
import { sql, type SQL } from "drizzle-orm";
import type { Db, Tx } from "../../db";
import type { DimsEntry, RollupDelta, RollupDeltas } from "../../logs/rollup";
import { BUCKET_SLOTS, HISTOGRAMS } from "../../logs/rollup-spec";
import { resolveDimsIds } from "./log-dims";
import { pgNumbers, pgTexts } from "./pg-array";

type Exec = Pick<Db | Tx, "execute">;

/** log_dims.id of every dims entry the deltas name (the entries themselves as keys). */
export type DimsIds = Map<DimsEntry, number>;

/** Resolves the dims of deltas (or of the rows that will make them) before a transaction. */
export async function dimsIdsOf(db: Db, entries: readonly DimsEntry[]): Promise<DimsIds> {
  const ids = await resolveDimsIds(db, entries);
  return new Map(entries.map((e, i) => [e, ids[i]]));
}


/** The deltas in primary-key order (tenant, dims id, minute or day), with their dims ids. */
interface KeyOrder {
  order: number[];
  dimsIds: number[];
}

function inKeyOrder(rows: readonly RollupDelta[], ids: DimsIds): KeyOrder {
  const dimsIds = rows.map((r) => {
    const id = ids.get(r.dims);
    if (id === undefined) throw new Error(`rollup dims not resolved: tenant ${r.tenantId} ${r.dims.key}`);
    return id;
  });
  const order = rows.map((_, i) => i).sort((a, b) => rows[a].tenantId - rows[b].tenantId || dimsIds[a] - dimsIds[b] || rows[a].at - rows[b].at);
  return { order, dimsIds };
}

const SUMS: Array<[column: string, type: string, get: (r: RollupDelta) => number]> = [
  ["requests", "bigint", (r) => r.requests],
  ["input_tokens", "bigint", (r) => r.inputTokens],
  ["output_tokens", "bigint", (r) => r.outputTokens],
  ["total_tokens", "bigint", (r) => r.totalTokens],
  ["cached_tokens", "bigint", (r) => r.cachedTokens],
  ["cost_usd", "float8", (r) => r.costUsd],
  ["cache_hits", "bigint", (r) => r.cacheHits],
  ["cache_misses", "bigint", (r) => r.cacheMisses],
];
const H = HISTOGRAMS.map((h) => h.id);
// Arrays of arrays do not unnest row by row: each histogram's count and sum
// travel as a column of their own and are put back together in SQL.
const histArray = (prefix: string) => `ARRAY[${H.map((i) => `t.${prefix}${i}`).join(", ")}]`;
// Element-wise sum; an element an older, shorter array lacks counts as 0.
// (Three times faster than an SQL function over unnest ... WITH ORDINALITY.)
const arrayAdd = (col: string, n: number) => `ARRAY[${Array.from({ length: n }, (_, i) => `coalesce(r.${col}[${i + 1}], 0) + excluded.${col}[${i + 1}]`).join(", ")}]`;
const histAdd = (col: string) => arrayAdd(col, H.length);

type SumsTable = ["log_rollups", "minute"] | ["log_rollups_hour", "hour"] | ["log_rollups_day", "day"];
type HistTable = ["log_rollup_hist", "minute"] | ["log_rollup_hist_day", "day"];

/** Upserts the sums; with dense, each row's bucket counts go into its buckets array too (the hour tier). */
function upsertSums([table, at]: SumsTable, rows: readonly RollupDelta[], { order, dimsIds }: KeyOrder, dense = false): SQL {
  const col = (get: (r: RollupDelta) => number) => pgNumbers(order.map((i) => get(rows[i])));
  const cols: Array<[string, string, string]> = [
    ["tenant_id", "integer", col((r) => r.tenantId)],
    ["dims_id", "bigint", pgNumbers(order.map((i) => dimsIds[i]))],
    ["at", "bigint", col((r) => r.at)],
    ...SUMS.map(([c, type, get]): [string, string, string] => [c, type, col(get)]),
    ...H.map((h): [string, string, string] => [`hc${h}`, "bigint", col((r) => r.histCount[h])]),
    ...H.map((h): [string, string, string] => [`hs${h}`, "float8", col((r) => r.histSum[h])]),
  ];
  if (dense) cols.push(["b", "text", slotsText(rows, order)]);
  const sums = SUMS.map(([c]) => c);
  return sql`
    INSERT INTO ${sql.raw(table)} AS r (tenant_id, dims_id, ${sql.raw(at)}, ${sql.raw(sums.join(", "))}, hist_count, hist_sum${sql.raw(dense ? ", buckets" : "")})
    SELECT t.tenant_id, t.dims_id, t.at, ${sql.raw(sums.map((c) => `t.${c}`).join(", "))}, ${sql.raw(histArray("hc"))}, ${sql.raw(histArray("hs"))}${sql.raw(dense ? ", t.b::bigint[]" : "")}
    FROM unnest(${sql.join(cols.map(([, type, lit]) => sql`${lit}::${sql.raw(type)}[]`), sql`, `)}) AS t(${sql.raw(cols.map(([c]) => c).join(", "))})
    ON CONFLICT (tenant_id, dims_id, ${sql.raw(at)}) DO UPDATE SET
      ${sql.raw(sums.map((c) => `${c} = r.${c} + excluded.${c}`).join(", "))},
      hist_count = ${sql.raw(histAdd("hist_count"))}, hist_sum = ${sql.raw(histAdd("hist_sum"))}${sql.raw(dense ? `, buckets = ${arrayAdd("buckets", BUCKET_SLOTS)}` : "")}`;
}

/** Each row's dense counts as one array literal, unnested as text and cast back row by row. */
const slotsText = (rows: readonly RollupDelta[], order: readonly number[]) => pgTexts(order.map((i) => `{${rows[i].slots.join(",")}}`));

/** The bucket arrays of the deltas that have any observation, in primary-key order. */
function upsertHist([table, at]: HistTable, rows: readonly RollupDelta[], { order, dimsIds }: KeyOrder): SQL | null {
  const some = order.filter((i) => rows[i].buckets.length > 0);
  if (some.length === 0) return null;
  return sql`
    INSERT INTO ${sql.raw(table)} AS r (tenant_id, dims_id, ${sql.raw(at)}, buckets)
    SELECT t.tenant_id, t.dims_id, t.at, t.b::bigint[]
    FROM unnest(${pgNumbers(some.map((i) => rows[i].tenantId))}::integer[], ${pgNumbers(some.map((i) => dimsIds[i]))}::bigint[],
      ${pgNumbers(some.map((i) => rows[i].at))}::bigint[], ${slotsText(rows, some)}::text[]) AS t(tenant_id, dims_id, at, b)
    ON CONFLICT (tenant_id, dims_id, ${sql.raw(at)}) DO UPDATE SET buckets = ${sql.raw(arrayAdd("buckets", BUCKET_SLOTS))}`;
}

/** Adds the deltas to the rollup tables (in the caller's transaction); every dims must be in ids. */
export async function addRollups(tx: Exec, deltas: RollupDeltas, ids: DimsIds): Promise<void> {
  // Minutes, hours, days, in that order (rollup-rebuild deletes in it too).
  const tiers: Array<[RollupDelta[], SumsTable, HistTable | null]> = [
    [deltas.minutes, ["log_rollups", "minute"], ["log_rollup_hist", "minute"]],
    [deltas.hours, ["log_rollups_hour", "hour"], null],
    [deltas.days, ["log_rollups_day", "day"], ["log_rollup_hist_day", "day"]],
  ];
  for (const [rows, sums, buckets] of tiers) {
    if (rows.length === 0) continue;
    const order = inKeyOrder(rows, ids);
    await tx.execute(upsertSums(sums, rows, order, buckets === null));
    const b = buckets && upsertHist(buckets, rows, order);
    if (b) await tx.execute(b);
  }
}
