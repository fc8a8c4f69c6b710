// The cron's self-metrics job: Inferscope's own ingest health, written each
// minute into every tenant's data as ordinary series, so the shipped
// dashboards and alerts read them like any other:
//   inferscope_ingest_rows_total{kind="samples"|"logs"|"rules"}  counter
//   inferscope_ingest_last_write_timestamp_seconds{kind}          gauge
//   inferscope_dead_letter_items_total                            counter
// "samples" and "logs" are what the tenant's senders sent (rows of the parts
// the aggregator claimed); "rules" the outputs of the tenant's rules (batch ids
// "rules/..."), apart so that rule evaluation on an idle tenant cannot look like
// ingest. These samples themselves (batch ids "self/<minute>") are never
// counted: else the counter would climb by itself. One sample per series per
// minute at the minute's start; the batch id is per tenant and minute, so a
// rerun of the minute writes nothing.
import type { Db } from "../../shared/db";
import type { MetricsMessage, QueueMetadata, QueueSeries } from "../../shared/contracts/queue";
import { QUEUE_MESSAGE_VERSION } from "../../shared/contracts/queue";
import { advanceIngestCounters, SELF_BATCH_PREFIX, type IngestKind, type TenantIngest } from "../../shared/storage/postgres/ingest-counters";
import { postgresWriteStorage } from "../../shared/storage/postgres/write";

export const ROWS_TOTAL = "inferscope_ingest_rows_total";
export const LAST_WRITE = "inferscope_ingest_last_write_timestamp_seconds";
export const DEAD_LETTER_ITEMS = "inferscope_dead_letter_items_total";

const METADATA: QueueMetadata[] = [
  { name: ROWS_TOTAL, type: "counter", unit: "", help: "Rows Inferscope ingested for this tenant: samples and request logs its senders sent, and rule outputs (kind=\"rules\")." },
  { name: LAST_WRITE, type: "gauge", unit: "seconds", help: "Unix time of the newest write of this kind into this tenant's data." },
  { name: DEAD_LETTER_ITEMS, type: "counter", unit: "", help: "Items (series, metadata entries or request logs) that Postgres refused and Inferscope sent to its dead-letter queue." },
];

/** Always reported, 0 until the first row: so rate() and absent() work from a tenant's first minute. */
const BASE_KINDS: IngestKind[] = ["samples", "logs"];

const MINUTE_MS = 60_000;

export interface SelfMetricsOptions {
  /** Unix ms; the samples are stamped with its minute. */
  now?: number;
  /** Tests: only these tenants. */
  tenantIds?: number[];
  /** Tests: how old a part must be before it is stored in the counters (ingest-counters.ts). */
  settleMs?: number;
}

export function selfBatchId(minute: number): string {
  return `${SELF_BATCH_PREFIX}${minute}`;
}

function one(name: string, labels: Record<string, string>, ts: number, value: number): QueueSeries {
  return { name, labels, timestamps: new Float64Array([ts]), values: new Float64Array([value]) };
}

/** The message of one tenant's samples for the minute. */
export function selfMetricsMessage(t: TenantIngest, minute: number): MetricsMessage {
  const series: QueueSeries[] = [];
  const kinds = [...new Set<IngestKind>([...BASE_KINDS, ...(Object.keys(t.rows) as IngestKind[])])].sort();
  for (const kind of kinds) {
    series.push(one(ROWS_TOTAL, { kind }, minute, t.rows[kind] ?? 0));
    const last = t.lastWrite[kind];
    if (last !== undefined) series.push(one(LAST_WRITE, { kind }, minute, last));
  }
  series.push(one(DEAD_LETTER_ITEMS, {}, minute, t.deadLetterItems));
  return { v: QUEUE_MESSAGE_VERSION, kind: "metrics", tenantId: t.tenantId, batchId: selfBatchId(minute), part: 0, metadata: METADATA, series };
}

/** Writes this minute's samples for every tenant not yet reported for it; returns how many tenants were. */
export async function runSelfMetrics(db: Db, opts: SelfMetricsOptions = {}): Promise<number> {
  const minute = Math.floor((opts.now ?? Date.now()) / MINUTE_MS) * MINUTE_MS;
  const tenants = await advanceIngestCounters(db, { minute, settleMs: opts.settleMs, tenantIds: opts.tenantIds });
  if (tenants.length > 0) await postgresWriteStorage(db).writeMetrics(tenants.map((t) => selfMetricsMessage(t, minute)));
  return tenants.length;
}
