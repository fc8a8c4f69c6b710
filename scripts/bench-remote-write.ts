// `npm run bench:remote-write`: a measurement, not a test.
// (a) Inside workerd: what POST /api/v1/write spends per request before the
//     queue, stage by stage (decode; + validate into queue series; + split into
//     queue messages; + structured clone of the messages, which is what the
//     queue does to a "v8" body), for realistic vLLM/DCGM-shaped requests.
// (b) End to end through the local stack: BENCH_SAMPLES (default 400,000)
//     samples remote-written, BENCH_CONCURRENCY (4) requests at a time, samples/s
//     until all are rows in Postgres (a scratch database, or BENCH_DATABASE_URL).
// BENCH_PART=workerd|e2e runs only (a) or (b). (b) breaks the run down
// (scripts/lib/ingest-breakdown.ts): aggregator group writes, CPU per component.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serialize } from "node:v8";
import { encodeWriteRequest, REMOTE_WRITE_HEADERS } from "../cli/agent/remote-write/encode";
import { DEFAULT_LIMITS } from "../shared/limits";
import { splitMetrics } from "../workers/ingest/enqueue";
import { makeRequest } from "../workers/ingest/protocols/remote-write/bench-data";
import { toQueueSeries } from "../workers/ingest/protocols/remote-write/handler";
import { decodeWriteRequest } from "../workers/ingest/protocols/remote-write/parse";
import { startWorkerdTimer } from "../workers/ingest/protocols/remote-write/workerd-timing.bench";
import { benchDatabase } from "./lib/bench-db";
import { benchKey, postAll } from "./lib/bench-client";
import { measureEndToEnd } from "./lib/ingest-breakdown";
import { startStack } from "./lib/stack";

const N = Number(process.env.BENCH_SAMPLES ?? 400_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
// makeRequest's samples start here; validation runs as if "now" were shortly after.
const T0 = 1_795_000_000_000;

const fmt = (n: number, d = 0) => n.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });
const path = (p: string) => JSON.stringify(new URL(p, import.meta.url).pathname);

const STAGES = ["decode", "validate", "split", "clone"] as const;
const WORKER = `
  import { decodeWriteRequest } from ${path("../workers/ingest/protocols/remote-write/parse.ts")};
  import { toQueueSeries } from ${path("../workers/ingest/protocols/remote-write/handler.ts")};
  import { splitMetrics } from ${path("../workers/ingest/enqueue.ts")};
  import { DEFAULT_LIMITS } from ${path("../shared/limits.ts")};
  const STAGES = ${JSON.stringify(STAGES)};
  export default {
    async fetch(request) {
      const q = new URL(request.url).searchParams;
      const n = Number(q.get("n")), upTo = STAGES.indexOf(q.get("stage")), now = Number(q.get("now"));
      const body = new Uint8Array(await request.arrayBuffer());
      let answer = "";
      for (let i = 0; i < n; i++) {
        const decoded = decodeWriteRequest(body);
        answer = "decoded " + decoded.timeseries.reduce((a, t) => a + t.samples.length, 0);
        if (upTo < 1) continue;
        const v = toQueueSeries(decoded, DEFAULT_LIMITS, now);
        answer = "validated " + v.samples + " rejected " + v.rejected.length;
        if (upTo < 2) continue;
        const parts = splitMetrics(1, "bench-batch", v.series, v.metadata);
        answer += " messages " + parts.length;
        if (upTo < 3) continue;
        for (const p of parts) structuredClone(p.body);
      }
      return new Response(answer);
    },
  };`;

const CASES = [
  { name: "500 series × 1 sample (Prometheus 2.42 default batch)", series: 500, per: 1 },
  { name: "2,000 series × 1 sample", series: 2000, per: 1 },
  { name: "500 series × 50 samples (catching up)", series: 500, per: 50 },
];

async function inWorkerd(): Promise<void> {
  const timer = await startWorkerdTimer(WORKER);
  try {
    console.log(`(a) POST /api/v1/write before the queue, inside workerd (miniflare ${timer.miniflareVersion}), timed from Node; 10 labels a series`);
    console.log(`    stages are cumulative: decode = snappy + protobuf; validate = + toQueueSeries; split = + splitMetrics;`);
    console.log(`    clone = + structuredClone of each message (serialize + deserialize: an upper bound of what queue.send's v8 serialization costs)\n`);
    console.log(`| request | stage | ms/request | samples/s | wall ms / 1k samples | workerd CPU ms / 1k samples |`);
    console.log(`| --- | --- | ---: | ---: | ---: | ---: |`);
    const sizes: string[] = [];
    for (const c of CASES) {
      const req = makeRequest(c.series, c.per);
      const body = encodeWriteRequest(req);
      const samples = c.series * c.per;
      const now = T0 + c.per * 15_000 + 60_000;
      for (const stage of STAGES) {
        const f = await timer.time(body, {
          params: { stage, now: String(now) },
          check: (a) => {
            if (!a.startsWith(stage === "decode" ? `decoded ${samples}` : `validated ${samples} rejected 0`)) throw new Error(`${c.name} / ${stage}: ${a}`);
          },
        });
        const cpu = f.cpuMs === null ? "n/a" : fmt((f.cpuMs / samples) * 1000, 3);
        console.log(`| ${c.name} | ${stage} | ${fmt(f.ms, 3)} | ${fmt((samples / f.ms) * 1000)} | ${fmt((f.ms / samples) * 1000, 3)} | ${cpu} |`);
      }
      // What the queue carries: splitMetrics' own estimate against V8's real serialization.
      const v = toQueueSeries(decodeWriteRequest(body), DEFAULT_LIMITS, now);
      const parts = splitMetrics(1, "bench-batch", v.series, v.metadata);
      const estimated = parts.reduce((a, p) => a + p.bytes, 0);
      const actual = parts.reduce((a, p) => a + serialize(p.body).length, 0);
      const largest = Math.max(...parts.map((p) => serialize(p.body).length));
      sizes.push(`| ${c.name} | ${fmt(body.length / 1024, 1)} | ${parts.length} | ${fmt(estimated / 1024, 1)} | ${fmt(actual / 1024, 1)} | ${fmt(largest / 1024, 1)} | ${fmt(actual / samples, 1)} |`);
    }
    console.log(`\nqueue messages (structured-clone size from node:v8 serialize, the format of a "v8" queue body)\n`);
    console.log(`| request | snappy body KiB | messages | estimated KiB | serialized KiB | largest message KiB | serialized bytes / sample |`);
    console.log(`| --- | ---: | ---: | ---: | ---: | ---: | ---: |`);
    for (const s of sizes) console.log(s);
  } finally {
    await timer.dispose();
  }
}

/** Requests of 2,000 series × 10 samples, each window 150 s after the last, ending a minute ago. */
function e2eBodies(total: number): { bodies: Uint8Array[]; samples: number } {
  const series = 2000;
  const per = 10;
  const count = Math.max(1, Math.round(total / (series * per)));
  const end = Date.now() - 60_000;
  const bodies: Uint8Array[] = [];
  for (let r = 0; r < count; r++) {
    const req = makeRequest(series, per);
    const shift = end - (count - r) * per * 15_000 - T0;
    for (const ts of req.timeseries) for (const s of ts.samples) s.timestamp += shift;
    bodies.push(encodeWriteRequest(req));
  }
  return { bodies, samples: count * series * per };
}

async function endToEnd(): Promise<void> {
  const db = await benchDatabase("remote_write");
  // logLevel debug: the aggregator logs each group it writes, which the breakdown reads.
  const stack = await startStack({ databaseUrl: db.url, port: 0, buildDir: mkdtempSync(join(tmpdir(), "inferscope-bench-")), logLevel: "debug" });
  try {
    const { key } = await benchKey(db.url, stack, ["ingest"]);
    const { bodies, samples } = e2eBodies(N);
    console.log(`\n(b) end to end through the local stack: ${fmt(samples)} samples (2,000 series × 10 samples a request, ${bodies.length} requests, ${CONCURRENCY} at a time)\n`);
    await measureEndToEnd(db.url, samples, "accepted by ingest (HTTP 204)", () =>
      postAll(`${stack.url}/api/v1/write`, bodies, { ...REMOTE_WRITE_HEADERS, authorization: `Bearer ${key}` }, 204, CONCURRENCY),
    );
  } finally {
    await stack.close();
    await db.drop();
  }
}

async function main(): Promise<void> {
  console.log(`Node ${process.version}, ${new Date().toISOString()}\n`);
  // BENCH_PART=workerd or e2e runs one half alone.
  const part = process.env.BENCH_PART;
  if (part !== "e2e") await inWorkerd();
  if (part !== "workerd") await endToEnd();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
