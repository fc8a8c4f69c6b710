// Per-tenant limits at ingest: a token bucket on samples (429 + Retry-After,
// nothing stored) and the active-series limit (new series past it refused with
// a 400 naming them, the rest stored), for both JSON and remote_write.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { encodeWriteRequest, REMOTE_WRITE_HEADERS } from "../../cli/agent/remote-write/encode";
import { setTenantLimits } from "../../shared/admin";
import { eventually, startTestStack, type TestStack } from "../helpers/stack";

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.close();
});

async function limitedTenant(limits: Record<string, number>) {
  const t = await stack.tenantWithKey(`limited-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`, ["ingest", "query"]);
  await setTenantLimits(stack.db.db, t.tenantId, limits);
  return t;
}

const json = (key: string, series: unknown[]) =>
  fetch(`${stack.url}/v1/metrics`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify({ series }) });

describe("ingestion rate", () => {
  it("answers 429 with Retry-After past the burst, storing nothing of that request", async () => {
    // The burst is never below one request's worth, so both are set small.
    const t = await limitedTenant({ maxSamplesPerSecond: 5, burstSamples: 20, maxSamplesPerRequest: 20 });
    const now = Date.now() - 1000;
    const samples = (n: number, from: number) => Array.from({ length: n }, (_, i) => [from + i, i]);
    expect((await json(t.key, [{ name: "rate_a", samples: samples(15, now - 100) }])).status).toBe(202);
    const over = await json(t.key, [{ name: "rate_b", samples: samples(15, now - 50) }]);
    expect(over.status).toBe(429);
    expect(Number(over.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(((await over.json()) as { error: string }).error).toMatch(/rate limit of 5 samples\/s \(burst 20\)/);
    await eventually(async () => {
      const r = await stack.db.db.execute<{ n: string }>(sql`SELECT count(*) AS n FROM series WHERE tenant_id = ${t.tenantId} AND metric_name = 'rate_a'`);
      return Number(r.rows[0].n) === 1;
    }, 15_000, "the admitted request stored");
    const b = await stack.db.db.execute<{ n: string }>(sql`SELECT count(*) AS n FROM series WHERE tenant_id = ${t.tenantId} AND metric_name = 'rate_b'`);
    expect(Number(b.rows[0].n)).toBe(0);
  });
});

describe("request-log rate", () => {
  it("answers 429 with Retry-After past the log burst", async () => {
    const t = await limitedTenant({ maxLogRecordsPerSecond: 1, burstLogRecords: 3, maxLogRecordsPerRequest: 3 });
    const now = Date.now() - 1000;
    const logs = (from: number) => ({ logs: [0, 1, 2].map((i) => ({ request_id: `r-${from + i}`, time: now })) });
    const post = (body: unknown) =>
      fetch(`${stack.url}/v1/logs`, { method: "POST", headers: { authorization: `Bearer ${t.key}`, "content-type": "application/json" }, body: JSON.stringify(body) });
    expect((await post(logs(0))).status).toBe(202);
    const over = await post(logs(3));
    expect(over.status).toBe(429);
    expect(Number(over.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(((await over.json()) as { error: string }).error).toMatch(/log ingestion rate limit of 1 records\/s/);
  });
});

describe("limit overrides", () => {
  it("keep the burst at least one request, so a valid request is never refused for ever", async () => {
    const t = await limitedTenant({ maxSamplesPerSecond: 1, burstSamples: 2 });
    const now = Date.now() - 1000;
    const res = await json(t.key, [{ name: "burst_floor", samples: Array.from({ length: 50 }, (_, i) => [now - i, i]) }]);
    expect(res.status).toBe(202);
  });
});

describe("active series", () => {
  it("refuses new series past the limit by name, keeps sending to known ones", async () => {
    const t = await limitedTenant({ maxActiveSeries: 3 });
    const now = Date.now() - 1000;
    const s = (i: number, ts = now) => ({ name: "active_series", labels: { i: String(i) }, samples: [[ts, i]] });
    expect((await json(t.key, [s(1), s(2)])).status).toBe(202);
    const res = await json(t.key, [s(1, now + 1), s(3), s(4), s(5)]);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { rejected: { path: string; reason: string }[]; accepted: { series: number } };
    expect(body.rejected.map((r) => r.path)).toEqual(["series[2]", "series[3]"]);
    expect(body.rejected[0].reason).toMatch(/limit of 3 active series/);
    expect(body.accepted.series).toBe(2);
  });

  it("applies to remote_write too, naming the refused series by its labels", async () => {
    const t = await limitedTenant({ maxActiveSeries: 1 });
    const now = Date.now() - 1000;
    const body = encodeWriteRequest({
      timeseries: [1, 2].map((i) => ({ labels: [{ name: "__name__", value: "rw_active" }, { name: "i", value: String(i) }], samples: [{ timestamp: now, value: i }] })),
      metadata: [],
    });
    const res = await fetch(`${stack.url}/api/v1/write`, { method: "POST", headers: { authorization: `Bearer ${t.key}`, ...REMOTE_WRITE_HEADERS }, body: body as unknown as BodyInit });
    expect(res.status).toBe(400);
    const a = (await res.json()) as { rejected: { path: string; reason: string }[] };
    expect(a.rejected).toEqual([{ path: 'timeseries[1] rw_active{i="2"}', reason: expect.stringMatching(/limit of 1 active series/) }]);
  });
});
