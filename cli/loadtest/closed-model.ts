// The closed model (k6's ramping-vus): each virtual user sends a request,
// waits for the answer, and sends the next; the shape sets how many users run
// at each moment. A user above the current count finishes its request and
// leaves (k6's graceful ramp-down); at the end, requests still running get the
// graceful stop, then are aborted and count as interrupted.
import { setTimeout as sleep } from "node:timers/promises";
import { RunScope } from "./run-scope";
import { vusAt, type Shape } from "./scenarios";

const CONTROL_MS = 50;

export interface VuOptions {
  shape: Shape;
  peakVus: number;
  stop: AbortSignal;
  gracefulStopMs: number;
  /** One iteration of user `vu`; `signal` aborts it at the hard stop. */
  iterate(vu: number, signal: AbortSignal): Promise<void>;
  now?: () => number;
}

export interface VuState {
  /** Users running now. */
  active: number;
  /** Users the shape wants now. */
  wanted: number;
}

export async function runVus(o: VuOptions, state: VuState = { active: 0, wanted: 0 }): Promise<void> {
  const run = new RunScope(o.shape, o.now);
  const live = new Set<number>();
  const over = () => o.stop.aborted || run.elapsed() >= run.end;

  async function user(vu: number) {
    try {
      while (!over() && vu < state.wanted) await o.iterate(vu, run.hard.signal);
    } finally {
      live.delete(vu);
      state.active = live.size;
    }
  }

  while (!over()) {
    state.wanted = vusAt(o.shape, o.peakVus, run.elapsed());
    for (let vu = 0; vu < state.wanted; vu++) {
      if (live.has(vu)) continue;
      live.add(vu);
      run.track(user(vu));
    }
    state.active = live.size;
    await sleep(CONTROL_MS);
  }
  state.wanted = 0;
  await run.drain(o.gracefulStopMs);
}
