// POST /v1/logs/litellm on the whole local stack (a measurement, not a test):
//   npx tsx workers/ingest/protocols/litellm/endpoint.bench.ts
// LiteLLM drops a batch it could not send, so what matters is how fast the
// endpoint answers a 512-record batch (LiteLLM's default batch_size): answer
// latency one at a time and 4 at a time, accepted records/s, and how long until
// every record is in request_logs. BATCHES (default 40), BENCH_DATABASE_URL.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { benchDatabase } from "../../../../scripts/lib/bench-db";
import { benchKey } from "../../../../scripts/lib/bench-client";
import { startStack } from "../../../../scripts/lib/stack";
import { samplePayload } from "./sample-payloads";

const RECORDS = 512;
const BATCHES = Number(process.env.BATCHES ?? 40);

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];
const fmt = (n: number, d = 0) => n.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });

const db = await benchDatabase("litellm");
const stack = await startStack({ databaseUrl: db.url, port: 0, buildDir: mkdtempSync(join(tmpdir(), "inferscope-bench-")), logLevel: process.env.LOG_LEVEL });
const pgc = new pg.Client({ connectionString: db.url });
try {
  const { key } = await benchKey(db.url, stack, ["ingest"]);
  await pgc.connect();
  const start = Date.now() / 1000 - 3600;
  const bodies = Array.from({ length: 2 * BATCHES }, (_, b) => JSON.stringify(Array.from({ length: RECORDS }, (_, i) => samplePayload(b * RECORDS + i, start + b))));
  console.log(`${BATCHES} + ${BATCHES} batches of ${RECORDS} LiteLLM records (${fmt(bodies[0].length / 1024)} KiB each as a JSON array)`);
  const post = async (body: string) => {
    const t0 = performance.now();
    const res = await fetch(`${stack.url}/v1/logs/litellm`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${key}` }, body });
    const text = await res.text();
    if (res.status !== 202) throw new Error(`answered ${res.status}: ${text.slice(0, 300)}`);
    return performance.now() - t0;
  };
  for (let i = 0; i < 3; i++) await post(bodies[i]); // warm the isolates (their records are counted below)
  const run = async (label: string, batch: string[], concurrency: number) => {
    const times: number[] = [];
    let next = 0;
    const t0 = performance.now();
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (next < batch.length) times.push(await post(batch[next++]));
    }));
    const wall = performance.now() - t0;
    console.log(`  ${label.padEnd(14)} answer p50 ${fmt(quantile(times, 0.5), 1)} ms, p95 ${fmt(quantile(times, 0.95), 1)} ms, max ${fmt(Math.max(...times), 1)} ms; ${fmt((batch.length * RECORDS * 1000) / wall)} records/s accepted`);
  };
  const t0 = performance.now();
  await run("1 at a time", bodies.slice(0, BATCHES), 1);
  await run("4 at a time", bodies.slice(BATCHES), 4);
  const total = bodies.length * RECORDS;
  for (;;) {
    const { rows } = await pgc.query("SELECT count(*)::int AS n FROM request_logs");
    if (rows[0].n >= total) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  console.log(`  all ${fmt(total)} records in request_logs after ${fmt((performance.now() - t0) / 1000, 1)} s: ${fmt((total * 1000) / (performance.now() - t0))} records/s end to end`);
} finally {
  await pgc.end().catch(() => {});
  await stack.close();
  await db.drop();
}
