// Splits a validated batch into queue messages under the Queues size limit and
// sends them with sendBatch. Splitting is deterministic, so a replay of the same
// request (same Idempotency-Key) yields the same parts, which the aggregator skips.
import {
  QUEUE_BATCH_MAX_BYTES, QUEUE_BATCH_MAX_MESSAGES, QUEUE_MESSAGE_TARGET_BYTES, QUEUE_MESSAGE_VERSION,
  type IngestMessage, type LogRow, type LogsMessage, type MetricsMessage, type QueueMetadata, type QueueSeries,
} from "../../shared/contracts/queue";
import { IngestProblem } from "./problem";

// Upper bounds of the structured-clone ("v8") size. V8 writes a string of
// Latin-1 characters at a byte each and any other at two bytes a character;
// a sample is 16 bytes. Close bounds keep messages few (Queues bills per 64 KB).
const WIDE = /[^\x00-\xff]/;
const strBytes = (s: string) => (WIDE.test(s) ? 2 * s.length : s.length) + 8;
function labelBytes(labels: Record<string, string>): number {
  let n = 16;
  for (const k in labels) n += strBytes(k) + strBytes(labels[k]);
  return n;
}

interface Sized<T> {
  body: T;
  bytes: number;
}

export function splitMetrics(tenantId: number, batchId: string, series: QueueSeries[], metadata: QueueMetadata[]): Sized<MetricsMessage>[] {
  const out: Sized<MetricsMessage>[] = [];
  const open = () => {
    const next: Sized<MetricsMessage> = { body: { v: QUEUE_MESSAGE_VERSION, kind: "metrics", tenantId, batchId, part: out.length, series: [], metadata: [] }, bytes: 256 };
    out.push(next);
    return next;
  };
  let m = open();
  for (const meta of metadata) {
    const b = strBytes(meta.name) + strBytes(meta.type) + strBytes(meta.help) + strBytes(meta.unit);
    if (m.bytes + b > QUEUE_MESSAGE_TARGET_BYTES) m = open();
    m.body.metadata.push(meta);
    m.bytes += b;
  }
  for (const s of series) {
    const head = strBytes(s.name) + labelBytes(s.labels) + 64;
    let from = 0;
    while (from < s.timestamps.length) {
      let room = Math.floor((QUEUE_MESSAGE_TARGET_BYTES - m.bytes - head) / 16);
      if (room < 1) {
        m = open();
        room = Math.floor((QUEUE_MESSAGE_TARGET_BYTES - m.bytes - head) / 16);
        if (room < 1) throw new IngestProblem(400, `series ${s.name} has labels too large to queue`);
      }
      const to = Math.min(s.timestamps.length, from + room);
      const whole = from === 0 && to === s.timestamps.length;
      m.body.series.push(whole ? s : { ...s, timestamps: s.timestamps.slice(from, to), values: s.values.slice(from, to) });
      m.bytes += head + 16 * (to - from);
      from = to;
    }
  }
  return out.filter((x) => x.body.series.length > 0 || x.body.metadata.length > 0);
}

/**
 * An upper bound of a JSON-like value's structured-clone size: a string its
 * bytes and tag, length (and a padding byte when two-byte), a number 9 (a double), an object or array its tags and counts
 * (12) and its keys and values. Close (within a few %), where 2 × its JSON
 * length was twice the size and cost a JSON.stringify a row.
 */
const cloneStrBytes = (s: string) => (WIDE.test(s) ? 2 * s.length + 1 : s.length) + (s.length < 64 ? 2 : 6);
function cloneBytes(v: unknown): number {
  switch (typeof v) {
    case "string":
      return cloneStrBytes(v);
    case "number":
      return 9;
    case "object": {
      if (v === null) return 1;
      let n = 16;
      if (Array.isArray(v)) for (let i = 0; i < v.length; i++) n += cloneBytes(v[i]);
      else for (const k in v) n += cloneStrBytes(k) + cloneBytes((v as Record<string, unknown>)[k]);
      return n;
    }
    default:
      // booleans, undefined; a bigint or anything else cannot come from JSON, but is bounded anyway.
      return typeof v === "bigint" ? 64 : 1;
  }
}

// The LogRow's own keys are the same in every row: their bytes are counted once.
const ROW_KEYS = new Map<string, number>();
function logRowBytes(r: LogRow): number {
  let n = 16;
  for (const k in r) {
    let kb = ROW_KEYS.get(k);
    if (kb === undefined) {
      kb = cloneStrBytes(k);
      if (ROW_KEYS.size < 64) ROW_KEYS.set(k, kb);
    }
    n += kb + cloneBytes((r as unknown as Record<string, unknown>)[k]);
  }
  return n;
}

export function splitLogs(tenantId: number, batchId: string, records: LogRow[]): Sized<LogsMessage>[] {
  const out: Sized<LogsMessage>[] = [];
  let cur: Sized<LogsMessage> | null = null;
  for (const r of records) {
    const b = logRowBytes(r);
    if (!cur || cur.bytes + b > QUEUE_MESSAGE_TARGET_BYTES) {
      cur = { body: { v: QUEUE_MESSAGE_VERSION, kind: "logs", tenantId, batchId, part: out.length, records: [] }, bytes: 256 };
      out.push(cur);
    }
    cur.body.records.push(r);
    cur.bytes += b;
  }
  return out;
}

/** Sends in groups within sendBatch's limits; any failure is retriable for the sender (503). */
export async function sendAll(queue: Queue<IngestMessage>, messages: Sized<IngestMessage>[]): Promise<void> {
  const groups: Sized<IngestMessage>[][] = [];
  let group: Sized<IngestMessage>[] = [];
  let bytes = 0;
  for (const m of messages) {
    if (group.length > 0 && (group.length >= QUEUE_BATCH_MAX_MESSAGES || bytes + m.bytes > QUEUE_BATCH_MAX_BYTES)) {
      groups.push(group);
      group = [];
      bytes = 0;
    }
    group.push(m);
    bytes += m.bytes;
  }
  if (group.length) groups.push(group);
  try {
    await Promise.all(groups.map((g) => queue.sendBatch(g.map((m) => ({ body: m.body, contentType: "v8" as const })))));
  } catch (err) {
    throw new IngestProblem(503, `the ingest queue is unavailable (${(err as Error).message}); retry later`, { "Retry-After": "5" });
  }
}
