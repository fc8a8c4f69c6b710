// Per-minute deltas into scraped-counter samples: values, the 0 at a series'
// first minute, the TTL tail, no future samples, the prefix either way.
import { describe, expect, it } from "vitest";
import { cumulate, cumulativeOverLe, denseBucketRows, prefixPlan, windowOf, type GroupRows, type PrefixPlan, type Window } from "../../../shared/storage/derived/cumulation";

const M = 60_000;
const DAY = 86_400_000;
const D0 = Date.UTC(2026, 2, 10); // a day start
const at = (h: number, m: number) => D0 + h * 3_600_000 + m * M;

function rows(dayTotals: number[], entries: [number, ...number[]][], lastActive: number | null = null): GroupRows {
  return {
    dayTotals: Float64Array.from(dayTotals),
    minutes: Float64Array.from(entries.map((e) => e[0])),
    deltas: Float64Array.from(entries.flatMap((e) => e.slice(1))),
    lastActive,
  };
}
const forward = (w: Window): PrefixPlan => ({ mode: "forward", lastDay: D0 - DAY, lo: D0, hi: w.end });
const samples = (c: { timestamps: Float64Array; values: Float64Array[] }, k = 0) => [...c.timestamps].map((t, i) => [t, c.values[k][i]]);

describe("windowOf", () => {
  it("rounds the start up and the end (or now) down to minute boundaries", () => {
    expect(windowOf({ start: at(1, 0) + 1, end: at(2, 0) + 59_999 }, at(9, 0), 5 * M)).toEqual({ first: at(1, 1), end: at(2, 0), ttlMs: 5 * M });
    expect(windowOf({ start: at(1, 0), end: at(9, 0) }, at(2, 0) + 30_000, 0)).toEqual({ first: at(1, 0), end: at(2, 0), ttlMs: 0 });
  });
  it("is empty when no boundary is in range, or the range is in the future", () => {
    expect(windowOf({ start: at(1, 0) + 1, end: at(1, 0) + 59_000 }, at(9, 0), 0)).toBeNull();
    expect(windowOf({ start: at(3, 0), end: at(4, 0) }, at(2, 0), 0)).toBeNull();
    expect(windowOf({ start: NaN, end: at(4, 0) }, at(5, 0), 0)).toBeNull();
  });
});

describe("cumulate", () => {
  it("a sample at every boundary from the first event minute: 0 there, then the sum of earlier minutes", () => {
    const w: Window = { first: at(1, 0), end: at(1, 5), ttlMs: 60 * M };
    const c = cumulate(w, forward(w), rows([0], [[at(1, 2), 3], [at(1, 3), 2]]), 1);
    expect(samples(c)).toEqual([[at(1, 2), 0], [at(1, 3), 3], [at(1, 4), 5], [at(1, 5), 5]]);
  });

  it("stays TTL + 1 minute after the last event minute, then ends; a later event starts it again with its value", () => {
    const w: Window = { first: at(1, 0), end: at(2, 0), ttlMs: 2 * M };
    const c = cumulate(w, forward(w), rows([0], [[at(1, 0), 1], [at(1, 10), 4]]), 1);
    expect(samples(c)).toEqual([
      [at(1, 0), 0], [at(1, 1), 1], [at(1, 2), 1], [at(1, 3), 1],
      [at(1, 10), 1], [at(1, 11), 5], [at(1, 12), 5], [at(1, 13), 5],
    ]);
  });

  it("is live at the range start when an event before it is within TTL, with the prefix as value", () => {
    const w: Window = { first: at(1, 0), end: at(1, 3), ttlMs: 2 * M };
    // Prefix 7 (day rows 5 + minute rows before first 2); last event at 0:58 keeps it until 1:01.
    const c = cumulate(w, forward(w), rows([5], [[at(0, 58), 2]], at(0, 58)), 1);
    expect(samples(c)).toEqual([[at(1, 0), 7], [at(1, 1), 7]]);
  });

  it("backward and forward prefixes give the same values", () => {
    const w: Window = { first: at(20, 0), end: at(20, 2), ttlMs: DAY };
    const events: [number, number][] = [[at(3, 0), 2], [at(19, 59), 1], [at(20, 1), 4], [at(23, 0), 8]];
    const before = 10; // days before D0
    const fwd = cumulate(w, forward(w), rows([before], events.filter((e) => e[0] <= w.end), at(19, 59)), 1);
    const back: PrefixPlan = { mode: "backward", lastDay: D0, lo: w.first, hi: D0 + DAY - M };
    const dayTotal = before + events.reduce((s, e) => s + e[1], 0);
    const bwd = cumulate(w, back, rows([dayTotal], events.filter((e) => e[0] >= w.first), at(19, 59)), 1);
    expect(samples(bwd)).toEqual(samples(fwd));
    expect(samples(fwd)).toEqual([[at(20, 0), 13], [at(20, 1), 13], [at(20, 2), 17]]);
  });

  it("keeps components apart", () => {
    const w: Window = { first: at(1, 0), end: at(1, 1), ttlMs: 0 };
    const c = cumulate(w, forward(w), rows([1, 10], [[at(1, 0), 2, 20]]), 2);
    expect(samples(c, 0)).toEqual([[at(1, 0), 1], [at(1, 1), 3]]);
    expect(samples(c, 1)).toEqual([[at(1, 0), 10], [at(1, 1), 30]]);
  });

  it("gives nothing for a series with no event within TTL of the range", () => {
    const w: Window = { first: at(5, 0), end: at(6, 0), ttlMs: 10 * M };
    expect(cumulate(w, forward(w), rows([3], [[at(1, 0), 1]], null), 1).timestamps.length).toBe(0);
  });
});

describe("prefixPlan", () => {
  it("reads back from the next day start when that costs fewer minutes (a range ending now, late in the day)", () => {
    const now = at(18, 0) + 30_000;
    expect(prefixPlan({ first: at(17, 0), end: at(18, 0), ttlMs: DAY }, now)).toEqual({ mode: "backward", lastDay: D0, lo: at(17, 0), hi: D0 + DAY - M });
  });
  it("reads forward from the day start for a range early in its day", () => {
    const now = at(30, 0);
    expect(prefixPlan({ first: at(1, 0), end: at(2, 0), ttlMs: DAY }, now)).toEqual({ mode: "forward", lastDay: D0 - DAY, lo: D0, hi: at(2, 0) });
  });
});

describe("histogram helpers", () => {
  it("cumulates bucket counts over le", () => {
    const v = cumulativeOverLe([Float64Array.of(1, 0), Float64Array.of(2, 1), Float64Array.of(0, 4)]);
    expect(v.map((a) => [...a])).toEqual([[1, 0], [3, 1], [3, 5]]);
  });
  it("turns (minute, bucket, n) triples into dense rows", () => {
    const d = denseBucketRows(Float64Array.of(M, M, 3 * M), Int16Array.of(0, 2, 1), Float64Array.of(5, 1, 2), 3);
    expect([...d.minutes]).toEqual([M, 3 * M]);
    expect([...d.deltas]).toEqual([5, 0, 1, 0, 2, 0]);
  });
});
