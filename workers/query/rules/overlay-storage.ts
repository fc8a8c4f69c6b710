// A QueryStorage that shows samples not yet written beside a base storage: the
// outputs of the rules evaluated earlier in the same group evaluation, which
// Prometheus has appended to its TSDB by the time the next rule queries.
import type { Labels } from "../../../shared/labels";
import { MemoryStorage } from "../../../shared/storage/memory";
import type { LabelMatcher, MetricMetadata, QueryStorage, SelectHints, SeriesData, TimeRange } from "../../../shared/storage/types";

function keyOf(l: Labels): string {
  return Object.keys(l).sort().map((k) => k + "\xff" + l[k]).join("\xfe");
}

function merge(a: SeriesData, b: SeriesData): SeriesData {
  // b (the overlay) wins on equal timestamps.
  const outTs = new Float64Array(a.timestamps.length + b.timestamps.length);
  const outVs = new Float64Array(outTs.length);
  let i = 0, j = 0, n = 0;
  while (i < a.timestamps.length || j < b.timestamps.length) {
    const ta = i < a.timestamps.length ? a.timestamps[i] : Infinity;
    const tb = j < b.timestamps.length ? b.timestamps[j] : Infinity;
    if (tb <= ta) {
      outTs[n] = tb;
      outVs[n++] = b.values[j++];
      if (ta === tb) i++;
    } else {
      outTs[n] = ta;
      outVs[n++] = a.values[i++];
    }
  }
  return { labels: a.labels, timestamps: outTs.subarray(0, n), values: outVs.subarray(0, n) };
}

function union<T>(a: T[], b: T[], key: (x: T) => string, limit?: number): T[] {
  const seen = new Set(a.map(key));
  const out = a.slice();
  for (const x of b) if (!seen.has(key(x))) seen.add(key(x)), out.push(x);
  return limit ? out.slice(0, limit) : out;
}

export class OverlayStorage implements QueryStorage {
  private readonly extra = new MemoryStorage();
  private count = 0;

  constructor(private readonly base: QueryStorage) {}

  /** Makes one sample visible to later queries (a float64 STALE_NAN keeps its bits: MemoryStorage stores Float64Arrays). */
  add(labels: Labels, t: number, v: number): void {
    this.extra.append(labels, t, v);
    this.count++;
  }

  async select(matchers: LabelMatcher[], range: TimeRange, hints?: SelectHints): Promise<SeriesData[]> {
    const base = await this.base.select(matchers, range, hints);
    if (this.count === 0) return base;
    const over = await this.extra.select(matchers, range);
    if (over.length === 0) return base;
    const byKey = new Map<string, number>();
    const out = base.slice();
    out.forEach((s, i) => byKey.set(keyOf(s.labels), i));
    for (const s of over) {
      const i = byKey.get(keyOf(s.labels));
      if (i === undefined) out.push(s);
      else out[i] = merge(out[i], s);
    }
    return out;
  }

  async series(matcherSets: LabelMatcher[][], range: TimeRange, limit?: number): Promise<Labels[]> {
    return union(await this.base.series(matcherSets, range), await this.extra.series(matcherSets, range), keyOf, limit);
  }

  async labelNames(matcherSets: LabelMatcher[][], range: TimeRange, limit?: number): Promise<string[]> {
    const all = union(await this.base.labelNames(matcherSets, range), await this.extra.labelNames(matcherSets, range), String).sort();
    return limit ? all.slice(0, limit) : all;
  }

  async labelValues(name: string, matcherSets: LabelMatcher[][], range: TimeRange, limit?: number): Promise<string[]> {
    const all = union(await this.base.labelValues(name, matcherSets, range), await this.extra.labelValues(name, matcherSets, range), String).sort();
    return limit ? all.slice(0, limit) : all;
  }

  metadata(metric?: string, limit?: number): Promise<Record<string, MetricMetadata[]>> {
    return this.base.metadata(metric, limit);
  }
}
