// The agent's own counters and gauges, rendered in the Prometheus text format
// on /metrics. A tiny registry instead of prom-client: we need a dozen series
// and no new dependency.
type LabelValues = Record<string, string>;

interface Family {
  name: string;
  help: string;
  type: "counter" | "gauge";
  values: Map<string, { labels: LabelValues; value: number }>;
  /** Gauges whose value is read at render time (queue depth, memory). */
  collect?: () => Array<{ labels: LabelValues; value: number }>;
}

function key(labels: LabelValues): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));
}

function escapeValue(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return String(v);
}

export class Registry {
  private readonly families = new Map<string, Family>();

  private family(name: string, help: string, type: Family["type"]): Family {
    let f = this.families.get(name);
    if (!f) this.families.set(name, (f = { name, help, type, values: new Map() }));
    return f;
  }

  counter(name: string, help: string) {
    const f = this.family(name, help, "counter");
    return {
      inc: (labels: LabelValues = {}, by = 1) => {
        const k = key(labels);
        const cur = f.values.get(k);
        if (cur) cur.value += by;
        else f.values.set(k, { labels, value: by });
      },
      get: (labels: LabelValues = {}) => f.values.get(key(labels))?.value ?? 0,
    };
  }

  gauge(name: string, help: string) {
    const f = this.family(name, help, "gauge");
    return {
      set: (labels: LabelValues, value: number) => f.values.set(key(labels), { labels, value }),
      get: (labels: LabelValues = {}) => f.values.get(key(labels))?.value ?? 0,
    };
  }

  gaugeFunc(name: string, help: string, collect: Family["collect"]): void {
    this.family(name, help, "gauge").collect = collect;
  }

  render(): string {
    const out: string[] = [];
    for (const f of this.families.values()) {
      out.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`);
      const rows = f.collect ? f.collect() : [...f.values.values()];
      for (const { labels, value } of rows) {
        const ls = Object.entries(labels).map(([k, v]) => `${k}="${escapeValue(v)}"`).join(",");
        out.push(`${f.name}${ls ? `{${ls}}` : ""} ${formatValue(value)}`);
      }
    }
    return out.join("\n") + "\n";
  }
}

/** The agent's metrics, in one place so names stay consistent. */
export function agentMetrics(reg = new Registry()) {
  return {
    registry: reg,
    scrapes: reg.counter("inferscope_agent_scrapes_total", "Collections attempted, by job and result."),
    scrapeDuration: reg.gauge("inferscope_agent_scrape_duration_seconds", "Duration of the last collection of a target."),
    targetUp: reg.gauge("inferscope_agent_target_up", "1 if the target's last collection was reachable and parsed, else 0: the up series the agent sends (not named up here, so scraping the agent itself adds no second up)."),
    lastScrape: reg.gauge("inferscope_agent_last_scrape_timestamp_seconds", "When the last collection of a target ended (unix seconds)."),
    invalidSeries: reg.counter("inferscope_agent_invalid_series_total", "Scraped series dropped because their name or labels break the rules."),
    batchesQueued: reg.counter("inferscope_agent_batches_queued_total", "Batches written to the disk queue."),
    batchesSent: reg.counter("inferscope_agent_batches_sent_total", "Batches acknowledged with 2xx."),
    sendErrors: reg.counter("inferscope_agent_send_errors_total", "Failed send attempts (retried), by kind and reason."),
    batchesDropped: reg.counter("inferscope_agent_batches_dropped_total", "Batches given up on, by kind and reason (rejected 4xx, queue_full)."),
    samplesQueued: reg.counter("inferscope_agent_samples_queued_total", "Samples written to the disk queue."),
    logLines: reg.counter("inferscope_agent_log_lines_total", "Log lines read, by source and result."),
    logRotations: reg.counter("inferscope_agent_log_rotations_total", "Rotations and truncations seen, by source and kind."),
  };
}

export type AgentMetrics = ReturnType<typeof agentMetrics>;
