// A real Prometheus 2.42 as a remote_write *sender*: the shared launcher
// (scripts/lib/prometheus.ts) with a config that scrapes loopback targets every
// second and remote-writes, with metadata, to a receiver.
import { startPrometheus, type PrometheusInstance } from "../../scripts/lib/prometheus";

export interface SenderOptions {
  /** host:port of each target, scraped every second as one job. */
  targets: string[];
  job: string;
  remoteWriteUrl: string;
  apiKey: string;
}

/** Short deadlines everywhere so a test sees its samples within a second or two. */
function config(o: SenderOptions): string {
  return JSON.stringify({
    global: { scrape_interval: "1s", scrape_timeout: "1s", evaluation_interval: "1m" },
    scrape_configs: [{ job_name: o.job, static_configs: [{ targets: o.targets }] }],
    remote_write: [{
      url: o.remoteWriteUrl,
      authorization: { credentials: o.apiKey },
      send_exemplars: false,
      metadata_config: { send: true, send_interval: "1s" },
      queue_config: { batch_send_deadline: "200ms", min_backoff: "100ms", max_backoff: "1s" },
    }],
  }); // JSON is valid YAML
}

export function startPrometheusSender(opts: SenderOptions): Promise<PrometheusInstance> {
  return startPrometheus({ config: config(opts) });
}
