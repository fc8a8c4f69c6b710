// `npm run bench:logs`: request logs through the whole local stack.
//  1. N LiteLLM payloads (StandardLoggingPayload, as its generic_api callback
//     posts them: JSON arrays of BENCH_BATCH, default 512) spread over the last
//     24 h, into POST /v1/logs/litellm, BENCH_CONCURRENCY at a time: accepted
//     logs/s and the answer time per POST (LiteLLM drops a batch it could not
//     send), then end to end: every log in request_logs and its rollups
//     written (same transaction), and the derived counter saying N through PromQL.
//  2. The same rows loaded with COPY into a table of request_logs' shape.
//  3. With those N logs stored: the log API's search, error groups and summary,
//     and 24 h dashboard queries on the derived metrics, each timed over runs.
// A measurement, not a test. BENCH_LOGS (default 1,000,000), BENCH_BATCH (512),
// BENCH_CONCURRENCY (8), BENCH_RUNS (20), BENCH_DATABASE_URL (default: a scratch db).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { setTenantLimits } from "../shared/admin";
import { benchDatabase } from "./lib/bench-db";
import { benchKey } from "./lib/bench-client";
import { copyLogsBaseline } from "./lib/bench-logs-copy";
import { timeApi, type Timing } from "./lib/bench-timing";
import { litellmPayload } from "../cli/demo/litellm-payloads";
import { openNodeDb } from "./lib/node-db";
import { startStack } from "./lib/stack";

const N = Number(process.env.BENCH_LOGS ?? 1_000_000);
const LIVE = Number(process.env.BENCH_LIVE_LOGS ?? 300_000);
const BATCH = Number(process.env.BENCH_BATCH ?? 512);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const RUNS = Number(process.env.BENCH_RUNS ?? 20);

const pct = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

async function main() {
  const db = await benchDatabase("logs");
  const stack = await startStack({ databaseUrl: db.url, port: 0, buildDir: mkdtempSync(join(tmpdir(), "inferscope-bench-")), logLevel: process.env.LOG_LEVEL });
  const { key, tenantId } = await benchKey(db.url, stack, ["ingest", "query"]);
  const admin = openNodeDb(db.url, stack.proxy.url);
  await setTenantLimits(admin.db, tenantId, { maxSamplesPerSecond: 1e12, burstSamples: 1e12, maxActiveSeries: 1e9, maxLogRecordsPerSecond: 1e12, burstLogRecords: 1e12 });
  await admin.close();
  const pgc = new pg.Client({ connectionString: db.url });
  await pgc.connect();
  try {
    // Live traffic: requests of the last minute, as a fleet sending at this rate would (each
    // minute's rollup rows absorb many logs). Then a day of history, for the query timings.
    const liveTo = Date.now();
    const live = await push(stack.url, key, pgc, LIVE, 0, { from: liveTo - 60_000, to: liveTo, seed: 3 });
    report("live (last minute)", LIVE, live);
    const to = Math.floor(Date.now() / 60_000) * 60_000 - 5 * 60_000;
    const from = to - 24 * 3600_000;
    const history = await push(stack.url, key, pgc, N, LIVE, { from, to, seed: 7 });
    report("a day of history", N, history);
    const derived = await instant(stack.url, key, "sum(llm_requests_total)");
    console.log(`sum(llm_requests_total):       ${derived} (expected ${N + LIVE})`);
    const copyRate = await copyLogsBaseline(pgc, N + LIVE);
    console.log(`Postgres COPY of the same rows: ${copyRate.toFixed(0)} logs/s; live end to end / COPY: ${(live.e2e / copyRate).toFixed(2)}`);

    const end = to + 5 * 60_000;
    const q = (path: string, params: Record<string, string>) => ({ path, params });
    const cases: Array<[string, { path: string; params: Record<string, string> }]> = [
      ["search, newest 100", q("/api/v1/requests", { limit: "100" })],
      ["search, model=gpt-4o", q("/api/v1/requests", { model: "gpt-4o", limit: "100" })],
      ["search, status=failure", q("/api/v1/requests", { status: "failure", limit: "100" })],
      ["search, q=context length", q("/api/v1/requests", { q: "context length", limit: "100" })],
      ["search, min latency 10 s", q("/api/v1/requests", { min_latency_ms: "10000", limit: "100" })],
      ["error groups, 24 h", q("/api/v1/requests/errors", { start: String(from / 1000), end: String(end / 1000) })],
      ["error groups, 1 h", q("/api/v1/requests/errors", { start: String((end - 3600_000) / 1000), end: String(end / 1000) })],
      ["summary by model, 24 h", q("/api/v1/requests/summary", { by: "model", start: String(from / 1000), end: String(end / 1000) })],
      ["summary by team, 24 h", q("/api/v1/requests/summary", { by: "team", start: String(from / 1000), end: String(end / 1000) })],
    ];
    const range = (hours: number) => ({ start: String((end - hours * 3600_000) / 1000), end: String(end / 1000), step: "60" });
    const dashboards: Array<[string, string, number?]> = [
      ["requests/s by model", "sum by (model) (rate(llm_requests_total[5m]))"],
      ["p95 latency by model", "histogram_quantile(0.95, sum by (le, model) (rate(llm_request_duration_seconds_bucket[5m])))"],
      ["error ratio", 'sum(rate(llm_requests_total{status="failure"}[5m])) / sum(rate(llm_requests_total[5m]))'],
      ["LiteLLM proxy requests/s", "sum(rate(litellm_proxy_total_requests_metric_total[2m]))"],
      ["LiteLLM failures by class", "sum(rate(litellm_proxy_failed_requests_metric_total[2m])) by (exception_class)"],
      // LiteLLM's latency histogram has a series per key, team, user and model, 36 buckets each: its dashboard's 6 h.
      ["LiteLLM median latency", "histogram_quantile(0.5, sum(rate(litellm_request_total_latency_metric_bucket[2m])) by (le))", 6],
    ];
    for (const [name, query, hours = 24] of dashboards) cases.push([`${hours} h range: ${name}`, q("/api/v1/query_range", { query, ...range(hours) })]);
    console.log(`\nat ${(N + LIVE).toLocaleString()} logs, ${RUNS} runs each (ms):`);
    const results: Array<[string, Timing | { refused: string }]> = [];
    for (const [name, c] of cases) results.push([name, await timeApi(stack.url, key, c.path, c.params, RUNS)]);
    const width = Math.max(...results.map(([n]) => n.length));
    for (const [name, t] of results)
      console.log(`  ${name.padEnd(width)}  ${"refused" in t ? t.refused : `p50 ${t.p50.toFixed(0).padStart(5)}  p95 ${t.p95.toFixed(0).padStart(5)}  max ${t.max.toFixed(0).padStart(5)}`}`);
  } finally {
    await pgc.end();
    await stack.close();
    await db.drop();
  }
}

interface Pushed {
  accepted: number;
  e2e: number;
  seconds: number;
  answerMs: number[];
}

/** POSTs n payloads (generated i = 0..n-1, ids offset so sets never collide) and waits until all are stored with their rollups. */
async function push(url: string, key: string, pgc: pg.Client, n: number, before: number, opts: { from: number; to: number; seed: number }): Promise<Pushed> {
  const batches = Math.ceil(n / BATCH);
  const answerMs: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < batches) {
        const b = next++;
        const items = [];
        for (let i = b * BATCH; i < Math.min(n, (b + 1) * BATCH); i++) items.push(litellmPayload(i, n, opts).payload);
        const body = JSON.stringify(items);
        const t = performance.now();
        const res = await fetch(`${url}/v1/logs/litellm`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body });
        const text = await res.text();
        answerMs.push(performance.now() - t);
        if (res.status !== 202) throw new Error(`POST /v1/logs/litellm answered ${res.status}: ${text.slice(0, 300)}`);
      }
    }),
  );
  const accepted = performance.now();
  for (;;) {
    const { rows } = await pgc.query("SELECT (SELECT count(*) FROM request_logs)::int AS logs, (SELECT coalesce(sum(requests), 0) FROM log_rollups)::int AS rolled");
    if (rows[0].logs >= before + n && rows[0].rolled >= before + n) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const stored = performance.now();
  return { accepted: (n / (accepted - started)) * 1000, e2e: (n / (stored - started)) * 1000, seconds: (stored - started) / 1000, answerMs };
}

function report(what: string, n: number, p: Pushed) {
  console.log(`${what}: ${n.toLocaleString()} logs in POSTs of ${BATCH}, ${CONCURRENCY} at a time`);
  console.log(`  accepted (HTTP 202):          ${p.accepted.toFixed(0)} logs/s`);
  console.log(`  answer per POST:              p50 ${pct(p.answerMs, 0.5).toFixed(0)} ms, p99 ${pct(p.answerMs, 0.99).toFixed(0)} ms, max ${Math.max(...p.answerMs).toFixed(0)} ms`);
  console.log(`  end to end (stored, rolled up): ${p.e2e.toFixed(0)} logs/s (${p.seconds.toFixed(1)} s)`);
}

async function instant(url: string, key: string, query: string): Promise<string> {
  const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(query)}`, { headers: { authorization: `Bearer ${key}` } });
  const body = (await res.json()) as { data?: { result: Array<{ value: [number, string] }> }; error?: string };
  return body.data?.result[0]?.value[1] ?? `(no result: ${body.error ?? res.status})`;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
