// What the ingest load sends: remote_write bodies (the agent's encoder:
// protobuf WriteRequest, snappy) of a fixed set of series under a run label,
// and batches of canonical request-log records (POST /v1/logs) drawn with the
// demo's seeded generator. Every sample is a distinct (series, timestamp) and
// every record a distinct request_id, so what the server accepts can be
// counted back from what it stores.
import type { RwTimeSeries } from "../../shared/contracts/remote-write";
import type { RequestLogInput } from "../../shared/logs/record";
import { encodeWriteRequest } from "../agent/remote-write/encode";
import { Rand } from "../demo/rng";

export const SAMPLE_METRIC = "inferscope_loadtest_samples";
export const MARKER_METRIC = "inferscope_loadtest_marker";
export const LOG_TAG = "loadtest";

const MODELS: Array<[model: string, provider: string, weight: number, ttftMs: number, tps: number]> = [
  ["gpt-4o-mini", "openai", 5, 350, 90],
  ["meta-llama/Llama-3.1-8B-Instruct", "hosted_vllm", 3, 80, 95],
  ["claude-3-5-haiku-20241022", "anthropic", 2, 450, 110],
];

export class IngestPayloads {
  private readonly r: Rand;
  private sampleCursor = 0;
  /** Each series' last timestamp: a series' next sample is later, so no (series, ts) is written twice, while timestamps stay at "now". */
  private readonly lastTs: Float64Array;
  private lastMarkerTs = 0;
  private logSeq = 0;

  constructor(readonly runId: string, private readonly seriesCount: number, seed: number, private readonly now: () => number = Date.now) {
    this.r = new Rand(seed);
    this.lastTs = new Float64Array(seriesCount);
  }

  /** One remote_write body of `n` samples on `n` distinct series (n ≤ --series), continuing round the set. */
  samples(n: number): { body: Uint8Array; samples: number } {
    let ts = this.now();
    for (let i = 0; i < n; i++) ts = Math.max(ts, this.lastTs[(this.sampleCursor + i) % this.seriesCount] + 1);
    const timeseries: RwTimeSeries[] = [];
    for (let i = 0; i < n; i++) {
      const s = (this.sampleCursor + i) % this.seriesCount;
      this.lastTs[s] = ts;
      timeseries.push({
        labels: [
          { name: "__name__", value: SAMPLE_METRIC },
          { name: "run", value: this.runId },
          { name: "series", value: String(s).padStart(5, "0") },
        ],
        samples: [{ value: this.r.between(0, 100), timestamp: ts }],
      });
    }
    this.sampleCursor = (this.sampleCursor + n) % this.seriesCount;
    return { body: encodeWriteRequest({ timeseries, metadata: [] }), samples: n };
  }

  /** The marker series `time until queryable` polls for. */
  marker(seq: number): { body: Uint8Array; query: string; at: number } {
    const at = (this.lastMarkerTs = Math.max(this.now(), this.lastMarkerTs + 1));
    // Sorted by name, as remote_write senders send them.
    const labels = [{ name: "__name__", value: MARKER_METRIC }, { name: "marker", value: String(seq) }, { name: "run", value: this.runId }];
    return {
      body: encodeWriteRequest({ timeseries: [{ labels, samples: [{ value: seq, timestamp: at }] }], metadata: [] }),
      query: `${MARKER_METRIC}{run="${this.runId}",marker="${seq}"}`,
      at,
    };
  }

  /** `n` request-log records. */
  logs(n: number): RequestLogInput[] {
    return Array.from({ length: n }, () => this.record(`loadtest-${this.runId}-${++this.logSeq}`));
  }

  markerLog(seq: number): RequestLogInput {
    return this.record(`loadtest-${this.runId}-marker-${seq}`);
  }

  private record(id: string): RequestLogInput {
    const { r } = this;
    const [model, provider, , ttftMedian, tps] = MODELS[r.weighted(MODELS.map((m) => m[2]))];
    const failed = r.chance(0.02);
    const output = failed ? 0 : Math.round(r.lognormal(250, 0.8));
    const ttft = r.lognormal(ttftMedian, 0.35);
    const latency = failed ? r.between(50, 1500) : ttft + (output / tps) * 1000;
    const stream = r.chance(0.6);
    return {
      request_id: id,
      time: Math.round(this.now() - latency),
      latency_ms: Math.round(latency * 1000) / 1000,
      ...(stream && !failed ? { ttft_ms: Math.round(ttft * 1000) / 1000 } : {}),
      model,
      provider,
      stream,
      status: failed ? "failure" : "success",
      http_status: failed ? 503 : 200,
      input_tokens: failed ? 0 : Math.round(r.lognormal(900, 0.9)),
      output_tokens: output,
      project: "loadtest",
      tags: ["synthetic", LOG_TAG],
      attributes: { loadtest_run: this.runId },
    };
  }
}
