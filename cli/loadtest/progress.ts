// The live progress line on stderr: redrawn in place on a terminal (k6's
// running line), one plain line every NON_TTY_EVERY_MS otherwise so CI logs
// show the run is alive without flooding.
import { formatCount, formatMs, formatPercent, formatRate } from "../terminal/format";
import type { Out } from "../terminal/io";
import type { StreamSnapshot } from "./recorder";

const TTY_EVERY_MS = 250;
const NON_TTY_EVERY_MS = 10_000;

export interface LiveFigures {
  elapsedMs: number;
  totalMs: number;
  total: StreamSnapshot;
  /** Requests (or accepted items) per second over the last second. */
  recentRate: number;
  rateLabel: string;
  /** "12/20 VUs" or "in flight 3". */
  load: string;
}

export function progressLine(f: LiveFigures): string {
  const t = f.total;
  const errs = Object.entries(t.byStatus).filter(([k]) => !k.startsWith("2")).map(([k, n]) => `${k}:${formatCount(n)}`).join(" ");
  const skipped = t.dropped + t.throttled ? `  dropped ${formatCount(t.dropped)} throttled ${formatCount(t.throttled)}` : "";
  return `${formatMs(f.elapsedMs)}/${formatMs(f.totalMs)}  ${f.load}  reqs ${formatCount(t.requests)}  ok ${formatPercent(t.requests ? t.ok / t.requests : null)}  ` +
    `${f.rateLabel} ${formatRate(f.recentRate)}  p95 ${formatMs(t.latencyMs.p95)}${errs ? `  errors ${errs}` : ""}${skipped}`;
}

export class LiveProgress {
  private last = 0;
  private drawn = false;
  constructor(private readonly out: Out, private readonly now: () => number = Date.now) {
    // Off a terminal the first line comes after the first interval, not at 0s.
    if (out.isTTY !== true) this.last = now();
  }

  update(figures: () => LiveFigures): void {
    const tty = this.out.isTTY === true;
    const t = this.now();
    if (t - this.last < (tty ? TTY_EVERY_MS : NON_TTY_EVERY_MS)) return;
    this.last = t;
    if (tty) {
      this.out.write(`\r\x1b[2K${progressLine(figures())}`);
      this.drawn = true;
    } else this.out.write(`${progressLine(figures())}\n`);
  }

  /** Ends the redrawn line so what follows starts on its own. */
  finish(): void {
    if (this.drawn) this.out.write("\n");
    this.drawn = false;
  }
}
