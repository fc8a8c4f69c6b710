// Range-vector functions (Prometheus promql/functions.go): each gets the raw
// non-stale samples of one series inside [rangeStart, rangeEnd] and returns one
// value, or null for "no output at this step".
import { execError } from "./errors";
import { kahanSumInc, quantile } from "./mathutil";
import type { Points } from "./values";

export interface RangeInfo {
  /** Evaluation step time (ms). */
  ts: number;
  rangeStart: number;
  rangeEnd: number;
  /** Selector range in ms. */
  range: number;
}

export type RangeFn = (p: Points, scalars: number[], info: RangeInfo) => number | null;

function extrapolatedRate(p: Points, info: RangeInfo, isCounter: boolean, isRate: boolean): number | null {
  const n = p.ts.length;
  if (n < 2) return null;
  let result = p.vs[n - 1] - p.vs[0];
  if (isCounter) {
    let prev = p.vs[0];
    for (let i = 1; i < n; i++) {
      const cur = p.vs[i];
      if (cur < prev) result += prev;
      prev = cur;
    }
  }
  let durationToStart = (p.ts[0] - info.rangeStart) / 1000;
  const durationToEnd = (info.rangeEnd - p.ts[n - 1]) / 1000;
  const sampledInterval = (p.ts[n - 1] - p.ts[0]) / 1000;
  const avgBetween = sampledInterval / (n - 1);
  if (isCounter && result > 0 && p.vs[0] >= 0) {
    // Counters cannot go below zero: do not extrapolate past the zero point.
    const durationToZero = sampledInterval * (p.vs[0] / result);
    if (durationToZero < durationToStart) durationToStart = durationToZero;
  }
  const threshold = avgBetween * 1.1;
  let interval = sampledInterval;
  interval += durationToStart < threshold ? durationToStart : avgBetween / 2;
  interval += durationToEnd < threshold ? durationToEnd : avgBetween / 2;
  let factor = interval / sampledInterval;
  if (isRate) factor /= info.range / 1000;
  return result * factor;
}

function instantValue(p: Points, isRate: boolean): number | null {
  const n = p.ts.length;
  if (n < 2) return null;
  const last = p.vs[n - 1];
  const prev = p.vs[n - 2];
  let result = isRate && last < prev ? last : last - prev;
  const dt = p.ts[n - 1] - p.ts[n - 2];
  if (dt === 0) return null;
  if (isRate) result /= dt / 1000;
  return result;
}

function linearRegression(p: Points, interceptTime: number): [number, number] {
  let n = 0, sumX = 0, cX = 0, sumY = 0, cY = 0, sumXY = 0, cXY = 0, sumX2 = 0, cX2 = 0;
  const initY = p.vs[0];
  let constY = true;
  for (let i = 0; i < p.ts.length; i++) {
    const v = p.vs[i];
    if (constY && i > 0 && v !== initY) constY = false;
    n += 1;
    const x = (p.ts[i] - interceptTime) / 1e3;
    [sumX, cX] = kahanSumInc(x, sumX, cX);
    [sumY, cY] = kahanSumInc(v, sumY, cY);
    [sumXY, cXY] = kahanSumInc(x * v, sumXY, cXY);
    [sumX2, cX2] = kahanSumInc(x * x, sumX2, cX2);
  }
  if (constY) {
    if (!Number.isFinite(initY) && !Number.isNaN(initY)) return [NaN, NaN];
    return [0, initY];
  }
  sumX += cX;
  sumY += cY;
  sumXY += cXY;
  sumX2 += cX2;
  const covXY = sumXY - (sumX * sumY) / n;
  const varX = sumX2 - (sumX * sumX) / n;
  const slope = covXY / varX;
  return [slope, sumY / n - (slope * sumX) / n];
}

function holtWinters(p: Points, sf: number, tf: number): number | null {
  if (sf <= 0 || sf >= 1) throw execError(`invalid smoothing factor. Expected: 0 < sf < 1, got: ${sf.toFixed(6)}`);
  if (tf <= 0 || tf >= 1) throw execError(`invalid trend factor. Expected: 0 < tf < 1, got: ${tf.toFixed(6)}`);
  const l = p.vs.length;
  if (l < 2) return null;
  let s0 = 0;
  let s1 = p.vs[0];
  let b = p.vs[1] - p.vs[0];
  for (let i = 1; i < l; i++) {
    const x = sf * p.vs[i];
    // Trend: the first step keeps the initial b.
    if (i - 1 !== 0) b = tf * (s1 - s0) + (1 - tf) * b;
    const y = (1 - sf) * (s1 + b);
    s0 = s1;
    s1 = x + y;
  }
  return s1;
}

function avgOverTime(vs: Iterable<number>): number {
  let mean = 0, c = 0, count = 0;
  for (const v of vs) {
    count++;
    if (!Number.isFinite(mean) && !Number.isNaN(mean)) {
      if (!Number.isFinite(v) && !Number.isNaN(v) && mean > 0 === v > 0) continue;
      if (Number.isFinite(v)) continue;
    }
    [mean, c] = kahanSumInc(v / count - mean / count, mean, c);
  }
  if (!Number.isFinite(mean) && !Number.isNaN(mean)) return mean;
  return mean + c;
}

function varianceOverTime(vs: Iterable<number>): number {
  let count = 0, mean = 0, cMean = 0, aux = 0, cAux = 0;
  for (const v of vs) {
    count++;
    const delta = v - (mean + cMean);
    [mean, cMean] = kahanSumInc(delta / count, mean, cMean);
    [aux, cAux] = kahanSumInc(delta * (v - (mean + cMean)), aux, cAux);
  }
  return (aux + cAux) / count;
}

function sumOverTime(vs: Iterable<number>): number {
  let sum = 0, c = 0;
  for (const v of vs) [sum, c] = kahanSumInc(v, sum, c);
  if (!Number.isFinite(sum) && !Number.isNaN(sum)) return sum;
  return sum + c;
}

export const RANGE_FUNCTIONS: Record<string, RangeFn> = {
  rate: (p, _s, i) => extrapolatedRate(p, i, true, true),
  increase: (p, _s, i) => extrapolatedRate(p, i, true, false),
  delta: (p, _s, i) => extrapolatedRate(p, i, false, false),
  irate: (p) => instantValue(p, true),
  idelta: (p) => instantValue(p, false),
  deriv: (p) => (p.ts.length < 2 ? null : linearRegression(p, p.ts[0])[0]),
  predict_linear: (p, s, i) => {
    if (p.ts.length < 2) return null;
    const [slope, intercept] = linearRegression(p, i.ts);
    return slope * s[1] + intercept;
  },
  resets: (p) => {
    let n = 0;
    for (let i = 1; i < p.vs.length; i++) if (p.vs[i] < p.vs[i - 1]) n++;
    return n;
  },
  changes: (p) => {
    let n = 0;
    for (let i = 1; i < p.vs.length; i++) {
      const cur = p.vs[i], prev = p.vs[i - 1];
      if (cur !== prev && !(Number.isNaN(cur) && Number.isNaN(prev))) n++;
    }
    return n;
  },
  holt_winters: (p, s) => holtWinters(p, s[1], s[2]),
  avg_over_time: (p) => avgOverTime(p.vs),
  min_over_time: (p) => {
    let m = p.vs[0];
    for (const v of p.vs) if (v < m || Number.isNaN(m)) m = v;
    return m;
  },
  max_over_time: (p) => {
    let m = p.vs[0];
    for (const v of p.vs) if (v > m || Number.isNaN(m)) m = v;
    return m;
  },
  sum_over_time: (p) => sumOverTime(p.vs),
  count_over_time: (p) => p.vs.length,
  last_over_time: (p) => p.vs[p.vs.length - 1],
  present_over_time: () => 1,
  absent_over_time: () => 1,
  quantile_over_time: (p, s) => quantile(s[0], Array.from(p.vs)),
  stddev_over_time: (p) => Math.sqrt(varianceOverTime(p.vs)),
  stdvar_over_time: (p) => varianceOverTime(p.vs),
};
