// What the load test's verdict is made of (issue 10 review): latency, TTFT and
// --max-p95 of successful answers only, so failing fast cannot pass a latency
// threshold.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadtestCommand } from "../../cli/commands/loadtest";
import { combined, StreamStats } from "../../cli/loadtest/recorder";
import type { LoadtestReport } from "../../cli/loadtest/report";
import { evaluate } from "../../cli/loadtest/thresholds";
import { startOpenAiFixture, type OpenAiFixture } from "../helpers/openai-fixture";
import { captureIo } from "./fake-api";

let fixture: OpenAiFixture;
beforeAll(async () => {
  fixture = await startOpenAiFixture({ models: { down: { failWith: 503 }, ok: { firstTokenMs: 30, tokensPerSecond: 200, outputTokens: 5 } }, seed: 5 });
});
afterAll(async () => {
  await fixture?.close();
});

async function loadtest(args: string[]) {
  const cap = captureIo();
  const code = await loadtestCommand(["--target", "openai", "--endpoint", fixture.url, ...args], cap.io);
  return { code, out: cap.out(), err: cap.err() };
}

describe("latency of successful answers", () => {
  it("leaves failed requests out of latency and TTFT, and keeps every request's latency apart", () => {
    const s = new StreamStats("m");
    for (let i = 0; i < 80; i++) s.record({ ok: false, status: 503, latencyMs: 1, offered: 1, accepted: 0, ttftMs: 1, error: "HTTP 503" });
    for (let i = 0; i < 20; i++) s.record({ ok: true, status: 200, latencyMs: 500, offered: 1, accepted: 1, ttftMs: 100 });
    const snap = s.snapshot();
    expect(snap.latencyMs.p95).toBe(500);
    expect(snap.latencyMs.p50).toBe(500);
    expect(snap.ttftMs.p50).toBe(100);
    expect(snap.latencyAllMs.p50).toBe(1);
    expect(combined([s]).latencyMs.p95).toBe(500);
    expect(combined([s]).latencyAllMs.p50).toBe(1);
    const [v] = evaluate({ maxP95Ms: 100 }, { requests: 100, errorRate: 0.8, p95Ms: combined([s]).latencyMs.p95 });
    expect(v.ok).toBe(false);
  });

  it("an endpoint answering only 503s fails --max-p95: there is no successful answer to measure", async () => {
    fixture.reset();
    const r = await loadtest(["--scenario", "constant", "--vus", "2", "--duration", "1s", "--model", "down", "--max-p95", "100ms", "--json"]);
    expect(r.code).toBe(99);
    const report = JSON.parse(r.out) as LoadtestReport;
    expect(report.total.requests).toBeGreaterThan(0);
    expect(report.total.byStatus).toEqual({ "503": fixture.counts().down[503] });
    expect(report.total.latencyMs.p95).toBeNull();
    expect(report.total.latencyAllMs.p95).not.toBeNull();
    expect(report.thresholds[0]).toMatchObject({ name: "p95 latency", ok: false, actual: "no successful answers" });
  });
});

describe("tokens per second", () => {
  it("is the decode rate of streamed answers only: none without streaming, the fixture's rate with it", async () => {
    const plain = JSON.parse((await loadtest(["--vus", "1", "--duration", "1s", "--model", "ok", "--stream-share", "0", "--json"])).out) as LoadtestReport;
    expect(plain.total.ok).toBeGreaterThan(0);
    expect(plain.total.tokensPerSecond.p50).toBeNull();
    const streamed = JSON.parse((await loadtest(["--vus", "1", "--duration", "1s", "--model", "ok", "--stream-share", "1", "--json"])).out) as LoadtestReport;
    // 5 tokens, 4 gaps at 200/s: 200 tokens/s between the first and the last.
    expect(streamed.total.tokensPerSecond.p50).toBeGreaterThan(200 * 0.6);
    expect(streamed.total.tokensPerSecond.p50).toBeLessThan(200 * 1.15);
  });
});

describe("no thresholds, no verdict", () => {
  it("says so in the summary and the JSON (passed null, exit 0) instead of looking like a pass at 100% errors", async () => {
    const r = await loadtest(["--scenario", "constant", "--vus", "1", "--duration", "1s", "--model", "down"]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/\nno thresholds given: no verdict \(exit 0\)\n$/);
    expect(r.out).not.toMatch(/PASS/);
    const j = await loadtest(["--scenario", "constant", "--vus", "1", "--duration", "1s", "--model", "down", "--json"]);
    const report = JSON.parse(j.out) as LoadtestReport;
    expect(report.total.errorRate).toBe(1);
    expect(report).toMatchObject({ thresholds: [], passed: null, verdict: "no thresholds given: no verdict (exit 0)", exitCode: 0 });
  });

  it("smoke applies --max-error-rate 0 unless a threshold is given, and says it is the default", async () => {
    const smoke = await loadtest(["--scenario", "smoke", "--vus", "1", "--duration", "1s", "--model", "down"]);
    expect(smoke.code).toBe(99);
    expect(smoke.out).toMatch(/✗ error rate <= 0.00%: 100.00% \(smoke's default; any threshold flag replaces it\)\n\nFAIL \(exit 99\)\n$/);
    const good = await loadtest(["--scenario", "smoke", "--vus", "1", "--duration", "1s", "--model", "ok"]);
    expect(good.code).toBe(0);
    expect(good.out).toMatch(/✓ error rate <= 0.00%: 0.00% \(smoke's default/);
    // Any threshold of the user's replaces the default: here only p95 is judged.
    const own = JSON.parse((await loadtest(["--scenario", "smoke", "--vus", "1", "--duration", "1s", "--model", "ok", "--max-p95", "10s", "--json"])).out) as LoadtestReport;
    expect(own.thresholds.map((v) => v.name)).toEqual(["p95 latency"]);
    expect(own.passed).toBe(true);
  });
});
