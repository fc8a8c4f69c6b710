// Realistic remote_write requests for the benchmark: label sets shaped like
// vLLM and DCGM exporter series from a fleet of GPU hosts.
import type { RwTimeSeries, RwWriteRequest } from "../../../../shared/contracts/remote-write";

const VLLM = [
  "vllm:num_requests_running", "vllm:num_requests_waiting", "vllm:gpu_cache_usage_perc",
  "vllm:prompt_tokens_total", "vllm:generation_tokens_total", "vllm:time_to_first_token_seconds_bucket",
  "vllm:e2e_request_latency_seconds_sum", "vllm:e2e_request_latency_seconds_count",
];
const DCGM = [
  "DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_FB_USED", "DCGM_FI_DEV_FB_FREE", "DCGM_FI_DEV_GPU_TEMP",
  "DCGM_FI_DEV_POWER_USAGE", "DCGM_FI_DEV_SM_CLOCK", "DCGM_FI_PROF_GR_ENGINE_ACTIVE",
];
const MODELS = ["meta-llama/Llama-3.1-8B-Instruct", "meta-llama/Llama-3.1-70B-Instruct", "Qwen/Qwen2.5-32B-Instruct"];

let seed = 42;
const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;

/** Ten labels per series, sorted by name as Prometheus sends them. */
function labelsFor(i: number): RwTimeSeries["labels"] {
  const host = (i >> 5) % 64;
  const gpu = i % 8;
  if (i % 2 === 0) {
    return [
      { name: "__name__", value: VLLM[(i >> 1) % VLLM.length] },
      { name: "cluster", value: "prod-us-east" },
      { name: "engine", value: String(gpu) },
      { name: "instance", value: `gpu-node-${String(host).padStart(3, "0")}:8000` },
      { name: "job", value: "vllm" },
      { name: "le", value: ["0.01", "0.05", "0.1", "0.5", "1", "+Inf"][i % 6] },
      { name: "model_name", value: MODELS[host % MODELS.length] },
      { name: "namespace", value: "inference" },
      { name: "pod", value: `vllm-${host}-7d9f8b6c5-x${i % 97}` },
      { name: "series", value: String(i) },
    ];
  }
  return [
    { name: "DCGM_FI_DRIVER_VERSION", value: "550.54.15" },
    { name: "Hostname", value: `gpu-node-${String(host).padStart(3, "0")}` },
    { name: "UUID", value: `GPU-${(0x1000_0000 + host * 8 + gpu).toString(16)}-4c1e-9a8b-${i.toString(16).padStart(12, "0")}` },
    { name: "__name__", value: DCGM[(i >> 1) % DCGM.length] },
    { name: "cluster", value: "prod-us-east" },
    { name: "device", value: `nvidia${gpu}` },
    { name: "gpu", value: String(gpu) },
    { name: "instance", value: `gpu-node-${String(host).padStart(3, "0")}:9400` },
    { name: "job", value: "dcgm" },
    { name: "modelName", value: "NVIDIA H100 80GB HBM3" },
  ];
}

export function makeRequest(series: number, samplesPerSeries: number): RwWriteRequest {
  const t0 = 1_795_000_000_000;
  const timeseries: RwTimeSeries[] = [];
  for (let i = 0; i < series; i++) {
    const samples = [];
    let v = Math.floor(rand() * 1e6);
    for (let j = 0; j < samplesPerSeries; j++) {
      // Counters climb by integers, gauges wander as arbitrary doubles.
      v = i % 3 === 0 ? v + Math.floor(rand() * 500) : rand() * 100;
      samples.push({ value: v, timestamp: t0 + j * 15_000 + (i % 1000) });
    }
    timeseries.push({ labels: labelsFor(i), samples });
  }
  return { timeseries, metadata: [] };
}
