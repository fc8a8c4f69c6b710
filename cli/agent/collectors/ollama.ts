// Ollama has no /metrics; poll its JSON API and turn it into gauges so the GPU
// and model dashboards work for Ollama hosts too.
import type { CollectFn } from "./target-loop";
import type { FamilyMeta, ParsedSample } from "./text-format";

interface OllamaModel {
  name?: string;
  model?: string;
  size?: number;
  size_vram?: number;
  expires_at?: string;
  context_length?: number;
  details?: { family?: string; format?: string; parameter_size?: string; quantization_level?: string };
}

const META: Record<string, FamilyMeta> = {
  ollama_build_info: { type: "gauge", help: "Ollama server version; always 1.", unit: "" },
  ollama_models_loaded: { type: "gauge", help: "Models currently loaded in memory (/api/ps).", unit: "" },
  ollama_models_available: { type: "gauge", help: "Models present on disk (/api/tags).", unit: "" },
  ollama_model_loaded_size_bytes: { type: "gauge", help: "Memory a loaded model occupies, RAM and VRAM.", unit: "bytes" },
  ollama_model_vram_bytes: { type: "gauge", help: "VRAM a loaded model occupies.", unit: "bytes" },
  ollama_model_expiry_seconds: { type: "gauge", help: "Seconds until a loaded model is unloaded (keep_alive).", unit: "seconds" },
  ollama_model_context_length: { type: "gauge", help: "Context length a loaded model was started with.", unit: "" },
  ollama_model_info: { type: "gauge", help: "Details of a loaded model; always 1.", unit: "" },
  ollama_model_size_bytes: { type: "gauge", help: "On-disk size of an available model.", unit: "bytes" },
};

async function getJson(base: string, path: string, signal: AbortSignal): Promise<unknown> {
  const res = await fetch(new URL(path, base), { signal, headers: { "User-Agent": "inferscope-agent" } });
  if (res.status !== 200) {
    await res.body?.cancel();
    throw new Error(`HTTP ${res.status} from ${path}`);
  }
  return res.json();
}

function models(body: unknown): OllamaModel[] {
  const list = (body as { models?: unknown } | null)?.models;
  return Array.isArray(list) ? (list as OllamaModel[]) : [];
}

/** Pure conversion, separate from I/O so it is testable with recorded responses. */
export function ollamaSamples(version: unknown, ps: unknown, tags: unknown, nowMs: number): ParsedSample[] {
  const out: ParsedSample[] = [];
  const add = (name: string, value: number | undefined, labels: Array<[string, string]> = []) => {
    if (typeof value === "number" && Number.isFinite(value)) out.push({ name, labels, value });
  };
  const v = (version as { version?: unknown } | null)?.version;
  if (typeof v === "string") add("ollama_build_info", 1, [["version", v]]);
  const loaded = models(ps);
  add("ollama_models_loaded", loaded.length);
  for (const m of loaded) {
    const model = m.name ?? m.model ?? "";
    if (!model) continue;
    const l: Array<[string, string]> = [["model", model]];
    add("ollama_model_loaded_size_bytes", m.size, l);
    add("ollama_model_vram_bytes", m.size_vram, l);
    add("ollama_model_context_length", m.context_length, l);
    if (m.expires_at) {
      const exp = Date.parse(m.expires_at);
      // Ollama reports a far-future date for keep_alive=-1; that is "never", not a number to graph.
      if (Number.isFinite(exp) && exp - nowMs < 10 * 365 * 86400_000) add("ollama_model_expiry_seconds", Math.max(0, (exp - nowMs) / 1000), l);
    }
    const d = m.details ?? {};
    add("ollama_model_info", 1, [
      ["model", model], ["family", d.family ?? ""], ["format", d.format ?? ""],
      ["parameter_size", d.parameter_size ?? ""], ["quantization_level", d.quantization_level ?? ""],
    ]);
  }
  const available = models(tags);
  add("ollama_models_available", available.length);
  for (const m of available) {
    const model = m.name ?? m.model ?? "";
    if (model) add("ollama_model_size_bytes", m.size, [["model", model]]);
  }
  return out;
}

export function ollamaCollect(baseUrl: string): CollectFn {
  return async (signal) => {
    const [version, ps, tags] = await Promise.all([
      getJson(baseUrl, "/api/version", signal),
      getJson(baseUrl, "/api/ps", signal),
      getJson(baseUrl, "/api/tags", signal),
    ]);
    return { samples: ollamaSamples(version, ps, tags, Date.now()), metadata: new Map(Object.entries(META)) };
  };
}
