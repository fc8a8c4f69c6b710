// Backfill progress: a bar redrawn in place on a terminal, else one line per
// 10% (logs and CI stay readable).
import { formatCount, formatMs } from "../terminal/format";
import type { Out } from "../terminal/io";

export interface Progress {
  update(done: number, samples: number, logs: number): void;
  finish(): void;
}

export function progress(total: number, out: Out | undefined, log: (line: string) => void, startedAt: () => number): Progress {
  const t0 = startedAt();
  const tty = out?.isTTY === true;
  let lastDecile = 0;
  let lastDraw = 0;
  const line = (done: number, samples: number, logs: number) => {
    const pct = total === 0 ? 100 : Math.floor((done / total) * 100);
    return `${pct}%  ${formatCount(samples)} samples, ${formatCount(logs)} request logs  (${formatMs(startedAt() - t0)})`;
  };
  return {
    update(done, samples, logs) {
      if (tty && out) {
        const now = startedAt();
        if (now - lastDraw < 100 && done < total) return;
        lastDraw = now;
        const width = 30;
        const filled = total === 0 ? width : Math.round((done / total) * width);
        out.write(`\r\x1b[2Kbackfill [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${line(done, samples, logs)}`);
        return;
      }
      const decile = total === 0 ? 10 : Math.floor((done / total) * 10);
      if (decile > lastDecile) {
        lastDecile = decile;
        log(`backfill ${line(done, samples, logs)}`);
      }
    },
    finish() {
      if (tty && out) out.write("\n");
    },
  };
}
