// WriteStorage on Postgres. Message parts are written in one transaction with
// one set-based statement per table (claims, samples, metadata / log rows):
// each part's claim in ingested_batches makes a redelivered part a no-op, and
// rows themselves are idempotent (ON CONFLICT DO NOTHING), so any replay
// changes nothing.
import { sql } from "drizzle-orm";
import type { Db } from "../../db";
import type { LogsMessage, MetricsMessage, QueueMetadata } from "../../contracts/queue";
import { isStaleNaN } from "../../staleness";
import type { WriteResult, WriteStorage } from "../types";
import { dayOf, ensureDays, forgetIfPartitionMissing } from "./partitions";
import { resolveSeriesIds } from "./series-ids";

type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
type Part = Pick<MetricsMessage, "tenantId" | "batchId" | "part">;

/** Claims every part at once; returns which of them were not written before (first of equal parts only). */
async function claim(tx: Tx, parts: Part[], kind: string, rows: number[]): Promise<boolean[]> {
  const res = await tx.execute<{ tenant_id: number; batch_id: string; part: number }>(sql`
    INSERT INTO ingested_batches (tenant_id, batch_id, part, kind, rows)
    SELECT t, b, p, ${kind}, r FROM unnest(${sql.param(parts.map((p) => p.tenantId))}::integer[], ${sql.param(parts.map((p) => p.batchId))}::text[],
      ${sql.param(parts.map((p) => p.part))}::integer[], ${sql.param(rows)}::integer[]) AS u(t, b, p, r)
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

/** Postgres float8 text for a JS number; staleness markers become NULL. */
function pgFloat(v: number): string {
  if (v === Infinity) return "Infinity";
  if (v === -Infinity) return "-Infinity";
  if (v !== v) return isStaleNaN(v) ? "NULL" : "NaN";
  return String(v);
}

// Array literals built here in one join: the driver's generic array encoder
// quotes and escapes every element, which dominated the aggregator's CPU.
const pgArray = (items: Array<string | number>) => `{${items.join(",")}}`;

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
    return inTransaction(db, async (tx) => {
      const fresh = await claim(tx, msgs, "metrics", counts);
      const total = counts.reduce((n, c, i) => (fresh[i] ? n + c : n), 0);
      const seriesIds = new Array<number>(total);
      const ts = new Array<number>(total);
      const vals = new Array<string>(total);
      const metadata = new Map<string, QueueMetadata & { tenantId: number }>(); // last description wins
      let k = 0;
      msgs.forEach((m, i) => {
        if (!fresh[i]) return;
        m.series.forEach((s, j) => {
          for (let x = 0; x < s.timestamps.length; x++, k++) {
            seriesIds[k] = ids[i][j];
            ts[k] = s.timestamps[x];
            vals[k] = pgFloat(s.values[x]);
          }
        });
        for (const md of m.metadata) metadata.set(`${m.tenantId}/${md.name}`, { ...md, tenantId: m.tenantId });
      });
      let written = 0;
      if (total > 0) {
        const res = await tx.execute(sql`
          INSERT INTO samples (series_id, ts, value)
          SELECT * FROM unnest(${pgArray(seriesIds)}::bigint[], ${pgArray(ts)}::bigint[], ${pgArray(vals)}::float8[])
          ON CONFLICT DO NOTHING`);
        written = res.rowCount ?? 0;
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
  };
}

function writeLogs(db: Db) {
  return async (msgs: LogsMessage[]): Promise<WriteResult[]> => {
    await ensureDays(db, msgs.flatMap((m) => m.records.map((x) => dayOf(x.time))));
    return inTransaction(db, async (tx) => {
      const fresh = await claim(tx, msgs, "logs", msgs.map((m) => m.records.length));
      const rows = msgs.flatMap((m, i) => (fresh[i] ? m.records.map((r) => ({ ...r, tenantId: m.tenantId })) : []));
      let written = 0;
      if (rows.length > 0) {
        const col = <T>(f: (x: (typeof rows)[number]) => T) => sql.param(rows.map(f));
        const res = await tx.execute(sql`
          INSERT INTO request_logs (tenant_id, time, request_id, model, provider, status, http_status, latency_ms, ttft_ms,
            input_tokens, output_tokens, cost_usd, error_type, error_message, attributes)
          SELECT t.tenant_id, timestamptz 'epoch' + t.ms * interval '1 millisecond', t.request_id, t.model, t.provider, t.status,
            t.http_status, t.latency_ms, t.ttft_ms, t.input_tokens, t.output_tokens, t.cost_usd, t.error_type, t.error_message, t.attributes
          FROM unnest(${col((x) => x.tenantId)}::integer[], ${col((x) => x.time)}::bigint[], ${col((x) => x.requestId)}::text[],
            ${col((x) => x.model)}::text[], ${col((x) => x.provider)}::text[], ${col((x) => x.status)}::text[],
            ${col((x) => x.httpStatus)}::integer[], ${col((x) => x.latencyMs)}::float8[], ${col((x) => x.ttftMs)}::float8[],
            ${col((x) => x.inputTokens)}::bigint[], ${col((x) => x.outputTokens)}::bigint[], ${col((x) => x.costUsd)}::float8[],
            ${col((x) => x.errorType)}::text[], ${col((x) => x.errorMessage)}::text[], ${col((x) => JSON.stringify(x.attributes))}::jsonb[])
            AS t(tenant_id, ms, request_id, model, provider, status, http_status, latency_ms, ttft_ms, input_tokens, output_tokens,
                 cost_usd, error_type, error_message, attributes)
          ON CONFLICT DO NOTHING`);
        written = res.rowCount ?? 0;
      }
      return msgs.map((_, i) => ({ written: fresh[i] ? written : 0, duplicate: !fresh[i] }));
    });
  };
}

export function postgresWriteStorage(db: Db): WriteStorage {
  return { writeMetrics: writeMetrics(db), writeLogs: writeLogs(db) };
}
