// When Postgres refuses a message part for its data (isDataError), only some
// of its items are bad. Bisection finds them: each half is written as a
// sub-part with its own claim (batch id "<batchId>#<from>-<to>", never an
// Idempotency-Key since '#' is not allowed in one), so the good items are
// stored exactly once however often the message is redelivered, and the bad
// ones are named. Ingest refuses every value it knows Postgres cannot store;
// this is the defence for what it does not know.
import type { IngestMessage, LogsMessage, MetricsMessage } from "../../shared/contracts/queue";
import { databaseMessage, isDataError } from "../../shared/storage/postgres/errors";
import type { WriteStorage } from "../../shared/storage/types";

/** Sub-part writes one message may cost; past it the part is dead-lettered whole (e.g. every item bad). */
export const MAX_ISOLATION_WRITES = 64;

export interface RefusedItem {
  /** Its index in itemCount's order. */
  index: number;
  item: string;
  reason: string;
}

export interface Isolation {
  refused: RefusedItem[];
  /** Items written (or found written by an earlier delivery). */
  written: number;
  /** False when the budget ran out before every bad item was found. */
  complete: boolean;
}

/** Metrics: metadata entries first, then series; logs: records. */
export function itemCount(b: IngestMessage): number {
  return b.kind === "logs" ? b.records.length : b.metadata.length + b.series.length;
}

export function subMessage(b: IngestMessage, from: number, to: number): IngestMessage {
  const head = { batchId: `${b.batchId}#${from}-${to}` };
  if (b.kind === "logs") return { ...b, ...head, records: b.records.slice(from, to) } satisfies LogsMessage;
  const m = b.metadata.length;
  return {
    ...b,
    ...head,
    metadata: b.metadata.slice(Math.min(from, m), Math.min(to, m)),
    series: b.series.slice(Math.max(from - m, 0), Math.max(to - m, 0)),
  } satisfies MetricsMessage;
}

/**
 * The part cut down to the given items (in itemCount's order), for the
 * dead-letter queue: its batch id "<batchId>#refused" can collide with no claim.
 */
export function onlyItems(b: IngestMessage, indices: number[]): IngestMessage {
  const keep = new Set(indices);
  const head = { batchId: `${b.batchId}#refused` };
  if (b.kind === "logs") return { ...b, ...head, records: b.records.filter((_, i) => keep.has(i)) } satisfies LogsMessage;
  const m = b.metadata.length;
  return { ...b, ...head, metadata: b.metadata.filter((_, i) => keep.has(i)), series: b.series.filter((_, i) => keep.has(m + i)) } satisfies MetricsMessage;
}

export function describeItem(b: IngestMessage, i: number): string {
  const text = (() => {
    if (b.kind === "logs") return `records[${i}] request_id ${JSON.stringify(b.records[i].requestId)} at ${b.records[i].time}`;
    if (i < b.metadata.length) return `metadata[${i}] ${JSON.stringify(b.metadata[i].name)}`;
    const s = b.series[i - b.metadata.length];
    return `series[${i - b.metadata.length}] ${JSON.stringify(s.name)} ${JSON.stringify(s.labels)}`;
  })();
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

function writeOne(storage: WriteStorage, b: IngestMessage): Promise<unknown> {
  return b.kind === "logs" ? storage.writeLogs([b]) : storage.writeMetrics([b]);
}

/**
 * Writes the good items of a part whose whole write failed with `failure` (a
 * data error). Throws when a sub-write fails for any other reason: the caller
 * retries the message then, and nothing written so far is written twice.
 */
export async function isolateBadItems(storage: WriteStorage, b: IngestMessage, failure: unknown): Promise<Isolation> {
  const refused: RefusedItem[] = [];
  let written = 0;
  let budget = MAX_ISOLATION_WRITES;
  let complete = true;
  const failed = async (from: number, to: number, err: unknown): Promise<void> => {
    if (to - from <= 1) {
      if (to > from) refused.push({ index: from, item: describeItem(b, from), reason: databaseMessage(err) });
      return;
    }
    const mid = (from + to) >>> 1;
    await attempt(from, mid);
    await attempt(mid, to);
  };
  const attempt = async (from: number, to: number): Promise<void> => {
    if (budget-- <= 0) {
      complete = false;
      return;
    }
    try {
      await writeOne(storage, subMessage(b, from, to));
      written += to - from;
    } catch (err) {
      if (!isDataError(err)) throw err;
      await failed(from, to, err);
    }
  };
  await failed(0, itemCount(b), failure);
  return { refused, written, complete };
}
