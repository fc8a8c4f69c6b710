// A progress bar on stderr while a probe runs, redrawn in place at most ten
// times a second, and only on a terminal: a pipe, a file or CI gets nothing,
// so stderr stays for what went wrong.
import { formatMs } from "../terminal/format";
import type { Out } from "../terminal/io";

export interface Progress {
  /** done of total (requests, or elapsed ms of a timed run); `note` follows the bar. */
  update(done: number, total: number, note?: string): void;
  /** Clears the bar. */
  done(): void;
}

const WIDTH = 28;

export function progressBar(out: Out, label: string, now: () => number = Date.now): Progress {
  if (out.isTTY !== true) return { update() {}, done() {} };
  const t0 = now();
  let last = 0;
  let drawn = false;
  return {
    update(done, total, note = "") {
      const t = now();
      if (t - last < 100 && done < total) return;
      last = t;
      const frac = total > 0 ? Math.min(1, done / total) : 1;
      const filled = Math.round(frac * WIDTH);
      out.write(`\r\x1b[2K${label} [${"#".repeat(filled)}${"-".repeat(WIDTH - filled)}] ${Math.floor(frac * 100)}% ${formatMs(t - t0)}${note ? `  ${note}` : ""}`);
      drawn = true;
    },
    done() {
      if (drawn) out.write("\r\x1b[2K");
      drawn = false;
    },
  };
}
