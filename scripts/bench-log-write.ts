// `npx tsx scripts/bench-log-write.ts`: request logs per second through the
// aggregator's write path (postgresWriteStorage.writeLogs over the Neon driver
// and the local WebSocket proxy, as the aggregator runs it), with the rollups
// and without them, on a scratch database. A measurement, not a test.
// BENCH_LOGS (default 200,000), BENCH_BATCH (logs per writeLogs call, 5,000),
// BENCH_MESSAGE (logs per queue message, 250), BENCH_CONCURRENCY (4, as the
// aggregator's groups), BENCH_RATE (logs/s of the simulated traffic, 20,000:
// it sets how many logs share a minute), BENCH_DATABASE_URL.
import { sql } from "drizzle-orm";
import { ensureTenant } from "../shared/admin";
import type { LogsMessage } from "../shared/contracts/queue";
import type { LogRow } from "../shared/logs/record";
import { normalizeRecord } from "../shared/logs/normalize";
import { postgresWriteStorage } from "../shared/storage/postgres/write";
import { benchDatabase } from "./lib/bench-db";
import { openNodeDb } from "./lib/node-db";
import { rng } from "./lib/rng";
import { startWsProxy } from "./lib/ws-proxy";

const N = Number(process.env.BENCH_LOGS ?? 200_000);
const BATCH = Number(process.env.BENCH_BATCH ?? 5_000);
const MESSAGE = Number(process.env.BENCH_MESSAGE ?? 250);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const RATE = Number(process.env.BENCH_RATE ?? 20_000);

const MODELS = ["gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini", "o3-mini", "claude-sonnet-4", "claude-3-5-haiku", "gemini-2.5-flash", "llama-3.3-70b", "mistral-large"];
const PROVIDERS = ["openai", "anthropic", "vllm"];

function logs(n: number, t0: number, seed: number): LogRow[] {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const failed = r() < 0.05;
    const input = 200 + Math.floor(r() * 2000);
    const output = failed ? 0 : 20 + Math.floor(r() * 800);
    const latency = 200 + r() * 8000;
    // A user belongs to one team, and a model is served by one provider.
    const user = Math.floor(r() * 50);
    const model = Math.floor(r() * MODELS.length);
    return normalizeRecord({
      request_id: `req-${seed}-${i}`,
      time: Math.floor(t0 + (i * 1000) / RATE),
      latency_ms: latency,
      ttft_ms: latency * (0.05 + r() * 0.2),
      model: MODELS[model],
      provider: PROVIDERS[model % PROVIDERS.length],
      status: failed ? "failure" : "success",
      stream: true,
      input_tokens: input,
      output_tokens: output,
      cached_tokens: Math.floor(input * r() * 0.5),
      cost_usd: (input * 2.5 + output * 10) / 1e6,
      team: `team-${user % 20}`,
      user: `user-${user}`,
      attributes: {},
    });
  });
}

function batches(tenantId: number, rows: LogRow[], tag: string): LogsMessage[][] {
  const out: LogsMessage[][] = [];
  for (let b = 0; b < rows.length; b += BATCH) {
    const msgs: LogsMessage[] = [];
    for (let m = b; m < Math.min(rows.length, b + BATCH); m += MESSAGE)
      msgs.push({ v: 1, kind: "logs", tenantId, batchId: `${tag}-${m}`, part: 0, records: rows.slice(m, Math.min(m + MESSAGE, b + BATCH)) });
    out.push(msgs);
  }
  return out;
}

async function run(write: (m: LogsMessage[]) => Promise<unknown>, work: LogsMessage[][]): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < work.length) await write(work[next++]);
  }));
  return performance.now() - started;
}

async function main() {
  const bench = await benchDatabase("logwrite");
  const url = new URL(bench.url);
  const proxy = await startWsProxy({ host: url.hostname, port: Number(url.port || 5432) });
  const { db, close } = openNodeDb(bench.url, proxy.url);
  try {
    const t0 = Math.floor(Date.now() / 60_000) * 60_000 - 3_600_000;
    const plain = await ensureTenant(db, "bench-plain");
    const rolled = await ensureTenant(db, "bench-rollups");
    const without = postgresWriteStorage(db, { logRollups: false });
    const withRollups = postgresWriteStorage(db);
    // Warm up: partitions, dims cache, connections.
    await run(withRollups.writeLogs, batches(rolled.id, logs(BATCH, t0 - 120_000, 99), "warm"));
    await run(without.writeLogs, batches(plain.id, logs(BATCH, t0 - 120_000, 99), "warm"));

    const data = logs(N, t0, 1);
    const line = (name: string, ms: number) => console.log(`${name.padEnd(38)} ${(N / (ms / 1000)).toFixed(0).padStart(8)} logs/s  (${(ms / 1000).toFixed(2)} s)`);
    console.log(`${N.toLocaleString()} logs, ${BATCH} per writeLogs call in messages of ${MESSAGE}, ${CONCURRENCY} calls at a time, ${RATE} logs/s of traffic`);
    line("writeLogs without rollups", await run(without.writeLogs, batches(plain.id, data, "plain")));
    line("writeLogs with rollups", await run(withRollups.writeLogs, batches(rolled.id, data, "rolled")));
    line("replayed parts (claims only)", await run(withRollups.writeLogs, batches(rolled.id, data, "rolled")));
    line("same records, new batch ids", await run(withRollups.writeLogs, batches(rolled.id, data, "again")));
    // A figure for the reader: how many rollup rows those logs made.
    const counts = await db.execute<{ t: string; n: string }>(
      sql`SELECT 'log_rollups' AS t, count(*) AS n FROM log_rollups UNION ALL SELECT 'log_rollup_hist', count(*) FROM log_rollup_hist
        UNION ALL SELECT 'log_rollups_hour', count(*) FROM log_rollups_hour UNION ALL SELECT 'log_rollups_day', count(*) FROM log_rollups_day
        UNION ALL SELECT 'log_dims', count(*) FROM log_dims`,
    );
    console.log(counts.rows.map((r) => `${r.t} ${r.n}`).join(", "));
  } finally {
    await close();
    await proxy.close();
    await bench.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
