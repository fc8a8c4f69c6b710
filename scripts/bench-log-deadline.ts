// What the log API's deadline (shared/storage/postgres/deadline.ts) costs a
// call: the same search, error groups and summary through the store with no
// deadline, with the deadline as shipped (BEGIN; SET LOCAL in one round trip,
// then COMMIT) and through drizzle's transaction() (BEGIN, SET LOCAL, COMMIT),
// over the Neon driver and the WebSocket proxy as the query worker talks to
// Postgres. A measurement, not a test: `tsx scripts/bench-log-deadline.ts`
// (BENCH_LOGS, default 20,000; BENCH_RUNS, default 200).
import pg from "pg";
import type { Db } from "../shared/db";
import { postgresRequestLogStore } from "../shared/storage/postgres/request-logs-read";
import { HISTOGRAMS } from "../shared/logs/rollup-spec";
import { benchDatabase } from "./lib/bench-db";
import { seedRequestLogs, seedRollups } from "./lib/log-bench-data";
import { openNodeDb } from "./lib/node-db";
import { startWsProxy } from "./lib/ws-proxy";

const N = Number(process.env.BENCH_LOGS ?? 20_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 200);
const HOUR = 3_600_000;

const scratch = await benchDatabase("deadline");
const pgc = new pg.Client({ connectionString: scratch.url });
await pgc.connect();
const proxy = await startWsProxy({ host: "127.0.0.1", port: Number(new URL(scratch.url).port || 5432) });
const handle = openNodeDb(scratch.url, proxy.url);
try {
  const tenantId = Number((await pgc.query("INSERT INTO tenants (name) VALUES ('bench') RETURNING id")).rows[0].id);
  const end = Date.now();
  await seedRequestLogs(pgc, tenantId, N, end);
  await seedRollups(pgc, tenantId);
  await pgc.query("ANALYZE");
  // Without $client, deadline.ts takes drizzle's transaction() path.
  const viaTx = { execute: handle.db.execute.bind(handle.db), transaction: handle.db.transaction.bind(handle.db) } as unknown as Db;
  const variants: Array<[string, Db, number | undefined]> = [["none", handle.db, undefined], ["shipped", handle.db, 30_000], ["drizzle tx", viaTx, 30_000]];
  const calls: Array<[string, (db: Db, t: number | undefined) => Promise<unknown>]> = [
    ["search 1 h, limit 100", (db, t) => postgresRequestLogStore(db, tenantId).search({ range: { start: end - HOUR, end }, filter: {}, limit: 101, timeoutMs: t })],
    ["errors 1 h", (db, t) => postgresRequestLogStore(db, tenantId).errorGroups({ range: { start: end - HOUR, end }, filter: {}, limit: 100, timeoutMs: t })],
    ["summary 24 h by model (2 statements)", (db, t) => {
      const endMinute = Math.ceil(end / 60_000) * 60_000;
      return postgresRequestLogStore(db, tenantId).summary({ startMinute: endMinute - 24 * HOUR, endMinute, by: ["model"], filter: {}, hists: HISTOGRAMS.map((_, i) => i), timeoutMs: t });
    }],
  ];
  for (const [name, call] of calls) {
    const times = new Map<string, number[]>(variants.map(([v]) => [v, []]));
    for (let i = 0; i < 10; i++) for (const [, db, t] of variants) await call(db, t);
    // Interleaved, so drift on a shared machine hits every variant alike.
    for (let i = 0; i < RUNS; i++) {
      for (const [v, db, t] of variants) {
        const t0 = performance.now();
        await call(db, t);
        times.get(v)!.push(performance.now() - t0);
      }
    }
    const p = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.floor(q * (xs.length - 1))];
    console.log(`${name}: ` + variants.map(([v]) => `${v} p50 ${p(times.get(v)!, 0.5).toFixed(2)} ms p95 ${p(times.get(v)!, 0.95).toFixed(2)} ms`).join(" | "));
  }
} finally {
  await handle.close().catch(() => {});
  await proxy.close();
  await pgc.end();
  await scratch.drop();
}
