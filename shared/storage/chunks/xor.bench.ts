// Speed and size of the XOR chunk codec on three kinds of series at a 15 s
// scrape: a vLLM gauge (KV-cache usage: used blocks / 4096, a few ms of scrape
// jitter now and then), a counter (generated tokens), and a DCGM-like noisy
// float (power in W, 3 decimals). Chunks of 120 samples (Prometheus's target)
// and 480 (2 h at 15 s, the window research/storage.md suggests).
// Run: npx tsx shared/storage/chunks/xor.bench.ts
import { decodeXorChunk, encodeXorChunk } from "./xor";
import { rng } from "../../../scripts/lib/rng";

const SAMPLES = 1_200_000;
const ROUNDS = 5;


function timestamps(rnd: () => number): Float64Array {
  const ts = new Float64Array(SAMPLES);
  const t0 = 1_700_000_000_000;
  // 5% of scrapes a few ms off the 15 s grid, as real scrapes are.
  for (let i = 0; i < SAMPLES; i++) ts[i] = t0 + i * 15_000 + (rnd() < 0.05 ? Math.floor(rnd() * 41) - 20 : 0);
  return ts;
}

function datasets(): { name: string; ts: Float64Array; values: Float64Array }[] {
  const rnd = rng(1);
  const ts = timestamps(rnd);
  const gauge = new Float64Array(SAMPLES);
  let used = 1000;
  for (let i = 0; i < SAMPLES; i++) {
    if (rnd() < 0.6) used = Math.max(0, Math.min(4096, used + Math.floor(rnd() * 201) - 100));
    gauge[i] = used / 4096;
  }
  const counter = new Float64Array(SAMPLES);
  let c = 0;
  for (let i = 0; i < SAMPLES; i++) counter[i] = c += rnd() < 0.1 ? 0 : Math.floor(200 + rnd() * 600);
  const power = new Float64Array(SAMPLES);
  for (let i = 0; i < SAMPLES; i++) power[i] = Math.round((280 + rnd() * 40 - 20) * 1000) / 1000;
  return [
    { name: "vLLM gauge (kv_cache_usage_perc)", ts, values: gauge },
    { name: "counter (generation_tokens_total)", ts, values: counter },
    { name: "DCGM noisy float (POWER_USAGE)", ts, values: power },
  ];
}

function bench(name: string, ts: Float64Array, values: Float64Array, perChunk: number): void {
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  let encodeMs = Infinity;
  let decodeMs = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    chunks.length = 0;
    bytes = 0;
    let t = performance.now();
    for (let i = 0; i < SAMPLES; i += perChunk) {
      const c = encodeXorChunk(ts.subarray(i, i + perChunk), values.subarray(i, i + perChunk));
      chunks.push(c);
      bytes += c.length;
    }
    encodeMs = Math.min(encodeMs, performance.now() - t);
    t = performance.now();
    let n = 0;
    for (const c of chunks) n += decodeXorChunk(c).timestamps.length;
    decodeMs = Math.min(decodeMs, performance.now() - t);
    if (n !== SAMPLES) throw new Error(`decoded ${n} of ${SAMPLES} samples`);
  }
  const rate = (ms: number) => `${((SAMPLES / ms) * 1000 / 1e6).toFixed(1)} M/s`.padStart(9);
  console.log(`${name.padEnd(36)} ${String(perChunk).padStart(5)}  encode ${rate(encodeMs)}  decode ${rate(decodeMs)}  ${(bytes / SAMPLES).toFixed(3)} B/sample`);
}

console.log(`XOR chunks, ${SAMPLES.toLocaleString("en")} samples per series kind, best of ${ROUNDS} (Node ${process.version})`);
console.log(`${"series".padEnd(36)} chunk  samples/s (encode, decode)       size`);
for (const d of datasets()) for (const per of [120, 480]) bench(d.name, d.ts, d.values, per);
