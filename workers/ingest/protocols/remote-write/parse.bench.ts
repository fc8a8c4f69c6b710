// Decode benchmark for remote_write (a measurement, not a test):
//   npx tsx workers/ingest/protocols/remote-write/parse.bench.ts [--workerd]
// Prints throughput of snappy + protobuf decode in Node, and with --workerd the
// same decode inside workerd (miniflare), timed from outside per batch of runs.
import { uncompress as snappyjsUncompress } from "snappyjs";
import { encodeWriteRequest } from "../../../../cli/agent/remote-write/encode";
import { makeRequest } from "./bench-data";
import { decodeWriteRequest, decodeWriteRequestProto } from "./parse";
import { snappyDecompress } from "./snappy";
import { measure } from "../measure.bench";
import { startWorkerdTimer } from "./workerd-timing.bench";

const cases = [
  { name: "2000 series x 10 labels x 1 sample", req: makeRequest(2000, 1) },
  { name: "500 series x 10 labels x 50 samples", req: makeRequest(500, 50) },
];

const fmt = (n: number, d = 1) => n.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });

function report(label: string, f: { ms: number; cpuMs?: number }, samples: number, compressed: number, raw: number): void {
  const perS = 1000 / f.ms;
  console.log(
    `  ${label.padEnd(34)} ${fmt(f.ms, 3).padStart(8)} ms/req  ${fmt((samples * perS) / 1e6, 2).padStart(6)} M samples/s  ` +
      `${fmt((compressed * perS) / 2 ** 20).padStart(7)} MB/s snappy in  ${fmt((raw * perS) / 2 ** 20).padStart(7)} MB/s protobuf  ` +
      (f.cpuMs === undefined ? `${fmt((f.ms / samples) * 1000, 3)} wall ms/1k samples` : `${fmt((f.cpuMs / samples) * 1000, 3)} CPU ms/1k samples`),
  );
}

console.log(`Node ${process.version} (V8 ${process.versions.v8}), ${new Date().toISOString()}`);
const bodies: { name: string; body: Uint8Array; raw: Uint8Array; samples: number }[] = [];
for (const c of cases) {
  const body = encodeWriteRequest(c.req);
  const raw = snappyDecompress(body, 1 << 30);
  const samples = c.req.timeseries.reduce((n, t) => n + t.samples.length, 0);
  bodies.push({ name: c.name, body, raw, samples });
  console.log(`\n${c.name}: ${samples} samples, ${fmt(body.length / 1024)} KiB snappy, ${fmt(raw.length / 1024)} KiB protobuf`);
  report("decodeWriteRequest (snappy+proto)", measure(() => decodeWriteRequest(body)), samples, body.length, raw.length);
  report("  protobuf only", measure(() => decodeWriteRequestProto(raw)), samples, body.length, raw.length);
  report("  snappy only: ours", measure(() => snappyDecompress(body, 1 << 30)), samples, body.length, raw.length);
  report("  snappy only: snappyjs 0.7.0", measure(() => snappyjsUncompress(body)), samples, body.length, raw.length);
}

if (process.argv.includes("--workerd")) await inWorkerd();

/** Runs the same decode inside workerd, timed from Node (see workerd-timing.bench.ts). */
async function inWorkerd(): Promise<void> {
  const timer = await startWorkerdTimer(`
    import { decodeWriteRequest } from ${JSON.stringify(new URL("./parse.ts", import.meta.url).pathname)};
    export default {
      async fetch(request) {
        const n = Number(new URL(request.url).searchParams.get("n"));
        const body = new Uint8Array(await request.arrayBuffer());
        let samples = 0;
        for (let i = 0; i < n; i++) samples = decodeWriteRequest(body).timeseries.reduce((a, t) => a + t.samples.length, 0);
        return new Response(String(samples));
      },
    };`);
  try {
    console.log(`\nInside workerd (miniflare ${timer.miniflareVersion}), timed from Node per fetch:`);
    for (const b of bodies) {
      const f = await timer.time(b.body, {
        check: (got) => {
          if (Number(got) !== b.samples) throw new Error(`workerd decoded ${got} samples, expected ${b.samples}`);
        },
      });
      console.log(`${b.name}:`);
      report("decodeWriteRequest (snappy+proto)", { ms: f.ms, cpuMs: f.cpuMs ?? undefined }, b.samples, b.body.length, b.raw.length);
    }
  } finally {
    await timer.dispose();
  }
}
