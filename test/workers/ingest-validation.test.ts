// Every bad input of the JSON ingest path gets its precise 4xx, and the valid
// rest of a partly bad batch is still stored.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gzipSync } from "node:zlib";
import { sql } from "drizzle-orm";
import { rawPost } from "../helpers/raw-post";
import { eventually, startTestStack, type TestStack } from "../helpers/stack";

let stack: TestStack;
let queryOnlyKey: string;
beforeAll(async () => {
  stack = await startTestStack();
  queryOnlyKey = (await stack.tenantWithKey(`q-only-${Date.now()}`, ["query"])).key;
});
afterAll(async () => {
  await stack?.close();
});

function post(path: string, body: string | Uint8Array, headers: Record<string, string> = {}) {
  return fetch(`${stack.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${stack.key}`, ...headers },
    body: body as unknown as BodyInit,
  });
}

async function answer(res: Response) {
  return { status: res.status, body: (await res.json()) as { error: string; rejected?: { path: string; reason: string }[]; accepted?: Record<string, number> } };
}

const now = () => Date.now() - 1000;

async function seriesCount(name: string): Promise<number> {
  const r = await stack.db.db.execute<{ n: string }>(sql`SELECT count(*) AS n FROM series WHERE tenant_id = ${stack.tenantId} AND metric_name = ${name}`);
  return Number(r.rows[0].n);
}

describe("auth", () => {
  it("401 without a key", async () => {
    const res = await fetch(`${stack.url}/v1/metrics`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    const a = await answer(res);
    expect(a.status).toBe(401);
    expect(a.body.error).toMatch(/missing API key/);
  });
  it("401 with an unknown key", async () => {
    const a = await answer(await post("/v1/metrics", "{}", { authorization: "Bearer isk_nope" }));
    expect(a.status).toBe(401);
    expect(a.body.error).toMatch(/invalid or revoked/);
  });
  it("403 with a key that lacks the ingest scope", async () => {
    const a = await answer(await post("/v1/metrics", "{}", { authorization: `Bearer ${queryOnlyKey}` }));
    expect(a.status).toBe(403);
    expect(a.body.error).toMatch(/lacks the 'ingest' scope/);
  });
});

describe("whole-request errors", () => {
  it("415 for a wrong content type", async () => {
    const a = await answer(await post("/v1/metrics", "{}", { "content-type": "text/plain" }));
    expect(a.status).toBe(415);
    expect(a.body.error).toMatch(/application\/json/);
  });
  it("415 for an unknown content encoding", async () => {
    const a = await answer(await post("/v1/metrics", "{}", { "content-encoding": "br" }));
    expect(a.status).toBe(415);
    expect(a.body.error).toMatch(/Content-Encoding "br"/);
  });
  it("413 above the body limit", async () => {
    const big = Buffer.alloc(9 * 1024 * 1024, 0x20);
    const { status, body } = await rawPost(`${stack.url}/v1/metrics`, { "content-type": "application/json", authorization: `Bearer ${stack.key}`, "content-length": big.length }, big);
    expect(status).toBe(413);
    expect(JSON.parse(body).error).toMatch(/larger than the limit/);
  });
  it("413 when gzip inflates past the decompressed limit", async () => {
    const bomb = gzipSync(Buffer.alloc(40 * 1024 * 1024, 0x20));
    const a = await answer(await post("/v1/metrics", bomb, { "content-encoding": "gzip" }));
    expect(a.status).toBe(413);
    expect(a.body.error).toMatch(/decompressed request body/);
  });
  it("400 for a body that is not JSON", async () => {
    const a = await answer(await post("/v1/metrics", "{not json"));
    expect(a.status).toBe(400);
    expect(a.body.error).toMatch(/not valid JSON/);
  });
  it("400 for a body of the wrong shape", async () => {
    const a = await answer(await post("/v1/metrics", JSON.stringify({ metrics: [] })));
    expect(a.status).toBe(400);
    expect(a.body.error).toMatch(/invalid metrics batch/);
  });
  it("400 for a malformed Idempotency-Key", async () => {
    const a = await answer(await post("/v1/metrics", JSON.stringify({ series: [] }), { "idempotency-key": "has spaces" }));
    expect(a.status).toBe(400);
    expect(a.body.error).toMatch(/Idempotency-Key/);
  });
  it("404 names the endpoints that exist", async () => {
    const a = await answer(await post("/v1/nothing", "{}"));
    expect(a.status).toBe(404);
    expect(a.body.error).toMatch(/POST \/v1\/metrics/);
  });
});

describe("per-series rules: the valid rest is stored", () => {
  it("rejects each bad series with its path and reason, stores the good one", async () => {
    const t = now();
    const manyLabels = Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`l${i}`, "x"]));
    const series = [
      { name: "good_metric_total", labels: { model: "llama3" }, samples: [[t, 1]] },
      { name: "1starts_with_digit", labels: {}, samples: [[t, 1]] },
      { name: "bad_label", labels: { "bad-name": "x" }, samples: [[t, 1]] },
      { name: "reserved_label", labels: { __secret: "x" }, samples: [[t, 1]] },
      { name: "too_many_labels", labels: manyLabels, samples: [[t, 1]] },
      { name: "long_value", labels: { a: "v".repeat(2049) }, samples: [[t, 1]] },
      { name: "no_samples", labels: {}, samples: [] },
      { name: "unknown_field", labels: {}, samples: [[t, 1]], colour: "red" },
      { name: "bad_samples", labels: {}, samples: [[t + 0.5, 1], [t, "abc"], [t + 3_600_000, 1], [86_400_000, 1], "x"] },
    ];
    const text = JSON.stringify({ series }).replace('"labels":{"model":"llama3"}', '"labels":{"model":"llama3"}') +
      "";
    // A duplicate label can only be written as raw JSON text.
    const withDuplicate = text.replace('{"series":[', '{"series":[{"name":"dup_label","labels":{"a":"1","a":"2"},"samples":[[' + t + ',1]]},');
    const a = await answer(await post("/v1/metrics", withDuplicate));
    expect(a.status).toBe(400);
    const byPath = Object.fromEntries(a.body.rejected!.map((r) => [r.path, r.reason]));
    expect(byPath["series[0].labels.a"]).toMatch(/duplicate key/);
    expect(byPath["series[2]"]).toMatch(/invalid metric name "1starts_with_digit"/);
    expect(byPath["series[3].labels.bad-name"]).toMatch(/invalid label name/);
    expect(byPath["series[4].labels.__secret"]).toMatch(/reserved/);
    expect(byPath["series[5]"]).toMatch(/31 labels, over the limit of 30/);
    expect(byPath["series[6].labels.a"]).toMatch(/2049 characters, over the limit of 2048/);
    expect(byPath["series[7]"]).toMatch(/at least one sample/);
    expect(byPath["series[8]"]).toMatch(/colour/);
    expect(byPath["series[9].samples[0]"]).toMatch(/integer/);
    expect(byPath["series[9].samples[1]"]).toMatch(/NaN/);
    expect(byPath["series[9].samples[2]"]).toMatch(/in the future/);
    expect(byPath["series[9].samples[3]"]).toMatch(/older than the retention/);
    expect(byPath["series[9].samples[4]"]).toBeDefined();
    expect(a.body.accepted).toEqual({ series: 1, samples: 1 });
    await eventually(async () => (await seriesCount("good_metric_total")) === 1, 15_000, "the valid series stored");
    expect(await seriesCount("dup_label")).toBe(0);
    expect(await seriesCount("bad_samples")).toBe(0);
  });

  it("rejects a different value at the same timestamp, keeps exact duplicates once", async () => {
    const t = now();
    const a = await answer(await post("/v1/metrics", JSON.stringify({ series: [{ name: "dupe_ts", samples: [[t, 1], [t, 1], [t, 2]] }] })));
    expect(a.status).toBe(400);
    expect(a.body.rejected).toEqual([{ path: "series[0].samples[2]", reason: `duplicate sample for timestamp ${t} with a different value` }]);
    expect(a.body.accepted).toEqual({ series: 1, samples: 1 });
  });

  it("accepts gzip bodies and special float values", async () => {
    const t = now();
    const body = gzipSync(JSON.stringify({ series: [{ name: "gz_metric", samples: [[t, "+Inf"], [t + 1, "-Inf"], [t + 2, "NaN"], [t + 3, 0.1]] }] }));
    const res = await post("/v1/metrics", body, { "content-encoding": "gzip" });
    expect(res.status).toBe(202);
    // The series row is written before its samples: wait for the samples themselves.
    const values = async () =>
      (await stack.db.db.execute<{ v: string }>(sql`
        SELECT x.value::text AS v FROM samples x JOIN series s ON s.id = x.series_id
        WHERE s.tenant_id = ${stack.tenantId} AND s.metric_name = 'gz_metric' ORDER BY x.ts`)).rows.map((x) => x.v);
    await eventually(async () => (await values()).length === 4, 15_000, "gzip samples");
    expect(await values()).toEqual(["Infinity", "-Infinity", "NaN", "0.1"]);
  });
});

describe("request logs", () => {
  it("stores valid records once and rejects bad ones with their paths", async () => {
    const t = now();
    const logs = [
      { request_id: "req-1", time: t, model: "llama3", provider: "vllm", http_status: 200, latency_ms: 812.5, ttft_ms: 95, input_tokens: 512, output_tokens: 128, cost_usd: 0.0012 },
      { request_id: "req-2", time: new Date(t).toISOString(), model: "llama3", http_status: 429, error_type: "rate_limit", error_message: "slow down" },
      { time: t, model: "x" },
      { request_id: "req-4", time: "yesterday" },
      { request_id: "req-5", time: t, input_tokens: -3 },
      { request_id: "req-6", time: t, tokens: 5 },
    ];
    const a = await answer(await post("/v1/logs", JSON.stringify({ logs }), { "idempotency-key": "logs-batch-1" }));
    expect(a.status).toBe(400);
    expect(a.body.rejected!.map((r) => r.path)).toEqual(["logs[2]", "logs[3]", "logs[4]", "logs[5]"]);
    expect(a.body.rejected![0].reason).toMatch(/request_id/);
    expect(a.body.rejected![1].reason).toMatch(/RFC 3339/);
    expect(a.body.rejected![3].reason).toMatch(/tokens/);
    expect(a.body.accepted).toEqual({ records: 2 });
    // Replays, with and without the key, change nothing.
    await post("/v1/logs", JSON.stringify({ logs }), { "idempotency-key": "logs-batch-1" });
    await post("/v1/logs", JSON.stringify({ logs }));
    const rows = async () =>
      (await stack.db.db.execute<{ request_id: string; status: string; http_status: number | null }>(sql`
        SELECT request_id, status, http_status FROM request_logs WHERE tenant_id = ${stack.tenantId} ORDER BY request_id`)).rows;
    await eventually(async () => (await rows()).length === 2, 15_000, "two log rows");
    await new Promise((r) => setTimeout(r, 1500));
    expect(await rows()).toEqual([
      { request_id: "req-1", status: "success", http_status: 200 },
      { request_id: "req-2", status: "failure", http_status: 429 },
    ]);
  });
});
