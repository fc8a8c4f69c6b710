// Wires the agent together from a config: disk queue, forwarder, one loop per
// scrape target / Ollama / nvidia-smi, one tailer per log file, and the self
// endpoint. Shutdown stops the producers first, then gives in-flight sends a
// moment; anything unsent stays in the queue for the next start.
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { splitHostPort, type AgentConfig } from "./config";
import { CheckpointStore } from "./collectors/checkpoint";
import { LogSource } from "./collectors/log-source";
import { probeSpec } from "./collectors/llm-probe";
import { nvidiaSmiCollect } from "./collectors/nvidia-smi";
import { ollamaCollect } from "./collectors/ollama";
import { httpScrape, instanceOf } from "./collectors/scrape";
import { TargetLoop, type SeriesSink, type TargetSpec } from "./collectors/target-loop";
import { DiskQueue } from "./delivery/disk-queue";
import { Forwarder } from "./delivery/forwarder";
import { encodeMetricsProto, PAYLOAD_HEADERS } from "./delivery/payloads";
import { log, setLogLevel } from "./log";
import { agentMetrics } from "./self-metrics";
import { startSelfServer } from "./self-server";

export interface RunningAgent {
  selfPort: number;
  stop(): Promise<void>;
}

export async function runAgent(cfg: AgentConfig): Promise<RunningAgent> {
  setLogLevel(cfg.log_level);
  const metrics = agentMetrics();
  const d = cfg.delivery;
  const queue = new DiskQueue(join(cfg.data_dir, "queue"), d.queue_max_bytes, (b, reason) => metrics.batchesDropped.inc({ kind: b.kind, reason }));
  const checkpoints = new CheckpointStore(join(cfg.data_dir, "offsets"));
  const forwarder = new Forwarder(queue, {
    endpoint: cfg.endpoint.url, apiKey: cfg.apiKey, timeoutMs: cfg.endpoint.timeout,
    backoffMinMs: d.backoff_min, backoffMaxMs: d.backoff_max, retryAfterMaxMs: d.retry_after_max, headers: PAYLOAD_HEADERS,
  }, metrics);

  // Each collection becomes one or more durable batches before the loop moves on,
  // cut between series; the metadata rides with the first.
  const sink: SeriesSink = ({ series, ends, metadata }) => {
    for (let i = 0; i < ends.length || i === 0; i += d.max_series_per_batch) {
      const from = i === 0 ? 0 : ends[i - 1];
      const last = Math.min(i + d.max_series_per_batch, ends.length) - 1;
      const to = last < 0 ? 0 : ends[last];
      const n = last + 1 - i; // one sample per series
      try {
        queue.enqueue({ key: `m-${randomUUID()}`, kind: "metrics", createdAt: Date.now(), items: n }, encodeMetricsProto(series.subarray(from, to), i === 0 ? metadata : undefined));
        metrics.batchesQueued.inc({ kind: "metrics" });
        metrics.samplesQueued.inc({}, n);
      } catch (e) {
        metrics.batchesDropped.inc({ kind: "metrics", reason: "enqueue_failed" });
        log.error("could not write metrics batch to the queue", { error: String(e), samples: n });
      }
    }
  };

  const specs: TargetSpec[] = [];
  const base = (interval?: number, timeout?: number) => {
    const intervalMs = interval ?? cfg.defaults.interval;
    return { intervalMs, timeoutMs: Math.min(timeout ?? cfg.defaults.timeout, intervalMs), metadataIntervalMs: d.metadata_interval };
  };
  for (const job of cfg.scrape) {
    for (const url of job.targets) {
      const b = base(job.interval, job.timeout);
      specs.push({ ...b, job: job.job, instance: instanceOf(url), labels: { ...cfg.labels, ...job.labels }, honorLabels: job.honor_labels, collect: httpScrape(url, job.headers, b.timeoutMs) });
    }
  }
  for (const o of cfg.ollama) {
    specs.push({ ...base(o.interval, o.timeout), job: o.job, instance: instanceOf(o.url), labels: { ...cfg.labels, ...o.labels }, honorLabels: false, collect: ollamaCollect(o.url) });
  }
  if (cfg.nvidia_smi) {
    const n = cfg.nvidia_smi;
    specs.push({ ...base(n.interval, n.timeout), job: n.job, instance: cfg.labels.host ?? "localhost", labels: { ...cfg.labels, ...n.labels }, honorLabels: false, collect: nvidiaSmiCollect(n.path) });
  }
  for (const p of cfg.probes) specs.push(probeSpec(p, cfg.labels, d.metadata_interval));
  const loops = specs.map((s) => new TargetLoop(s, sink, metrics));
  const sources = cfg.logs.map((l) => new LogSource(l, queue, checkpoints, metrics, cfg.labels, d.max_logs_per_batch));

  const reg = metrics.registry;
  reg.gaugeFunc("inferscope_agent_queue_batches", "Batches waiting in the disk queue.", () =>
    (["metrics", "logs"] as const).map((kind) => ({ labels: { kind }, value: queue.depth(kind) })));
  reg.gaugeFunc("inferscope_agent_queue_bytes", "Bytes buffered in the disk queue.", () => [{ labels: {}, value: queue.bytes }]);
  reg.gaugeFunc("inferscope_agent_queue_max_bytes", "Bound of the disk queue; oldest batches are dropped past it.", () => [{ labels: {}, value: d.queue_max_bytes }]);
  reg.gaugeFunc("process_resident_memory_bytes", "Resident memory size in bytes.", () => [{ labels: {}, value: process.memoryUsage.rss() }]);
  reg.gaugeFunc("nodejs_heap_used_bytes", "V8 heap in use.", () => [{ labels: {}, value: process.memoryUsage().heapUsed }]);
  reg.gaugeFunc("nodejs_heap_total_bytes", "V8 heap committed (used plus what GC has not given back).", () => [{ labels: {}, value: process.memoryUsage().heapTotal }]);
  reg.gaugeFunc("nodejs_external_memory_bytes", "Memory outside the V8 heap held by JS objects (Buffers, zlib).", () => [{ labels: {}, value: process.memoryUsage().external }]);
  reg.gaugeFunc("process_cpu_seconds_total", "User and system CPU time spent in seconds.", () => {
    const u = process.cpuUsage();
    return [{ labels: {}, value: (u.user + u.system) / 1e6 }];
  });
  const startedAt = Date.now();
  const listen = splitHostPort(cfg.self.listen)!;
  const self = await startSelfServer(listen.host, listen.port, {
    health: () => ({
      ok: true,
      body: {
        status: "ok", uptime_s: Math.round((Date.now() - startedAt) / 1000),
        queue_batches: queue.depth(), queue_bytes: queue.bytes,
        last_send_ok: forwarder.lastSuccessAt ? new Date(forwarder.lastSuccessAt).toISOString() : null,
        last_send_error: forwarder.lastErrorAt ? new Date(forwarder.lastErrorAt).toISOString() : null,
      },
    }),
    metrics: () => reg.render(),
  });

  forwarder.start();
  for (const s of sources) s.start();
  for (const l of loops) l.start();
  log.info("agent started", {
    config: cfg.configPath, endpoint: cfg.endpoint.url, self_port: self.port, targets: specs.length, probes: cfg.probes.length, log_sources: sources.length,
    queued_batches: queue.depth(), queued_bytes: queue.bytes,
  });

  let stopping: Promise<void> | undefined;
  return {
    selfPort: self.port,
    stop: () =>
      (stopping ??= (async () => {
        log.info("agent stopping");
        await Promise.all(loops.map((l) => l.stop()));
        for (const s of sources) s.stop();
        await forwarder.stop(3000);
        await self.close();
        log.info("agent stopped", { queued_batches: queue.depth(), queued_bytes: queue.bytes });
      })()),
  };
}
