// The simulated fleet and its script: which hosts, GPUs and inference servers
// exist (from the seed and --hosts), and when the incidents happen (anchored on
// the end of the backfill, so the last hour always shows them and the shipped
// alerts fire at its end).
import { Rand } from "./rng";

export interface GpuSpec {
  index: number;
  uuid: string;
  modelName: string;
  memMiB: number;
  idleW: number;
  maxW: number;
  pciBusId: string;
}

export type ServerSpec =
  | { kind: "vllm"; version: "v1" | "v0"; model: string; port: number; gpus: number[]; capacity: number; baseRps: number }
  | { kind: "llamacpp"; model: string; port: number; gpus: number[]; baseRps: number }
  | { kind: "ollama"; port: number; models: Array<{ name: string; sizeBytes: number; vramBytes: number; family: string; params: string; quant: string }> };

export interface HostSpec {
  name: string;
  gpus: GpuSpec[];
  /** dcgm-exporter before d5e5f51 writes Hostname, later ones hostname. */
  dcgmHostLabel: "Hostname" | "hostname";
  servers: ServerSpec[];
}

const GPU_TYPES = [
  { modelName: "NVIDIA H100 80GB HBM3", memMiB: 81559, idleW: 70, maxW: 700 },
  { modelName: "NVIDIA A100-SXM4-80GB", memMiB: 81920, idleW: 55, maxW: 400 },
  { modelName: "NVIDIA L40S", memMiB: 46068, idleW: 35, maxW: 350 },
] as const;

const OLLAMA_MODELS = [
  { name: "llama3.2:3b", sizeBytes: 2_019_393_189, vramBytes: 2_019_393_189, family: "llama", params: "3.2B", quant: "Q4_K_M" },
  { name: "nomic-embed-text:latest", sizeBytes: 274_302_450, vramBytes: 274_302_450, family: "nomic-bert", params: "137M", quant: "F16" },
];

const hex = (r: Rand, n: number) => Array.from({ length: n }, () => Math.floor(r.next() * 16).toString(16)).join("");

/** The servers, in order: vLLM V1 ×2, vLLM V0, llama.cpp, Ollama; spread over the hosts, extra hosts get V1 replicas. */
export function buildFleet(hosts: number, seed: number): HostSpec[] {
  const r = new Rand(seed * 7919 + 17);
  const out: HostSpec[] = [];
  for (let h = 0; h < hosts; h++) {
    const type = GPU_TYPES[h % GPU_TYPES.length];
    const n = r.int(2, 4);
    const gpus: GpuSpec[] = Array.from({ length: n }, (_, i) => ({
      index: i,
      uuid: `GPU-${hex(r, 8)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 12)}`,
      modelName: type.modelName,
      memMiB: type.memMiB,
      idleW: type.idleW,
      maxW: type.maxW,
      pciBusId: `00000000:${(0x18 + i * 0x10).toString(16).toUpperCase().padStart(2, "0")}:00.0`,
    }));
    out.push({ name: `gpu-node-${h + 1}`, gpus, dcgmHostLabel: hosts > 1 && h === hosts - 1 ? "hostname" : "Hostname", servers: [] });
  }
  const at = (i: number) => out[i % hosts];
  const allGpus = (host: HostSpec, from = 0) => host.gpus.slice(from).map((g) => g.index);
  const nextPort = (host: HostSpec) => 8000 + host.servers.filter((s) => s.kind === "vllm").length;
  const vllm = (host: HostSpec, version: "v1" | "v0", model: string, capacity: number, baseRps: number, gpus: number[]) =>
    host.servers.push({ kind: "vllm", version, model, port: nextPort(host), gpus, capacity, baseRps });
  vllm(at(0), "v1", "meta-llama/Llama-3.1-70B-Instruct", 16, 1.6, allGpus(at(0)));
  vllm(at(1), "v1", "meta-llama/Llama-3.1-8B-Instruct", 40, 10, allGpus(at(1), hosts > 1 ? 1 : 0));
  vllm(at(2), "v0", "Qwen/Qwen2.5-32B-Instruct", 20, 2.6, allGpus(at(2), hosts > 2 ? 1 : 0));
  at(1).servers.push({ kind: "llamacpp", model: "mistral-7b-instruct-v0.3.Q4_K_M.gguf", port: 8080, gpus: [0], baseRps: 0.4 });
  at(2).servers.push({ kind: "ollama", port: 11434, models: OLLAMA_MODELS });
  for (let h = 3; h < hosts; h++) vllm(out[h], "v1", "meta-llama/Llama-3.1-8B-Instruct", 40, 7, allGpus(out[h]));
  return out;
}

/** A window of simulated time [from, to). */
export interface Window {
  from: number;
  to: number;
}

export const inWindow = (w: Window, t: number) => t >= w.from && t < w.to;

export interface Script {
  /** The llama.cpp target is unreachable (up 0), then comes back restarted: its counters start again at 0. */
  llamacppDown: Window;
  /** One GPU runs hot: above 85 °C from a few minutes into the window on. */
  hotGpu: { host: string; gpu: number; window: Window };
  /** One XID error (48, double-bit ECC) on one GPU. */
  xid: { host: string; gpu: number; code: number; window: Window };
  /** 429s on one provider. */
  rateLimit: { provider: string; window: Window };
  /** One team's evaluation job with long prompts on an expensive model. */
  costSpike: Window;
  /** Slow requests on one provider (a degraded region). */
  slow: { provider: string; window: Window };
}

const MIN = 60_000;

/**
 * Incidents at fixed distances before `end` (the end of the backfill), shrunk
 * to fit a short backfill; those still going at `end` carry on into the live
 * phase for a while, so alerts are firing when the backfill is done.
 */
export function buildScript(fleet: HostSpec[], start: number, end: number): Script {
  const span = Math.max(end - start, 0);
  const ago = (minutes: number) => end - Math.min(minutes * MIN, span * (minutes / 60) * 0.9);
  const hot = fleet[0];
  const xidHost = fleet[Math.min(1, fleet.length - 1)];
  return {
    llamacppDown: { from: ago(45), to: ago(38) },
    hotGpu: { host: hot.name, gpu: hot.gpus.length - 1, window: { from: ago(30), to: end + 60 * MIN } },
    xid: { host: xidHost.name, gpu: 0, code: 48, window: { from: ago(12), to: end + 15 * MIN } },
    rateLimit: { provider: "anthropic", window: { from: ago(40), to: end + 10 * MIN } },
    costSpike: { from: ago(50), to: end + 10 * MIN },
    slow: { provider: "openai", window: { from: ago(55), to: ago(35) } },
  };
}
