// --report-to against the local stack (workers in workerd, real Postgres): each
// probe request arrives as a request log tagged synthetic, searchable through
// the log API and counted in llm_requests_total; a reporting failure is said
// on stderr and does not change the probe's exit code.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probeCommand } from "../../cli/commands/probe";
import type { RequestLogView, RequestSearchData } from "../../shared/contracts/log-api";
import { startOpenAiFixture, type OpenAiFixture } from "../helpers/openai-fixture";
import { eventually, startTestStack, type TestStack } from "../helpers/stack";
import { captureIo } from "./fake-api";

let stack: TestStack;
let fx: OpenAiFixture;

beforeAll(async () => {
  stack = await startTestStack();
  fx = await startOpenAiFixture({ models: { "probe-a": { firstTokenMs: 20, tokensPerSecond: 500, outputTokens: 5 }, "probe-down": { failWith: 503 } } });
}, 180_000);
afterAll(async () => {
  await fx?.close();
  await stack?.close();
});

async function probe(args: string[]) {
  const cap = captureIo({ env: {} });
  const code = await probeCommand(args, cap.io);
  return { code, out: cap.out(), err: cap.err() };
}

async function api<T>(path: string, params: Record<string, string>): Promise<T> {
  const res = await fetch(`${stack.url}${path}?${new URLSearchParams(params)}`, { headers: { authorization: `Bearer ${stack.key}` } });
  const body = (await res.json()) as { status: string; data: T; error?: string };
  if (body.status !== "success") throw new Error(`${path}: ${body.error}`);
  return body.data;
}

// Derived counters are per-minute rollups stamped at the minute's end: ask at the end of the next minute, not wait for it.
const instant = async (query: string) => {
  const time = String(Math.ceil(Date.now() / 60_000) * 60 + 60);
  const d = await api<{ result: { value: [number, string] }[] }>("/api/v1/query", { query, time });
  return d.result.length === 1 ? Number(d.result[0].value[1]) : null;
};

describe("probe --report-to", () => {
  it("sends every probe request as a synthetic request log, searchable and counted", async () => {
    const report = ["--report-to", stack.url, "--key", stack.key];
    const latency = await probe(["latency", "--endpoint", fx.url, "--model", "probe-a", "--iterations", "4", "--warmup", "1", ...report]);
    expect(latency.code).toBe(0);
    expect(latency.err).toBe(`reported 5 synthetic request log(s) to ${stack.url}\n`);
    const all = await probe(["request", "--endpoint", fx.url, "--all-models", ...report]);
    expect(all.code).toBe(1);
    expect(all.err).toBe(`reported 2 synthetic request log(s) to ${stack.url}\n`);

    const found = await eventually(async () => {
      const d = await api<RequestSearchData>("/api/v1/requests", { tag: "synthetic", start: String(Math.floor(Date.now() / 1000) - 600) });
      return d.records.length === 7 ? d.records : null;
    }, 30_000, "7 synthetic records searchable");
    const byModel = (m: string) => found.filter((r) => r.model === m);
    expect(byModel("probe-a")).toHaveLength(6);
    const down = byModel("probe-down") as RequestLogView[];
    expect(down).toHaveLength(1);
    expect(down[0]).toMatchObject({ status: "failure", http_status: 503, provider: fx.origin.replace("http://", ""), stream: true });
    expect(down[0].error_message).toMatch(/^HTTP 503: model probe-down is failing/);
    expect(found.filter((r) => r.tags.includes("warmup"))).toHaveLength(1);
    const fromLatency = found.filter((r) => r.attributes.probe_source === "probe latency");
    expect(fromLatency).toHaveLength(5);
    const measured = fromLatency.find((r) => !r.tags.includes("warmup"))!;
    expect(measured.tags).toEqual(["synthetic", "probe"]);
    expect(measured.ttft_ms).toBeGreaterThanOrEqual(19);
    expect(measured).toMatchObject({ output_tokens: 5, api_base: fx.url, environment: "synthetic", attributes: { synthetic: true, probe_source: "probe latency" } });
    expect(found.every((r) => r.environment === "synthetic")).toBe(true);
    // The probe's run id groups a run's records.
    expect(new Set(fromLatency.map((r) => r.attributes.probe_run)).size).toBe(1);
    expect(new Set(found.map((r) => r.attributes.probe_run)).size).toBe(2);

    // Searchable at once; the derived counters follow the log rollups (about 40 s on this stack).
    await eventually(async () => (await instant('sum(llm_requests_total{model=~"probe-.*"})')) === 7, 120_000, "llm_requests_total counts the 7 requests");
    expect(await instant('sum(llm_requests_total{model="probe-down", status="failure"})')).toBe(1);
    // environment is a rollup dimension: a dashboard leaves probe traffic out with environment!="synthetic".
    expect(await instant('sum(llm_requests_total{model=~"probe-.*", environment="synthetic"})')).toBe(7);
  }, 180_000);

  it("--environment names the records' environment instead", async () => {
    const r = await probe(["request", "--endpoint", fx.url, "--model", "probe-a", "--prompt", "env check", "--report-to", stack.url, "--key", stack.key, "--environment", "canary"]);
    expect(r.code).toBe(0);
    const rec = await eventually(async () => {
      const d = await api<RequestSearchData>("/api/v1/requests", { tag: "synthetic", start: String(Math.floor(Date.now() / 1000) - 600) });
      return d.records.find((x) => x.environment === "canary") ?? null;
    }, 30_000, "the canary record");
    expect(rec).toMatchObject({ model: "probe-a", tags: ["synthetic", "probe"] });
  });

  it("reports a comparison's targets as one run", async () => {
    const r = await probe(["compare", "--endpoint", fx.url, "--models", "probe-a,probe-down", "--iterations", "2", "--warmup", "0", "--report-to", stack.url, "--key", stack.key]);
    expect(r.code).toBe(1); // probe-down answered nothing
    expect(r.err).toBe(`reported 4 synthetic request log(s) to ${stack.url}\n`);
    const records = await eventually(async () => {
      const d = await api<RequestSearchData>("/api/v1/requests", { tag: "synthetic", start: String(Math.floor(Date.now() / 1000) - 600) });
      const mine = d.records.filter((x) => x.attributes.probe_source === "probe compare");
      return mine.length === 4 ? mine : null;
    }, 30_000, "the comparison's 4 records");
    expect(new Set(records.map((x) => x.attributes.probe_run)).size).toBe(1);
    expect(records.map((x) => x.status).sort()).toEqual(["failure", "failure", "success", "success"]);
  });

  it("says when reporting fails, and the probe's own result stands", async () => {
    const closed = await probe(["request", "--endpoint", fx.url, "--model", "probe-a", "--report-to", "http://127.0.0.1:9", "--key", "k"]);
    expect(closed.code).toBe(0);
    expect(closed.err).toMatch(/^reporting to http:\/\/127\.0\.0\.1:9 failed for 1 of 1 record\(s\): cannot reach http:\/\/127\.0\.0\.1:9: .+ \(the probe's own results are unaffected\)\n$/);
    const wrongKey = await probe(["request", "--endpoint", fx.url, "--model", "probe-a", "--report-to", stack.url, "--key", "not-a-key"]);
    expect(wrongKey.code).toBe(0);
    expect(wrongKey.err).toMatch(/failed for 1 of 1 record\(s\): POST \/v1\/logs: HTTP 401: .* \(--key needs the ingest scope\)/);
    const queryOnly = await stack.tenantWithKey(`probe-query-${process.pid}`, ["query"]);
    const forbidden = await probe(["request", "--endpoint", fx.url, "--model", "probe-a", "--report-to", stack.url, "--key", queryOnly.key]);
    expect(forbidden.err).toMatch(/POST \/v1\/logs: HTTP 403: .* \(--key needs the ingest scope\)/);
  });
});
