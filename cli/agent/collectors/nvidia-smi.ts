// GPU gauges from nvidia-smi for hosts without dcgm-exporter. Metric names and
// labels follow dcgm-exporter (DCGM_FI_DEV_*, gpu/UUID/modelName) so one GPU
// dashboard serves both kinds of host.
import { execFile } from "node:child_process";
import type { CollectFn } from "./target-loop";
import type { FamilyMeta, ParsedSample } from "./text-format";

export const NVIDIA_SMI_ARGS = [
  "--query-gpu=index,uuid,name,utilization.gpu,utilization.memory,memory.total,memory.used,temperature.gpu,power.draw,power.limit,clocks.sm,clocks.mem",
  "--format=csv,noheader,nounits",
];

// Column (after index, uuid, name) -> metric. Units are nvidia-smi's (%, MiB, C, W, MHz), as DCGM's are.
const COLUMNS: Array<[string, string, string]> = [
  ["DCGM_FI_DEV_GPU_UTIL", "GPU utilization (in %).", ""],
  ["DCGM_FI_DEV_MEM_COPY_UTIL", "Memory utilization (in %).", ""],
  ["DCGM_FI_DEV_FB_TOTAL", "Framebuffer memory total (in MiB).", ""],
  ["DCGM_FI_DEV_FB_USED", "Framebuffer memory used (in MiB).", ""],
  ["DCGM_FI_DEV_GPU_TEMP", "GPU temperature (in C).", ""],
  ["DCGM_FI_DEV_POWER_USAGE", "Power draw (in W).", ""],
  ["DCGM_FI_DEV_POWER_MGMT_LIMIT", "Power management limit (in W).", ""],
  ["DCGM_FI_DEV_SM_CLOCK", "SM clock frequency (in MHz).", ""],
  ["DCGM_FI_DEV_MEM_CLOCK", "Memory clock frequency (in MHz).", ""],
];

export const NVIDIA_SMI_META = new Map<string, FamilyMeta>([
  ...COLUMNS.map(([n, help]): [string, FamilyMeta] => [n, { type: "gauge", help, unit: "" }]),
  ["DCGM_FI_DEV_FB_FREE", { type: "gauge", help: "Framebuffer memory free (in MiB), total minus used.", unit: "" }],
]);

/** nvidia-smi writes "[N/A]", "[Not Supported]", "N/A", "[Unknown Error]" for missing values. */
function num(s: string | undefined): number | null {
  if (s === undefined) return null;
  const t = s.trim();
  if (t === "" || t.startsWith("[") || /^n\/?a$/i.test(t)) return null;
  const v = Number(t);
  return Number.isFinite(v) ? v : null;
}

export function parseNvidiaSmiCsv(text: string): ParsedSample[] {
  const out: ParsedSample[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "") continue;
    // GPU product names have no commas; fields are padded with a space, hence trim.
    const f = line.split(",").map((x) => x.trim());
    if (f.length < 3 + COLUMNS.length) continue;
    const [index, uuid, name] = f;
    if (!/^\d+$/.test(index)) continue;
    const labels: Array<[string, string]> = [["gpu", index], ["UUID", uuid], ["device", `nvidia${index}`], ["modelName", name]];
    const vals = COLUMNS.map((_, i) => num(f[3 + i]));
    COLUMNS.forEach(([metric], i) => {
      const v = vals[i];
      if (v !== null) out.push({ name: metric, labels, value: v });
    });
    const [total, used] = [vals[2], vals[3]];
    if (total !== null && used !== null) out.push({ name: "DCGM_FI_DEV_FB_FREE", labels, value: total - used });
  }
  return out;
}

export function nvidiaSmiCollect(binary: string): CollectFn {
  return (signal) =>
    new Promise((resolve, reject) => {
      execFile(binary, NVIDIA_SMI_ARGS, { signal, maxBuffer: 4 * 1024 * 1024, encoding: "utf8" }, (err, stdout, stderr) => {
        if (err) return reject(new Error(`${binary} failed: ${err.message}${stderr ? `: ${stderr.trim().slice(0, 200)}` : ""}`));
        resolve({ samples: parseNvidiaSmiCsv(stdout), metadata: NVIDIA_SMI_META });
      });
    });
}
