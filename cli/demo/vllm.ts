// A vLLM server's /metrics (names, labels and buckets from
// shared/research/inference-metrics.md §1): V1 labels every series with
// model_name and engine and calls KV usage vllm:kv_cache_usage_perc; V0 has
// model_name only, vllm:gpu_cache_usage_perc and time_per_output_token.
// Requests arrive at the load-scaled rate; concurrency follows Little's law
// against a KV-cache-bound capacity, so queues form at the daily peak.
import type { ServerSpec } from "./fleet";
import type { Counter, Gauge, Histogram, Labels, SeriesSet } from "./series";
import { clamp, Target, type GpuUse, type Tick } from "./target";

const TTFT = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0];
const ITL = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5];
const REQUEST_TIME = [0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0];
/** build_1_2_5_buckets(max_model_len = 8192). */
const TOKENS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000];

type VllmSpec = Extract<ServerSpec, { kind: "vllm" }>;

interface Perf {
  itl: number;
  prefillTps: number;
}

const PERF: Record<string, Perf> = {
  "meta-llama/Llama-3.1-70B-Instruct": { itl: 0.032, prefillTps: 6000 },
  "meta-llama/Llama-3.1-8B-Instruct": { itl: 0.011, prefillTps: 30000 },
  "Qwen/Qwen2.5-32B-Instruct": { itl: 0.022, prefillTps: 11000 },
};

export class VllmTarget extends Target {
  private readonly running: Gauge;
  private readonly waiting: Gauge;
  private readonly kv: Gauge;
  private readonly extraGauges: Gauge[];
  private readonly promptTokens: Counter;
  private readonly generationTokens: Counter;
  private readonly success: { stop: Counter; length: Counter };
  private readonly preemptions: Counter;
  private readonly prefix: { queries: Counter; hits: Counter } | null;
  private readonly ttft: Histogram;
  private readonly e2e: Histogram;
  private readonly queue: Histogram;
  private readonly itl: Histogram;
  private readonly promptHist: Histogram;
  private readonly genHist: Histogram;
  private readonly perf: Perf;
  private kvLevel = 0.2;

  constructor(set: SeriesSet, host: string, private readonly spec: VllmSpec, private readonly gpu: GpuUse, uptimeS: number) {
    super(set, "vllm", `${host}:${spec.port}`, host);
    const l: Labels = spec.version === "v1" ? { model_name: spec.model, engine: "0" } : { model_name: spec.model };
    this.perf = PERF[spec.model] ?? { itl: 0.015, prefillTps: 20000 };
    this.running = this.gauge("vllm:num_requests_running", l);
    this.waiting = this.gauge("vllm:num_requests_waiting", l);
    this.kv = this.gauge(spec.version === "v1" ? "vllm:kv_cache_usage_perc" : "vllm:gpu_cache_usage_perc", l);
    this.extraGauges = spec.version === "v0" ? [this.gauge("vllm:cpu_cache_usage_perc", l), this.gauge("vllm:num_requests_swapped", l)] : [];
    // The process has been up a while: counters do not start at 0.
    const served = Math.round(uptimeS * spec.baseRps * 0.6);
    this.promptTokens = this.counter("vllm:prompt_tokens_total", l, served * 700);
    this.generationTokens = this.counter("vllm:generation_tokens_total", l, served * 230);
    this.success = {
      stop: this.counter("vllm:request_success_total", { ...l, finished_reason: "stop" }, Math.round(served * 0.95)),
      length: this.counter("vllm:request_success_total", { ...l, finished_reason: "length" }, Math.round(served * 0.05)),
    };
    this.preemptions = this.counter("vllm:num_preemptions_total", l, Math.round(served / 2000));
    this.prefix = spec.version === "v1"
      ? { queries: this.counter("vllm:prefix_cache_queries_total", l, served * 700), hits: this.counter("vllm:prefix_cache_hits_total", l, served * 250) }
      : null;
    this.ttft = this.histogram("vllm:time_to_first_token_seconds", l, TTFT);
    this.e2e = this.histogram("vllm:e2e_request_latency_seconds", l, REQUEST_TIME);
    this.queue = this.histogram("vllm:request_queue_time_seconds", l, REQUEST_TIME);
    this.itl = this.histogram(spec.version === "v1" ? "vllm:inter_token_latency_seconds" : "vllm:time_per_output_token_seconds", l, ITL);
    this.promptHist = this.histogram("vllm:request_prompt_tokens", l, TOKENS);
    this.genHist = this.histogram("vllm:request_generation_tokens", l, TOKENS);
  }

  collect(t: Tick, at: number): void {
    const { r } = t;
    const rate = this.spec.baseRps * t.load;
    const arrivals = r.poisson(rate * t.dtS);
    const cap = this.spec.capacity;
    // Mean request time at this load, for Little's law: concurrency = rate × time.
    const util0 = (rate * (0.15 + 240 * this.perf.itl)) / cap;
    const itlNow = this.perf.itl * (1 + 0.7 * Math.min(util0, 1));
    const demand = rate * (0.15 + 240 * itlNow);
    const running = Math.round(clamp(demand * (1 + 0.1 * r.normal()), 0, cap));
    const waiting = demand > cap * 0.9 ? Math.round((demand - cap * 0.9) * (1.5 + r.next())) : r.chance(0.05) ? 1 : 0;
    const queueMean = waiting > 0 ? waiting / Math.max(rate, 0.1) : 0.004;
    for (let i = 0; i < arrivals; i++) {
      const prompt = Math.round(clamp(r.lognormal(650, 0.8), 8, 8000));
      const wantGen = Math.round(clamp(r.lognormal(220, 0.75), 1, 4096));
      const length = wantGen > 2048 || r.chance(0.04);
      const gen = length ? Math.min(wantGen, 2048) : wantGen;
      const queue = r.lognormal(queueMean, 0.5);
      const ttft = queue + prompt / this.perf.prefillTps + r.lognormal(0.018, 0.3);
      const itl = itlNow * r.lognormal(1, 0.15);
      this.ttft.observe(ttft);
      this.queue.observe(queue);
      this.itl.observe(itl);
      this.e2e.observe(ttft + gen * itl);
      this.promptHist.observe(prompt);
      this.genHist.observe(gen);
      this.promptTokens.inc(prompt);
      this.generationTokens.inc(gen);
      (length ? this.success.length : this.success.stop).inc(1);
      if (this.prefix) {
        this.prefix.queries.inc(prompt);
        this.prefix.hits.inc(Math.round(prompt * clamp(0.35 + 0.1 * r.normal(), 0, 0.9)));
      }
    }
    // KV usage follows the batch with some lag; near full it preempts.
    this.kvLevel += (clamp(running / cap, 0, 1) * 0.97 - this.kvLevel) * 0.5 + 0.01 * r.normal();
    this.kvLevel = clamp(this.kvLevel, 0.01, 1);
    if (this.kvLevel > 0.92) this.preemptions.inc(r.poisson(3));
    this.running.emit(at, running);
    this.waiting.emit(at, waiting);
    this.kv.emit(at, Math.round(this.kvLevel * 1e4) / 1e4);
    for (const g of this.extraGauges) g.emit(at, 0);
    for (const c of [this.promptTokens, this.generationTokens, this.success.stop, this.success.length, this.preemptions]) c.emit(at);
    if (this.prefix) {
      this.prefix.queries.emit(at);
      this.prefix.hits.emit(at);
    }
    for (const h of [this.ttft, this.e2e, this.queue, this.itl, this.promptHist, this.genHist]) h.emit(at);
    // vLLM holds gpu_memory_utilization (0.9) of every GPU it runs on, busy or not.
    const busy = clamp(0.08 + 0.9 * (running / cap), 0, 1);
    for (const g of this.spec.gpus) {
      this.gpu.busy[g] = Math.max(this.gpu.busy[g], busy);
      this.gpu.memFrac[g] += 0.9;
    }
  }
}
