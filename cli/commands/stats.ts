// Exact statistics over observed values, for the CLI's own reports (tail's
// running stats, analyze --file). Quantiles interpolate between the closest
// ranks, as PromQL's quantile_over_time does.
import type { Quantiles } from "../../shared/contracts/log-api";

/** The q-quantile (0..1) of ascending values; null when there are none. */
export function quantileSorted(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const rank = q * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

export function quantilesOf(values: readonly number[]): Quantiles {
  const sorted = [...values].sort((a, b) => a - b);
  const mean = sorted.length ? sorted.reduce((s, v) => s + v, 0) / sorted.length : null;
  return { p50: quantileSorted(sorted, 0.5), p90: quantileSorted(sorted, 0.9), p95: quantileSorted(sorted, 0.95), p99: quantileSorted(sorted, 0.99), mean };
}

/**
 * A uniform sample of at most `cap` values (Vitter's algorithm R): exact
 * until the cap, then a fair sample, so a tail left running all week stays small.
 */
export class Reservoir {
  readonly values: number[] = [];
  seen = 0;
  constructor(private readonly cap = 100_000, private readonly random: () => number = Math.random) {}
  add(v: number) {
    this.seen++;
    if (this.values.length < this.cap) this.values.push(v);
    else {
      const j = Math.floor(this.random() * this.seen);
      if (j < this.cap) this.values[j] = v;
    }
  }
  get exact() {
    return this.seen <= this.cap;
  }
}
