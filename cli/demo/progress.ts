// Backfill progress: a bar redrawn in place on a terminal (the shared
// terminal bar, left on its line at the end), else one line per 10% (logs and
// CI stay readable).
import { formatCount, formatMs } from "../terminal/format";
import type { Out } from "../terminal/io";
import { progressBar } from "../terminal/progress";

export interface Progress {
  update(done: number, samples: number, logs: number): void;
  finish(): void;
}

export function progress(total: number, out: Out | undefined, log: (line: string) => void, startedAt: () => number): Progress {
  const t0 = startedAt();
  // The bar's text is the log line's: percent, samples, request logs, elapsed.
  const bar = progressBar(out, "backfill", { width: 30, now: startedAt, keep: true, tail: (_pct, _ms, note) => note });
  const tty = out?.isTTY === true;
  let lastDecile = 0;
  const line = (done: number, samples: number, logs: number) => {
    const pct = total === 0 ? 100 : Math.floor((done / total) * 100);
    return `${pct}%  ${formatCount(samples)} samples, ${formatCount(logs)} request logs  (${formatMs(startedAt() - t0)})`;
  };
  return {
    update(done, samples, logs) {
      if (tty) return bar.update(done, total, line(done, samples, logs));
      const decile = total === 0 ? 10 : Math.floor((done / total) * 10);
      if (decile > lastDecile) {
        lastDecile = decile;
        log(`backfill ${line(done, samples, logs)}`);
      }
    },
    finish: () => bar.done(),
  };
}
