// Request logs through the whole local stack into their rollups: replays,
// duplicates and late records count once; logs without a cost are priced by
// the tenant's prices or the shipped table; the admin API and `inferscope
// prices` manage prices; a rebuild from the stored logs changes nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { runCli } from "../helpers/cli";
import { eventually, startTestStack, type TestStack } from "../helpers/stack";
import { rollupTables, rollupTotal } from "../support/rollup-tables";
import { LATENCY_BUCKETS } from "../../shared/logs/rollup-spec";

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.close();
});

const call = (method: string, path: string, body?: unknown, key = stack.key) =>
  fetch(`${stack.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
const postLogs = (logs: unknown[], key: string, idempotencyKey?: string) =>
  fetch(`${stack.url}/v1/logs`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}`, ...(idempotencyKey ? { "idempotency-key": idempotencyKey } : {}) },
    body: JSON.stringify({ logs }),
  });

async function count(q: ReturnType<typeof sql>): Promise<number> {
  return Number((await stack.db.db.execute<{ n: string }>(q)).rows[0].n);
}
const storedLogs = (tenant: number) => count(sql`SELECT count(*)::text AS n FROM request_logs WHERE tenant_id = ${tenant}`);
const claims = (tenant: number) => count(sql`SELECT count(*)::text AS n FROM ingested_batches WHERE tenant_id = ${tenant} AND kind = 'logs'`);

const cli = (args: string[]) => runCli(args, stack.url, stack.key);

describe("rollups through POST /v1/logs", () => {
  it("count a replayed batch, a record sent twice and a record an hour late exactly once", async () => {
    const { tenantId, key } = await stack.tenantWithKey(`rollup-idem-${Date.now().toString(36)}`);
    const t0 = Math.floor(Date.now() / 60_000) * 60_000 - 20 * 60_000;
    const rec = (i: number, time = t0 + i * 20_000) => ({
      request_id: `idem-${i}`, time, model: "gpt-4o-mini", provider: "openai", latency_ms: 250 + i * 10, ttft_ms: 40 + i,
      input_tokens: 100 + i, output_tokens: 20 + i, cost_usd: 0.0001 * (i + 1), team: i % 2 ? "a" : "b", stream: true, cache_hit: i % 3 === 0,
    });
    const batch = Array.from({ length: 20 }, (_, i) => rec(i));
    expect((await postLogs(batch, key, "idem-a")).status).toBe(202);
    expect((await postLogs(batch, key, "idem-a")).status).toBe(202); // the same request again
    await eventually(async () => (await storedLogs(tenantId)) === 20, 20_000, "the first batch stored");
    expect((await postLogs(batch, key, "idem-a-other-key")).status).toBe(202); // the same records under another key
    expect((await postLogs([rec(5), rec(19), rec(20), rec(21)], key)).status).toBe(202); // two old, two new
    // An hour late: its minute is long past when it arrives.
    const late = rec(22, t0 - 3_600_000);
    expect((await postLogs([late], key)).status).toBe(202);
    await eventually(async () => (await storedLogs(tenantId)) === 23 && (await claims(tenantId)) === 4, 20_000, "every batch written");

    const all = [...batch, rec(20), rec(21), late];
    expect(await rollupTotal(stack.db.db, tenantId, "requests")).toBe(23);
    expect(await rollupTotal(stack.db.db, tenantId, "requests", "log_rollups_day")).toBe(23);
    expect(await rollupTotal(stack.db.db, tenantId, "input_tokens")).toBe(all.reduce((n, r) => n + r.input_tokens, 0));
    expect(await rollupTotal(stack.db.db, tenantId, "output_tokens", "log_rollups_day")).toBe(all.reduce((n, r) => n + r.output_tokens, 0));
    expect(await rollupTotal(stack.db.db, tenantId, "cache_hits")).toBe(all.filter((r) => r.cache_hit).length);
    expect(await rollupTotal(stack.db.db, tenantId, "cost_usd")).toBeCloseTo(all.reduce((n, r) => n + r.cost_usd, 0), 8);
    const lateMinute = await count(sql`SELECT sum(requests)::text AS n FROM log_rollups WHERE tenant_id = ${tenantId} AND minute = ${t0 - 3_600_000}`);
    expect(lateMinute).toBe(1);
    const latencyCount = await count(sql`SELECT sum(n)::text AS n FROM log_rollup_hist, unnest(buckets[1:${LATENCY_BUCKETS.length + 1}]) n WHERE tenant_id = ${tenantId}`);
    expect(latencyCount).toBe(23);

    // A rebuild of the range through the admin API changes nothing.
    const before = await rollupTables(stack.db.db, tenantId);
    const res = await call("POST", "/admin/v1/rollups/rebuild", { start: new Date(t0 - 3_700_000).toISOString(), end: Math.floor(Date.now() / 1000) }, key);
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { data: { tenant: number; logs: number; start: string; end: string; days: { day: string; logs: number }[] } };
    expect(answer.data.tenant).toBe(tenantId);
    expect(answer.data.logs).toBe(23);
    expect(answer.data.start).toMatch(/T00:00:00\.000Z$/);
    expect(await rollupTables(stack.db.db, tenantId)).toEqual(before);
  });
});

describe("cost at ingest", () => {
  it("prices logs without a cost by the tenant's entries, the shipped table or GPU time, and keeps a reported cost", async () => {
    const { tenantId, key } = await stack.tenantWithKey(`cost-${Date.now().toString(36)}`);
    // Set before the tenant's first log, so no cached empty price list is in the way.
    expect((await call("PUT", "/admin/v1/prices/openai/gpt-4o", { input_per_mtok: 1, output_per_mtok: 2 }, key)).status).toBe(200);
    expect((await call("PUT", `/admin/v1/prices/${encodeURIComponent("vllm/my-llama")}`, { gpu_hour_usd: 7.2, concurrency: 2 }, key)).status).toBe(200);
    const t = Date.now() - 60_000;
    const logs = [
      { request_id: "shipped", time: t, model: "gpt-4o-mini-2024-07-18", provider: "openai", input_tokens: 1_000_000, cached_tokens: 200_000, output_tokens: 100_000 },
      { request_id: "tenant", time: t, model: "GPT-4o", provider: "openai", input_tokens: 1_000_000, output_tokens: 1_000_000 },
      { request_id: "gpu", time: t, model: "my-llama", provider: "vllm", latency_ms: 1000, input_tokens: 5, output_tokens: 5 },
      { request_id: "reported", time: t, model: "gpt-4o-mini", input_tokens: 1_000_000, output_tokens: 0, cost_usd: 0.5 },
      { request_id: "unknown", time: t, model: "some-local-model", input_tokens: 10, output_tokens: 10 },
    ];
    expect((await postLogs(logs, key)).status).toBe(202);
    await eventually(async () => (await storedLogs(tenantId)) === 5, 20_000, "the logs stored");
    const rows = (await stack.db.db.execute<{ id: string; cost: number | null; source: string | null }>(sql`
      SELECT request_id AS id, cost_usd AS cost, cost_source AS source FROM request_logs WHERE tenant_id = ${tenantId} ORDER BY 1`)).rows;
    const by = Object.fromEntries(rows.map((r) => [r.id, r]));
    // gpt-4o-mini: 0.15 in, 0.075 cached, 0.60 out per 1M.
    expect(by.shipped.source).toBe("price_table");
    expect(by.shipped.cost).toBeCloseTo(0.8 * 0.15 + 0.2 * 0.075 + 0.1 * 0.6, 12);
    expect(by.tenant).toMatchObject({ cost: 3, source: "tenant_price" });
    expect(by.gpu.source).toBe("gpu_time");
    expect(by.gpu.cost).toBeCloseTo(0.001, 12); // 7.2 $/h × 1 s / 3600 / 2
    expect(by.reported).toMatchObject({ cost: 0.5, source: "reported" });
    expect(by.unknown).toMatchObject({ cost: null, source: null });
    // The rollups carry the computed costs.
    expect(await rollupTotal(stack.db.db, tenantId, "cost_usd")).toBeCloseTo(by.shipped.cost! + 3 + 0.001 + 0.5, 8);
  });
});

describe("the prices admin API", () => {
  it("lists, sets and deletes a tenant's entries, with the shipped table on request", async () => {
    const { tenantId, key } = await stack.tenantWithKey(`prices-${Date.now().toString(36)}`, ["admin"]);
    const put = await call("PUT", "/admin/v1/prices/Anthropic/Claude-Sonnet-4-5", { input_per_mtok: 2.5, output_per_mtok: 12, cached_per_mtok: 0.25 }, key);
    expect(put.status).toBe(200);
    expect(((await put.json()) as { data: unknown }).data).toMatchObject({ model: "anthropic/claude-sonnet-4-5", input_per_mtok: 2.5, output_per_mtok: 12, cached_per_mtok: 0.25, gpu_hour_usd: null });
    // Setting again replaces the entry whole.
    await call("PUT", "/admin/v1/prices/anthropic%2Fclaude-sonnet-4-5", { input_per_mtok: 3, output_per_mtok: 15 }, key);
    const list = (await (await call("GET", "/admin/v1/prices", undefined, key)).json()) as { data: { tenant: number; prices: Record<string, unknown>[]; shipped?: unknown } };
    expect(list.data.tenant).toBe(tenantId);
    expect(list.data.prices).toEqual([expect.objectContaining({ model: "anthropic/claude-sonnet-4-5", input_per_mtok: 3, output_per_mtok: 15, cached_per_mtok: null })]);
    expect(list.data.shipped).toBeUndefined();
    const withShipped = (await (await call("GET", "/admin/v1/prices?shipped=1", undefined, key)).json()) as { data: { shipped: { taken: string; prices: { model: string; aliases: string[] }[] } } };
    expect(withShipped.data.shipped.taken).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(withShipped.data.shipped.prices.find((p) => p.model === "gpt-4o-mini")?.aliases).toContain("openai/gpt-4o-mini");

    expect((await call("DELETE", "/admin/v1/prices/anthropic/claude-sonnet-4-5", undefined, key)).status).toBe(200);
    const again = await call("DELETE", "/admin/v1/prices/anthropic/claude-sonnet-4-5", undefined, key);
    expect(again.status).toBe(404);
    expect(((await again.json()) as { error: string }).error).toMatch(/no price set for "anthropic\/claude-sonnet-4-5"/);
  });

  it("refuses bad entries with a message naming the field", async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ input_per_mtok: -1, output_per_mtok: 1 }, /input_per_mtok: must not be negative/],
      [{ input_per_mtok: 1 }, /output_per_mtok: output_per_mtok is required/],
      [{ input_per_mtok: 1, output_per_mtok: 2, gpu_hour_usd: 3 }, /either token prices .* or gpu_hour_usd .* not both/],
      [{ input_per_mtok: 1, output_per_mtok: 2, concurrency: 4 }, /concurrency: concurrency goes with gpu_hour_usd/],
      [{ gpu_hour_usd: 2, concurrency: 0 }, /concurrency: must be more than 0/],
      [{ input_per_mtok: "1", output_per_mtok: 2 }, /input_per_mtok: .*number/i],
      [{ input_per_mtok: 1, output_per_mtok: 2, per_request: 1 }, /unrecognized key.*per_request/i],
      ["{not json", /request body must be JSON/],
    ];
    for (const [body, message] of cases) {
      const res = await call("PUT", "/admin/v1/prices/m", body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(((await res.json()) as { error: string }).error, JSON.stringify(body)).toMatch(message);
    }
    const blank = await call("PUT", "/admin/v1/prices/%20", { input_per_mtok: 1, output_per_mtok: 1 });
    expect(blank.status).toBe(400);
    expect((await call("PUT", `/admin/v1/prices/${"x".repeat(300)}`, { input_per_mtok: 1, output_per_mtok: 1 })).status).toBe(400);
    expect((await call("GET", "/admin/v1/prices?shipped=yes")).status).toBe(400);
  });

  it("keeps tenants apart; the bootstrap key names the tenant", async () => {
    const a = await stack.tenantWithKey(`prices-a-${Date.now().toString(36)}`, ["admin"]);
    const b = await stack.tenantWithKey(`prices-b-${Date.now().toString(36)}`, ["admin"]);
    await call("PUT", "/admin/v1/prices/secret-model", { input_per_mtok: 9, output_per_mtok: 9 }, a.key);
    const seen = (await (await call("GET", "/admin/v1/prices", undefined, b.key)).json()) as { data: { prices: unknown[] } };
    expect(seen.data.prices).toEqual([]);
    expect((await call("DELETE", "/admin/v1/prices/secret-model", undefined, b.key)).status).toBe(404);
    expect((await call("GET", `/admin/v1/prices?tenant=${a.tenantId}`, undefined, b.key)).status).toBe(403);
    const noTenant = await call("GET", "/admin/v1/prices", undefined, stack.adminKey);
    expect(noTenant.status).toBe(400);
    expect(((await noTenant.json()) as { error: string }).error).toMatch(/name the tenant/);
    const viaBootstrap = (await (await call("GET", `/admin/v1/prices?tenant=${a.tenantId}`, undefined, stack.adminKey)).json()) as { data: { prices: { model: string }[] } };
    expect(viaBootstrap.data.prices.map((p) => p.model)).toEqual(["secret-model"]);
    const set = await call("PUT", "/admin/v1/prices/other", { tenant: b.tenantId, gpu_hour_usd: 1 }, stack.adminKey);
    expect(set.status).toBe(200);
    expect((await call("GET", "/admin/v1/prices", undefined, a.key)).status).toBe(200);
    expect((await call("GET", "/admin/v1/prices", undefined, stack.key.replace(/.$/, "x"))).status).toBe(401);
  });
});

describe("the rebuild endpoint", () => {
  it("refuses bad ranges with a message", async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ start: "yesterday", end: "now" }, /cannot parse "yesterday"/],
      [{ start: "2026-01-02T00:00:00Z", end: "2026-01-01T00:00:00Z" }, /end is before start/],
      [{ start: 0, end: 40 * 86_400 }, /at most 31 UTC days per call \(this range touches 41\); split the range/],
      [{ start: 0 }, /end: .*RFC 3339|end: /],
      [{ start: 0, end: 1, days: 3 }, /unrecognized key/i],
    ];
    for (const [body, message] of cases) {
      const res = await call("POST", "/admin/v1/rollups/rebuild", body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(((await res.json()) as { error: string }).error, JSON.stringify(body)).toMatch(message);
    }
    const bootstrap = await call("POST", "/admin/v1/rollups/rebuild", { start: 0, end: 1 }, stack.adminKey);
    expect(bootstrap.status).toBe(400);
    expect(((await bootstrap.json()) as { error: string }).error).toMatch(/name the tenant/);
    const ok = await call("POST", "/admin/v1/rollups/rebuild", { start: 0, end: 1, tenant: stack.tenantId }, stack.adminKey);
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { data: unknown }).data).toEqual({ tenant: stack.tenantId, start: "1970-01-01T00:00:00.000Z", end: "1970-01-02T00:00:00.000Z", logs: 0, days: [{ day: "1970-01-01T00:00:00.000Z", logs: 0 }] });
  });
});

describe("inferscope prices", () => {
  it("sets, lists and deletes prices; bad usage exits 2 with a message", async () => {
    const set = await cli(["prices", "set", "openai/gpt-4o-mini", "--input", "0.1", "--output", "0.5", "--cached", "0.05"]);
    expect(set.code, set.err).toBe(0);
    expect(set.out).toMatch(/openai\/gpt-4o-mini\s+0\.1\s+0\.5\s+0\.05/);
    expect((await cli(["prices", "set", "vllm/llama", "--gpu-hour", "4", "--concurrency", "8"])).code).toBe(0);
    const list = await cli(["prices", "list", "--json"]);
    expect(list.code).toBe(0);
    const parsed = JSON.parse(list.out) as { prices: { model: string; gpu_hour_usd: number | null; concurrency: number | null }[] };
    expect(parsed.prices.map((p) => [p.model, p.gpu_hour_usd, p.concurrency])).toEqual([["openai/gpt-4o-mini", null, null], ["vllm/llama", 4, 8]]);
    const shipped = await cli(["prices", "list", "--shipped"]);
    expect(shipped.out).toMatch(/shipped prices \(taken \d{4}-\d{2}-\d{2}\)/);
    expect(shipped.out).toMatch(/claude-sonnet-4-5\s+anthropic\s+3\s+15\s+0\.3/);
    expect((await cli(["prices", "delete", "vllm/llama"])).out).toMatch(/price of vllm\/llama deleted/);

    const noOutput = await cli(["prices", "set", "m", "--input", "1"]);
    expect(noOutput.code).toBe(2);
    expect(noOutput.err).toMatch(/takes --input and --output/);
    const notNumber = await cli(["prices", "set", "m", "--input", "cheap", "--output", "1"]);
    expect(notNumber.err).toMatch(/--input takes a non-negative number \(not "cheap"\)/);
    const missing = await cli(["prices", "delete", "vllm/llama"]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/404: no price set for "vllm\/llama"/);
  });
});
