// loadtest --target openai --report-to against the local stack (workers in
// workerd, real Postgres): every request of the load arrives as a request log
// tagged synthetic and loadtest, searchable at once (?tag=synthetic); a
// reporting failure is one stderr line and leaves the exit code alone.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadtestCommand } from "../../cli/commands/loadtest";
import { startReport } from "../../cli/loadtest/openai-report";
import type { CompletionResult } from "../../cli/probe/openai-client";
import type { LoadtestReport } from "../../cli/loadtest/report";
import type { RequestSearchData } from "../../shared/contracts/log-api";
import { startOpenAiFixture, type OpenAiFixture } from "../helpers/openai-fixture";
import { eventually, startTestStack, type TestStack } from "../helpers/stack";
import { captureIo } from "./fake-api";

let stack: TestStack;
let fx: OpenAiFixture;

beforeAll(async () => {
  stack = await startTestStack();
  // Slow enough that a 1 s run stays well under one search page (100 records).
  fx = await startOpenAiFixture({ models: { "lt-ok": { firstTokenMs: 40, tokensPerSecond: 200, outputTokens: 4 }, "lt-down": { failWith: 503 } }, seed: 3 });
}, 180_000);
afterAll(async () => {
  await fx?.close();
  await stack?.close();
});

async function loadtest(args: string[]) {
  const cap = captureIo({ env: {} });
  const code = await loadtestCommand(["--target", "openai", "--endpoint", fx.url, "--scenario", "smoke", "--duration", "1s", "--json", ...args], cap.io);
  return { code, report: JSON.parse(cap.out()) as LoadtestReport, err: cap.err() };
}

describe("loadtest --target openai --report-to", () => {
  it("sends every request as a synthetic request log, searchable by tag, and says so on stderr", async () => {
    const r = await loadtest(["--vus", "2", "--models", "lt-ok=1,lt-down=1", "--report-to", stack.url, "--key", stack.key]);
    // lt-down answers 503: no threshold was given, so smoke's default --max-error-rate 0 fails.
    expect(r.code).toBe(99);
    expect(r.report.thresholds).toEqual([expect.objectContaining({ name: "error rate", ok: false, note: "smoke's default; any threshold flag replaces it" })]);
    const n = r.report.total.requests;
    expect(n).toBeGreaterThan(4);
    expect(n).toBeLessThan(100);
    expect(r.report.reported).toMatchObject({ url: stack.url, sent: n, failed: 0, problem: null });
    const run = r.report.reported!.run;
    expect(r.err).toContain(`  each request also reported to ${stack.url} (request logs tagged synthetic, loadtest)\n`);
    expect(r.err).toMatch(new RegExp(`\\nreported ${n} synthetic request log\\(s\\) to ${stack.url} \\(tags synthetic, loadtest; attributes\\.loadtest_run ${run}\\)\\n$`));

    const records = await eventually(async () => {
      const res = await fetch(`${stack.url}/api/v1/requests?${new URLSearchParams({ tag: "synthetic", start: String(Math.floor(Date.now() / 1000) - 600) })}`, { headers: { authorization: `Bearer ${stack.key}` } });
      const d = ((await res.json()) as { data: RequestSearchData }).data;
      const mine = d.records.filter((x) => x.attributes.loadtest_run === run);
      return mine.length === n ? mine : null;
    }, 30_000, `the run's ${n} records searchable by tag`);
    for (const x of records) {
      expect(x.tags).toEqual(["synthetic", "loadtest"]);
      expect(x.request_id).toMatch(new RegExp(`^loadtest-${run}-\\d+$`));
      expect(x.attributes).toMatchObject({ synthetic: true, probe_source: "loadtest smoke", loadtest_run: run });
      expect(x.attributes).not.toHaveProperty("probe_run");
      expect(x.api_base).toBe(fx.url);
    }
    // What the report counted per model and status is what was stored.
    const count = (model: string, status: string) => records.filter((x) => x.model === model && x.status === status).length;
    const ok = r.report.streams.find((s) => s.name === "lt-ok")!;
    const down = r.report.streams.find((s) => s.name === "lt-down")!;
    expect(count("lt-ok", "success")).toBe(ok.ok);
    expect(count("lt-down", "failure")).toBe(down.requests);
    expect(records.find((x) => x.model === "lt-down")).toMatchObject({ http_status: 503, requested_model: "lt-down" });
  }, 60_000);

  it("says why reporting failed and keeps the run's exit code", async () => {
    const unreachable = await loadtest(["--vus", "1", "--model", "lt-ok", "--report-to", "http://127.0.0.1:9", "--key", "k", "--max-error-rate", "0"]);
    expect(unreachable.code).toBe(0);
    expect(unreachable.report.reported).toMatchObject({ sent: 0, failed: unreachable.report.total.requests });
    expect(unreachable.err).toMatch(/\nreporting to http:\/\/127\.0\.0\.1:9 failed for \d+ of \d+ record\(s\): cannot reach http:\/\/127\.0\.0\.1:9: .+ \(the load test's results and exit code are unaffected\)\n$/);
    // A threshold that fails still exits 99, whatever reporting did.
    const wrongKey = await loadtest(["--vus", "1", "--model", "lt-down", "--report-to", stack.url, "--key", "not-a-key", "--max-error-rate", "0"]);
    expect(wrongKey.code).toBe(99);
    expect(wrongKey.err).toMatch(/failed for \d+ of \d+ record\(s\): POST \/v1\/logs: HTTP 401: .* \(--key needs the ingest scope\) \(the load test's/);
  });

  it("refuses a bad --report-to or a --key without it before sending anything", async () => {
    fx.reset();
    const run = (args: string[]) => loadtestCommand(["--target", "openai", "--endpoint", fx.url, "--model", "lt-ok", ...args], captureIo({ env: {} }).io);
    await expect(run(["--report-to", "127.0.0.1:8787", "--key", "k"])).rejects.toThrow('--report-to takes the http(s) URL of an Inferscope, such as http://127.0.0.1:8787 (not "127.0.0.1:8787")');
    await expect(run(["--report-to", stack.url])).rejects.toThrow(/no API key: pass --key or set INFERSCOPE_API_KEY \(an API key with the ingest scope\)/);
    await expect(run(["--key", "k"])).rejects.toThrow("--key is the Inferscope ingest key for --report-to; the endpoint's key is --api-key");
    await expect(run(["--url", stack.url])).rejects.toThrow(/--url is for --target ingest; .* \(and --report-to URL to report to an Inferscope\)/);
    await expect(loadtestCommand(["--target", "ingest", "--url", stack.url, "--key", stack.key, "--report-to", stack.url], captureIo().io)).rejects.toThrow(/--report-to is for --target openai/);
    expect(fx.received).toEqual([]);
  });
});

describe("startReport (the probe's Reporter under loadtest's name)", () => {
  it("tags records synthetic, loadtest (no probe), ids loadtest-<run>-<n>, attributes.loadtest_run, and skips aborts", async () => {
    const posts: { key: string; logs: { request_id: string; tags: string[]; attributes: Record<string, unknown> }[] }[] = [];
    const fetchImpl = (async (_url: string, init: RequestInit) => {
      posts.push({ key: (init.headers as Record<string, string>)["idempotency-key"], logs: JSON.parse(String(init.body)).logs });
      return new Response("{}", { status: 202 });
    }) as unknown as typeof fetch;
    const result = (errorKind?: CompletionResult["errorKind"]): CompletionResult => ({
      ok: !errorKind, status: errorKind ? 0 : 200, ...(errorKind && { error: "x", errorKind }),
      timings: { dnsMs: 0, connectMs: 1, tlsMs: 0, ttfbMs: 2, ttftMs: 3, totalMs: 9 },
      usage: { promptTokens: 1, completionTokens: 2, totalTokens: 3 }, usageSource: "reported", outputTokensPerSecond: 50,
      model: "m", stream: false, reusedConnection: true, startedAt: 1_767_225_600_000,
    });
    const rep = startReport({ url: "http://inferscope.test", key: "k", scope: "ingest" }, "http://127.0.0.1:1/v1", "smoke", "ltabc", fetchImpl);
    rep.add(result(), "m");
    rep.add(result("aborted"), "m");
    rep.add(result("timeout"), "m");
    const o = await rep.close();
    expect(o).toEqual({ url: "http://inferscope.test", sent: 2, failed: 0, problem: null, run: "ltabc" });
    expect(posts).toHaveLength(1);
    expect(posts[0].key).toMatch(/^loadtest-ltabc-b\d+$/);
    expect(posts[0].logs.map((l) => l.request_id)).toEqual(["loadtest-ltabc-0", "loadtest-ltabc-1"]);
    for (const l of posts[0].logs) {
      expect(l.tags).toEqual(["synthetic", "loadtest"]);
      expect(l.attributes).toMatchObject({ loadtest_run: "ltabc", probe_source: "loadtest smoke", synthetic: true });
      expect(l.attributes).not.toHaveProperty("probe_run");
    }
  });
});
