// The open model (k6's ramping-arrival-rate): iterations start on a schedule
// set by the shape and the peak rate, whether or not earlier ones have
// finished, so a slow server does not lower the offered load. An iteration
// that finds every slot busy (--vus in flight) is dropped, one that starts more
// than LATE_MS after its time (the process itself could not keep up) is late,
// and one due while the server has asked us to wait (429 Retry-After) is
// throttled: all three are counted, none is sent later.
import { setMaxListeners } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { cumulative, totalMs, type Shape } from "./scenarios";
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
  const now = o.now ?? Date.now;
  const end = totalMs(o.shape);
  const t0 = now();
  const hard = new AbortController();
  // Every request in flight listens on it: hundreds by design, not a leak.
  setMaxListeners(0, hard.signal);
  const inFlight = new Set<Promise<void>>();
  const launched = streams.map(() => 0);
  let prevT = 0;
  while (!o.stop.aborted) {
    const t = Math.min(now() - t0, end);
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
    if (inFlight.size >= o.maxInFlight) {
      s.stats.dropped++;
      return;
    }
    if (at - dueAt > LATE_MS) s.stats.late++;
    const p: Promise<void> = s.iterate(hard.signal).finally(() => inFlight.delete(p));
    inFlight.add(p);
  }

  await drain(inFlight, o.gracefulStopMs, hard);
}

/** Waits for the requests in flight, aborting them after `graceMs` (they then record themselves as interrupted). */
export async function drain(inFlight: Set<Promise<void>>, graceMs: number, hard: AbortController): Promise<void> {
  if (inFlight.size === 0) return;
  const timer = setTimeout(() => hard.abort(), graceMs);
  try {
    while (inFlight.size > 0) await Promise.race(inFlight);
  } finally {
    clearTimeout(timer);
  }
}
