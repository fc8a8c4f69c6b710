// The "done when", driven as a user would: LiteLLM's generic_api
// payloads into POST /v1/logs/litellm (JSON array and NDJSON, a replayed batch,
// a record sent again in another batch, one an hour late), then request rate,
// errors, latency, TTFT, tokens and cost through PromQL under our names and
// LiteLLM's, a failing request found with `inferscope trace`, and a request
// posted while `inferscope tail` runs seen by it.
import { execFile, spawn } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { litellmPayload, type GeneratedPayload } from "../../cli/demo/litellm-payloads";
import { eventually, startTestStack, type TestStack } from "../helpers/stack";

const ROOT = join(import.meta.dirname, "..", "..");
const TSX = join(ROOT, "node_modules", ".bin", "tsx");
const N = 240;

let stack: TestStack;
let sent: GeneratedPayload[];
const late = () => sent[sent.length - 1];

async function post(body: string, extra: Record<string, string> = {}) {
  const res = await fetch(`${stack.url}/v1/logs/litellm`, { method: "POST", headers: { authorization: `Bearer ${stack.key}`, "content-type": "application/json", ...extra }, body });
  return { status: res.status, body: (await res.json()) as { accepted?: { records: number } } };
}

async function instant(query: string, time?: number): Promise<number> {
  const params = new URLSearchParams({ query, ...(time === undefined ? {} : { time: String(time / 1000) }) });
  const res = await fetch(`${stack.url}/api/v1/query?${params}`, { headers: { authorization: `Bearer ${stack.key}` } });
  const body = (await res.json()) as { status: string; error?: string; data: { result: Array<{ value: [number, string] }> } };
  if (body.status !== "success") throw new Error(`${query}: ${body.error}`);
  if (body.data.result.length !== 1) throw new Error(`${query}: ${body.data.result.length} series`);
  return Number(body.data.result[0].value[1]);
}

const sum = (xs: GeneratedPayload[], f: (p: GeneratedPayload) => number) => xs.reduce((n, p) => n + f(p), 0);

beforeAll(async () => {
  stack = await startTestStack();
  // Requests of the last 50 minutes, ending 3 minutes ago: every minute of them is complete.
  const to = Math.floor(Date.now() / 60_000) * 60_000 - 3 * 60_000;
  const from = to - 47 * 60_000;
  sent = Array.from({ length: N }, (_, i) => litellmPayload(i, N, { from, to, seed: 11, failureRate: 0.15 }));
  const batches = [sent.slice(0, 100), sent.slice(100, 200), sent.slice(200, N - 1)];
  expect((await post(JSON.stringify(batches[0].map((p) => p.payload)))).status).toBe(202);
  // LiteLLM's log_format: ndjson (no trailing newline, still labelled application/json).
  expect((await post(batches[1].map((p) => JSON.stringify(p.payload)).join("\n"))).status).toBe(202);
  const third = JSON.stringify(batches[2].map((p) => p.payload));
  expect((await post(third, { "idempotency-key": "third" })).status).toBe(202);
  expect((await post(third, { "idempotency-key": "third" })).status).toBe(202); // replayed as is
  expect((await post(JSON.stringify([sent[5].payload, sent[150].payload]))).status).toBe(202); // sent again in a new batch
  // One request that started 70 minutes ago, arriving now.
  const lateOne = litellmPayload(N - 1, N, { from: to - 70 * 60_000, to: to - 70 * 60_000, seed: 11, failureRate: 0 });
  sent[N - 1] = lateOne;
  expect((await post(JSON.stringify([lateOne.payload])))).toMatchObject({ status: 202 });
  await eventually(async () => {
    const r = await stack.db.db.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM request_logs WHERE tenant_id = ${stack.tenantId}`);
    return r.rows[0].n === N;
  }, 30_000, "every log stored");
}, 120_000);
afterAll(() => stack?.close());

describe("LiteLLM request logs alone light up the metrics", () => {
  it("request counts, errors, tokens and cost: exact, under our names and LiteLLM's, despite replays and a late record", async () => {
    const failures = sent.filter((p) => p.failed);
    const successes = sent.filter((p) => !p.failed);
    expect(failures.length).toBeGreaterThan(10);
    expect(await instant("sum(llm_requests_total)")).toBe(N);
    expect(await instant('sum(llm_requests_total{status="failure"})')).toBe(failures.length);
    expect(await instant("sum(litellm_proxy_total_requests_metric_total)")).toBe(N);
    expect(await instant("sum(litellm_proxy_failed_requests_metric_total)")).toBe(failures.length);
    expect(await instant("sum(litellm_requests_metric_total)")).toBe(successes.length);
    expect(await instant('sum(llm_tokens_total{type="prompt"})')).toBe(sum(sent, (p) => p.promptTokens));
    expect(await instant("sum(litellm_output_tokens_metric_total)")).toBe(sum(successes, (p) => p.completionTokens));
    expect(await instant("sum(llm_cost_usd_total)")).toBeCloseTo(sum(sent, (p) => p.cost), 6);
    expect(await instant("sum(litellm_spend_metric_total)")).toBeCloseTo(sum(successes, (p) => p.cost), 6);
    // The late record counts in its own minute, 70 minutes back, not now.
    const lateStart = Number(late().payload.startTime) * 1000;
    expect(await instant("sum(llm_requests_total)", Math.ceil(lateStart / 60_000) * 60_000 + 60_000)).toBe(1);
    // Per model and by exception class, as LiteLLM's dashboards group them.
    const byClass = await fetch(`${stack.url}/api/v1/query?${new URLSearchParams({ query: "sum by (exception_class) (litellm_proxy_failed_requests_metric_total)" })}`, { headers: { authorization: `Bearer ${stack.key}` } });
    const classes = ((await byClass.json()) as { data: { result: Array<{ metric: { exception_class: string }; value: [number, string] }> } }).data.result;
    const expected = new Map<string, number>();
    for (const p of failures) {
      const info = p.payload.error_information as { error_class: string };
      const cls = `${p.provider.charAt(0).toUpperCase()}${p.provider.slice(1)}.${info.error_class}`;
      expected.set(cls, (expected.get(cls) ?? 0) + 1);
    }
    expect(new Map(classes.map((c) => [c.metric.exception_class, Number(c.value[1])]))).toEqual(expected);
  });

  it("latency and TTFT histograms: counts exact, p95 within the bucket of the true p95, increase() over the hour right in a quiet minute", async () => {
    const successes = sent.filter((p) => !p.failed);
    expect(await instant("sum(llm_request_duration_seconds_count)")).toBe(N);
    expect(await instant("sum(litellm_request_total_latency_metric_count)")).toBe(successes.length);
    expect(await instant("sum(litellm_request_total_latency_metric_sum)")).toBeCloseTo(sum(successes, (p) => p.latencyS), 3);
    const streamed = successes.filter((p) => p.payload.stream === true);
    expect(await instant("sum(litellm_llm_api_time_to_first_token_metric_count)")).toBe(streamed.length);
    const lat = sent.map((p) => p.latencyS).sort((a, b) => a - b);
    const p95 = lat[Math.ceil(0.95 * lat.length) - 1];
    const est = await instant("histogram_quantile(0.95, sum by (le) (llm_request_duration_seconds_bucket))");
    const bounds = [0, 0.005, 0.00625, 0.0125, 0.025, 0.05, 0.1, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 5.5, 6, 6.5, 7, 7.5, 8, 8.5, 9, 9.5, 10, 15, 20, 25, 30, 60];
    const upper = bounds.find((b) => b >= p95)!;
    const lower = bounds[bounds.indexOf(upper) - 1];
    expect(est).toBeGreaterThanOrEqual(lower);
    expect(est).toBeLessThanOrEqual(upper);
    // No request in the last 3 minutes, yet the series are there and increase() sees the hour's requests
    // (all but the late one, 70 minutes back). Each series starts at 0, so nothing is extrapolated before
    // its first sample; past its last one Prometheus extrapolates by up to a minute, over at least 3 minutes sampled.
    const inc = await instant("sum(increase(llm_requests_total[1h]))");
    expect(inc).toBeGreaterThanOrEqual(N - 1);
    expect(inc).toBeLessThanOrEqual((N - 1) * (4 / 3));
    // Exact where nothing is extrapolated: the hour's change of the counters themselves.
    expect(await instant("sum(llm_requests_total) - sum(llm_requests_total offset 1h)")).toBe(N - 1);
  });

  it("query_range, series and label values list the derived series", async () => {
    const end = Math.floor(Date.now() / 1000);
    const params = new URLSearchParams({ query: "sum(rate(litellm_proxy_total_requests_metric_total[5m]))", start: String(end - 3600), end: String(end), step: "60" });
    const res = await fetch(`${stack.url}/api/v1/query_range?${params}`, { headers: { authorization: `Bearer ${stack.key}` } });
    const body = (await res.json()) as { data: { result: Array<{ values: Array<[number, string]> }> } };
    expect(body.data.result).toHaveLength(1);
    expect(body.data.result[0].values.length).toBeGreaterThan(40);
    const values = await fetch(`${stack.url}/api/v1/label/model/values?${new URLSearchParams({ "match[]": "llm_requests_total" })}`, { headers: { authorization: `Bearer ${stack.key}` } });
    expect(((await values.json()) as { data: string[] }).data).toEqual([...new Set(sent.map((p) => p.model))].sort());
  });

  it("inferscope trace finds a failing request by id, with its trace", async () => {
    const failing = sent.find((p) => p.failed)!;
    const id = String(failing.payload.id);
    const r = await promisify(execFile)(TSX, ["cli/bin.ts", "trace", id, "--json", "--url", stack.url, "--key", stack.key], { cwd: ROOT, encoding: "utf8" });
    const doc = JSON.parse(r.stdout) as { records: Array<{ request_id: string; status: string; error_class: string; trace_id: string }>; trace: unknown[] };
    expect(doc.records).toHaveLength(1);
    expect(doc.records[0]).toMatchObject({ request_id: id, status: "failure", error_class: (failing.payload.error_information as { error_class: string }).error_class, trace_id: failing.payload.trace_id });
    expect(doc.trace.length).toBeGreaterThanOrEqual(1);
    const text = await promisify(execFile)(TSX, ["cli/bin.ts", "trace", id, "--url", stack.url, "--key", stack.key], { cwd: ROOT, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
    expect(text.stdout).toMatch(/timeline/);
  });

  it("inferscope tail shows a request posted after it started", async () => {
    const child = spawn(TSX, ["cli/bin.ts", "tail", "--json", "--interval", "500ms", "--url", stack.url, "--key", stack.key], { cwd: ROOT });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      await new Promise((r) => setTimeout(r, 3000)); // tsx start and the first poll
      const fresh = litellmPayload(0, 1, { from: Date.now() - 2000, to: Date.now() - 2000, seed: 99, failureRate: 0 });
      expect((await post(JSON.stringify([fresh.payload]))).status).toBe(202);
      await eventually(async () => out.includes(String(fresh.payload.id)), 20_000, "tail to print the new request");
      const line = out.split("\n").find((l) => l.includes(String(fresh.payload.id)))!;
      expect(JSON.parse(line)).toMatchObject({ request_id: fresh.payload.id, model: fresh.model, status: "success" });
    } finally {
      child.kill("SIGINT");
    }
    expect(await exited).toBe(0);
  });
});
