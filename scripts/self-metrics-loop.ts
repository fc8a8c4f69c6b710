// Test aid: runs the self-metrics job (workers/query/self-metrics.ts) on a
// database over and over, as a cron far more eager than the real one, so that
// every tenant a test creates gets inferscope_* series within moments. Used to
// check that tests sharing the test database do not depend on a tenant having
// no series but its own:
//   tsx scripts/self-metrics-loop.ts <database url | database-name prefix> [interval ms]
// A prefix (e.g. inferscope_test_<vitest pid>_) waits for that test database to appear.
import pg from "pg";
import { openNodeDb } from "./lib/node-db";
import { startWsProxy } from "./lib/ws-proxy";
import { runSelfMetrics } from "../workers/query/self-metrics";

const ADMIN_URL = process.env.TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

async function resolve(arg: string): Promise<string> {
  if (arg.includes("://")) return arg;
  for (;;) {
    const c = new pg.Client({ connectionString: ADMIN_URL });
    await c.connect();
    const r = await c.query<{ datname: string }>("SELECT datname FROM pg_database WHERE starts_with(datname, $1) ORDER BY oid DESC LIMIT 1", [arg]);
    await c.end();
    if (r.rows[0]) {
      const u = new URL(ADMIN_URL);
      u.pathname = `/${r.rows[0].datname}`;
      return u.toString();
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

const [arg, every = "200"] = process.argv.slice(2);
if (!arg) throw new Error("usage: tsx scripts/self-metrics-loop.ts <database url | name prefix> [interval ms]");
const url = new URL(await resolve(arg));
// Migrations run after CREATE DATABASE: wait for the tables.
for (;;) {
  const c = new pg.Client({ connectionString: url.toString() });
  await c.connect();
  const r = await c.query("SELECT to_regclass('self_metrics_state') AS t");
  await c.end();
  if (r.rows[0].t) break;
  await new Promise((r) => setTimeout(r, 200));
}
const proxy = await startWsProxy({ host: url.hostname === "localhost" ? "127.0.0.1" : url.hostname, port: Number(url.port || 5432) });
const { db } = openNodeDb(url.toString(), proxy.url);
let runs = 0;
let reported = 0;
const stop = () => {
  console.log(JSON.stringify({ runs, tenantMinutesReported: reported }));
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
console.log(`self-metrics every ${every} ms on ${url.pathname.slice(1)}`);
for (;;) {
  try {
    reported += await runSelfMetrics(db);
    runs++;
  } catch (err) {
    // The database is dropped when the test run ends.
    if (/does not exist|terminat/i.test((err as Error).message)) stop();
    console.log(`run failed: ${(err as Error).message}`);
  }
  await new Promise((r) => setTimeout(r, Number(every)));
}
