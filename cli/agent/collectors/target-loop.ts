// Runs one target on its interval and turns what a collector returns into
// remote_write series the way Prometheus's scrape loop does: job/instance and
// static labels, up / scrape_duration_seconds / scrape_samples_scraped, and a
// staleness marker for every series that vanished or when the target is down.
import type { RwLabel, RwMetadata } from "../../../shared/contracts/remote-write";
import { checkLabelPairs, checkMetricName, normaliseLabels } from "../../../shared/labels";
import { DEFAULT_LIMITS } from "../../../shared/limits";
import { STALE_NAN } from "../../../shared/staleness";
import { log } from "../log";
import { encodeWriteRequestProto } from "../remote-write/encode";
import { encodeLabels, SeriesBytes, type EncodedLabels } from "../remote-write/series-bytes";
import type { AgentMetrics } from "../self-metrics";
import { SeriesCache, type SeriesEntry } from "./series-cache";
import { scanTextFormat, type FamilyMeta, type ParsedSample, type SampleSink } from "./text-format";

/** What a collector returns: samples it built, or an exposition for the loop to read against its cache. */
export type Collected =
  | { samples: ParsedSample[]; metadata: Map<string, FamilyMeta> }
  | { text: string; openMetrics: boolean };

export type CollectFn = (signal: AbortSignal) => Promise<Collected>;

export interface TargetSpec {
  job: string;
  instance: string;
  /** Global and per-target static labels (host, cluster, ...). */
  labels: Record<string, string>;
  intervalMs: number;
  timeoutMs: number;
  honorLabels: boolean;
  metadataIntervalMs: number;
  collect: CollectFn;
}

/** One collection, encoded: the series as protobuf WriteRequest fields, cut-able between series. */
export interface EncodedCollection {
  /** WriteRequest.timeseries fields, one sample each; valid only until the sink returns. */
  series: Uint8Array;
  /** End offset of each series in `series`. */
  ends: readonly number[];
  /** WriteRequest.metadata fields (empty when not due). */
  metadata: Uint8Array;
}

/** Receives each collection's output; must persist it before returning (the disk queue). */
export type SeriesSink = (c: EncodedCollection) => void;

const REPORT_META: Record<string, RwMetadata> = {
  up: { type: "gauge", metricFamilyName: "up", help: "1 if the target was reachable and its output parsed, else 0.", unit: "" },
  scrape_duration_seconds: { type: "gauge", metricFamilyName: "scrape_duration_seconds", help: "Duration of the scrape.", unit: "seconds" },
  scrape_samples_scraped: { type: "gauge", metricFamilyName: "scrape_samples_scraped", help: "Samples the target exposed.", unit: "" },
};

function toRwLabels(name: string, labels: Record<string, string>): RwLabel[] {
  const out: RwLabel[] = [{ name: "__name__", value: name }];
  for (const k in labels) out.push({ name: k, value: labels[k] });
  // Prometheus sends labels sorted by name, __name__ included.
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

const NO_BYTES = new Uint8Array(0);

/**
 * One output buffer for all targets: a loop fills it and hands it to the sink
 * in one synchronous stretch after its scrape's await, so loops never share it
 * at the same time, and ten targets do not each keep a buffer of their largest scrape.
 */
const OUT = new SeriesBytes();

export class TargetLoop {
  /**
   * The series of the last collection, for staleness and so that a series seen
   * before is not parsed, checked and encoded again (see series-cache.ts).
   */
  private readonly cache = new SeriesCache();
  /** Target labels, and the encoded labels of the three report series, fixed for the loop's life. */
  private readonly targetLabels: Record<string, string>;
  private readonly reportLabels: Record<"up" | "scrape_duration_seconds" | "scrape_samples_scraped", EncodedLabels>;
  private lastMetadataAt = -Infinity;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    readonly spec: TargetSpec,
    private readonly sink: SeriesSink,
    private readonly metrics: AgentMetrics,
  ) {
    this.targetLabels = { ...spec.labels, job: spec.job, instance: spec.instance };
    const report = (name: string) => encodeLabels(toRwLabels(name, this.targetLabels));
    this.reportLabels = { up: report("up"), scrape_duration_seconds: report("scrape_duration_seconds"), scrape_samples_scraped: report("scrape_samples_scraped") };
  }

  start(): void {
    // Spread targets over the interval (Prometheus hashes the target too) so ten
    // exporters are not all scraped in the same millisecond.
    let h = 0;
    for (const c of `${this.spec.job}/${this.spec.instance}`) h = (h * 31 + c.charCodeAt(0)) >>> 0;
    const offset = Math.min(h % this.spec.intervalMs, 1000);
    this.schedule(Date.now() + offset);
  }

  private schedule(at: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.scrapeOnce().finally(() => (this.running = undefined));
      void this.running.then(() => {
        // Keep the grid; if a scrape overran, skip the missed slots rather than bunch up.
        let next = at + this.spec.intervalMs;
        const now = Date.now();
        if (next <= now) next += Math.ceil((now - next) / this.spec.intervalMs) * this.spec.intervalMs;
        this.schedule(next);
      });
    }, Math.max(0, at - Date.now()));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One collection; public so tests can drive it without timers. */
  async scrapeOnce(): Promise<void> {
    const { spec, cache } = this;
    const t0 = Date.now();
    let collected: Collected | null = null;
    let error: unknown;
    try {
      collected = await spec.collect(AbortSignal.timeout(spec.timeoutMs));
    } catch (e) {
      error = e;
    }
    // From here to the sink there is no await: the shared buffer is ours.
    const out = OUT;
    out.reset();
    let metadata: Map<string, FamilyMeta> | undefined;
    let exposed = 0;
    let invalid = 0;
    if (collected) {
      // Samples are held until the whole exposition has parsed: a syntax error fails the scrape.
      const entries: SeriesEntry[] = [];
      const values: number[] = [];
      const stamps: Array<number | undefined> = [];
      const g = cache.gen;
      const take = (e: SeriesEntry, value: number, ts: number | undefined) => {
        exposed++;
        if (e.labels === "" || e.seen === g) {
          e.seen = g;
          invalid++; // not a valid series, or a duplicate in one exposition: keep the first, as Prometheus does
          return;
        }
        e.seen = g;
        entries.push(e);
        values.push(value);
        stamps.push(ts);
      };
      // A series text not seen before: build and check its labels once; two texts of one series share an entry.
      const build = (series: string | undefined, s: ParsedSample): SeriesEntry => {
        const built = this.buildLabels(s);
        return cache.add(series, built ? encodeLabels(built) : "");
      };
      try {
        if ("text" in collected) {
          const sink: SampleSink = {
            known: (series) => cache.text(series) !== undefined,
            sample: (series, value, ts, parsed) => take(cache.text(series) ?? build(series, parsed!), value, ts),
          };
          metadata = scanTextFormat(collected.text, collected.openMetrics, sink);
        } else {
          for (const s of collected.samples) take(build(undefined, s), s.value, s.timestampMs);
          metadata = collected.metadata;
        }
        for (let i = 0; i < entries.length; i++) {
          const ts = stamps[i];
          entries[i].stalable = ts === undefined; // an explicit timestamp: "seen" for duplicates, never goes stale
          out.series(entries[i].labels, values[i], ts ?? t0);
        }
      } catch (e) {
        error = e;
        collected = null;
        exposed = 0;
        invalid = 0;
        out.reset();
      }
    }
    const duration = (Date.now() - t0) / 1000;
    const stale = (e: SeriesEntry) => out.series(e.labels, STALE_NAN, t0);
    if (collected) cache.commit(stale);
    else {
      log.warn("collection failed", { job: spec.job, instance: spec.instance, error: String((error as Error)?.message ?? error) });
      cache.clear(stale);
    }
    const r = this.reportLabels;
    out.series(r.up, collected ? 1 : 0, t0);
    out.series(r.scrape_duration_seconds, duration, t0);
    out.series(r.scrape_samples_scraped, exposed, t0);

    let md: Uint8Array = NO_BYTES;
    if (metadata && t0 - this.lastMetadataAt >= spec.metadataIntervalMs) {
      this.lastMetadataAt = t0;
      const list: RwMetadata[] = [];
      for (const [name, m] of metadata) list.push({ metricFamilyName: name, type: m.type, help: m.help, unit: m.unit });
      list.push(...Object.values(REPORT_META));
      md = encodeWriteRequestProto({ timeseries: [], metadata: list });
    }

    const m = this.metrics;
    const who = { job: spec.job, instance: spec.instance };
    m.scrapes.inc({ ...who, result: collected ? "ok" : "error" });
    m.scrapeDuration.set(who, duration);
    m.targetUp.set(who, collected ? 1 : 0);
    m.lastScrape.set(who, Date.now() / 1000);
    if (invalid > 0) m.invalidSeries.inc(who, invalid);
    this.sink({ series: out.bytes(), ends: out.ends, metadata: md });
  }

  /** The remote_write labels of a sample, sorted, or null when it breaks our name and label rules. */
  private buildLabels(s: ParsedSample): RwLabel[] | null {
    const target = this.targetLabels;
    if (checkMetricName(s.name, DEFAULT_LIMITS)) return null;
    const pairs: Array<[string, string]> = [];
    for (const [k, v] of s.labels) {
      if (k in target && !this.spec.honorLabels) {
        // Prometheus keeps a clashing exposed label as exported_<name>.
        let renamed = `exported_${k}`;
        while (renamed in target) renamed = `exported_${renamed}`;
        pairs.push([renamed, v]);
      } else pairs.push([k, v]);
    }
    const exposed = new Set(pairs.map(([k]) => k));
    for (const k in target) if (!exposed.has(k)) pairs.push([k, target[k]]);
    if (checkLabelPairs(pairs, DEFAULT_LIMITS)) return null;
    const labels = normaliseLabels(pairs);
    return toRwLabels(s.name, labels);
  }
}
