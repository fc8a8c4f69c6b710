// WriteStorage on Postgres. Message parts are written in one transaction with
// one set-based statement per table (claims, samples, metadata / log rows and
// their rollups): each part's claim in ingested_batches makes a redelivered
// part a no-op, and rows themselves are idempotent (ON CONFLICT DO NOTHING;
// for samples, only once a plain INSERT met a stored row), so any replay
// changes nothing. Rollups add only the logs the INSERT wrote.
import { sql, type SQL } from "drizzle-orm";
import type { Db, Tx } from "../../db";
import type { LogRow, LogsMessage, MetricsMessage, QueueMetadata } from "../../contracts/queue";
import { DimsIndex, rollupDeltas, type TenantLog } from "../../logs/rollup";
import type { WriteResult, WriteStorage } from "../types";
import { sqlState } from "./errors";
import { dayOf, ensureDays, forgetIfPartitionMissing } from "./partitions";
import { pgBooleans, pgNumbers, pgTexts } from "./pg-array";
import { addRollups, dimsIdsOf, type DimsIds } from "./rollup-write";
import { SampleLiterals } from "./sample-literals";
import { indexedSpans, spansToIndex, widenLabelIndex } from "./label-index-write";
import { widenBounds, type Span } from "./series-bounds";
import { resolveSeriesIds } from "./series-ids";

type Part = Pick<MetricsMessage, "tenantId" | "batchId" | "part">;

/** Claims every part at once; returns which of them were not written before (first of equal parts only). */
async function claim(tx: Tx, parts: Part[], kind: string, rows: number[]): Promise<boolean[]> {
  // In key order, so two consumers claiming the same parts (a redelivery) lock them in the same order.
  const order = parts.map((_, i) => i).sort((a, b) => {
    const x = parts[a];
    const y = parts[b];
    return x.tenantId - y.tenantId || (x.batchId < y.batchId ? -1 : x.batchId > y.batchId ? 1 : x.part - y.part) || a - b;
  });
  const res = await tx.execute<{ tenant_id: number; batch_id: string; part: number }>(sql`
    INSERT INTO ingested_batches (tenant_id, batch_id, part, kind, rows)
    SELECT t, b, p, ${kind}, r FROM unnest(${sql.param(order.map((i) => parts[i].tenantId))}::integer[], ${sql.param(order.map((i) => parts[i].batchId))}::text[],
      ${sql.param(order.map((i) => parts[i].part))}::integer[], ${sql.param(order.map((i) => rows[i]))}::integer[]) AS u(t, b, p, r)
    ON CONFLICT DO NOTHING RETURNING tenant_id, batch_id, part`);
  const fresh = new Set(res.rows.map((r) => `${r.tenant_id}/${r.batch_id}/${r.part}`));
  return parts.map((p) => fresh.delete(`${p.tenantId}/${p.batchId}/${p.part}`));
}

async function inTransaction<T>(db: Db, work: (tx: Tx) => Promise<T>): Promise<T> {
  try {
    return await db.transaction(work);
  } catch (err) {
    forgetIfPartitionMissing(err);
    throw err;
  }
}

/**
 * The samples, each (series, ts) once: rows already stored are skipped. A
 * fresh part rarely holds a stored sample (its claim is new), so the plain
 * INSERT goes first, in a savepoint: ON CONFLICT's speculative insertion made
 * every row cost an extra index probe (~40% of the statement). Only when a
 * row is there already (a resend under a new batch id, an HA pair) is the
 * statement rolled back and run again with ON CONFLICT DO NOTHING.
 */
async function insertSamples(tx: Tx, ids: string, ts: string, vals: string): Promise<number> {
  const insert = (onConflict: SQL) => sql`
    INSERT INTO samples (series_id, ts, value)
    SELECT * FROM unnest(${ids}::bigint[], ${ts}::bigint[], ${vals}::float8[]) ${onConflict}`;
  await tx.execute(sql`SAVEPOINT samples_plain`);
  try {
    const res = await tx.execute(insert(sql``));
    await tx.execute(sql`RELEASE SAVEPOINT samples_plain`);
    return res.rowCount ?? 0;
  } catch (err) {
    if (sqlState(err) !== "23505") throw err;
    await tx.execute(sql`ROLLBACK TO SAVEPOINT samples_plain`);
    const res = await tx.execute(insert(sql`ON CONFLICT DO NOTHING`));
    return res.rowCount ?? 0;
  }
}

async function seriesIdsOf(db: Db, msgs: MetricsMessage[]): Promise<number[][]> {
  const byTenant = new Map<number, number[]>();
  msgs.forEach((m, i) => {
    const idx = byTenant.get(m.tenantId);
    if (idx) idx.push(i);
    else byTenant.set(m.tenantId, [i]);
  });
  const out: number[][] = new Array(msgs.length);
  for (const [tenant, idx] of byTenant) {
    const ids = await resolveSeriesIds(db, tenant, idx.flatMap((i) => msgs[i].series));
    let k = 0;
    for (const i of idx) {
      out[i] = ids.slice(k, k + msgs[i].series.length);
      k += msgs[i].series.length;
    }
  }
  return out;
}

function writeMetrics(db: Db) {
  return async (msgs: MetricsMessage[]): Promise<WriteResult[]> => {
    const ids = await seriesIdsOf(db, msgs);
    const days = new Set<number>();
    for (const m of msgs)
      for (const s of m.series) {
        const first = dayOf(s.timestamps[0]);
        const last = dayOf(s.timestamps[s.timestamps.length - 1]);
        for (let d = first; d <= last; d++) days.add(d);
      }
    await ensureDays(db, days);
    const counts = msgs.map((m) => m.series.reduce((n, s) => n + s.timestamps.length, 0));
    let indexed: Span[] = [];
    const results = await inTransaction(db, async (tx) => {
      const fresh = await claim(tx, msgs, "metrics", counts);
      const rows = new SampleLiterals();
      const metadata = new Map<string, QueueMetadata & { tenantId: number }>(); // last description wins
      msgs.forEach((m, i) => {
        if (!fresh[i]) return;
        m.series.forEach((s, j) => rows.add(ids[i][j], s.timestamps, s.values));
        for (const md of m.metadata) metadata.set(`${m.tenantId}/${md.name}`, { ...md, tenantId: m.tenantId });
      });
      let written = 0;
      if (rows.rows > 0) {
        const { ids: idList, ts, vals } = rows.literals();
        written = await insertSamples(tx, idList, ts, vals);
        // Every sample sent is stored now (new, or there before), so its time may bound its series.
        const spans = rows.spans();
        await widenBounds(tx, spans);
        indexed = spansToIndex(spans);
        await widenLabelIndex(tx, indexed);
      }
      if (metadata.size > 0) {
        const md = [...metadata.values()];
        await tx.execute(sql`
          INSERT INTO metric_metadata (tenant_id, metric_name, type, help, unit)
          SELECT * FROM unnest(${sql.param(md.map((m) => m.tenantId))}::integer[], ${sql.param(md.map((m) => m.name))}::text[],
            ${sql.param(md.map((m) => m.type))}::text[], ${sql.param(md.map((m) => m.help))}::text[], ${sql.param(md.map((m) => m.unit))}::text[])
          ON CONFLICT (tenant_id, metric_name) DO UPDATE
            SET type = excluded.type, help = excluded.help, unit = excluded.unit, updated_at = now()
            WHERE (metric_metadata.type, metric_metadata.help, metric_metadata.unit) IS DISTINCT FROM (excluded.type, excluded.help, excluded.unit)`);
      }
      // Rows written are counted for the whole set; each part reports whether it was new.
      return msgs.map((_, i) => ({ written: fresh[i] ? written : 0, duplicate: !fresh[i] }));
    });
    // Only a committed write may spare later ones from indexing the same spans.
    indexedSpans(indexed);
    return results;
  };
}

type ColumnType = "integer" | "bigint" | "float8" | "boolean" | "text";

/** The columns of request_logs a LogRow fills, with their SQL types and how each is read from the row. */
const LOG_COLUMNS: Array<[column: string, type: ColumnType, get: (r: LogRow) => unknown]> = [
  ["ms", "bigint", (r) => r.time],
  ["request_id", "text", (r) => r.requestId],
  ["trace_id", "text", (r) => r.traceId],
  ["end_ms", "bigint", (r) => r.endTime],
  ["model", "text", (r) => r.model],
  ["requested_model", "text", (r) => r.requestedModel],
  ["provider", "text", (r) => r.provider],
  ["api_base", "text", (r) => r.apiBase],
  ["deployment_id", "text", (r) => r.deploymentId],
  ["call_type", "text", (r) => r.callType],
  ["stream", "boolean", (r) => r.stream],
  ["status", "text", (r) => r.status],
  ["http_status", "integer", (r) => r.httpStatus],
  ["latency_ms", "float8", (r) => r.latencyMs],
  ["ttft_ms", "float8", (r) => r.ttftMs],
  ["input_tokens", "bigint", (r) => r.inputTokens],
  ["output_tokens", "bigint", (r) => r.outputTokens],
  ["total_tokens", "bigint", (r) => r.totalTokens],
  ["cached_tokens", "bigint", (r) => r.cachedTokens],
  ["cost_usd", "float8", (r) => r.costUsd],
  ["cost_source", "text", (r) => r.costSource],
  ["cache_hit", "boolean", (r) => r.cacheHit],
  ["error_type", "text", (r) => r.errorType],
  ["error_class", "text", (r) => r.errorClass],
  ["error_message", "text", (r) => r.errorMessage],
  ["error_fingerprint", "text", (r) => r.errorFingerprint],
  ["user_id", "text", (r) => r.user],
  ["end_user", "text", (r) => r.endUser],
  ["team", "text", (r) => r.team],
  ["team_alias", "text", (r) => r.teamAlias],
  ["api_key_alias", "text", (r) => r.apiKeyAlias],
  ["api_key_hash", "text", (r) => r.apiKeyHash],
  ["project", "text", (r) => r.project],
  ["environment", "text", (r) => r.environment],
  // Arrays of arrays do not unnest row by row: each row's tags travel as the
  // text of an array literal, cast back per row.
  ["tags_lit", "text", (r) => pgTexts(r.tags)],
];
/** Columns computed from others in the SELECT rather than copied. */
const DERIVED = new Set(["ms", "end_ms", "tags_lit"]);

function arrayLiteral(type: ColumnType, values: unknown[]): string {
  if (type === "text") return pgTexts(values as Array<string | null>);
  if (type === "boolean") return pgBooleans(values as Array<boolean | null>);
  return pgNumbers(values as Array<number | null>);
}

const toTimestamp = (ms: string) => `timestamptz 'epoch' + t.${ms} * interval '1 millisecond'`;
const COPIED = ["tenant_id", ...LOG_COLUMNS.map(([c]) => c).filter((c) => !DERIVED.has(c)), "attributes"];
const INSERT_HEAD = sql.raw(`INSERT INTO request_logs (time, end_time, tags, ${COPIED.join(", ")})
    SELECT ${toTimestamp("ms")}, ${toTimestamp("end_ms")}, t.tags_lit::text[], ${COPIED.map((c) => `t.${c}`).join(", ")}`);

/**
 * One INSERT of all rows, unnest()ed column by column; rows already stored are
 * skipped; returns the keys of those written. Attributes travel as one JSON
 * array (one native JSON.stringify, where a text array of each row's JSON cost
 * an escape pass over every quote), zipped to the columns by ROWS FROM.
 */
function insertLogRows(logs: TenantLog[]) {
  const sets = sql.join(
    [
      sql`unnest(${pgNumbers(logs.map((x) => x.tenantId))}::integer[])`,
      ...LOG_COLUMNS.map(([, type, get]) => sql`unnest(${arrayLiteral(type, logs.map((x) => get(x.row)))}::${sql.raw(type)}[])`),
      sql`jsonb_array_elements(${JSON.stringify(logs.map((x) => x.row.attributes))}::jsonb)`,
    ],
    sql`, `,
  );
  return sql`${INSERT_HEAD}
    FROM ROWS FROM (${sets}) AS t(tenant_id, ${sql.raw(LOG_COLUMNS.map(([c]) => c).join(", "))}, attributes)
    ON CONFLICT DO NOTHING
    RETURNING tenant_id, request_id, (extract(epoch FROM time) * 1000)::bigint AS ms`;
}

const logKey = (tenantId: number, requestId: string, ms: number | string) => `${tenantId}\u0000${requestId}\u0000${ms}`;

/** By primary key (tenant, request id, time), so concurrent inserts of the same keys lock them in the same order. */
const byLogKey = (a: TenantLog, b: TenantLog) =>
  a.tenantId - b.tenantId || (a.row.requestId < b.row.requestId ? -1 : a.row.requestId > b.row.requestId ? 1 : a.row.time - b.row.time);

/** The rows the INSERT wrote, each once: of rows with one key, the first is the one stored. */
function writtenRows(logs: TenantLog[], returned: Array<{ tenant_id: number; request_id: string; ms: string | number }>): TenantLog[] {
  const first = new Map<string, TenantLog>();
  for (const x of logs) {
    const k = logKey(x.tenantId, x.row.requestId, x.row.time);
    if (!first.has(k)) first.set(k, x);
  }
  return returned.map((x) => {
    const r = first.get(logKey(Number(x.tenant_id), x.request_id, Number(x.ms)));
    if (!r) throw new Error(`request_logs returned a row that was not sent: ${x.request_id} at ${x.ms}`);
    return r;
  });
}

/** The dims of every record, memoised in an index the rollup deltas reuse. */
function dimsOfRecords(msgs: LogsMessage[]): DimsIndex {
  const index = new DimsIndex();
  for (const m of msgs) for (const r of m.records) index.entryOf(m.tenantId, r);
  return index;
}

function writeLogs(db: Db, rollups: boolean) {
  return async (msgs: LogsMessage[]): Promise<WriteResult[]> => {
    await ensureDays(db, msgs.flatMap((m) => m.records.map((x) => dayOf(x.time))));
    // Dimension ids of every record are resolved first, outside the
    // transaction (as series ids are), so it holds its row locks briefly.
    const index = rollups ? dimsOfRecords(msgs) : new DimsIndex();
    const dimsIds: DimsIds = rollups ? await dimsIdsOf(db, index.entries()) : new Map();
    return inTransaction(db, async (tx) => {
      const fresh = await claim(tx, msgs, "logs", msgs.map((m) => m.records.length));
      const rows = msgs.flatMap((m, i) => (fresh[i] ? m.records.map((row) => ({ tenantId: m.tenantId, row })) : [])).sort(byLogKey);
      let written = 0;
      if (rows.length > 0) {
        const res = await tx.execute<{ tenant_id: number; request_id: string; ms: string }>(insertLogRows(rows));
        written = res.rowCount ?? 0;
        if (rollups && res.rows.length > 0) await addRollups(tx, rollupDeltas(writtenRows(rows, res.rows), index), dimsIds);
      }
      return msgs.map((_, i) => ({ written: fresh[i] ? written : 0, duplicate: !fresh[i] }));
    });
  };
}

export interface WriteOptions {
  /** False only to measure what the log rollups cost (scripts/bench-log-write.ts). */
  logRollups?: boolean;
}

export function postgresWriteStorage(db: Db, opts: WriteOptions = {}): WriteStorage {
  return { writeMetrics: writeMetrics(db), writeLogs: writeLogs(db, opts.logRollups ?? true) };
}
