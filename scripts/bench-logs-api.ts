// The log API at 1 M request logs: p50 / p95 over HTTP (whole local stack,
// query worker in workerd) of typical searches, tail polls, detail, error
// groups over 24 h and 1 h, and summaries over 24 h; the plan each search gets;
// what the indexes of migration 0007 cost an insert of log rows; and a what-if
// of summaries with an hourly rollup tier.
// Data: scripts/lib/log-bench-data.ts (a day of logs and its rollups, made in
// Postgres). A measurement, not a test. Run alone (`tsx scripts/bench-logs-api.ts`)
// or call benchLogsApi() from `npm run bench:logs`. BENCH_LOGS (default
// 1,000,000), BENCH_RUNS (20), BENCH_DATABASE_URL (default: a scratch db).
import { sql, type SQL } from "drizzle-orm";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { fileURLToPath } from "node:url";
import type { Db } from "../shared/db";
import { errorFingerprint } from "../shared/logs/errors";
import { HISTOGRAMS } from "../shared/logs/rollup-spec";
import { postgresRequestLogStore } from "../shared/storage/postgres/request-logs-read";
import { minutesOnly, rollupSummary } from "../shared/storage/postgres/rollup-summary";
import { benchDatabase } from "./lib/bench-db";
import { benchKey } from "./lib/bench-client";
import { seedRequestLogs, seedRollups } from "./lib/log-bench-data";
import { openNodeDb } from "./lib/node-db";
import { startStack } from "./lib/stack";

export interface LogsApiFigure {
  name: string;
  p50: number;
  p95: number;
  /** Records, groups or rows in the answer (a sanity check that it did work). */
  size: number;
}

export interface LogsApiResult {
  logs: number;
  figures: LogsApiFigure[];
  plans: Array<{ name: string; scans: string[] }>;
  /** An INSERT of `rows` log rows: µs and WAL bytes per row with and without the 0007 indexes. */
  ingest: { rows: number; with: { us: number; wal: number }; without: { us: number; wal: number } };
  /** Summary by model over 24 h in SQL, median: through the tiers, and from minutes only (as before the hour tier). */
  tiers: { tieredMs: number; minutesMs: number };
}

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

/** The scan nodes of a plan: which index (or none) a query reads. */
const scansOf = (plan: string[]) => plan.map((l) => l.trim().replace(/^->\s*/, "")).filter((l) => /Scan/.test(l)).map((l) => l.replace(/\s+\(cost=.*$/, "").replace(/ on request_logs_p\d+/, ""));

/** A Db whose execute also records the plan of every statement it runs. */
function explaining(db: Db, plans: string[][]): Db {
  return new Proxy(db, {
    get(target, prop, recv) {
      if (prop !== "execute") return Reflect.get(target, prop, recv);
      return async (query: SQL) => {
        const res = await target.execute<{ "QUERY PLAN": string }>(sql`EXPLAIN ${query}`);
        plans.push(res.rows.map((r) => r["QUERY PLAN"]));
        return target.execute(query);
      };
    },
  });
}

/** A 24 h summary by model in SQL (rollupSummary): through days, hours and ragged minutes as served, and from minutes only. */
async function tierFigures(db: Db, tenantId: number, end: number, runs: number): Promise<LogsApiResult["tiers"]> {
  const startMinute = Math.floor((end - 86_400_000) / 60_000) * 60_000;
  const q = { startMinute, endMinute: Math.ceil(end / 60_000) * 60_000, by: ["model" as const], filter: {}, hists: HISTOGRAMS.map((h) => h.id) };
  const time = async (split?: typeof minutesOnly) => {
    const ts: number[] = [];
    for (let i = 0; i < Math.max(3, Math.min(runs, 7)); i++) {
      const t0 = performance.now();
      await rollupSummary(db, tenantId, q, split);
      ts.push(performance.now() - t0);
    }
    return quantile(ts, 0.5);
  };
  return { tieredMs: await time(), minutesMs: await time(minutesOnly) };
}

export async function benchLogsApi(opts: { logs?: number; runs?: number; log?: (line: string) => void } = {}): Promise<LogsApiResult> {
  const N = opts.logs ?? Number(process.env.BENCH_LOGS ?? 1_000_000);
  const RUNS = opts.runs ?? Number(process.env.BENCH_RUNS ?? 20);
  const log = opts.log ?? console.log;
  const scratch = await benchDatabase("logsapi");
  const stack = await startStack({ databaseUrl: scratch.url, port: 0, buildDir: mkdtempSync(join(tmpdir(), "inferscope-bench-")) });
  const pgc = new pg.Client({ connectionString: scratch.url });
  await pgc.connect();
  const node = openNodeDb(scratch.url, stack.proxy.url);
  try {
    const { key, tenantId } = await benchKey(scratch.url, stack, ["query"]);
    const otherId = Number((await pgc.query("INSERT INTO tenants (name) VALUES ('bench-other') ON CONFLICT (name) DO UPDATE SET name = excluded.name RETURNING id")).rows[0].id);
    const end = Date.now();
    let t = performance.now();
    await seedRequestLogs(pgc, tenantId, N, end);
    await seedRequestLogs(pgc, otherId, Math.ceil(N / 20), end);
    log(`seeded ${N.toLocaleString()} logs (+${Math.ceil(N / 20).toLocaleString()} of another tenant) in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    t = performance.now();
    await seedRollups(pgc, tenantId);
    const counts = (await pgc.query(`SELECT (SELECT count(*) FROM log_dims WHERE tenant_id = $1) AS dims, (SELECT count(*) FROM log_rollups WHERE tenant_id = $1) AS minutes,
      (SELECT count(*) FROM log_rollups_hour WHERE tenant_id = $1) AS hours`, [tenantId])).rows[0];
    log(`rollups: ${counts.dims} dimension sets, ${counts.minutes} minute rows, ${counts.hours} hour rows (${((performance.now() - t) / 1000).toFixed(1)} s)`);
    await pgc.query("VACUUM ANALYZE");

    // The seeded fingerprints are errorFingerprint's: check a sample of messages as SQL filled them in.
    const sample = (await pgc.query(`SELECT error_class, error_message, http_status, error_fingerprint FROM request_logs WHERE tenant_id = $1 AND status = 'failure' LIMIT 300`, [tenantId])).rows;
    const wrong = sample.filter((r) => errorFingerprint(r.error_class, r.error_message, r.http_status) !== r.error_fingerprint);
    if (wrong.length) throw new Error(`${wrong.length} seeded fingerprints differ from errorFingerprint, e.g. ${JSON.stringify(wrong[0])}`);

    const headers = { authorization: `Bearer ${key}` };
    const api = async (path: string) => {
      const res = await fetch(`${stack.url}${path}`, { headers });
      const body = (await res.json()) as { status: string; error?: string; data: Record<string, unknown> };
      if (res.status !== 200) throw new Error(`${path}: ${res.status} ${body.error}`);
      return body.data;
    };
    const anId = (await pgc.query(`SELECT request_id FROM request_logs WHERE tenant_id = $1 AND trace_id IS NOT NULL LIMIT 1 OFFSET 5000`, [tenantId])).rows[0].request_id as string;
    const page1 = (await api("/api/v1/requests?limit=100")) as { next_cursor: string };
    const hourAgo = (end - 3_600_000) / 1000;
    const cases: Array<[string, string]> = [
      ["search: no filter", "/api/v1/requests"],
      ["search: model=gpt-4o", "/api/v1/requests?model=gpt-4o"],
      ["search: model=mixtral-8x7b (6%)", "/api/v1/requests?model=mixtral-8x7b"],
      ["search: status=failure", "/api/v1/requests?status=failure"],
      ["search: q=cuda out of memory", "/api/v1/requests?q=cuda%20out%20of%20memory"],
      ["search: q=<matches nothing>", "/api/v1/requests?q=no%20such%20message%20anywhere"],
      ["search: min_latency_ms=2000", "/api/v1/requests?min_latency_ms=2000"],
      ["search: min_latency_ms=5000", "/api/v1/requests?min_latency_ms=5000"],
      ["search: min_latency_ms=30000 (rare)", "/api/v1/requests?min_latency_ms=30000"],
      ["search: user=user-07&status=failure", "/api/v1/requests?user=user-07&status=failure"],
      ["search: tag=tier:paid&model=gpt-4o", "/api/v1/requests?tag=tier:paid&model=gpt-4o"],
      ["search: page 2 (cursor)", `/api/v1/requests?cursor=${page1.next_cursor}`],
      ["search: limit=1000", "/api/v1/requests?limit=1000"],
      ["tail: poll (after = 2 s ago)", `/api/v1/requests/tail?after=${end - 2000}`],
      ["detail: one id with its trace", `/api/v1/requests/${encodeURIComponent(anId)}`],
      ["errors: 24 h", "/api/v1/requests/errors"],
      ["errors: 1 h", `/api/v1/requests/errors?start=${hourAgo}`],
      ["errors: 24 h, model=gpt-4o", "/api/v1/requests/errors?model=gpt-4o"],
      ["summary: by=model, 24 h", "/api/v1/requests/summary?by=model"],
      ["summary: by=model,provider, 1 h", `/api/v1/requests/summary?by=model,provider&start=${hourAgo}`],
      ["summary: total, 24 h, model=gpt-4o", "/api/v1/requests/summary?model=gpt-4o"],
    ];
    const sizeOf = (d: Record<string, unknown>) => {
      for (const k of ["records", "groups"]) if (Array.isArray(d[k])) return (d[k] as unknown[]).length;
      return 0;
    };
    const figures: LogsApiFigure[] = [];
    for (const [name, path] of cases) {
      for (let i = 0; i < 2; i++) await api(path); // warm up
      const times: number[] = [];
      let size = 0;
      for (let i = 0; i < RUNS; i++) {
        const t0 = performance.now();
        size = sizeOf(await api(path));
        times.push(performance.now() - t0);
      }
      figures.push({ name, p50: quantile(times, 0.5), p95: quantile(times, 0.95), size });
    }

    // The plans the searches get (the same SQL, through the store, EXPLAINed).
    const plans: LogsApiResult["plans"] = [];
    const range = { start: end - 86_400_000, end };
    const explain = async (name: string, run: (s: ReturnType<typeof postgresRequestLogStore>) => Promise<unknown>) => {
      const got: string[][] = [];
      await run(postgresRequestLogStore(explaining(node.db, got), tenantId));
      plans.push({ name, scans: [...new Set(got.flatMap(scansOf))] });
    };
    await explain("search: no filter", (s) => s.search({ range, filter: {}, limit: 101 }));
    await explain("search: status=failure", (s) => s.search({ range, filter: { status: ["failure"] }, limit: 101 }));
    await explain("search: q=cuda out of memory", (s) => s.search({ range, filter: { q: ["cuda out of memory"] }, limit: 101 }));
    await explain("search: min_latency_ms=2000", (s) => s.search({ range, filter: { minLatencyMs: 2000 }, limit: 101 }));
    await explain("search: min_latency_ms=30000", (s) => s.search({ range, filter: { minLatencyMs: 30000 }, limit: 101 }));
    await explain("tail", (s) => s.tail({ filter: {}, afterUs: (end - 2000) * 1000, limit: 100 }));
    await explain("errors: 24 h", (s) => s.errorGroups({ range, filter: {}, limit: 100 }));

    // The summary's SQL alone, through the hour tier and without it (the same rollups read minute by minute).
    const tiers = await tierFigures(node.db, tenantId, end, RUNS);

    // What the 0007 indexes cost an insert of log rows (copies of the newest seeded ones): the INSERT's time and WAL
    // with and without them (EXPLAIN ANALYZE, best of three; noisy on a shared machine, whose checkpoints come at any time).
    const n = Math.min(20_000, Math.floor(N / 3));
    const cols = (await pgc.query(`SELECT string_agg(column_name, ', ' ORDER BY ordinal_position) AS c FROM information_schema.columns
      WHERE table_name = 'request_logs' AND column_name NOT IN ('tenant_id', 'request_id', 'received_at')`)).rows[0].c as string;
    const copy = async (tag: string) => {
      const res = await pgc.query(`EXPLAIN (ANALYZE, WAL, FORMAT JSON) INSERT INTO request_logs (tenant_id, request_id, ${cols})
        SELECT ${otherId}, '${tag}-' || request_id, ${cols} FROM request_logs WHERE tenant_id = ${tenantId} ORDER BY time DESC LIMIT ${n}`);
      const plan = res.rows[0]["QUERY PLAN"][0];
      return { us: (plan["Execution Time"] * 1000) / n, wal: plan.Plan["WAL Bytes"] / n };
    };
    await copy("warm");
    const runs = [await copy("with-1"), await copy("with-2"), await copy("with-3")];
    await pgc.query("DROP INDEX request_logs_failures_idx, request_logs_slow_idx, request_logs_error_trgm_idx");
    await copy("without-warm");
    const bare = [await copy("without-1"), await copy("without-2"), await copy("without-3")];
    const best = (xs: Array<{ us: number; wal: number }>) => ({ us: Math.min(...xs.map((x) => x.us)), wal: Math.min(...xs.map((x) => x.wal)) });
    const ingest: LogsApiResult["ingest"] = { rows: n, with: best(runs), without: best(bare) };
    return { logs: N, figures, plans, ingest, tiers };
  } finally {
    await node.close().catch(() => {});
    await pgc.end().catch(() => {});
    await stack.close();
    await scratch.drop();
  }
}

function report(r: LogsApiResult) {
  console.log(`\nlog API at ${r.logs.toLocaleString()} logs over 24 h (ms, over HTTP through the query worker)`);
  console.log(`${"query".padEnd(40)} ${"p50".padStart(8)} ${"p95".padStart(8)} ${"size".padStart(6)}`);
  for (const f of r.figures) console.log(`${f.name.padEnd(40)} ${f.p50.toFixed(1).padStart(8)} ${f.p95.toFixed(1).padStart(8)} ${String(f.size).padStart(6)}`);
  console.log("\nplans (scan nodes)");
  for (const p of r.plans) console.log(`${p.name}:\n  ${p.scans.join("\n  ")}`);
  const g = r.ingest;
  console.log(`\nINSERT of ${g.rows.toLocaleString()} log rows (copies of seeded ones), best of three:`);
  console.log(`  with the 0007 indexes: ${g.with.us.toFixed(1)} µs and ${g.with.wal.toFixed(0)} WAL bytes a row; without: ${g.without.us.toFixed(1)} µs, ${g.without.wal.toFixed(0)} bytes` +
    ` (+${((g.with.us / g.without.us - 1) * 100).toFixed(0)}% time, +${((g.with.wal / g.without.wal - 1) * 100).toFixed(0)}% WAL)`);
  console.log(`\nsummary by model over 24 h, SQL only (median): ${r.tiers.tieredMs.toFixed(0)} ms through days, hours and ragged minutes; ` +
    `${r.tiers.minutesMs.toFixed(0)} ms from minutes only`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  benchLogsApi().then(report).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
