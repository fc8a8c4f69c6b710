// Instant-vector selectors over a grid of evaluation steps (Prometheus's
// vectorSelectorSingle at each step). Where steps outnumber samples (a subquery
// like x[1y:1ms] has 3e10 steps, nearly all of them empty), computed per sample:
// each sample fills the run of steps that see it, so the work is samples +
// output, and the output is counted before it is built.
import type { VectorSelector } from "./ast";
import type { FetchedSeries } from "./fetch";
import type { QueryContext } from "./limits";
import { isStaleNaN } from "../../../shared/staleness";
import type { Matrix } from "./values";

export interface StepGrid {
  readonly start: number;
  readonly end: number;
  readonly interval: number;
  readonly numSteps: number;
  /** Time of step k: start + k * interval. */
  stepTime(k: number): number;
}

/** Index of the last timestamp <= t, or -1. */
export function lastAtOrBefore(ts: ArrayLike<number>, t: number): number {
  let lo = 0, hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** First step k >= 0 whose time is >= t (numSteps or more when none). */
function firstStepAtOrAfter(g: StepGrid, t: number): number {
  let k = Math.max(0, Math.ceil((t - g.start) / g.interval));
  while (k > 0 && g.stepTime(k - 1) >= t) k--;
  while (g.stepTime(k) < t) k++;
  return k;
}

/** Last step k whose time is <= t (-1 or less when none). */
function lastStepAtOrBefore(g: StepGrid, t: number): number {
  let k = Math.min(g.numSteps - 1, Math.floor((t - g.start) / g.interval));
  while (k < g.numSteps - 1 && g.stepTime(k + 1) <= t) k++;
  while (k >= 0 && g.stepTime(k) > t) k--;
  return k;
}

/**
 * One sample per step per series: the latest within the lookback window, unless stale.
 * Where a series has more samples in range than there are steps, step by step
 * (a binary search each, as before); otherwise sample by sample, so that empty
 * steps cost nothing.
 */
export function instantSelector(g: StepGrid, q: QueryContext, e: VectorSelector, input: FetchedSeries[]): Matrix {
  const at = e.at && "time" in e.at ? e.at.time : null;
  const { start, interval, numSteps } = g; // stepTime(k), inlined: these loops are the hot ones
  // Per series, either its points (dense) or runs of steps [kFrom, kTo] with the sample filling each.
  const built: Array<{ ts: number[]; vs: number[] } | null> = [];
  const runs: number[][] = [];
  let total = 0;
  for (const s of input) {
    q.check();
    const r: number[] = [];
    let points: { ts: number[]; vs: number[] } | null = null;
    if (at !== null) {
      const ref = at - e.offset;
      const i = lastAtOrBefore(s.ts, ref);
      if (i >= 0 && s.ts[i] >= ref - q.lookback && !isStaleNaN(s.vs[i])) r.push(0, numSteps - 1, i);
    } else {
      const first = Math.max(0, lastAtOrBefore(s.ts, start - e.offset));
      const last = lastAtOrBefore(s.ts, g.end - e.offset);
      if (last - first + 1 >= numSteps) {
        // No more steps than samples already in memory: walk the steps.
        q.addSteps(numSteps);
        points = { ts: [], vs: [] };
        for (let k = 0; k < numSteps; k++) {
          const t = start + k * interval;
          const ref = t - e.offset;
          const i = lastAtOrBefore(s.ts, ref);
          if (i < 0 || s.ts[i] < ref - q.lookback || isStaleNaN(s.vs[i])) continue;
          points.ts.push(t);
          points.vs.push(s.vs[i]);
        }
        total += points.ts.length;
      } else {
        q.addSteps(Math.max(0, last - first + 1));
        for (let i = first; i <= last; i++) {
          if (isStaleNaN(s.vs[i])) continue;
          const kFrom = firstStepAtOrAfter(g, s.ts[i] + e.offset);
          // Seen up to the lookback, and only until the next sample takes over.
          let kTo = lastStepAtOrBefore(g, s.ts[i] + q.lookback + e.offset);
          if (i + 1 < s.ts.length) kTo = Math.min(kTo, firstStepAtOrAfter(g, s.ts[i + 1] + e.offset) - 1);
          if (kTo >= kFrom) r.push(kFrom, kTo, i);
        }
      }
    }
    for (let j = 0; j < r.length; j += 3) total += r[j + 1] - r[j] + 1;
    runs.push(r);
    built.push(points);
  }
  // Counted before the runs are expanded: x[1y:1ms] is refused here, not after 3e10 pushes.
  q.addSamples(total);
  const out: Matrix = [];
  for (let si = 0; si < input.length; si++) {
    const done = built[si];
    if (done) {
      if (done.ts.length > 0) out.push({ metric: input[si].metric, ts: done.ts, vs: done.vs });
      continue;
    }
    const r = runs[si];
    if (r.length === 0) continue;
    const vsIn = input[si].vs;
    const ts: number[] = [];
    const vs: number[] = [];
    for (let j = 0; j < r.length; j += 3) {
      const v = vsIn[r[j + 2]];
      for (let k = r[j], end = r[j + 1]; k <= end; k++) {
        ts.push(start + k * interval);
        vs.push(v);
      }
    }
    out.push({ metric: input[si].metric, ts, vs });
  }
  return out;
}
