// Batches waiting for delivery, one file each under <data_dir>/queue, so
// nothing is lost when the endpoint is down or the agent is killed. A batch is
// written to a temp file, fsynced, renamed into place and the directory fsynced:
// after enqueue() returns it survives SIGKILL and power loss; a torn write can
// only leave a temp file, which start-up deletes. Synchronous on purpose: the
// caller checkpoints log offsets right after, with no await in between.
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import { log } from "../log";

export type BatchKind = "metrics" | "logs";

export interface BatchMeta {
  /** Idempotency-Key: fixed when the batch is made, so retries and restarts resend the same one. */
  key: string;
  kind: BatchKind;
  createdAt: number;
  /** Samples or log records inside. */
  items: number;
  /** Log batches: the tail position after this batch, for checkpoint recovery. */
  source?: { id: string; ino: number; head: string; offset: number };
}

export interface QueuedBatch {
  seq: number;
  kind: BatchKind;
  file: string;
  bytes: number;
}

const MAGIC = Buffer.from("ISQ1");
const NAME_RE = /^(\d{16})\.(metrics|logs)\.batch$/;

function fsyncDir(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export class DiskQueue {
  private readonly batches: Record<BatchKind, QueuedBatch[]> = { metrics: [], logs: [] };
  private totalBytes = 0;
  private seq = 0;
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly dir: string,
    private readonly maxBytes: number,
    private readonly onDrop: (b: QueuedBatch, reason: string) => void = () => {},
  ) {
    mkdirSync(dir, { recursive: true });
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (name.startsWith(".tmp-")) {
        unlinkSync(path); // an enqueue that never completed: its caller never saw success
        continue;
      }
      const m = NAME_RE.exec(name);
      if (!m) continue;
      const b: QueuedBatch = { seq: Number(m[1]), kind: m[2] as BatchKind, file: path, bytes: statSync(path).size };
      this.batches[b.kind].push(b);
      this.totalBytes += b.bytes;
      this.seq = Math.max(this.seq, b.seq);
    }
  }

  enqueue(meta: BatchMeta, payload: Uint8Array): QueuedBatch {
    // Microsecond-clock seqs stay increasing across restarts even when the queue
    // was empty, which checkpoint recovery relies on (it compares seqs).
    const seq = (this.seq = Math.max(this.seq + 1, Date.now() * 1000));
    const name = `${String(seq).padStart(16, "0")}.${meta.kind}.batch`;
    const tmp = join(this.dir, `.tmp-${name}`);
    const file = join(this.dir, name);
    const metaBuf = Buffer.from(JSON.stringify(meta));
    const head = Buffer.alloc(8);
    MAGIC.copy(head, 0);
    head.writeUInt32BE(metaBuf.length, 4);
    const fd = openSync(tmp, "w");
    try {
      writeSync(fd, head);
      writeSync(fd, metaBuf);
      writeSync(fd, payload);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
    fsyncDir(this.dir);
    const b: QueuedBatch = { seq, kind: meta.kind, file, bytes: head.length + metaBuf.length + payload.length };
    this.batches[meta.kind].push(b);
    this.totalBytes += b.bytes;
    this.enforceBound(b);
    for (const l of this.listeners) l();
    return b;
  }

  /** Past the bound, the oldest batches go first: recent data is worth more on a dashboard. */
  private enforceBound(keep: QueuedBatch): void {
    while (this.totalBytes > this.maxBytes) {
      const m = this.batches.metrics[0];
      const l = this.batches.logs[0];
      const oldest = !m ? l : !l ? m : m.seq < l.seq ? m : l;
      if (!oldest || oldest === keep) break;
      this.remove(oldest);
      log.warn("queue full, dropped oldest batch", { kind: oldest.kind, seq: oldest.seq, bytes: oldest.bytes, max_bytes: this.maxBytes });
      this.onDrop(oldest, "queue_full");
    }
  }

  read(b: QueuedBatch): { meta: BatchMeta; payload: Uint8Array<ArrayBuffer> } {
    const buf = readFileSync(b.file);
    if (buf.length < 8 || !buf.subarray(0, 4).equals(MAGIC)) throw new Error(`${b.file}: not a queue batch`);
    const metaLen = buf.readUInt32BE(4);
    const meta = JSON.parse(buf.subarray(8, 8 + metaLen).toString("utf8")) as BatchMeta;
    return { meta, payload: new Uint8Array(buf.subarray(8 + metaLen)) }; // a copy typed as fetch body
  }

  /** Just the header, for start-up recovery over many queued batches. */
  readMeta(b: QueuedBatch): BatchMeta | null {
    try {
      const fd = openSync(b.file, "r");
      try {
        const head = Buffer.alloc(8);
        readSync(fd, head, 0, 8, 0);
        if (!head.subarray(0, 4).equals(MAGIC)) return null;
        const metaBuf = Buffer.alloc(head.readUInt32BE(4));
        readSync(fd, metaBuf, 0, metaBuf.length, 8);
        return JSON.parse(metaBuf.toString("utf8")) as BatchMeta;
      } finally {
        closeSync(fd);
      }
    } catch {
      return null;
    }
  }

  remove(b: QueuedBatch): void {
    const list = this.batches[b.kind];
    const i = list.indexOf(b);
    if (i === -1) return; // already dropped by the bound
    list.splice(i, 1);
    this.totalBytes -= b.bytes;
    try {
      unlinkSync(b.file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    }
  }

  oldest(kind: BatchKind): QueuedBatch | undefined {
    return this.batches[kind][0];
  }

  list(kind: BatchKind): readonly QueuedBatch[] {
    return this.batches[kind];
  }

  depth(kind?: BatchKind): number {
    return kind ? this.batches[kind].length : this.batches.metrics.length + this.batches.logs.length;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  /** Called after every enqueue; the forwarder uses it to wake up. */
  onEnqueue(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
}
