// `npx tsx scripts/bench-derived.ts`: dashboard queries over metrics derived
// from request logs, at the scale: 300 dims sets with events every
// minute for 24 h (432,000 minute rollup rows, ~1.08 M logs, ~3 M bucket rows),
// written with SQL straight into the rollup tables (the aggregator's output),
// queried in-process through the Postgres storage and the PromQL engine (the
// query worker's path, without HTTP). Prints the median latency per query, and
// the part of it spent in SQL. A measurement, not a test. BENCH_RUNS (default 5),
// BENCH_DATABASE_URL.
import pg from "pg";
import { ensureTenant } from "../shared/admin";
import type { Db } from "../shared/db";
import { postgresQueryStorage } from "../shared/storage/postgres/read";
import { labelsPredicate, rangeQuery } from "../workers/query/promql/index";
import { benchDatabase } from "./lib/bench-db";
import { loadDerivedBenchData } from "./lib/derived-bench-data";
import { openNodeDb } from "./lib/node-db";
import { startWsProxy } from "./lib/ws-proxy";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const DIMS = 300;
const MINUTE = 60_000;
const DAY = 86_400_000;

const QUERIES = [
  "sum by (model) (rate(llm_requests_total[5m]))",
  "histogram_quantile(0.95, sum by (le) (rate(llm_request_duration_seconds_bucket[5m])))",
  "sum(rate(litellm_proxy_total_requests_metric_total[2m]))",
  "histogram_quantile(0.5, sum(rate(litellm_request_total_latency_metric_bucket[2m])) by (le))",
  "sum(increase(litellm_spend_metric_total[1h])) by (model)",
];
const RANGES = [
  { name: "1h", span: 3_600_000, step: 15_000 },
  { name: "24h", span: DAY, step: 60_000 },
];

/** Times every db.execute: the SQL round trips and the driver's row parsing. */
function timed(db: Db) {
  const t = { sql: 0 };
  const proxied = new Proxy(db, {
    get(target, prop, recv) {
      if (prop !== "execute") return Reflect.get(target, prop, recv);
      return async (...args: unknown[]) => {
        const t0 = performance.now();
        try {
          return await (target.execute as (...a: unknown[]) => Promise<unknown>)(...args);
        } finally {
          t.sql += performance.now() - t0;
        }
      };
    },
  });
  return { t, db: proxied };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const bench = await benchDatabase("derived");
  const u = new URL(bench.url);
  const proxy = await startWsProxy({ host: u.hostname === "localhost" ? "127.0.0.1" : u.hostname, port: Number(u.port || 5432) });
  const handle = openNodeDb(bench.url, proxy.url);
  const c = new pg.Client({ connectionString: bench.url });
  await c.connect();
  try {
    const tenantId = (await ensureTenant(handle.db, "bench-derived")).id;
    const now = Date.now();
    const end = Math.floor(now / MINUTE) * MINUTE;
    const t0 = performance.now();
    const n = await loadDerivedBenchData(c, tenantId, DIMS, end - DAY, end);
    console.log(`loaded ${DIMS} dims sets: ${n.minutes} minute rows (${n.logs} logs), ${n.buckets} bucket rows in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    console.log(`median of ${RUNS} runs after one warm-up; in-process storage + engine over the Neon driver to local Postgres`);
    console.log(["query", "range", "step", "total ms", "sql ms", "series"].join("\t"));
    for (const q of QUERIES) {
      for (const r of RANGES) {
        const totals: number[] = [];
        const sqls: number[] = [];
        let series = 0;
        for (let i = 0; i <= RUNS; i++) {
          const { t, db } = timed(handle.db);
          const storage = postgresQueryStorage(db, tenantId, labelsPredicate);
          const t1 = performance.now();
          const res = await rangeQuery(storage, q, now - r.span, now, r.step);
          const ms = performance.now() - t1;
          if (res.resultType !== "matrix" || res.result.length === 0) throw new Error(`${q}: empty result`);
          series = res.result.length;
          if (i === 0) continue;
          totals.push(ms);
          sqls.push(t.sql);
        }
        console.log([q, r.name, `${r.step / 1000}s`, median(totals).toFixed(0), median(sqls).toFixed(0), series].join("\t"));
      }
    }
  } finally {
    await c.end();
    await handle.close().catch(() => {});
    await proxy.close();
    await bench.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
