// The dashboard dataset of the query and storage benchmarks: 1,000 vLLM/DCGM-like
// series (counters, gauges, classic histograms) at 15 s, ending at `end`.
import type { Labels } from "../../shared/labels";
import { rng } from "./rng";
import type { PushSeries } from "./prometheus";

export const STEP = 15_000;
export const POINTS = 6 * 240; // 6 hours

/** 20 vLLM hosts (4 models) with 8 GPUs each: exactly 1,000 series. */
export function dataset(end: number, points = POINTS): PushSeries[] {
  const r = rng(7);
  const timestamps = Array.from({ length: points }, (_, i) => end - (points - 1 - i) * STEP);
  const out: PushSeries[] = [];
  const add = (labels: Labels, next: (i: number) => number) => out.push({ labels, timestamps, values: Float64Array.from(timestamps, (_, i) => next(i)) });
  const counter = (labels: Labels, perStep: number) => {
    let v = 0;
    add(labels, () => (v += Math.round(perStep * (0.5 + r()))));
  };
  const gauge = (labels: Labels, mid: number, spread: number) => {
    let v = mid;
    add(labels, () => (v = Math.max(0, v + (r() - 0.5) * spread)));
  };
  const histogram = (name: string, base: Labels, les: number[], scale: number) => {
    const counts = les.map(() => 0);
    const cum: number[][] = les.map(() => []);
    const sums: number[] = [];
    let sum = 0;
    for (let i = 0; i < points; i++) {
      for (let o = Math.floor(r() * 20); o > 0; o--) {
        const x = Math.pow(r(), 3) * scale;
        sum += x;
        les.forEach((le, j) => x <= le && counts[j]++);
      }
      les.forEach((_, j) => cum[j].push(counts[j]));
      sums.push(sum);
    }
    les.forEach((le, j) => add({ __name__: `${name}_bucket`, ...base, le: le === Infinity ? "+Inf" : String(le) }, (i) => cum[j][i]));
    add({ __name__: `${name}_sum`, ...base }, (i) => sums[i]);
    add({ __name__: `${name}_count`, ...base }, (i) => cum[les.length - 1][i]);
  };
  for (let h = 0; h < 20; h++) {
    const base = { job: "vllm", instance: `gpu-host-${h}:8000`, model_name: `model-${h % 4}` };
    for (const reason of ["stop", "length", "abort"]) counter({ __name__: "vllm:request_success_total", ...base, finished_reason: reason }, reason === "stop" ? 30 : 3);
    counter({ __name__: "vllm:prompt_tokens_total", ...base }, 20_000);
    counter({ __name__: "vllm:generation_tokens_total", ...base }, 6_000);
    gauge({ __name__: "vllm:num_requests_running", ...base }, 8, 2);
    gauge({ __name__: "vllm:num_requests_waiting", ...base }, 2, 1);
    gauge({ __name__: "vllm:gpu_cache_usage_perc", ...base }, 0.5, 0.05);
    histogram("vllm:e2e_request_latency_seconds", base, [0.3, 0.5, 0.8, 1, 1.5, 2, 2.5, 5, 10, 15, 20, Infinity], 20);
    histogram("vllm:time_to_first_token_seconds", base, [0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 1, Infinity], 1);
    for (let g = 0; g < 8; g++) {
      const dcgm = { job: "dcgm", Hostname: `gpu-host-${h}`, gpu: String(g), modelName: "NVIDIA H100 80GB HBM3" };
      gauge({ __name__: "DCGM_FI_DEV_GPU_UTIL", ...dcgm }, 70, 10);
      gauge({ __name__: "DCGM_FI_DEV_FB_USED", ...dcgm }, 60_000, 500);
    }
  }
  return out;
}
