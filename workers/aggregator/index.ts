// The aggregator worker: queue consumer that writes Postgres. A batch's
// messages are written in groups, one transaction and one statement per table
// each; when a group fails, its messages are written one by one so that each is
// acked or retried on its own, and after max_retries the queue moves a message
// that keeps failing to the dead-letter queue. A message that Postgres refuses
// for its data has its good items written first (isolate.ts), so one bad item
// never takes its neighbours with it. Writes are idempotent, so redelivery is
// harmless. Whatever goes to the dead-letter queue is also recorded in
// Postgres (dead-letters.ts), on that path alone.
import type { IngestMessage, LogsMessage, MetricsMessage } from "../../shared/contracts/queue";
import { QUEUE_MESSAGE_VERSION } from "../../shared/contracts/queue";
import { openDb } from "../../shared/db";
import type { AggregatorEnv } from "../../shared/env";
import type { WriteResult, WriteStorage } from "../../shared/storage/types";
import { postgresWriteStorage } from "../../shared/storage/postgres/write";
import { databaseMessage, isDataError } from "../../shared/storage/postgres/errors";
import { isolateBadItems, itemCount, onlyItems } from "./isolate";
import { priceMessages } from "./pricing";
import { deadLetterRecorder, lastAttemptOf, unreadablePart, wholePart, type DeadLetterEntry, type RecordDeadLetter } from "./dead-letters";

function log(level: string, msg: string, extra: Record<string, unknown> = {}): void {
  console.log(JSON.stringify({ level, worker: "aggregator", msg, ...extra }));
}

/** Backoff for a retried message, in seconds: grows with attempts, capped. */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(300, 2 ** Math.min(attempts, 8));
}

/** Groups written at once, each on its own pool connection. */
const CONCURRENCY = 4;
/** Rows per group: large enough for few round trips, small enough for a Worker's memory. */
const GROUP_ROWS = 100_000;

type Kind = "metrics" | "logs";
type Typed = { kind: "metrics"; messages: Message<MetricsMessage>[] } | { kind: "logs"; messages: Message<LogsMessage>[] };

const rowsOf = (b: IngestMessage) => (b.kind === "logs" ? b.records.length : b.series.reduce((n, s) => n + s.timestamps.length, 0));

function isReadable(body: unknown): body is IngestMessage {
  const b = body as IngestMessage | undefined;
  if (!b || b.v !== QUEUE_MESSAGE_VERSION || typeof b.tenantId !== "number" || typeof b.batchId !== "string") return false;
  if (b.kind === "metrics")
    return Array.isArray(b.metadata) && Array.isArray(b.series) && b.series.every((s) => s.timestamps instanceof Float64Array && s.values instanceof Float64Array && s.timestamps.length === s.values.length);
  return b.kind === "logs" && Array.isArray(b.records);
}

function groups(messages: readonly Message<IngestMessage>[]): Typed[] {
  const out: Typed[] = [];
  const open: Record<Kind, { group: Typed; rows: number } | undefined> = { metrics: undefined, logs: undefined };
  for (const m of messages) {
    const kind = m.body.kind;
    const rows = rowsOf(m.body);
    let cur = open[kind];
    if (!cur || cur.rows + rows > GROUP_ROWS) {
      cur = { group: { kind, messages: [] } as Typed, rows: 0 };
      open[kind] = cur;
      out.push(cur.group);
    }
    (cur.group.messages as Message<IngestMessage>[]).push(m);
    cur.rows += rows;
  }
  return out;
}

async function write(storage: WriteStorage, g: Typed, opts: WriteOptions): Promise<WriteResult[]> {
  if (g.kind === "metrics") return storage.writeMetrics(g.messages.map((m) => m.body));
  const bodies = g.messages.map((m) => m.body);
  await opts.price(bodies);
  return storage.writeLogs(bodies);
}

interface WriteOptions {
  debug: boolean;
  /** Fills in the cost of logs that came without one (pricing.ts). */
  price(msgs: LogsMessage[]): Promise<void>;
  /** Where the refused items of a part go alone; without it the whole part goes (by retries). */
  deadLetters?: Queue<IngestMessage>;
  /** Records a dead-lettered part in Postgres; never throws. */
  recordDeadLetter: RecordDeadLetter;
  /** The attempt after which the queue dead-letters a retried message. */
  lastAttempt: number;
}

async function writeGroup(storage: WriteStorage, g: Typed, opts: WriteOptions): Promise<void> {
  const started = Date.now();
  try {
    const results = await write(storage, g, opts);
    for (const m of g.messages) m.ack();
    if (opts.debug) log("debug", "written", { kind: g.kind, parts: g.messages.length, written: results[0]?.written ?? 0, duplicates: results.filter((r) => r.duplicate).length, ms: Date.now() - started });
    return;
  } catch (err) {
    if (g.messages.length === 1) {
      const m = g.messages[0];
      if (isDataError(err)) return isolate(storage, m, err, opts);
      log("warn", "write failed; message will be retried", { id: m.id, attempts: m.attempts, error: databaseMessage(err) });
      return retryLater(m, err, opts);
    }
    log("warn", "group write failed; writing its messages one by one", { kind: g.kind, parts: g.messages.length, error: databaseMessage(err) });
  }
  for (const m of g.messages) await writeGroup(storage, { kind: g.kind, messages: [m] } as Typed, opts);
}

/**
 * A part Postgres refused for its data: its good items are written and the bad
 * ones named in the log. The bad ones alone go to the dead-letter queue (a part
 * of just them, "<batchId>#refused") and the part is acked; without that binding,
 * when not every bad item was found, or when all were bad, the part itself goes on to the
 * dead-letter queue at once (retrying cannot change the data; its good items are
 * already stored, so replaying it from there is harmless).
 */
async function isolate(storage: WriteStorage, m: Message<IngestMessage>, failure: unknown, opts: WriteOptions): Promise<void> {
  const deadLetters = opts.deadLetters;
  const where = { id: m.id, batchId: m.body.batchId, part: m.body.part, kind: m.body.kind, attempts: m.attempts };
  try {
    const result = await isolateBadItems(storage, m.body, failure);
    if (result.complete && result.refused.length === 0) {
      // Every item went in on its own: only the combined write was refused (e.g. a program limit on its arrays).
      log("info", "a message part refused as a whole was written item range by item range", { ...where, items: itemCount(m.body), error: databaseMessage(failure) });
      m.ack();
      return;
    }
    // When every item was refused, the part itself is what goes (its own id, its attempts).
    const alone = result.complete && deadLetters !== undefined && result.refused.length < itemCount(m.body);
    log("error", `Postgres refused items of a message part; its other items are written, and ${alone ? "the refused items alone go to the dead-letter queue" : "the part is retried without delay until it reaches the dead-letter queue"}`, {
      ...where,
      items: itemCount(m.body),
      written: result.written,
      refused: result.refused.slice(0, 20),
      ...(result.complete ? {} : { note: "too many failing items to isolate them all; the rest were not written" }),
    });
    const reason = result.refused.length > 0 ? `${result.refused[0].item}: ${result.refused[0].reason}` : databaseMessage(failure);
    if (!alone) {
      m.retry({ delaySeconds: 0 });
      // Bound for the dead-letter queue whole: retrying cannot change its data. Recorded at
      // each of those deliveries (once: same batch and part), so no count of attempts is needed.
      const why = result.complete ? "every item refused" : `too many refused items to isolate them all (${result.refused.length} found)`;
      return opts.recordDeadLetter(wholePart(m.body, `${why}; first: ${reason}`));
    }
    const dead = onlyItems(m.body, result.refused.map((r) => r.index));
    await deadLetters.send(dead, { contentType: "v8" });
    await opts.recordDeadLetter({ ...wholePart(dead, `${result.refused.length} of ${itemCount(m.body)} items refused; first: ${reason}`), items: result.refused.length });
    m.ack();
  } catch (err) {
    log("warn", "write failed while isolating refused items; message will be retried", { ...where, error: databaseMessage(err) });
    await retryLater(m, err, opts);
  }
}

/** A retriable failure: retried with backoff; on its last attempt the queue moves it to the dead-letter queue, so it is recorded. */
async function retryLater(m: Message<IngestMessage>, err: unknown, opts: WriteOptions): Promise<void> {
  m.retry({ delaySeconds: retryDelaySeconds(m.attempts) });
  if (m.attempts >= opts.lastAttempt) await opts.recordDeadLetter(wholePart(m.body, `failed on all ${m.attempts} attempts; last: ${databaseMessage(err)}`));
}

export async function handleBatch(batch: MessageBatch<IngestMessage>, env: AggregatorEnv, ctx: ExecutionContext): Promise<void> {
  const readable: Message<IngestMessage>[] = [];
  const unreadable: DeadLetterEntry[] = [];
  for (const m of batch.messages) {
    if (isReadable(m.body)) readable.push(m);
    else {
      // Not ours to understand: retrying cannot help, let it go to the dead-letter queue.
      log("error", "unreadable queue message; sending to dead-letter queue", { id: m.id });
      m.retry({ delaySeconds: 0 });
      const entry = unreadablePart(m.body);
      if (entry) unreadable.push(entry);
    }
  }
  if (readable.length === 0 && unreadable.length === 0) return;
  const todo = groups(readable);
  const { db, close } = openDb(env, CONCURRENCY);
  const storage = postgresWriteStorage(db);
  const opts: WriteOptions = {
    debug: env.LOG_LEVEL === "debug",
    deadLetters: env.DEAD_LETTERS,
    price: (msgs) => priceMessages(db, msgs),
    recordDeadLetter: deadLetterRecorder(db, log),
    lastAttempt: lastAttemptOf(env),
  };
  let next = 0;
  const worker = async () => {
    while (next < todo.length) await writeGroup(storage, todo[next++], opts);
  };
  try {
    await Promise.all([...unreadable.map(opts.recordDeadLetter), ...Array.from({ length: Math.min(CONCURRENCY, todo.length) }, worker)]);
  } finally {
    ctx.waitUntil(close().catch(() => {}));
  }
}

export default {
  async fetch(req: Request): Promise<Response> {
    if (new URL(req.url).pathname === "/healthz") return Response.json({ status: "ok", worker: "aggregator" });
    return new Response("the aggregator consumes the ingest queue; it serves no HTTP API\n", { status: 404 });
  },
  queue: handleBatch,
} satisfies ExportedHandler<AggregatorEnv, IngestMessage>;
