// Dead letters are also recorded in Postgres (dead_letters), so a tenant sees
// them as inferscope_dead_letter_items_total and an alert can fire. Only the
// dead-letter path calls this, and recording is best effort: the message's fate
// (ack after sending its refused items, or retry until the queue moves it to the
// dead-letter queue) is settled before, and a failed record is logged, never thrown.
import type { IngestMessage } from "../../shared/contracts/queue";
import { QUEUE_MESSAGE_VERSION } from "../../shared/contracts/queue";
import type { Db } from "../../shared/db";
import type { AggregatorEnv } from "../../shared/env";
import { databaseMessage } from "../../shared/storage/postgres/errors";
import { recordDeadLetter, type DeadLetterEntry } from "../../shared/storage/postgres/dead-letters";
import { itemCount } from "./isolate";

export type { DeadLetterEntry };
export type RecordDeadLetter = (e: DeadLetterEntry) => Promise<void>;

/** wrangler.toml's max_retries for the ingest queue's consumer, when QUEUE_MAX_RETRIES does not say. */
export const DEFAULT_MAX_RETRIES = 10;

/**
 * The attempt after which the queue moves a retried message to the dead-letter
 * queue: attempts count from 1, and max_retries retries follow the first.
 */
export function lastAttemptOf(env: Pick<AggregatorEnv, "QUEUE_MAX_RETRIES">): number {
  const n = Number(env.QUEUE_MAX_RETRIES ?? DEFAULT_MAX_RETRIES);
  return (Number.isInteger(n) && n >= 0 ? n : DEFAULT_MAX_RETRIES) + 1;
}

/** The entry for a part that goes to the dead-letter queue whole. */
export function wholePart(b: IngestMessage, reason: string): DeadLetterEntry {
  return { tenantId: b.tenantId, batchId: b.batchId, part: b.part, kind: b.kind, items: itemCount(b), reason };
}

/** An unreadable body is recorded when it still names its tenant and batch (a message of another version); else there is no tenant to show it to. */
export function unreadablePart(body: unknown): DeadLetterEntry | undefined {
  const b = body as { v?: unknown; tenantId?: unknown; batchId?: unknown; part?: unknown; kind?: unknown } | null | undefined;
  if (!b || typeof b !== "object" || !Number.isInteger(b.tenantId) || typeof b.batchId !== "string") return undefined;
  return {
    tenantId: b.tenantId as number,
    batchId: b.batchId,
    part: Number.isInteger(b.part) ? (b.part as number) : 0,
    kind: b.kind === "metrics" || b.kind === "logs" ? b.kind : "unknown",
    // Its items cannot be counted: the message counts as one.
    items: 1,
    reason: `unreadable queue message (version ${JSON.stringify(b.v)}, this aggregator reads ${QUEUE_MESSAGE_VERSION})`,
  };
}

/** A record waits at most this long: a database that is down must not hold the batch (its messages' fate is already set). */
export const RECORD_TIMEOUT_MS = 5_000;

/** A recorder that never throws: a failure is logged, and the caller goes on as if it had worked. */
export function deadLetterRecorder(
  db: Db,
  log: (level: string, msg: string, extra: Record<string, unknown>) => void,
  { record = recordDeadLetter, timeoutMs = RECORD_TIMEOUT_MS }: { record?: (db: Db, e: DeadLetterEntry) => Promise<void>; timeoutMs?: number } = {},
): RecordDeadLetter {
  return async (e) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer from Postgres within ${timeoutMs} ms`)), timeoutMs);
      });
      await Promise.race([record(db, e), timeout]);
    } catch (err) {
      log("error", "could not record a dead letter in Postgres; the message goes to the dead-letter queue all the same", {
        tenantId: e.tenantId, batchId: e.batchId, part: e.part, items: e.items, error: databaseMessage(err),
      });
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
  };
}
