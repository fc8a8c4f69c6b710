// Instant-vector selectors over a grid of evaluation steps (Prometheus's
// vectorSelectorSingle at each step), computed per sample instead of per step:
// each sample fills the run of steps that see it, so the work is samples +
// output, and the output is counted before it is built. A subquery like
// x[1y:1ms] has 3e10 steps, nearly all of them empty.
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

/** One sample per step per series: the latest within the lookback window, unless stale. */
export function instantSelector(g: StepGrid, q: QueryContext, e: VectorSelector, input: FetchedSeries[]): Matrix {
  const at = e.at && "time" in e.at ? e.at.time : null;
  // Per series, runs of steps [kFrom, kTo] and the index of the sample filling each.
  const runs: number[][] = [];
  let total = 0;
  for (const s of input) {
    q.check();
    const r: number[] = [];
    if (at !== null) {
      const ref = at - e.offset;
      const i = lastAtOrBefore(s.ts, ref);
      if (i >= 0 && s.ts[i] >= ref - q.lookback && !isStaleNaN(s.vs[i])) r.push(0, g.numSteps - 1, i);
    } else {
      const first = Math.max(0, lastAtOrBefore(s.ts, g.start - e.offset));
      const last = lastAtOrBefore(s.ts, g.end - e.offset);
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
    for (let j = 0; j < r.length; j += 3) total += r[j + 1] - r[j] + 1;
    runs.push(r);
  }
  q.addSamples(total);
  const out: Matrix = [];
  input.forEach((s, si) => {
    const r = runs[si];
    if (r.length === 0) return;
    const ts: number[] = [];
    const vs: number[] = [];
    for (let j = 0; j < r.length; j += 3) {
      const v = s.vs[r[j + 2]];
      for (let k = r[j]; k <= r[j + 1]; k++) {
        ts.push(g.stepTime(k));
        vs.push(v);
      }
    }
    out.push({ metric: s.metric, ts, vs });
  });
  return out;
}
