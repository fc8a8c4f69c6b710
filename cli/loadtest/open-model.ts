// The open model (k6's ramping-arrival-rate): iterations start on a schedule
// set by the shape and the peak rate, whether or not earlier ones have
// finished, so a slow server does not lower the offered load. An iteration
// that finds every slot busy (--vus in flight) is dropped, one that starts more
// than LATE_MS after its time (the process itself could not keep up) is late,
// and one due while the server has asked us to wait (429 Retry-After) is
// throttled: all three are counted, none is sent later.
import { setTimeout as sleep } from "node:timers/promises";
import { RunScope } from "./run-scope";
import { cumulative, type Shape } from "./scenarios";
import type { StreamStats } from "./recorder";

export const LATE_MS = 100;
const TICK_MS = 10;

export interface ArrivalStream {
  stats: StreamStats;
  /** Iterations per second at level 1. */
  peakPerSecond: number;
  /** Sends one request; `signal` aborts it at the hard stop. */
  iterate(signal: AbortSignal): Promise<void>;
  /** Unix ms until which the server asked us not to send (Retry-After); 0 when it has not. */
  pausedUntil(): number;
}

export interface ArrivalOptions {
  shape: Shape;
  maxInFlight: number;
  /** Stops scheduling (Ctrl-C); what is in flight still finishes within the graceful stop. */
  stop: AbortSignal;
  /** How long requests in flight at the end may take before they are aborted and counted as interrupted. */
  gracefulStopMs: number;
  now?: () => number;
}

/** Runs the streams side by side until the shape ends (or stop), then waits for what is in flight. */
export async function runArrivals(streams: ArrivalStream[], o: ArrivalOptions): Promise<void> {
  const run = new RunScope(o.shape, o.now);
  const { end, t0, now } = run;
  const launched = streams.map(() => 0);
  let prevT = 0;
  while (!o.stop.aborted) {
    const t = Math.min(run.elapsed(), end);
    streams.forEach((s, i) => {
      const perMs = s.peakPerSecond / 1000;
      const c0 = cumulative(o.shape, prevT) * perMs;
      const c1 = cumulative(o.shape, t) * perMs;
      const due = Math.floor(c1);
      // When iteration k was due, within this tick (the rate is linear there), so a stalled loop shows as late iterations.
      for (let k = launched[i] + 1; k <= due; k++) launch(s, t0 + (c1 > c0 ? prevT + ((k - c0) / (c1 - c0)) * (t - prevT) : t));
      launched[i] = Math.max(launched[i], due);
    });
    prevT = t;
    if (t >= end) break;
    await sleep(TICK_MS);
  }

  function launch(s: ArrivalStream, dueAt: number) {
    const at = now();
    if (at < s.pausedUntil()) {
      s.stats.throttled++;
      return;
    }
    if (run.inFlight.size >= o.maxInFlight) {
      s.stats.dropped++;
      return;
    }
    if (at - dueAt > LATE_MS) s.stats.late++;
    run.track(s.iterate(run.hard.signal));
  }

  await run.drain(o.gracefulStopMs);
}
