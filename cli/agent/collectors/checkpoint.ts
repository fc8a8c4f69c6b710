// Tail positions on disk, one small JSON file per log source, replaced
// atomically (temp, fsync, rename) so a crash leaves the old or the new one.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { TailPosition } from "./log-tail";

export interface Checkpoint {
  position: TailPosition;
  /** Queue seq of the last batch enqueued from this source; newer queued batches win on recovery. */
  seq: number;
}

export class CheckpointStore {
  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  load(id: string): Checkpoint | null {
    try {
      const c = JSON.parse(readFileSync(join(this.dir, `${id}.json`), "utf8")) as Checkpoint;
      return typeof c.position?.offset === "number" ? c : null;
    } catch {
      return null;
    }
  }

  save(id: string, c: Checkpoint): void {
    const file = join(this.dir, `${id}.json`);
    const tmp = `${file}.tmp`;
    const fd = openSync(tmp, "w");
    try {
      writeSync(fd, JSON.stringify(c));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
    const dfd = openSync(this.dir, "r");
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  }
}
