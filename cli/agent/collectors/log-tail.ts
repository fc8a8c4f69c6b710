// Follows one log file like `tail -F`, but restartable: a position is (inode,
// first bytes of the file, byte offset), so after a restart we resume exactly
// where the last checkpoint was, in the same file even if it was rotated away
// meanwhile. Handles rename+create rotation (drain the old file, then switch)
// and truncation (size shrank, or the first bytes changed: copytruncate).
import { closeSync, fstatSync, openSync, readdirSync, readSync, statSync } from "node:fs";
import { dirname, join } from "node:path";

export interface TailPosition {
  ino: number;
  /** base64 of the file's first bytes (up to HEAD_BYTES): tells a new file from the old one when inodes are reused. */
  head: string;
  offset: number;
}

/**
 * Complete lines read in one go. A line is decoded only when asked for: a
 * chunk of a thousand lines then holds one buffer, not a thousand strings
 * that every young-generation GC during the chunk would have to copy.
 */
export class TailChunk {
  constructor(
    private readonly data: Buffer,
    /** File offset of data[0]. */
    private readonly base: number,
    private readonly starts: readonly number[],
    private readonly ends: readonly number[],
    /** Position after the last line of this chunk. */
    readonly end: TailPosition,
    /** Bytes skipped because a line was longer than the read limit. */
    readonly skippedBytes: number,
  ) {}

  get count(): number {
    return this.starts.length;
  }

  /** Byte offset in the file where line i starts. */
  offset(i: number): number {
    return this.base + this.starts[i];
  }

  /** Line i (without its newline or CR). */
  text(i: number): string {
    return this.data.toString("utf8", this.starts[i], this.ends[i]);
  }
}

export type TailEvent = "rotated" | "truncated" | "resumed_rotated";

const HEAD_BYTES = 64;
const NL = 0x0a;

export class FileTailer {
  private fd: number | null = null;
  private ino = 0;
  private head = "";
  private offset = 0;

  constructor(
    readonly path: string,
    private start: TailPosition | null,
    private readonly onEvent: (e: TailEvent, detail: Record<string, unknown>) => void = () => {},
    private readonly maxChunkBytes = 1024 * 1024,
  ) {}

  position(): TailPosition {
    return { ino: this.ino, head: this.head, offset: this.offset };
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  /** Next complete lines (a partial last line waits for its newline), or null when there is nothing new. */
  read(): TailChunk | null {
    if (this.fd === null && !this.openInitial()) return null;
    for (let attempt = 0; attempt < 2; attempt++) {
      const chunk = this.readCurrent();
      if (chunk) return chunk;
      // At the end of the open file: if the path now names another file, the
      // old one was rotated away and is fully drained, so move on.
      if (!this.switchIfRotated()) return null;
    }
    return null;
  }

  private readHeadOf(fd: number, size: number): string {
    const n = Math.min(size, HEAD_BYTES);
    if (n === 0) return "";
    const buf = Buffer.alloc(n);
    const got = readSync(fd, buf, 0, n, 0);
    return buf.subarray(0, got).toString("base64");
  }

  private headMatches(fd: number, size: number, head: string): boolean {
    if (head === "") return true;
    const want = Buffer.from(head, "base64");
    if (size < want.length) return false;
    const buf = Buffer.alloc(want.length);
    readSync(fd, buf, 0, want.length, 0);
    return buf.equals(want);
  }

  private openInitial(): boolean {
    const start = this.start;
    this.start = null;
    if (start) {
      let pathIno: number | null = null;
      try {
        pathIno = statSync(this.path).ino;
      } catch {}
      if (pathIno !== start.ino) {
        // Rotated while we were not running: finish the old file first, if it is still around.
        const old = this.findByInode(start);
        if (old) {
          this.adopt(old.fd, start.ino, start.head, start.offset);
          this.onEvent("resumed_rotated", { file: old.file, offset: start.offset });
          return true;
        }
      }
    }
    let fd: number;
    try {
      fd = openSync(this.path, "r");
    } catch {
      return false; // not created yet; try again next poll
    }
    const st = fstatSync(fd);
    if (start && st.ino === start.ino && st.size >= start.offset && this.headMatches(fd, st.size, start.head)) this.adopt(fd, st.ino, start.head, start.offset);
    else this.adopt(fd, st.ino, "", 0);
    return true;
  }

  private findByInode(pos: TailPosition): { fd: number; file: string } | null {
    const dir = dirname(this.path);
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return null;
    }
    for (const name of names) {
      const file = join(dir, name);
      try {
        if (statSync(file).ino !== pos.ino) continue;
        const fd = openSync(file, "r");
        const st = fstatSync(fd);
        if (st.ino === pos.ino && st.size >= pos.offset && this.headMatches(fd, st.size, pos.head)) return { fd, file };
        closeSync(fd);
      } catch {}
    }
    return null;
  }

  private adopt(fd: number, ino: number, head: string, offset: number): void {
    this.close();
    this.fd = fd;
    this.ino = ino;
    this.head = head;
    this.offset = offset;
  }

  private readCurrent(): TailChunk | null {
    const fd = this.fd!;
    const st = fstatSync(fd);
    if (st.size < this.offset || !this.headMatches(fd, st.size, this.head)) {
      this.onEvent("truncated", { path: this.path, offset: this.offset, size: st.size });
      this.offset = 0;
      this.head = "";
    }
    if (this.head.length < Math.ceil(HEAD_BYTES / 3) * 4) this.head = this.readHeadOf(fd, st.size);
    if (st.size <= this.offset) return null;
    const len = Math.min(st.size - this.offset, this.maxChunkBytes);
    const buf = Buffer.allocUnsafe(len);
    const got = readSync(fd, buf, 0, len, this.offset);
    const data = buf.subarray(0, got);
    const lastNl = data.lastIndexOf(NL);
    if (lastNl === -1) {
      if (got < this.maxChunkBytes) return null; // a line still being written
      // One line longer than a whole chunk: skip it rather than stall forever.
      this.offset += got;
      return new TailChunk(data, this.offset - got, [], [], this.position(), got);
    }
    const starts: number[] = [];
    const ends: number[] = [];
    let startIdx = 0;
    while (startIdx <= lastNl) {
      const nl = data.indexOf(NL, startIdx);
      let endIdx = nl;
      if (endIdx > startIdx && data[endIdx - 1] === 0x0d) endIdx--; // CRLF
      if (endIdx > startIdx) (starts.push(startIdx), ends.push(endIdx));
      startIdx = nl + 1;
    }
    const base = this.offset;
    this.offset += lastNl + 1;
    return new TailChunk(data, base, starts, ends, this.position(), 0);
  }

  private switchIfRotated(): boolean {
    let fd: number;
    try {
      if (statSync(this.path).ino === this.ino) return false;
      fd = openSync(this.path, "r");
    } catch {
      return false; // path gone and not recreated yet: keep the old file, writers may still append
    }
    const st = fstatSync(fd);
    this.onEvent("rotated", { path: this.path, old_ino: this.ino, new_ino: st.ino });
    this.adopt(fd, st.ino, "", 0);
    return true;
  }
}
