// An in-memory QueryStorage for PromQL semantics tests (as Prometheus tests its
// engine against an in-memory TSDB), and the storage of `inferscope rules test`
// (as promtool's). Never a stand-in for Postgres in pipeline tests.
import type { Labels } from "../labels";
import type { LabelMatcher, MetricMetadata, QueryStorage, SeriesData, TimeRange } from "./types";
import { labelsPredicate } from "../../workers/query/promql/matchers";

export interface MemorySeries {
  labels: Labels;
  /** Unix ms ascending. */
  timestamps: number[] | Float64Array;
  /** Pass a Float64Array for staleness markers: JS arrays canonicalise NaN bits. */
  values: number[] | Float64Array;
}

function seriesKey(l: Labels): string {
  return Object.keys(l).sort().map((k) => k + "\xff" + l[k]).join("\xfe");
}

export class MemoryStorage implements QueryStorage {
  private readonly data: SeriesData[] = [];
  private readonly byKey = new Map<string, number>();
  /** Number of select() calls, so tests can check "once per selector". */
  selectCalls = 0;

  constructor(series: MemorySeries[] = []) {
    for (const s of series) this.add(s);
  }

  /**
   * Adds one sample to the series with exactly these labels (created if new),
   * keeping timestamps ascending; a sample at an existing timestamp replaces it.
   * Rule outputs arrive this way, one evaluation at a time.
   */
  append(labels: Labels, t: number, v: number): void {
    const key = seriesKey(labels);
    let i = this.byKey.get(key);
    if (i === undefined) {
      i = this.data.length;
      this.byKey.set(key, i);
      this.data.push({ labels: { ...labels }, timestamps: new Float64Array(0), values: new Float64Array(0) });
    }
    const s = this.data[i];
    let at = s.timestamps.length;
    while (at > 0 && s.timestamps[at - 1] > t) at--;
    if (at > 0 && s.timestamps[at - 1] === t) {
      s.values[at - 1] = v;
      return;
    }
    const ts = new Float64Array(s.timestamps.length + 1);
    const vs = new Float64Array(s.values.length + 1);
    ts.set(s.timestamps.subarray(0, at));
    vs.set(s.values.subarray(0, at));
    ts[at] = t;
    vs[at] = v;
    ts.set(s.timestamps.subarray(at), at + 1);
    vs.set(s.values.subarray(at), at + 1);
    s.timestamps = ts;
    s.values = vs;
  }

  add(s: MemorySeries): void {
    // Copy typed arrays as they are: going through a JS array would canonicalise StaleNaN bits.
    const values = s.values instanceof Float64Array ? s.values.slice() : Float64Array.from(s.values);
    this.byKey.set(seriesKey(s.labels), this.data.length);
    this.data.push({ labels: { ...s.labels }, timestamps: Float64Array.from(s.timestamps), values });
  }

  private matching(matcherSets: LabelMatcher[][]): SeriesData[] {
    if (matcherSets.length === 0) return this.data;
    const preds = matcherSets.map(labelsPredicate);
    return this.data.filter((s) => preds.some((p) => p(s.labels)));
  }

  private static slice(s: SeriesData, range: TimeRange): SeriesData {
    let a = 0;
    while (a < s.timestamps.length && s.timestamps[a] < range.start) a++;
    let b = a;
    while (b < s.timestamps.length && s.timestamps[b] <= range.end) b++;
    return { labels: s.labels, timestamps: s.timestamps.subarray(a, b), values: s.values.subarray(a, b) };
  }

  async select(matchers: LabelMatcher[], range: TimeRange): Promise<SeriesData[]> {
    this.selectCalls++;
    const pred = labelsPredicate(matchers);
    return this.data.filter((s) => pred(s.labels)).map((s) => MemoryStorage.slice(s, range)).filter((s) => s.timestamps.length > 0);
  }

  async series(matcherSets: LabelMatcher[][], range: TimeRange, limit?: number): Promise<Labels[]> {
    const out = this.matching(matcherSets)
      .filter((s) => MemoryStorage.slice(s, range).timestamps.length > 0)
      .map((s) => s.labels);
    return limit ? out.slice(0, limit) : out;
  }

  async labelNames(matcherSets: LabelMatcher[][], range: TimeRange, limit?: number): Promise<string[]> {
    const names = new Set<string>();
    for (const l of await this.series(matcherSets, range)) for (const k of Object.keys(l)) names.add(k);
    const out = [...names].sort();
    return limit ? out.slice(0, limit) : out;
  }

  async labelValues(name: string, matcherSets: LabelMatcher[][], range: TimeRange, limit?: number): Promise<string[]> {
    const vals = new Set<string>();
    for (const l of await this.series(matcherSets, range)) if (l[name] !== undefined) vals.add(l[name]);
    const out = [...vals].sort();
    return limit ? out.slice(0, limit) : out;
  }

  async metadata(): Promise<Record<string, MetricMetadata[]>> {
    return {};
  }
}
