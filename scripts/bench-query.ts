// `npm run bench:query`: dashboard queries against Inferscope (whole local
// stack: remote_write ingest → Postgres, PromQL over the HTTP API) and against
// a real Prometheus 2.42 holding the same data: 1,000 vLLM/DCGM-like series
// (counters, gauges, classic histograms) × 6 hours at 15 s. Prints the median
// latency per query and range on each side and the ratio, then where our time
// goes (SQL, decode, engine) measured in-process over the same database.
// Twice: first over head rows, then after the compaction job has moved all but
// the last quarter hour into XOR chunks (the storage Inferscope keeps).
// A measurement, not a test. BENCH_RUNS (default 5), BENCH_DATABASE_URL.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Db } from "../shared/db";
import { postgresQueryStorage } from "../shared/storage/postgres/read";
import type { QueryStorage } from "../shared/storage/types";
import { labelsPredicate, rangeQuery } from "../workers/query/promql/index";
import { benchDatabase } from "./lib/bench-db";
import { benchKey } from "./lib/bench-client";
import { openNodeDb } from "./lib/node-db";
import { CUTOFF_STEP_MS, runCompaction } from "../shared/storage/postgres/chunk-compact";
import { dataset, POINTS, STEP } from "./lib/bench-dataset";
import { pushInTimeOrder, startPrometheus } from "./lib/prometheus";
import { startStack } from "./lib/stack";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);

const QUERIES = [
  "rate(vllm:prompt_tokens_total[5m])",
  "sum by (model_name) (rate(vllm:request_success_total[5m]))",
  "histogram_quantile(0.95, sum by (le, model_name) (rate(vllm:e2e_request_latency_seconds_bucket[5m])))",
  "topk(5, DCGM_FI_DEV_GPU_UTIL)",
  "avg by (Hostname) (DCGM_FI_DEV_GPU_UTIL)",
];
const RANGES = [
  { name: "1h", span: 3_600_000, step: 15_000 },
  { name: "6h", span: 6 * 3_600_000, step: 60_000 },
  { name: "24h", span: 24 * 3_600_000, step: 300_000 },
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timeRange(url: string, headers: Record<string, string>, query: string, start: number, end: number, step: number): Promise<number> {
  const params = new URLSearchParams({ query, start: String(start / 1000), end: String(end / 1000), step: String(step / 1000) });
  const t0 = performance.now();
  const res = await fetch(`${url}/api/v1/query_range?${params}`, { headers });
  const body = (await res.json()) as { status: string; error?: string; data?: { result: unknown[] } };
  const ms = performance.now() - t0;
  if (body.status !== "success") throw new Error(`${url}: ${query}: ${body.error}`);
  if (!body.data!.result.length) throw new Error(`${url}: ${query}: empty result`);
  return ms;
}

/** Times every db.execute (SQL round trip, rows parsed by the driver) and every storage.select. */
function instrumented(db: Db, tenantId: number) {
  const t = { sql: 0, select: 0, rows: 0 };
  const timedDb = new Proxy(db, {
    get(target, prop, recv) {
      if (prop !== "execute") return Reflect.get(target, prop, recv);
      return async (...args: unknown[]) => {
        const t0 = performance.now();
        const res = await (target.execute as (...a: unknown[]) => Promise<{ rows: unknown[] }>)(...args);
        t.sql += performance.now() - t0;
        t.rows += res.rows.length;
        return res;
      };
    },
  });
  const inner = postgresQueryStorage(timedDb, tenantId, labelsPredicate);
  const storage: QueryStorage = {
    ...inner,
    async select(...args) {
      const t0 = performance.now();
      const out = await inner.select(...args);
      t.select += performance.now() - t0;
      return out;
    },
  };
  return { t, storage };
}

async function main() {
  const end = Math.floor(Date.now() / STEP) * STEP - STEP;
  const series = dataset(end);
  const samples = series.length * POINTS;
  const db = await benchDatabase("query");
  const stack = await startStack({ databaseUrl: db.url, port: 0, buildDir: mkdtempSync(join(tmpdir(), "inferscope-bench-")) });
  const prom = await startPrometheus();
  const admin = openNodeDb(db.url, stack.proxy.url);
  try {
    const { key, tenantId } = await benchKey(db.url, stack, ["ingest", "query"]);
    const auth = { authorization: `Bearer ${key}` };
    console.log(`loading ${series.length} series × ${POINTS} samples (${samples.toLocaleString()}) into Inferscope and Prometheus`);
    const t0 = performance.now();
    await Promise.all([
      pushInTimeOrder(stack.url, series, { headers: auth, sliceMs: 30 * 60_000, concurrency: 4 }),
      pushInTimeOrder(prom.url, series),
    ]);
    const pg = (await import("pg")).default;
    const pgc = new pg.Client({ connectionString: db.url });
    await pgc.connect();
    for (;;) {
      const { rows } = await pgc.query("SELECT count(*)::int AS n FROM samples");
      if (rows[0].n >= samples) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    await pgc.query("VACUUM ANALYZE");
    console.log(`loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const cases = QUERIES.flatMap((query) => RANGES.map((range) => ({ query, range })));
    /** Median ms per case on each side, runs interleaved so that both see the same machine noise. */
    const timeAll = async () => {
      const out: Array<{ ours: number; theirs: number }> = [];
      for (const { query, range } of cases) {
        const start = end - range.span;
        const ours: number[] = [], theirs: number[] = [];
        for (let i = 0; i <= RUNS; i++) {
          const a = await timeRange(stack.url, auth, query, start, end, range.step);
          const b = await timeRange(prom.url, {}, query, start, end, range.step);
          if (i > 0) { // the first run warms caches on both sides
            ours.push(a);
            theirs.push(b);
          }
        }
        out.push({ ours: median(ours), theirs: median(theirs) });
      }
      return out;
    };
    const onRows = await timeAll();
    // Then the same queries over compacted chunks: all but the last quarter hour (COMPACTION_HEAD=0s).
    const c0 = performance.now();
    let compacted = 0;
    for (;;) {
      const r = await runCompaction(admin.db, { headMs: 0, budgetMs: 60_000 });
      compacted += r.samples;
      if (r.complete) break;
    }
    const compactMs = performance.now() - c0;
    await pgc.query("VACUUM ANALYZE");
    const left = (await pgc.query("SELECT count(*)::int AS n FROM samples")).rows[0].n as number;
    console.log(`compacted ${compacted.toLocaleString()} samples in ${(compactMs / 1000).toFixed(1)} s (${Math.round(compacted / (compactMs / 1000)).toLocaleString()}/s); ${left.toLocaleString()} head rows left (after the last ${CUTOFF_STEP_MS / 60_000}-minute cutoff step)`);
    const onChunks = await timeAll();

    const rows = cases.map(({ query, range }, i) => {
      const [r, c] = [onRows[i], onChunks[i]];
      return [query, `${range.name}/${range.step / 1000}s`, r.ours.toFixed(1), c.ours.toFixed(1), c.theirs.toFixed(1), (r.ours / r.theirs).toFixed(1), (c.ours / c.theirs).toFixed(2)];
    });
    printTable(["query", "range/step", "rows ms", "chunks ms", "Prometheus ms", "rows/Prom", "chunks/Prom"], rows);
    for (const range of RANGES) {
      const idx = cases.map((c, i) => (c.range === range ? i : -1)).filter((i) => i >= 0);
      const geo = (f: (i: number) => number) => Math.exp(idx.reduce((s, i) => s + Math.log(f(i)), 0) / idx.length);
      console.log(`${range.name}: geometric mean ratio to Prometheus: rows ${geo((i) => onRows[i].ours / onRows[i].theirs).toFixed(2)}×, chunks ${geo((i) => onChunks[i].ours / onChunks[i].theirs).toFixed(2)}×`);
    }

    // Where our time goes (on chunks): the same storage code and engine in-process, over the same database.
    const prof: string[][] = [];
    for (const { query, range } of cases) {
      const runs: Array<{ total: number; sql: number; select: number; rows: number }> = [];
      for (let i = 0; i <= RUNS; i++) {
        const { t, storage } = instrumented(admin.db, tenantId);
        const t0 = performance.now();
        await rangeQuery(storage, query, end - range.span, end, range.step);
        if (i > 0) runs.push({ total: performance.now() - t0, ...t });
      }
      const mid = runs.sort((a, b) => a.total - b.total)[Math.floor(runs.length / 2)];
      prof.push([query, `${range.name}/${range.step / 1000}s`, mid.total.toFixed(1), mid.sql.toFixed(1), (mid.select - mid.sql).toFixed(1), (mid.total - mid.select).toFixed(1), String(mid.rows)]);
    }
    printTable(["query", "range/step", "in-process ms", "SQL ms", "decode ms", "engine ms", "rows"], prof);
    await pgc.end();
  } finally {
    await admin.close().catch(() => {});
    await prom.stop();
    await stack.close();
    await db.drop();
  }
}

function printTable(head: string[], rows: string[][]): void {
  const all = [head, ...rows];
  const widths = head.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (r: string[]) => "| " + r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(" | ") + " |";
  console.log(["", line(head), "|" + widths.map((w, i) => (i === 0 ? "-".repeat(w + 2) : "-".repeat(w + 1) + ":")).join("|") + "|", ...rows.map(line)].join("\n"));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
