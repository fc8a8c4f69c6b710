// Prometheus' own bytes on disk for a dataset: the samples written as
// OpenMetrics text and turned into TSDB blocks by `promtool tsdb
// create-blocks-from openmetrics` (2 h blocks: chunks, index, meta), then the
// blocks' size summed. For the storage benchmark's side-by-side figure.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync, createWriteStream } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NAME_LABEL } from "../../shared/labels";
import type { PushSeries } from "./prometheus";

function sizeOf(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.size;
  return readdirSync(path).reduce((n, f) => n + sizeOf(join(path, f)), 0);
}

const escape = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
/** Go's ParseFloat reads what JS's shortest round-trip String() writes, except the specials. */
const num = (v: number) => (v === Infinity ? "+Inf" : v === -Infinity ? "-Inf" : v !== v ? "NaN" : String(v));

/** Bytes of the blocks promtool writes for the series (null when promtool is not installed), and how many blocks. */
export async function promtoolBlockBytes(series: PushSeries[]): Promise<{ bytes: number; blocks: number } | null> {
  const bin = process.env.PROMTOOL_BIN ?? "promtool";
  if (spawnSync(bin, ["--version"]).status !== 0) return null;
  const dir = mkdtempSync(join(tmpdir(), "promtool-blocks-"));
  try {
    const input = join(dir, "samples.om");
    const out = createWriteStream(input);
    const names = series.map((s) => {
      const { [NAME_LABEL]: name, ...labels } = s.labels;
      return `${name}{${Object.entries(labels).map(([k, v]) => `${k}="${escape(v)}"`).join(",")}}`;
    });
    // One series after the other, each in time order, as the format wants a metric's samples together.
    for (let i = 0; i < series.length; i++) {
      const s = series[i];
      let chunk = "";
      for (let j = 0; j < s.timestamps.length; j++) chunk += `${names[i]} ${num(s.values[j])} ${(s.timestamps[j] / 1000).toFixed(3)}\n`;
      if (!out.write(chunk)) await new Promise<void>((r) => out.once("drain", () => r()));
    }
    out.end("# EOF\n");
    await new Promise<void>((r) => out.once("finish", () => r()));
    const blocks = join(dir, "blocks");
    const run = spawnSync(bin, ["tsdb", "create-blocks-from", "openmetrics", "-q", input, blocks], { encoding: "utf8" });
    if (run.status !== 0) throw new Error(`promtool failed: ${run.stderr || run.stdout}`);
    const made = readdirSync(blocks).filter((f) => statSync(join(blocks, f)).isDirectory());
    return { bytes: sizeOf(blocks), blocks: made.length };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
