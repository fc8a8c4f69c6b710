// One tailed log file end to end: read new lines, turn them into log records,
// enqueue batches, checkpoint. The order is what makes it lossless: a batch is
// durable in the queue before the checkpoint moves past its lines, and the
// batch itself records the position after it, so a crash between the two is
// repaired at start-up from the queue (no line lost, none sent twice).
import { createHash } from "node:crypto";
import { RequestLogSchema, type RequestLogInput } from "../../../shared/logs/record";
import type { LogSourceConfig } from "../config";
import type { DiskQueue } from "../delivery/disk-queue";
import { encodeLogRecordsJson } from "../delivery/payloads";
import { log } from "../log";
import type { AgentMetrics } from "../self-metrics";
import type { CheckpointStore } from "./checkpoint";
import { lineRecord } from "./log-records";
import { quickValidator } from "./record-check";
import { FileTailer, type TailChunk, type TailPosition } from "./log-tail";

/** Certainly valid per RequestLogSchema, without zod's cost; the rest goes to zod for the verdict and the reason. */
const quickValid = quickValidator(RequestLogSchema);

/** Chunks (up to 1 MiB each) read per poll before yielding to the event loop. */
const MAX_CHUNKS_PER_POLL = 16;

export class LogSource {
  readonly id: string;
  private tailer!: FileTailer;
  private timer: NodeJS.Timeout | undefined;
  private lastSeq = 0;
  private invalidLogged = 0;

  constructor(
    private readonly cfg: LogSourceConfig,
    private readonly queue: DiskQueue,
    private readonly checkpoints: CheckpointStore,
    private readonly metrics: AgentMetrics,
    private readonly extraAttributes: Record<string, string>,
    private readonly maxPerBatch: number,
  ) {
    this.id = cfg.name!;
  }

  /** Where to resume: the checkpoint, or a newer position recorded in a queued batch. */
  private recover(): TailPosition | null {
    const ckpt = this.checkpoints.load(this.id);
    let pos = ckpt?.position ?? null;
    this.lastSeq = ckpt?.seq ?? 0;
    const queued = this.queue.list("logs");
    for (let i = queued.length - 1; i >= 0 && queued[i].seq > this.lastSeq; i--) {
      const meta = this.queue.readMeta(queued[i]);
      if (meta?.source?.id === this.id) {
        log.info("log position recovered from queue", { source: this.id, offset: meta.source.offset, checkpoint_offset: pos?.offset ?? null });
        pos = { ino: meta.source.ino, head: meta.source.head, offset: meta.source.offset };
        this.lastSeq = queued[i].seq;
        this.checkpoints.save(this.id, { position: pos, seq: this.lastSeq });
        break;
      }
    }
    return pos;
  }

  private openTailer(start: TailPosition | null): void {
    this.tailer = new FileTailer(this.cfg.path, start, (event, detail) => {
      this.metrics.logRotations.inc({ source: this.id, kind: event });
      log.info(`log file ${event}`, { source: this.id, ...detail });
    });
  }

  start(): void {
    this.openTailer(this.recover());
    this.timer = setInterval(() => this.poll(), this.cfg.poll_interval);
    this.poll();
  }

  /** Reads what is there now; a final call on shutdown picks up the last lines. */
  stop(): void {
    clearInterval(this.timer);
    this.poll();
    this.tailer.close();
  }

  poll(): void {
    try {
      for (let i = 0; i < MAX_CHUNKS_PER_POLL; i++) {
        const chunk = this.tailer.read();
        if (!chunk) break;
        this.process(chunk);
      }
    } catch (e) {
      // A full disk or unreadable file: the tailer may have read past lines that
      // never reached the queue, so rewind to the checkpoint and retry next poll.
      log.error("log source poll failed", { source: this.id, error: String(e) });
      this.tailer.close();
      this.openTailer(this.checkpoints.load(this.id)?.position ?? null);
    }
  }

  /** A record to send, or null for a line that is skipped (counted; a record that cannot be sent is logged with why). */
  private toRecord(text: string, requestId: string, offset: number): RequestLogInput | null {
    const result = lineRecord(text, this.cfg, requestId);
    if (!result) return null;
    let reason: string;
    if (result.ok) {
      const rec = result.record;
      if (Object.keys(this.extraAttributes).length > 0) rec.attributes = { ...this.extraAttributes, ...rec.attributes };
      // The server would refuse it (and a 4xx batch is not retried): say why here, where the file is.
      if (quickValid(rec)) return rec;
      const checked = RequestLogSchema.safeParse(rec);
      if (checked.success) return rec;
      const issue = checked.error.issues[0];
      const field = issue ? String(issue.path[0] ?? "") : "";
      reason = `${(field && result.sources[field as keyof typeof result.sources]) || field || "(record)"}: ${issue?.message}`;
    } else {
      reason = `${result.problem.field}: ${result.problem.reason}`;
    }
    this.metrics.logLines.inc({ source: this.id, result: "invalid" });
    if (this.invalidLogged++ < 20) log.warn("log record invalid, skipped", { source: this.id, offset, reason });
    return null;
  }

  private process(chunk: TailChunk): void {
    const { ino, head } = chunk.end;
    const headTag = createHash("sha1").update(head).digest("hex").slice(0, 8);
    const idPrefix = `${this.id}-${ino}-${headTag}-`;
    // Each record is turned into its JSON at once and the object let go: a poll
    // of a thousand lines then keeps a thousand strings alive, not a thousand
    // object graphs, which is most of what the young-generation GC had to copy.
    let records: string[] = [];
    const n = chunk.count;
    let batchStart = n > 0 ? chunk.offset(0) : chunk.end.offset;
    let skipped = 0;
    for (let i = 0; i < n; i++) {
      // Lines without their own id get one from their place in the file, so a re-read yields the same id.
      const at = chunk.offset(i);
      const rec = this.toRecord(chunk.text(i), idPrefix + at, at);
      if (rec) records.push(JSON.stringify(rec));
      else skipped++;
      if (records.length >= this.maxPerBatch) {
        const end = i + 1 < n ? chunk.offset(i + 1) : chunk.end.offset;
        this.flush(records, batchStart, { ino, head, offset: end });
        records = [];
        batchStart = end;
      }
    }
    this.flush(records, batchStart, chunk.end);
    this.metrics.logLines.inc({ source: this.id, result: "skipped" }, skipped);
    if (chunk.skippedBytes > 0) log.warn("log line longer than the read limit, skipped", { source: this.id, bytes: chunk.skippedBytes });
  }

  private flush(records: string[], start: number, end: TailPosition): void {
    if (records.length > 0) {
      const key = "logs-" + createHash("sha256").update(`${this.id}|${end.ino}|${end.head}|${start}|${end.offset}`).digest("hex").slice(0, 40);
      const b = this.queue.enqueue(
        { key, kind: "logs", createdAt: Date.now(), items: records.length, source: { id: this.id, ...end } },
        encodeLogRecordsJson(records),
      );
      this.lastSeq = b.seq;
      this.metrics.batchesQueued.inc({ kind: "logs" });
      this.metrics.logLines.inc({ source: this.id, result: "record" }, records.length);
    }
    this.checkpoints.save(this.id, { position: end, seq: this.lastSeq });
  }
}
