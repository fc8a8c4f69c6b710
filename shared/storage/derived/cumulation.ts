// Per-minute rollup deltas turned into the samples of a scraped counter. A
// derived counter's value at minute boundary t is the sum of the deltas of all
// minutes strictly before t, over all time (events of [m, m+60s) show in the
// sample at m+60s). A series has a sample at every boundary t with
// m <= t <= m + 60s + TTL for some minute m with events, so it starts with a 0
// at its first minute (increase() is then exact) and stays TTL after its last
// event (sum() and increase() at "now" stay right in a quiet minute), and never
// after the current minute boundary: no future samples, and the sample at a
// boundary only ever holds complete minutes (a minute's events arrive during
// it, so the open minute first shows at its end, as a scrape would see it).
import { DAY_MS, MINUTE_MS, dayStartOf } from "../../logs/rollup-spec";
import type { TimeRange } from "../types";

/** The boundaries a read can give samples at: first..end, both minute boundaries. */
export interface Window {
  first: number;
  end: number;
  ttlMs: number;
}

export function windowOf(range: TimeRange, nowMs: number, ttlMs: number): Window | null {
  // No log is older than the retention ingest enforces, let alone 1970: clamping there keeps bounds
  // small (minute numbers from a read's start fit an int4), whatever range the API lets through.
  const start = Math.max(0, range.start);
  const end = Math.min(range.end, nowMs);
  if (!(start <= end)) return null; // NaN too
  const first = Math.ceil(start / MINUTE_MS) * MINUTE_MS;
  const last = Math.floor(end / MINUTE_MS) * MINUTE_MS;
  return first <= last ? { first, end: last, ttlMs } : null;
}

/** Minutes with events at or after this make a series live at w.first. */
export const liveFrom = (w: Window) => w.first - MINUTE_MS - w.ttlMs;

/**
 * How to get the value before w.first cheaply: day rows plus part of one
 * day's minute rows. Forward: days before D = day of first, plus minutes
 * [D, first). Backward: days up to and including D, less minutes
 * [first, D + 1 day), most of which the range itself reads anyway (all of
 * them when the range runs past D, as a 24 h range does). Whichever reads
 * fewer extra minutes.
 */
export interface PrefixPlan {
  mode: "forward" | "backward";
  /** Day rows with day <= lastDay go into the prefix. */
  lastDay: number;
  /** Minute rows read: [lo, hi]. */
  lo: number;
  hi: number;
}

export function prefixPlan(w: Window, nowMs: number): PrefixPlan {
  const day = dayStartOf(w.first);
  const forwardExtra = w.first - day;
  // Minutes after now hold no rows (but the few future-stamped logs ingest lets in, which are read too).
  const backwardExtra = Math.max(0, Math.min(day + DAY_MS, nowMs) - (w.end + MINUTE_MS));
  if (backwardExtra < forwardExtra) return { mode: "backward", lastDay: day, lo: w.first, hi: Math.max(w.end, day + DAY_MS - MINUTE_MS) };
  return { mode: "forward", lastDay: day - DAY_MS, lo: day, hi: w.end };
}

/** One group's rows as read: C components per row. */
export interface GroupRows {
  /** Sums of the day rows the plan takes, per component. */
  dayTotals: Float64Array;
  /** Ascending minute starts in [plan.lo, plan.hi], each with events. */
  minutes: Float64Array;
  /** minutes.length x C, row-major. */
  deltas: Float64Array;
  /** The last minute with events in [liveFrom(w), w.first), or null. */
  lastActive: number | null;
}

export interface Cumulative {
  timestamps: Float64Array;
  /** One array per component, each timestamps.length long. */
  values: Float64Array[];
}

/** The samples of a group's C components over w, from its rows read under plan. */
export function cumulate(w: Window, plan: PrefixPlan, rows: GroupRows, c: number): Cumulative {
  const v = Float64Array.from(rows.dayTotals);
  const n = rows.minutes.length;
  let r = 0;
  // Rows before first: forward mode adds them to the prefix.
  for (; r < n && rows.minutes[r] < w.first; r++) for (let k = 0; k < c; k++) v[k] += rows.deltas[r * c + k];
  const startRow = r;
  if (plan.mode === "backward") {
    const dayEnd = plan.lastDay + DAY_MS;
    for (let j = startRow; j < n && rows.minutes[j] < dayEnd; j++) for (let k = 0; k < c; k++) v[k] -= rows.deltas[j * c + k];
    // Float sums in another order can leave a hair below zero; a counter never is.
    for (let k = 0; k < c; k++) if (v[k] < 0) v[k] = 0;
  }

  const ts: number[] = [];
  const out: number[][] = Array.from({ length: c }, () => []);
  let aliveUntil = rows.lastActive === null ? -Infinity : rows.lastActive + MINUTE_MS + w.ttlMs;
  let t = w.first;
  while (t <= w.end) {
    // Rows are minute starts; one off the grid would still count, in the next sample.
    for (; r < n && rows.minutes[r] < t; r++) for (let k = 0; k < c; k++) v[k] += rows.deltas[r * c + k];
    const here = r < n && rows.minutes[r] === t;
    if (here) aliveUntil = Math.max(aliveUntil, t + MINUTE_MS + w.ttlMs);
    if (t <= aliveUntil) {
      ts.push(t);
      for (let k = 0; k < c; k++) out[k].push(v[k]);
    }
    if (here) {
      for (let k = 0; k < c; k++) v[k] += rows.deltas[r * c + k];
      r++;
    }
    t += MINUTE_MS;
    // Not live: jump to the next minute with events (none is skipped: rows are whole minutes).
    if (t > aliveUntil) {
      if (r >= n || rows.minutes[r] > w.end) break;
      t = Math.max(t, Math.ceil(rows.minutes[r] / MINUTE_MS) * MINUTE_MS);
    }
  }
  return { timestamps: Float64Array.from(ts), values: out.map((a) => Float64Array.from(a)) };
}

/** Histogram buckets: per-bucket counts made cumulative over le, in place. */
export function cumulativeOverLe(values: Float64Array[]): Float64Array[] {
  if (values.length === 0) return values;
  const len = values[0].length;
  for (let i = 0; i < len; i++) {
    let run = 0;
    for (const b of values) {
      run += b[i];
      b[i] = run;
    }
  }
  return values;
}

/** (minute, bucket, n) triples, ascending by minute, as dense rows of c buckets. */
export function denseBucketRows(minutes: Float64Array, buckets: Int16Array, ns: Float64Array, c: number): { minutes: Float64Array; deltas: Float64Array } {
  const distinct: number[] = [];
  for (let i = 0; i < minutes.length; i++) if (i === 0 || minutes[i] !== minutes[i - 1]) distinct.push(minutes[i]);
  const deltas = new Float64Array(distinct.length * c);
  for (let i = 0, row = -1; i < minutes.length; i++) {
    if (i === 0 || minutes[i] !== minutes[i - 1]) row++;
    const b = buckets[i];
    if (b >= 0 && b < c) deltas[row * c + b] += ns[i];
  }
  return { minutes: Float64Array.from(distinct), deltas };
}
