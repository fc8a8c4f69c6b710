// Runs one target on its interval and turns what a collector returns into
// remote_write series the way Prometheus's scrape loop does: job/instance and
// static labels, up / scrape_duration_seconds / scrape_samples_scraped, and a
// staleness marker for every series that vanished or when the target is down.
import type { RwLabel, RwMetadata, RwTimeSeries, RwWriteRequest } from "../../../shared/contracts/remote-write";
import { checkLabelPairs, checkMetricName, normaliseLabels, seriesKey } from "../../../shared/labels";
import { DEFAULT_LIMITS } from "../../../shared/limits";
import { STALE_NAN } from "../../../shared/staleness";
import { log } from "../log";
import type { AgentMetrics } from "../self-metrics";
import type { FamilyMeta, ParsedSample } from "./text-format";

export interface Collected {
  samples: ParsedSample[];
  metadata: Map<string, FamilyMeta>;
}

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

/** Receives each collection's output; must persist it before returning (the disk queue). */
export type SeriesSink = (req: RwWriteRequest, samples: number) => void;

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

/** The remote_write labels of a series from its seriesKey. */
function labelsOfKey(key: string): RwLabel[] {
  const [name, labels] = JSON.parse(key) as [string, Record<string, string>];
  return toRwLabels(name, labels);
}

export class TargetLoop {
  /**
   * Keys (seriesKey: JSON of name and labels) of the previous collection's
   * series, for staleness; explicit-timestamp series excluded, as in Prometheus.
   * Keys only: the label arrays of 20,000 series held between scrapes were
   * ~5 MB of heap (and kept each scrape body alive through sliced strings);
   * the few that vanish get their labels back from the key.
   */
  private previous = new Set<string>();
  private lastMetadataAt = -Infinity;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    readonly spec: TargetSpec,
    private readonly sink: SeriesSink,
    private readonly metrics: AgentMetrics,
  ) {}

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
    const { spec } = this;
    const t0 = Date.now();
    let collected: Collected | null = null;
    let error: unknown;
    try {
      collected = await spec.collect(AbortSignal.timeout(spec.timeoutMs));
    } catch (e) {
      error = e;
    }
    const duration = (Date.now() - t0) / 1000;
    const targetLabels: Record<string, string> = { ...spec.labels, job: spec.job, instance: spec.instance };
    const series: RwTimeSeries[] = [];
    const current = new Map<string, boolean>(); // series key -> can go stale (no explicit timestamp)
    const metadata: RwMetadata[] = [];
    let invalid = 0;
    if (collected) {
      for (const s of collected.samples) {
        const built = this.buildLabels(s, targetLabels);
        if (!built) {
          invalid++;
          continue;
        }
        const [k, labels] = built;
        if (current.has(k)) {
          invalid++; // duplicate series in one exposition: keep the first, as Prometheus does
          continue;
        }
        current.set(k, s.timestampMs === undefined); // an explicit timestamp: "seen" for duplicate detection, never goes stale
        series.push({ labels, samples: [{ value: s.value, timestamp: s.timestampMs ?? t0 }] });
      }
      if (t0 - this.lastMetadataAt >= spec.metadataIntervalMs) {
        this.lastMetadataAt = t0;
        for (const [name, m] of collected.metadata) metadata.push({ metricFamilyName: name, type: m.type, help: m.help, unit: m.unit });
        metadata.push(...Object.values(REPORT_META));
      }
    } else {
      log.warn("collection failed", { job: spec.job, instance: spec.instance, error: String((error as Error)?.message ?? error) });
    }
    for (const k of this.previous) {
      if (!current.has(k)) series.push({ labels: labelsOfKey(k), samples: [{ value: STALE_NAN, timestamp: t0 }] });
    }
    this.previous = new Set();
    for (const [k, stalable] of current) if (stalable) this.previous.add(k);
    const report = (name: string, value: number) =>
      series.push({ labels: toRwLabels(name, targetLabels), samples: [{ value, timestamp: t0 }] });
    report("up", collected ? 1 : 0);
    report("scrape_duration_seconds", duration);
    report("scrape_samples_scraped", collected ? collected.samples.length : 0);

    const m = this.metrics;
    const who = { job: spec.job, instance: spec.instance };
    m.scrapes.inc({ ...who, result: collected ? "ok" : "error" });
    m.scrapeDuration.set(who, duration);
    m.targetUp.set(who, collected ? 1 : 0);
    m.lastScrape.set(who, Date.now() / 1000);
    if (invalid > 0) m.invalidSeries.inc(who, invalid);
    this.sink({ timeseries: series, metadata }, series.length);
  }

  private buildLabels(s: ParsedSample, target: Record<string, string>): [string, RwLabel[]] | null {
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
    return [seriesKey(s.name, labels), toRwLabels(s.name, labels)];
  }
}
