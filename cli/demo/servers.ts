// llama.cpp's llama-server --metrics (llamacpp:* with no labels of its own) and
// Ollama as our agent's poller turns /api/ps and /api/tags into gauges
// (cli/agent/collectors/ollama.ts).
import { inWindow, type ServerSpec } from "./fleet";
import type { Counter, Gauge, SeriesSet } from "./series";
import { clamp, Target, type GpuUse, type Tick } from "./target";
import type { Script } from "./fleet";
import { STALE_NAN } from "../../shared/staleness";

type LlamaSpec = Extract<ServerSpec, { kind: "llamacpp" }>;
type OllamaSpec = Extract<ServerSpec, { kind: "ollama" }>;

const SLOTS = 4;
const GEN_TPS = 48;
const PROMPT_TPS = 1800;

export class LlamaCppTarget extends Target {
  private readonly counters: { prompt: Counter; promptSeconds: Counter; predicted: Counter; predictedSeconds: Counter; decodes: Counter };
  private readonly gauges: { promptTps: Gauge; genTps: Gauge; processing: Gauge; deferred: Gauge; busySlots: Gauge };

  constructor(set: SeriesSet, host: string, private readonly spec: LlamaSpec, private readonly gpu: GpuUse) {
    super(set, "llama-cpp", `${host}:${spec.port}`, host);
    this.counters = {
      prompt: this.counter("llamacpp:prompt_tokens_total"),
      promptSeconds: this.counter("llamacpp:prompt_seconds_total"),
      predicted: this.counter("llamacpp:tokens_predicted_total"),
      predictedSeconds: this.counter("llamacpp:tokens_predicted_seconds_total"),
      decodes: this.counter("llamacpp:n_decode_total"),
    };
    this.gauges = {
      promptTps: this.gauge("llamacpp:prompt_tokens_seconds"),
      genTps: this.gauge("llamacpp:predicted_tokens_seconds"),
      processing: this.gauge("llamacpp:requests_processing"),
      deferred: this.gauge("llamacpp:requests_deferred"),
      busySlots: this.gauge("llamacpp:n_busy_slots_per_decode"),
    };
  }

  override down(ts: number, script: Script): boolean {
    return inWindow(script.llamacppDown, ts);
  }

  override restart(): void {
    for (const c of Object.values(this.counters)) c.reset();
  }

  collect(t: Tick, at: number): void {
    const { r } = t;
    const rate = this.spec.baseRps * t.load;
    const n = r.poisson(rate * t.dtS);
    let prompt = 0;
    let gen = 0;
    for (let i = 0; i < n; i++) {
      prompt += Math.round(clamp(r.lognormal(400, 0.7), 10, 4000));
      gen += Math.round(clamp(r.lognormal(180, 0.6), 1, 1024));
    }
    const demand = rate * (180 / GEN_TPS + 0.3);
    const processing = Math.round(clamp(demand * (1 + 0.15 * r.normal()), 0, SLOTS));
    const deferred = demand > SLOTS ? Math.round(demand - SLOTS + r.next()) : 0;
    const slowdown = 1 + 0.08 * Math.max(0, processing - 1);
    const c = this.counters;
    c.prompt.inc(prompt);
    c.promptSeconds.inc(prompt / PROMPT_TPS);
    c.predicted.inc(gen);
    c.predictedSeconds.inc((gen / GEN_TPS) * slowdown);
    c.decodes.inc(gen + n);
    for (const x of Object.values(c)) x.emit(at);
    const g = this.gauges;
    // The two throughput gauges are averages since the previous scrape; 0 when idle.
    g.promptTps.emit(at, n > 0 ? Math.round((PROMPT_TPS / (1 + 0.05 * r.normal())) * 100) / 100 : 0);
    g.genTps.emit(at, n > 0 ? Math.round((GEN_TPS / slowdown) * (1 + 0.04 * r.normal()) * 100) / 100 : 0);
    g.processing.emit(at, processing);
    g.deferred.emit(at, deferred);
    g.busySlots.emit(at, Math.max(processing, n > 0 ? 1 : 0));
    for (const i of this.spec.gpus) {
      this.gpu.busy[i] = Math.max(this.gpu.busy[i], clamp(0.05 + 0.22 * processing, 0, 1));
      this.gpu.memFrac[i] += 0.1; // a 4-bit 7B model and its context
    }
  }
}

/** Ollama: the embedding model stays loaded; the chat model is unloaded after keep_alive when the load is low. */
export class OllamaTarget extends Target {
  private readonly loaded: Gauge;
  private readonly available: Gauge;
  private readonly build: Gauge;
  private readonly perModel: Array<{ size: Gauge; vram: Gauge; context: Gauge; expiry: Gauge; info: Gauge }>;
  private readonly sizes: Gauge[];
  private readonly expiresAt: number[];
  private readonly wasLoaded: boolean[];

  constructor(set: SeriesSet, host: string, private readonly spec: OllamaSpec, private readonly gpu: GpuUse) {
    super(set, "ollama", `${host}:${spec.port}`, host);
    this.build = this.gauge("ollama_build_info", { version: "0.6.2" });
    this.loaded = this.gauge("ollama_models_loaded");
    this.available = this.gauge("ollama_models_available");
    this.perModel = spec.models.map((m) => ({
      size: this.gauge("ollama_model_loaded_size_bytes", { model: m.name }),
      vram: this.gauge("ollama_model_vram_bytes", { model: m.name }),
      context: this.gauge("ollama_model_context_length", { model: m.name }),
      expiry: this.gauge("ollama_model_expiry_seconds", { model: m.name }),
      info: this.gauge("ollama_model_info", { model: m.name, family: m.family, format: "gguf", parameter_size: m.params, quantization_level: m.quant }),
    }));
    this.sizes = [...spec.models.map((m) => m.name), "qwen2.5-coder:7b"].map((name) => this.gauge("ollama_model_size_bytes", { model: name }));
    this.expiresAt = spec.models.map(() => 0);
    this.wasLoaded = spec.models.map(() => false);
  }

  collect(t: Tick, at: number): void {
    const { r, ts } = t;
    let count = 0;
    this.spec.models.forEach((m, i) => {
      // Each use sets keep_alive (5 min) again; the embedder is used all the time.
      if (i === 1 || r.chance(clamp(t.load - 0.35, 0, 1))) this.expiresAt[i] = ts + 300_000;
      const p = this.perModel[i];
      if (this.expiresAt[i] <= ts) {
        // Unloaded: its series end with a staleness marker, as the agent's scrape loop writes.
        if (this.wasLoaded[i]) for (const g of Object.values(p)) this.set.push(g.series, at, STALE_NAN);
        this.wasLoaded[i] = false;
        return;
      }
      this.wasLoaded[i] = true;
      count++;
      p.size.emit(at, m.sizeBytes);
      p.vram.emit(at, m.vramBytes);
      p.context.emit(at, 4096);
      p.expiry.emit(at, Math.round((this.expiresAt[i] - ts) / 1000));
      p.info.emit(at, 1);
      this.gpu.memFrac[0] += m.vramBytes / (80 * 2 ** 30);
      this.gpu.busy[0] = Math.max(this.gpu.busy[0], i === 1 ? 0.03 : 0.1 + 0.2 * r.next());
    });
    this.build.emit(at, 1);
    this.loaded.emit(at, count);
    this.available.emit(at, this.sizes.length);
    const diskSizes = [...this.spec.models.map((m) => m.sizeBytes), 4_683_087_332];
    this.sizes.forEach((g, i) => g.emit(at, diskSizes[i]));
  }
}
