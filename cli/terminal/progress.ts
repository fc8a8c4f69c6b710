// A progress bar on a terminal, redrawn in place at most ten times a second,
// and only on a terminal: a pipe, a file or CI gets nothing, so that stream
// stays for what went wrong (a caller that wants log lines off a terminal, as
// the demo's backfill does, writes them itself).
import { formatMs } from "./format";
import type { Out } from "./io";

export interface Progress {
  /** done of total (requests, ticks, or elapsed ms of a timed run); `note` follows the bar. */
  update(done: number, total: number, note?: string): void;
  /** Clears the bar, or ends its line where `keep` asked for it to stay. */
  done(): void;
}

export interface ProgressOptions {
  /** Characters between the brackets; default 28. */
  width?: number;
  now?: () => number;
  /** What follows the bar; default "45% 1.2s  note". */
  tail?: (percent: number, elapsedMs: number, note: string) => string;
  /** done() leaves the last bar on its own line instead of clearing it. */
  keep?: boolean;
}

export function progressBar(out: Out | undefined, label: string, opts: ProgressOptions = {}): Progress {
  if (out?.isTTY !== true) return { update() {}, done() {} };
  const { width = 28, now = Date.now, keep = false } = opts;
  const tail = opts.tail ?? ((pct, ms, note) => `${pct}% ${formatMs(ms)}${note ? `  ${note}` : ""}`);
  const t0 = now();
  let last = 0;
  let drawn = false;
  return {
    update(done, total, note = "") {
      const t = now();
      if (t - last < 100 && done < total) return;
      last = t;
      const frac = total > 0 ? Math.min(1, done / total) : 1;
      const filled = Math.round(frac * width);
      out.write(`\r\x1b[2K${label} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${tail(Math.floor(frac * 100), t - t0, note)}`);
      drawn = true;
    },
    done() {
      if (drawn) out.write(keep ? "\n" : "\r\x1b[2K");
      drawn = false;
    },
  };
}
