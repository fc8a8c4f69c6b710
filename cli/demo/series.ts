// The demo's series: label sets built once per series (sorted by name as
// Prometheus sends them), samples appended tick by tick and taken out as
// remote_write time series. Counters and histograms keep their running totals
// here, so what leaves is always a consistent counter (monotonic until an
// explicit reset) and a consistent histogram (cumulative buckets, _count equal
// to the +Inf bucket).
import type { RwLabel, RwMetadata, RwMetricType, RwSample, RwTimeSeries } from "../../shared/contracts/remote-write";
import { HELP } from "./help";

export type Labels = Record<string, string>;

export interface Series {
  readonly labels: RwLabel[];
  samples: RwSample[];
}

function rwLabels(name: string, labels: Labels): RwLabel[] {
  const out: RwLabel[] = [{ name: "__name__", value: name }];
  for (const k in labels) if (labels[k] !== "") out.push({ name: k, value: labels[k] });
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Every series of the fleet, in creation order (so batches come out in the same order for a seed). */
export class SeriesSet {
  private readonly all: Series[] = [];
  private readonly types = new Map<string, RwMetricType>();
  private pending = 0;

  /** Records a family's type (for the metadata the agent sends along). */
  describe(family: string, type: RwMetricType): void {
    this.types.set(family, type);
  }

  /** TYPE and HELP of every family, as remote_write metadata. */
  metadata(): RwMetadata[] {
    return [...this.types].map(([name, type]) => ({ metricFamilyName: name, type, help: HELP[name] ?? "", unit: "" }));
  }

  series(name: string, labels: Labels): Series {
    const s: Series = { labels: rwLabels(name, labels), samples: [] };
    this.all.push(s);
    return s;
  }

  push(s: Series, timestamp: number, value: number): void {
    s.samples.push({ timestamp, value });
    this.pending++;
  }

  get size(): number {
    return this.all.length;
  }

  /** Samples appended since the last take. */
  get pendingSamples(): number {
    return this.pending;
  }

  /** The samples appended so far, as time series (empty ones left out); clears them. */
  take(): RwTimeSeries[] {
    const out: RwTimeSeries[] = [];
    for (const s of this.all) {
      if (s.samples.length === 0) continue;
      out.push({ labels: s.labels, samples: s.samples });
      s.samples = [];
    }
    this.pending = 0;
    return out;
  }
}

/** Prometheus client libraries print bucket bounds as floats: 1.0, 0.25, +Inf. */
export function leLabel(bound: number): string {
  if (bound === Infinity) return "+Inf";
  return Number.isInteger(bound) ? bound.toFixed(1) : String(bound);
}

export class Counter {
  value: number;
  private readonly s: Series;

  constructor(private readonly set: SeriesSet, name: string, labels: Labels, start = 0) {
    this.s = set.series(name, labels);
    set.describe(name, "counter");
    this.value = start;
  }

  inc(by: number): void {
    if (by > 0) this.value += by;
  }

  /** A process restart: counting starts again from 0. */
  reset(): void {
    this.value = 0;
  }

  emit(ts: number): void {
    this.set.push(this.s, ts, this.value);
  }

  get series(): Series {
    return this.s;
  }
}

export class Histogram {
  private readonly counts: number[];
  private readonly bucketSeries: Series[];
  private readonly sumSeries: Series;
  private readonly countSeries: Series;
  sum = 0;
  count = 0;

  constructor(private readonly set: SeriesSet, name: string, labels: Labels, readonly bounds: readonly number[]) {
    set.describe(name, "histogram");
    this.counts = new Array(bounds.length + 1).fill(0);
    this.bucketSeries = [...bounds, Infinity].map((b) => set.series(`${name}_bucket`, { ...labels, le: leLabel(b) }));
    this.sumSeries = set.series(`${name}_sum`, labels);
    this.countSeries = set.series(`${name}_count`, labels);
  }

  observe(v: number): void {
    let i = 0;
    while (i < this.bounds.length && v > this.bounds[i]) i++;
    this.counts[i]++;
    this.sum += v;
    this.count++;
  }

  reset(): void {
    this.counts.fill(0);
    this.sum = 0;
    this.count = 0;
  }

  emit(ts: number): void {
    let cumulative = 0;
    for (let i = 0; i < this.counts.length; i++) {
      cumulative += this.counts[i];
      this.set.push(this.bucketSeries[i], ts, cumulative);
    }
    this.set.push(this.sumSeries, ts, this.sum);
    this.set.push(this.countSeries, ts, this.count);
  }

  get series(): Series[] {
    return [...this.bucketSeries, this.sumSeries, this.countSeries];
  }
}

export class Gauge {
  private readonly s: Series;

  constructor(private readonly set: SeriesSet, name: string, labels: Labels) {
    this.s = set.series(name, labels);
    set.describe(name, "gauge");
  }

  emit(ts: number, value: number): void {
    this.set.push(this.s, ts, value);
  }

  get series(): Series {
    return this.s;
  }
}
