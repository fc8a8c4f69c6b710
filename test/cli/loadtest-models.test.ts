// The two executors on their own, with iterations that only wait: the open
// model starts exactly the shape's arrivals whatever the answers take, and
// counts dropped (all slots busy), late (the process stalled) and throttled
// (Retry-After) iterations; the closed model follows the shape's VU count;
// both abort what is still running after the graceful stop.
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { runVus, type VuState } from "../../cli/loadtest/closed-model";
import { runArrivals, type ArrivalStream } from "../../cli/loadtest/open-model";
import { StreamStats } from "../../cli/loadtest/recorder";
import { cumulative, shapeOf } from "../../cli/loadtest/scenarios";

function stream(peakPerSecond: number, takesMs: number, opts: { pausedUntil?: () => number; onStart?: () => void } = {}) {
  const stats = new StreamStats("s");
  const s: ArrivalStream & { started: number } = {
    stats,
    peakPerSecond,
    started: 0,
    pausedUntil: opts.pausedUntil ?? (() => 0),
    async iterate(signal) {
      s.started++;
      opts.onStart?.();
      try {
        await sleep(takesMs, undefined, { signal });
        stats.record({ ok: true, status: 200, latencyMs: takesMs, offered: 1, accepted: 1 });
      } catch {
        stats.interrupted++;
      }
    },
  };
  return s;
}

const never = new AbortController().signal;

describe("open model (arrival rate)", () => {
  it("starts exactly the shape's arrivals, even when each answer takes longer than the gap between them", async () => {
    const shape = shapeOf("gradual", 1_000);
    const s = stream(100, 300);
    await runArrivals([s], { shape, maxInFlight: 1000, stop: never, gracefulStopMs: 5_000 });
    // gradual over 1 s at a peak of 100/s: 0.2 s ramp (10) + 0.6 s hold (60) + 0.2 s ramp (10) = 80.
    expect(Math.floor(cumulative(shape, 1_000) * 0.1)).toBe(80);
    expect(s.started).toBe(80);
    expect(s.stats.requests).toBe(80);
    expect(s.stats.dropped + s.stats.late + s.stats.interrupted).toBe(0);
  });

  it("drops what falls due while every slot is busy, and counts them", async () => {
    const s = stream(50, 400);
    await runArrivals([s], { shape: shapeOf("constant", 1_000), maxInFlight: 4, stop: never, gracefulStopMs: 5_000 });
    expect(s.started + s.stats.dropped).toBe(50);
    // 4 slots, 400 ms each, over 1 s: at most 3 rounds of 4.
    expect(s.started).toBeLessThanOrEqual(12);
    expect(s.stats.dropped).toBeGreaterThanOrEqual(38);
  });

  it("counts iterations started over 100 ms late when the process itself stalls", async () => {
    let stalled = false;
    const s = stream(100, 1, {
      onStart: () => {
        if (stalled) return;
        stalled = true;
        const until = Date.now() + 300; // a blocked event loop, as a busy CPU would
        while (Date.now() < until) { /* spin */ }
      },
    });
    await runArrivals([s], { shape: shapeOf("constant", 1_000), maxInFlight: 1000, stop: never, gracefulStopMs: 5_000 });
    expect(s.started).toBe(100);
    // The ~30 due during the stall start late, all at once after it; the rest on time.
    expect(s.stats.late).toBeGreaterThanOrEqual(15);
    expect(s.stats.late).toBeLessThanOrEqual(40);
  });

  it("holds back what falls due during a Retry-After wait as throttled", async () => {
    const start = Date.now();
    const s = stream(40, 1, { pausedUntil: () => start + 500 });
    await runArrivals([s], { shape: shapeOf("constant", 1_000), maxInFlight: 1000, stop: never, gracefulStopMs: 5_000 });
    expect(s.started + s.stats.throttled).toBe(40);
    expect(s.stats.throttled).toBeGreaterThanOrEqual(16);
    expect(s.stats.throttled).toBeLessThanOrEqual(24);
  });

  it("aborts what is still running after the graceful stop and counts it as interrupted", async () => {
    const s = stream(20, 10_000);
    const t0 = Date.now();
    await runArrivals([s], { shape: shapeOf("constant", 500), maxInFlight: 1000, stop: never, gracefulStopMs: 200 });
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(s.stats.interrupted).toBe(10);
    expect(s.stats.requests).toBe(0);
  });
});

describe("closed model (VUs)", () => {
  it("runs the shape's number of users, each one request at a time", async () => {
    let inFlight = 0;
    let most = 0;
    const seen: number[] = [];
    const state: VuState = { active: 0, wanted: 0 };
    const shape = shapeOf("gradual", 1_500);
    await runVus({
      shape,
      peakVus: 6,
      stop: never,
      gracefulStopMs: 5_000,
      iterate: async () => {
        inFlight++;
        most = Math.max(most, inFlight);
        seen.push(state.wanted);
        await sleep(20);
        inFlight--;
      },
    }, state);
    expect(most).toBe(6);
    // It ramps: early requests ran with fewer users than the peak.
    expect(Math.min(...seen)).toBeLessThan(6);
    expect(state.active).toBe(0);
  });

  it("stops on the signal and aborts the requests in flight after the graceful stop", async () => {
    const ac = new AbortController();
    let interrupted = 0;
    setTimeout(() => ac.abort(), 200);
    const t0 = Date.now();
    await runVus({
      shape: shapeOf("constant", 60_000),
      peakVus: 3,
      stop: ac.signal,
      gracefulStopMs: 100,
      iterate: async (_vu, signal) => {
        try {
          await sleep(10_000, undefined, { signal });
        } catch {
          interrupted++;
        }
      },
    });
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(interrupted).toBe(3);
  });
});
