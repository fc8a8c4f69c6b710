// What the load test's verdict is made of (issue 10 review): latency, TTFT and
// --max-p95 of successful answers only, so failing fast cannot pass a latency
// threshold; tokens/s of streamed answers; no thresholds, no verdict (smoke's
// default); the export's numeric thresholds and sampled-quantile flags.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadtestCommand } from "../../cli/commands/loadtest";
import { combined, StreamStats } from "../../cli/loadtest/recorder";
import { ratesOf, renderReport, type LoadtestReport } from "../../cli/loadtest/report";
import { shapeOf } from "../../cli/loadtest/scenarios";
import { palette } from "../../cli/terminal/colour";
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

describe("the export's thresholds and sampled quantiles", () => {
  it("gives each threshold its limit and measured value as numbers, in the metric's unit", async () => {
    const r = await loadtest(["--scenario", "constant", "--vus", "1", "--duration", "1s", "--model", "ok", "--stream-share", "1", "--max-error-rate", "2.5%", "--max-p95", "2s", "--max-ttft-p95", "1s", "--json"]);
    const report = JSON.parse(r.out) as LoadtestReport;
    const [err, p95, ttft] = report.thresholds;
    expect(err).toMatchObject({ name: "error rate", unit: "fraction", limitValue: 0.025, actualValue: 0, ok: true });
    expect(p95).toMatchObject({ name: "p95 latency", unit: "ms", limitValue: 2000, actualValue: report.total.latencyMs.p95, ok: true });
    expect(ttft).toMatchObject({ name: "p95 time to first token", unit: "ms", limitValue: 1000, actualValue: report.total.ttftMs.p95 });
    expect(p95.actualValue).toBeGreaterThan(30);
    expect(p95).not.toHaveProperty("approximate");
    expect(report.total.quantilesApproximate).toBe(false);
    const none = evaluate({ maxP95Ms: 100, maxQueryableMs: 5000 }, { requests: 0, errorRate: null, p95Ms: null, queryableMs: null });
    expect(none.map((v) => [v.limitValue, v.actualValue, v.ok])).toEqual([[100, null, false], [5000, null, false]]);
  });

  it("says when latency quantiles are sampled: past 50,000 values of a stream, in the snapshot, the verdict and the summary", () => {
    const exact = new StreamStats("exact");
    const many = new StreamStats("many");
    for (let i = 0; i < 50_000; i++) exact.record({ ok: true, status: 200, latencyMs: 10, offered: 1, accepted: 1 });
    for (let i = 0; i < 50_001; i++) many.record({ ok: true, status: 200, latencyMs: i % 100, offered: 1, accepted: 1 });
    expect(exact.snapshot().quantilesApproximate).toBe(false);
    expect(many.snapshot().quantilesApproximate).toBe(true);
    expect(combined([exact]).quantilesApproximate).toBe(false);
    const total = combined([exact, many]);
    expect(total.quantilesApproximate).toBe(true);
    const thresholds = evaluate({ maxP95Ms: 1000 }, { requests: total.requests, approximate: total.quantilesApproximate, errorRate: total.errorRate, p95Ms: total.latencyMs.p95 });
    expect(thresholds[0]).toMatchObject({ approximate: true, ok: true });
    const shape = shapeOf("soak", 60_000);
    const report: LoadtestReport = {
      version: 1, target: "openai", url: "http://127.0.0.1:8000/v1", scenario: "soak", runId: "lt1", startedAt: "2026-01-01T00:00:00.000Z",
      durationMs: 60_000, interrupted: false, plan: { peak: { vus: 10 }, start: shape.start, stages: shape.stages },
      streams: [exact.snapshot(), many.snapshot()], total, rates: ratesOf(total, 60_000), thresholds, passed: true, verdict: "PASS", exitCode: 0,
    };
    const text = renderReport(report, palette(false));
    expect(text).toMatch(/\nlatency quantiles are approximate \(many\): past 50,000 values per stream they come from a uniform sample of 50,000\n/);
    expect(text).toMatch(/✓ p95 latency <= 1000ms: \d+ms \(approximate: sampled\)\n/);
  });
});
