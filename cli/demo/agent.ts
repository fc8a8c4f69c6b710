// Our agent's own /metrics on each host (cli/agent/self-metrics.ts names),
// scraped as job inferscope-agent. Its per-target labels job/instance clash
// with the scrape's own and so arrive as exported_job / exported_instance, as
// Prometheus (and the agent's scrape loop) rename them.
import type { Counter, Gauge, SeriesSet } from "./series";
import { Target, type Scrape, type Tick } from "./target";

const QUEUE_MAX_BYTES = 512 * 2 ** 20;

export class AgentTarget extends Target {
  private readonly perTarget: Array<{ scrape: Scrape; ok: Counter; error: Counter; duration: Gauge }> = [];
  private readonly c: Record<"queuedM" | "sentM" | "sentL" | "queuedL" | "samples" | "errors429" | "errorsTimeout" | "dropped" | "cpu", Counter>;
  private readonly g: Record<"depthM" | "depthL" | "bytes" | "max" | "rss" | "heap", Gauge>;
  private backlog = 0;

  constructor(set: SeriesSet, host: string, private readonly scrapes: Scrape[], private readonly hasLogs: boolean, uptimeS: number) {
    super(set, "inferscope-agent", `${host}:9465`, host);
    for (const scrape of scrapes) {
      const who = { exported_job: scrape.target.job, exported_instance: scrape.target.instance };
      const n = Math.round(uptimeS / 15);
      this.perTarget.push({
        scrape,
        ok: this.counter("inferscope_agent_scrapes_total", { ...who, result: "ok" }, n),
        error: this.counter("inferscope_agent_scrapes_total", { ...who, result: "error" }, 2),
        duration: this.gauge("inferscope_agent_scrape_duration_seconds", who),
      });
    }
    const n = Math.round(uptimeS / 15);
    this.c = {
      queuedM: this.counter("inferscope_agent_batches_queued_total", { kind: "metrics" }, n),
      sentM: this.counter("inferscope_agent_batches_sent_total", { kind: "metrics" }, n),
      queuedL: this.counter("inferscope_agent_batches_queued_total", { kind: "logs" }, hasLogs ? n : 0),
      sentL: this.counter("inferscope_agent_batches_sent_total", { kind: "logs" }, hasLogs ? n : 0),
      samples: this.counter("inferscope_agent_samples_queued_total", {}, n * 300),
      errors429: this.counter("inferscope_agent_send_errors_total", { kind: "metrics", reason: "http_429" }, 3),
      errorsTimeout: this.counter("inferscope_agent_send_errors_total", { kind: "metrics", reason: "timeout" }, 1),
      dropped: this.counter("inferscope_agent_batches_dropped_total", { kind: "metrics", reason: "http_400" }, 0),
      cpu: this.counter("process_cpu_seconds_total", {}, Math.round(uptimeS * 0.004)),
    };
    this.g = {
      depthM: this.gauge("inferscope_agent_queue_batches", { kind: "metrics" }),
      depthL: this.gauge("inferscope_agent_queue_batches", { kind: "logs" }),
      bytes: this.gauge("inferscope_agent_queue_bytes"),
      max: this.gauge("inferscope_agent_queue_max_bytes"),
      rss: this.gauge("process_resident_memory_bytes"),
      heap: this.gauge("nodejs_heap_used_bytes"),
    };
  }

  collect(t: Tick, at: number): void {
    const { r } = t;
    let samples = 0;
    for (const p of this.perTarget) {
      (p.scrape.ok ? p.ok : p.error).inc(1);
      p.duration.emit(at, p.scrape.lastDurationS);
      p.ok.emit(at);
      p.error.emit(at);
      samples += p.scrape.lastSamples + 3;
    }
    const c = this.c;
    c.queuedM.inc(1);
    c.samples.inc(samples);
    // Now and then a send fails and the batch waits on disk for the retry.
    let sent = 1;
    if (r.chance(0.01)) {
      (r.chance(0.7) ? c.errors429 : c.errorsTimeout).inc(1);
      this.backlog++;
      sent = 0;
    } else if (this.backlog > 0) {
      this.backlog--;
      sent = 2;
    }
    c.sentM.inc(sent);
    if (this.hasLogs) {
      c.queuedL.inc(1);
      c.sentL.inc(1);
    }
    c.cpu.inc(0.05 + 0.02 * r.next());
    for (const x of Object.values(c)) x.emit(at);
    const g = this.g;
    g.depthM.emit(at, this.backlog);
    g.depthL.emit(at, 0);
    g.bytes.emit(at, this.backlog * (samples * 9 + 2000));
    g.max.emit(at, QUEUE_MAX_BYTES);
    g.rss.emit(at, Math.round(92e6 + 6e6 * r.next()));
    g.heap.emit(at, Math.round(31e6 + 8e6 * r.next()));
  }
}
