// WriteStorage on Postgres. Each queue message part is written in one
// transaction together with its claim in ingested_batches: a redelivered part
// is skipped whole, and rows themselves are idempotent (ON CONFLICT DO NOTHING),
// so any replay changes nothing.
import { sql } from "drizzle-orm";
import type { Db } from "../../db";
import type { LogsMessage, MetricsMessage } from "../../contracts/queue";
import { isStaleNaN } from "../../staleness";
import type { WriteResult, WriteStorage } from "../types";
import { dayOf, ensureDays, forgetIfPartitionMissing } from "./partitions";
import { resolveSeriesIds } from "./series-ids";

type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

async function claim(tx: Tx, tenantId: number, batchId: string, part: number, kind: string, rows: number): Promise<boolean> {
  const res = await tx.execute(sql`
    INSERT INTO ingested_batches (tenant_id, batch_id, part, kind, rows)
    VALUES (${tenantId}, ${batchId}, ${part}, ${kind}, ${rows})
    ON CONFLICT DO NOTHING RETURNING 1 AS claimed`);
  return res.rows.length === 1;
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
function pgFloat(v: number): string | null {
  if (v === Infinity) return "Infinity";
  if (v === -Infinity) return "-Infinity";
  if (v !== v) return isStaleNaN(v) ? null : "NaN";
  return String(v);
}

export function postgresWriteStorage(db: Db): WriteStorage {
  return {
    async writeMetrics(msg: MetricsMessage): Promise<WriteResult> {
      const ids = msg.series.length ? await resolveSeriesIds(db, msg.tenantId, msg.series) : [];
      let total = 0;
      for (const s of msg.series) total += s.timestamps.length;
      const seriesIds = new Array<number>(total);
      const ts = new Array<number>(total);
      const vals = new Array<string | null>(total);
      const days = new Set<number>();
      let k = 0;
      msg.series.forEach((s, i) => {
        for (let j = 0; j < s.timestamps.length; j++, k++) {
          seriesIds[k] = ids[i];
          ts[k] = s.timestamps[j];
          vals[k] = pgFloat(s.values[j]);
        }
        if (s.timestamps.length) {
          days.add(dayOf(s.timestamps[0]));
          days.add(dayOf(s.timestamps[s.timestamps.length - 1]));
          for (let d = dayOf(s.timestamps[0]) + 1; d < dayOf(s.timestamps[s.timestamps.length - 1]); d++) days.add(d);
        }
      });
      await ensureDays(db, days);
      return inTransaction(db, async (tx) => {
        if (!(await claim(tx, msg.tenantId, msg.batchId, msg.part, "metrics", total))) return { written: 0, duplicate: true };
        let written = 0;
        if (total > 0) {
          const res = await tx.execute(sql`
            INSERT INTO samples (series_id, ts, value)
            SELECT * FROM unnest(${sql.param(seriesIds)}::bigint[], ${sql.param(ts)}::bigint[], ${sql.param(vals)}::float8[])
            ON CONFLICT DO NOTHING`);
          written = res.rowCount ?? 0;
        }
        if (msg.metadata.length > 0) {
          await tx.execute(sql`
            INSERT INTO metric_metadata (tenant_id, metric_name, type, help, unit)
            SELECT ${msg.tenantId}, * FROM unnest(
              ${sql.param(msg.metadata.map((m) => m.name))}::text[], ${sql.param(msg.metadata.map((m) => m.type))}::text[],
              ${sql.param(msg.metadata.map((m) => m.help))}::text[], ${sql.param(msg.metadata.map((m) => m.unit))}::text[])
            ON CONFLICT (tenant_id, metric_name) DO UPDATE
              SET type = excluded.type, help = excluded.help, unit = excluded.unit, updated_at = now()
              WHERE (metric_metadata.type, metric_metadata.help, metric_metadata.unit) IS DISTINCT FROM (excluded.type, excluded.help, excluded.unit)`);
        }
        return { written, duplicate: false };
      });
    },

    async writeLogs(msg: LogsMessage): Promise<WriteResult> {
      const r = msg.records;
      await ensureDays(db, r.map((x) => dayOf(x.time)));
      const col = <T>(f: (x: (typeof r)[number]) => T) => sql.param(r.map(f));
      return inTransaction(db, async (tx) => {
        if (!(await claim(tx, msg.tenantId, msg.batchId, msg.part, "logs", r.length))) return { written: 0, duplicate: true };
        if (r.length === 0) return { written: 0, duplicate: false };
        const res = await tx.execute(sql`
          INSERT INTO request_logs (tenant_id, time, request_id, model, provider, status, http_status, latency_ms, ttft_ms,
            input_tokens, output_tokens, cost_usd, error_type, error_message, attributes)
          SELECT ${msg.tenantId}, timestamptz 'epoch' + t.ms * interval '1 millisecond', t.request_id, t.model, t.provider, t.status,
            t.http_status, t.latency_ms, t.ttft_ms, t.input_tokens, t.output_tokens, t.cost_usd, t.error_type, t.error_message, t.attributes
          FROM unnest(${col((x) => x.time)}::bigint[], ${col((x) => x.requestId)}::text[], ${col((x) => x.model)}::text[],
            ${col((x) => x.provider)}::text[], ${col((x) => x.status)}::text[], ${col((x) => x.httpStatus)}::integer[],
            ${col((x) => x.latencyMs)}::float8[], ${col((x) => x.ttftMs)}::float8[], ${col((x) => x.inputTokens)}::integer[],
            ${col((x) => x.outputTokens)}::integer[], ${col((x) => x.costUsd)}::float8[], ${col((x) => x.errorType)}::text[],
            ${col((x) => x.errorMessage)}::text[], ${col((x) => JSON.stringify(x.attributes))}::jsonb[])
            AS t(ms, request_id, model, provider, status, http_status, latency_ms, ttft_ms, input_tokens, output_tokens,
                 cost_usd, error_type, error_message, attributes)
          ON CONFLICT DO NOTHING`);
        return { written: res.rowCount ?? 0, duplicate: false };
      });
    },
  };
}
