// The request-log API's deadline: a read Postgres cannot finish in time (here
// blocked on a lock this test holds on what it reads) is cancelled by Postgres
// at `timeout` and answered 503 timeout, as the PromQL routes answer; nothing
// of it is left running. The default is 30 s; `timeout` only lowers it.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import pg from "pg";
import { eventually, startTestStack, type TestStack } from "../helpers/stack";
import { LOG_API_TIMEOUT_MS, logTimeout } from "../../workers/query/api/requests-deadline";

let stack: TestStack;
// A day of its own, within retention: the search reads its partition.
const DAY = Math.floor(Date.now() / 86_400_000) - 9;
const B = DAY * 86_400_000 + 12 * 3_600_000;
const PARTITION = `request_logs_p${new Date(DAY * 86_400_000).toISOString().slice(0, 10).replace(/-/g, "")}`;
const RANGE = `start=${(B - 3_600_000) / 1000}&end=${(B + 3_600_000) / 1000}`;
// A filter no other test combines (tag, fingerprint and min_latency_ms): its SQL is told apart in pg_stat_activity.
const PROBE = `${RANGE}&tag=probe&fingerprint=fp-probe&min_latency_ms=1`;
const PROBE_SQL = ["%FROM request_logs%", "%tags && %", "%error_fingerprint = %", "%latency_ms >= %"];

const logs = Array.from({ length: 5 }, (_, i) => ({
  request_id: `to-${i}`, time: B + i * 1000, model: "gpt-4o", provider: "openai", status: i % 2 ? "failure" : "success", latency_ms: 100 + i,
  ...(i % 2 ? { http_status: 500, error_class: "APIError", error_message: `boom ${i}` } : {}),
}));

// One client holds the locks (in a transaction), another watches: pg_stat_activity is read once per transaction.
let locker: pg.Client;
let watcher: pg.Client;
beforeAll(async () => {
  stack = await startTestStack();
  [locker, watcher] = [new pg.Client({ connectionString: inject("databaseUrl") }), new pg.Client({ connectionString: inject("databaseUrl") })];
  await Promise.all([locker.connect(), watcher.connect()]);
  const res = await fetch(`${stack.url}/v1/logs`, { method: "POST", headers: { authorization: `Bearer ${stack.key}`, "content-type": "application/json" }, body: JSON.stringify({ logs }) });
  expect(res.status).toBe(202);
  await eventually(async () => (await get(`/api/v1/requests?${RANGE}`)).body.data?.records?.length === 5, 20_000, "logs stored");
  await eventually(async () => (await get(`/api/v1/requests/summary?${RANGE}`)).body.data?.total?.requests === 5, 20_000, "rollups stored");
});
afterAll(async () => {
  await Promise.all([locker?.end(), watcher?.end()]);
  await stack?.close();
});

async function get(path: string) {
  const res = await fetch(`${stack.url}${path}`, { headers: { authorization: `Bearer ${stack.key}` } });
  return { status: res.status, body: (await res.json()) as { status: string; errorType?: string; error?: string; data?: any } };
}

/** Backends of this database running the probe search. */
async function probesRunning(): Promise<{ state: string; wait: string | null }[]> {
  const r = await watcher.query<{ state: string; wait: string | null }>(
    `SELECT state, wait_event_type AS wait FROM pg_stat_activity
     WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle' AND query LIKE ALL($1::text[])`,
    [PROBE_SQL],
  );
  return r.rows;
}

/** Runs fn while this test holds an ACCESS EXCLUSIVE lock on table (every read of it waits). */
async function whileLocked<T>(table: string, fn: () => Promise<T>): Promise<T> {
  await locker.query(`BEGIN; LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
  try {
    return await fn();
  } finally {
    await locker.query("ROLLBACK");
  }
}

const timedOut = (s: string) => ({
  status: "error",
  errorType: "timeout",
  error: `request-log query timed out after ${s}: narrow start/end or add filters (timeout= can only lower the 30s default)`,
});

describe("request-log API deadline", () => {
  it("a search blocked past timeout= is cancelled by Postgres: 503 timeout at the deadline, nothing left running", async () => {
    await whileLocked(PARTITION, async () => {
      const t0 = Date.now();
      const pending = get(`/api/v1/requests?${PROBE}&timeout=1500ms`);
      // While it waits, the check below sees it: so its finding nothing afterwards means something.
      const seen = await eventually(async () => {
        const rows = await probesRunning();
        return rows.length === 1 ? rows : undefined;
      }, 1_200, "the probe search waiting on the lock");
      expect(seen).toEqual([{ state: "active", wait: "Lock" }]);
      const r = await pending;
      const ms = Date.now() - t0;
      expect(r.status).toBe(503);
      expect(r.body).toEqual(timedOut("1.5s"));
      expect(ms).toBeGreaterThanOrEqual(1_500);
      // Postgres's cancellation answered, not the backstop a second later.
      expect(ms).toBeLessThan(2_400);
      expect(await probesRunning()).toEqual([]);
    });
    // The lock gone, the same search answers (the cancelled connection was not reused broken).
    const ok = await get(`/api/v1/requests?${PROBE.replace("&tag=probe&fingerprint=fp-probe", "")}&timeout=5s`);
    expect(ok.status).toBe(200);
    expect(ok.body.data.records.map((r: { request_id: string }) => r.request_id)).toEqual(["to-4", "to-3", "to-2", "to-1", "to-0"]);
  });

  it("error groups, detail and tail are bounded the same way", async () => {
    await whileLocked(PARTITION, async () => {
      expect((await get(`/api/v1/requests/errors?${RANGE}&timeout=300ms`)).body).toEqual(timedOut("0.3s"));
      expect((await get(`/api/v1/requests/to-1?timeout=300ms`)).body).toEqual(timedOut("0.3s"));
    });
    await whileLocked("request_logs", async () => {
      expect((await get(`/api/v1/requests/tail?after=${Date.now() - 60_000}&timeout=300ms`)).body).toEqual(timedOut("0.3s"));
    });
    expect((await get(`/api/v1/requests/errors?${RANGE}&timeout=5s`)).body.data.groups.length).toBeGreaterThan(0);
  });

  it("a summary blocked past timeout= answers 503 timeout", async () => {
    await whileLocked("log_dims", async () => {
      const t0 = Date.now();
      const r = await get(`/api/v1/requests/summary?${RANGE}&timeout=400ms`);
      expect(r.status).toBe(503);
      expect(r.body).toEqual(timedOut("0.4s"));
      expect(Date.now() - t0).toBeLessThan(1_300);
    });
    expect((await get(`/api/v1/requests/summary?${RANGE}&timeout=5s`)).body.data.total.requests).toBe(5);
  });

  it("timeout= takes Prometheus's durations, only lowers the 30 s default, and 0 has already passed", async () => {
    const p = (timeout?: string) => ({ get: (n: string) => (n === "timeout" ? timeout : undefined), all: () => [] });
    expect(LOG_API_TIMEOUT_MS).toBe(30_000);
    expect(logTimeout(p())).toBe(30_000);
    expect(logTimeout(p(""))).toBe(30_000);
    expect(logTimeout(p("1h"))).toBe(30_000);
    expect(logTimeout(p("2.5"))).toBe(2_500);
    expect(logTimeout(p("250ms"))).toBe(250);
    const bad = await get(`/api/v1/requests?${RANGE}&timeout=soon`);
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ status: "error", errorType: "bad_data", error: 'invalid parameter "timeout": cannot parse "soon" to a valid duration' });
    const zero = await get(`/api/v1/requests?${RANGE}&timeout=0s`);
    expect(zero.status).toBe(503);
    expect(zero.body).toEqual(timedOut("0s"));
  });
});
