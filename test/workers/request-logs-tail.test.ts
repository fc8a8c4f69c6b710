// GET /api/v1/requests/tail as `inferscope tail` polls it: from now, every
// record stored afterwards arrives exactly once (the server never repeats one,
// so a client's dedupe by (request_id, time) has nothing to do), late records
// included, filters applied, pages that end on a whole storing transaction,
// and a transaction that commits after a later one is not skipped.
import { sql } from "drizzle-orm";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RequestLogView, RequestTailData } from "../../shared/contracts/log-api";
import { eventually, startTestStack, type TestStack } from "../helpers/stack";

let stack: TestStack;
let other: { tenantId: number; key: string };

beforeAll(async () => {
  stack = await startTestStack();
  other = await stack.tenantWithKey(`tail-other-${Date.now()}`);
});
afterAll(async () => {
  await stack?.close();
});

async function post(logs: Array<Record<string, unknown>>, key = stack.key) {
  const res = await fetch(`${stack.url}/v1/logs`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify({ logs }) });
  expect(res.status).toBe(202);
}
async function tail(q: string) {
  const res = await fetch(`${stack.url}/api/v1/requests/tail?${q}`, { headers: { authorization: `Bearer ${stack.key}` } });
  return { status: res.status, body: (await res.json()) as { status: string; data: RequestTailData; errorType?: string; error?: string } };
}

/** A tail client: follows next_after and fails the test if the server ever sends a record twice. */
function follower(filter = "", limit = 100) {
  let after: number | undefined;
  const seen = new Map<string, RequestLogView>();
  const order: string[] = [];
  return {
    order,
    seen,
    async poll(): Promise<RequestLogView[]> {
      const r = await tail(`${filter}${after === undefined ? "" : `&after=${after}`}&limit=${limit}`);
      expect(r.status).toBe(200);
      expect(r.body.data.next_after).toBeGreaterThanOrEqual(after ?? 0);
      after = r.body.data.next_after;
      for (const rec of r.body.data.records) {
        const key = `${rec.request_id}@${rec.time}`;
        expect(seen.has(key), `record ${key} sent twice`).toBe(false);
        seen.set(key, rec);
        order.push(rec.request_id);
      }
      return r.body.data.records;
    },
    /** Polls until every id has arrived. */
    async until(...ids: string[]) {
      await eventually(async () => {
        await this.poll();
        return ids.every((id) => order.includes(id));
      }, 20_000, `tail to deliver ${ids.join(", ")}`);
    },
  };
}

const now = () => Date.now();
const stored = (id: string) =>
  eventually(async () => (await stack.db.db.execute(sql`SELECT 1 FROM request_logs WHERE tenant_id = ${stack.tenantId} AND request_id = ${id}`)).rows.length === 1, 15_000, `${id} stored`);
const rec = (id: string, extra: Record<string, unknown> = {}) => ({ request_id: id, time: now(), model: "tail-model", provider: "vllm", latency_ms: 10, ...extra });

describe("GET /api/v1/requests/tail", () => {
  it("starts now, then delivers each record stored later exactly once, late records too", async () => {
    await post([rec("before-1")]);
    await stored("before-1");
    // The start is now less a second's margin (for transactions whose start is not published yet).
    await new Promise((r) => setTimeout(r, 1_500));
    const f = follower();
    expect(await f.poll()).toEqual([]);
    await post([rec("after-1")]);
    await f.until("after-1");
    // An hour late by its own time: stored now, so tail shows it now.
    await post([rec("late-1", { time: now() - 3_600_000 })]);
    await post([rec("after-2")]);
    await f.until("late-1", "after-2");
    for (let i = 0; i < 5; i++) {
      expect(await f.poll()).toEqual([]);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(f.order[0]).toBe("after-1");
    expect([...f.order].sort()).toEqual(["after-1", "after-2", "late-1"]);
    const late = [...f.seen.values()].find((r) => r.request_id === "late-1")!;
    expect(Date.parse(late.received_at) - Date.parse(late.time)).toBeGreaterThan(3_500_000);
  });

  it("applies the search filters, and never shows another tenant's records", async () => {
    const f = follower("model=wanted&status=failure");
    await f.poll();
    await post([rec("t-other", { model: "wanted", status: "failure" })], other.key);
    await post([rec("t-ok", { model: "wanted" }), rec("t-unwanted", { model: "unwanted", status: "failure" }), rec("t-bad", { model: "wanted", status: "error", error_message: "boom" })]);
    await f.until("t-bad");
    await post([rec("t-bad-2", { model: "wanted", status: "failure" })]);
    await f.until("t-bad-2");
    expect(f.order).toEqual(["t-bad", "t-bad-2"]);
  });

  it("pages end on a whole storing transaction, and small pages lose nothing", async () => {
    const f = follower("model=batch", 2);
    await f.poll();
    // One POST is one queue message, stored in one transaction: one received_at.
    await post(["b-1", "b-2", "b-3", "b-4", "b-5"].map((id) => rec(id, { model: "batch" })));
    const page = await eventually(async () => {
      const got = await f.poll();
      return got.length ? got : undefined;
    }, 20_000, "the batch");
    expect(page.map((r) => r.request_id).sort()).toEqual(["b-1", "b-2", "b-3", "b-4", "b-5"]);
    expect(new Set(page.map((r) => r.received_at)).size).toBe(1);
    for (const id of ["c-1", "c-2", "c-3", "c-4"]) await post([rec(id, { model: "batch" })]);
    await f.until("c-1", "c-2", "c-3", "c-4");
    expect(f.order.length).toBe(9);
  });

  it("holds back records stored after a transaction that is still open, then delivers both in the order stored", async () => {
    const f = follower("model=race");
    await f.poll();
    const writer = new pg.Client({ connectionString: stack.databaseUrl });
    await writer.connect();
    try {
      await writer.query("SELECT inferscope_ensure_day_partitions(ARRAY[floor(extract(epoch FROM now()) / 86400)]::integer[])");
      await writer.query("BEGIN");
      const started = Number((await writer.query("SELECT (extract(epoch FROM now()) * 1000000)::bigint AS us")).rows[0].us);
      await writer.query(
        `INSERT INTO request_logs (tenant_id, time, request_id, status, model) VALUES ($1, now(), 'race-slow', 'success', 'race')`,
        [stack.tenantId],
      );
      // A later transaction commits first.
      await post([rec("race-fast", { model: "race" })]);
      await stored("race-fast");
      // Past the horizon's second of margin: only the open transaction holds it back now.
      await new Promise((r) => setTimeout(r, 2_000));
      for (let i = 0; i < 3; i++) {
        expect(await f.poll()).toEqual([]);
        const next = (await tail(`model=race&after=${Date.now() - 60_000}`)).body.data.next_after;
        expect(next * 1000).toBeLessThanOrEqual(started);
      }
      await writer.query("COMMIT");
    } finally {
      await writer.end();
    }
    await f.until("race-slow", "race-fast");
    expect(f.order).toEqual(["race-slow", "race-fast"]);
  });

  it("refuses bad parameters by name", async () => {
    const cases: Array<[string, RegExp]> = [
      ["after=yesterday", /"after"/],
      ["after=-5", /"after"/],
      ["start=1", /tail follows the time records were stored/],
      ["cursor=abc", /not a cursor/],
      ["limit=0", /"limit"/],
      ["status=nope", /"status"/],
      ["colour=red", /unknown parameter "colour"/],
    ];
    for (const [q, re] of cases) {
      const r = await tail(q);
      expect(r.status, q).toBe(400);
      expect(r.body.error, q).toMatch(re);
    }
  });
});
