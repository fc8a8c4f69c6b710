// What both load models (closed-model.ts, open-model.ts) set up for a run:
// the run's clock against the shape's end, the requests in flight, and the
// hard stop that aborts them once the graceful stop is over.
import { setMaxListeners } from "node:events";
import { totalMs, type Shape } from "./scenarios";

export class RunScope {
  readonly t0: number;
  /** When the shape ends, in ms from t0. */
  readonly end: number;
  /** Aborts every request still in flight after the graceful stop; they record themselves as interrupted. */
  readonly hard = new AbortController();
  readonly inFlight = new Set<Promise<void>>();

  constructor(shape: Shape, readonly now: () => number = Date.now) {
    this.end = totalMs(shape);
    this.t0 = now();
    // Every request in flight listens on it: hundreds by design, not a leak.
    setMaxListeners(0, this.hard.signal);
  }

  /** Ms since the run started. */
  elapsed(): number {
    return this.now() - this.t0;
  }

  /** Counts `p` as in flight until it settles. */
  track(p: Promise<void>): void {
    const tracked: Promise<void> = p.finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  /** Waits for what is in flight, aborting it after `graceMs`. */
  async drain(graceMs: number): Promise<void> {
    if (this.inFlight.size === 0) return;
    const timer = setTimeout(() => this.hard.abort(), graceMs);
    try {
      while (this.inFlight.size > 0) await Promise.race(this.inFlight);
    } finally {
      clearTimeout(timer);
    }
  }
}
