// inferscope loadtest --target openai against the OpenAI-compatible fixture:
// the figures it prints are within tolerance of what the fixture is set to
// (latency, TTFT, error rate, model mix, streamed share), the request counts
// are the fixture's own, thresholds set exit 99, Ctrl-C prints the summary so
// far, usage errors are refused before anything is sent.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadtestCommand } from "../../cli/commands/loadtest";
import type { LoadtestReport } from "../../cli/loadtest/report";
import { startOpenAiFixture, type OpenAiFixture } from "../helpers/openai-fixture";
import { captureIo } from "./fake-api";

// a: 40 ms to the first token, then 19 more at 200/s: 135 ms end to end; 20% answered 500 at once.
// b: 10 ms to the first token, 9 more at 500/s: 28 ms; no failures.
const A = { firstTokenMs: 40, tokensPerSecond: 200, outputTokens: 20, errorRate: 0.2 };
const B = { firstTokenMs: 10, tokensPerSecond: 500, outputTokens: 10 };
const A_TOTAL = 40 + 19 * 5;
const B_TOTAL = 10 + 9 * 2;

let fixture: OpenAiFixture;
beforeAll(async () => {
  fixture = await startOpenAiFixture({ models: { a: A, b: B, limited: { firstTokenMs: 5, outputTokens: 2, rateLimitRate: 1, retryAfterS: 1 } }, seed: 7 });
});
afterAll(async () => {
  await fixture?.close();
});

async function loadtest(args: string[], opts: { signal?: AbortSignal } = {}) {
  const cap = captureIo(opts);
  const code = await loadtestCommand(["--target", "openai", "--endpoint", fixture.url, ...args], cap.io);
  return { code, out: cap.out(), err: cap.err() };
}

const within = (actual: number | null, expected: number, lo: number, hi: number) => {
  expect(actual).not.toBeNull();
  expect(actual!).toBeGreaterThanOrEqual(expected * lo);
  expect(actual!).toBeLessThanOrEqual(expected * hi);
};

describe("inferscope loadtest --target openai", () => {
  it("reports latency, TTFT, error rate and the mix within tolerance of the fixture, and the fixture's own counts", async () => {
    fixture.reset();
    const dir = mkdtempSync(join(tmpdir(), "loadtest-"));
    const r = await loadtest(["--scenario", "constant", "--vus", "4", "--duration", "3s", "--models", "a=3,b=1", "--stream-share", "0.5", "--json", "--export", join(dir, "run.json")]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as LoadtestReport;
    expect(JSON.parse(readFileSync(join(dir, "run.json"), "utf8"))).toEqual(report);
    expect(r.err).toMatch(/^scenario constant: the peak from start to end\n\s+0ms → 3.00s\s+hold\s+4 VUs\n\s+models: a 75%, b 25%; 50% streamed; max_tokens 64\n/);

    const counts = fixture.counts();
    const a = report.streams.find((s) => s.name === "a")!;
    const b = report.streams.find((s) => s.name === "b")!;
    // Every request the fixture answered is in the report, under the status it was answered with.
    expect(a.byStatus).toEqual(Object.fromEntries(Object.entries(counts.a).map(([k, v]) => [k, v])));
    expect(b.byStatus).toEqual(Object.fromEntries(Object.entries(counts.b).map(([k, v]) => [k, v])));
    expect(report.total.requests).toBe(fixture.received.filter((x) => x.path === "/v1/chat/completions").length);
    expect(report.total.interrupted).toBe(0);
    // 4 users for 3 s of ~100 ms requests: well over a hundred.
    expect(report.total.requests).toBeGreaterThan(100);

    // a's error rate is the fixture's 20%.
    expect(a.errorRate!).toBeGreaterThan(0.1);
    expect(a.errorRate!).toBeLessThan(0.3);
    expect(b.errorRate).toBe(0);
    within(b.latencyMs.p50, B_TOTAL, 0.9, 2.5);
    within(b.ttftMs.p50, B.firstTokenMs, 0.9, 3);
    // a's median is a success (80% of them): end to end 135 ms, first token at 40 ms.
    within(a.latencyMs.p50, A_TOTAL, 0.9, 1.7);
    within(a.ttftMs.p50, A.firstTokenMs, 0.9, 1.8);
    within(a.tokensPerSecond.p50, A.tokensPerSecond, 0.6, 1.15);
    // Output tokens: every success carries the fixture's count.
    expect(a.outputTokens).toBe(a.ok * A.outputTokens);
    expect(b.outputTokens).toBe(b.ok * B.outputTokens);

    // Streamed share: half, as asked, on what the fixture received.
    const streamed = fixture.received.filter((x) => x.stream).length / fixture.received.length;
    expect(streamed).toBeGreaterThan(0.35);
    expect(streamed).toBeLessThan(0.65);
    // The mix is drawn per request: with a=3,b=1, b gets about a quarter of them, however fast it answers.
    const shareB = b.requests / report.total.requests;
    expect(shareB).toBeGreaterThan(0.15);
    expect(shareB).toBeLessThan(0.35);
    expect(report.rates.requests).toBeCloseTo(report.total.requests / (report.durationMs / 1000), 5);
  });

  it("exits 99 when a threshold fails and says which, 0 when they hold", async () => {
    const fail = await loadtest(["--scenario", "smoke", "--vus", "2", "--duration", "1s", "--model", "a", "--max-error-rate", "5%", "--max-p95", "10s"]);
    expect(fail.code).toBe(99);
    expect(fail.out).toMatch(/✗ error rate <= 5.00%: \d+\.\d\d%/);
    expect(fail.out).toMatch(/✓ p95 latency <= 10000ms: \d+ms/);
    expect(fail.out).toMatch(/FAIL \(exit 99\)/);
    expect(fail.out).toMatch(/500\s+\d+\s+\(a \d+\)\s+HTTP 500: The server had an error/);

    const slow = await loadtest(["--scenario", "smoke", "--vus", "2", "--duration", "1s", "--model", "b", "--max-p95", "5ms"]);
    expect(slow.code).toBe(99);
    expect(slow.out).toMatch(/✗ p95 latency <= 5ms/);

    const ttft = await loadtest(["--scenario", "smoke", "--vus", "2", "--duration", "1s", "--model", "b", "--stream-share", "100%", "--max-ttft-p95", "1ms", "--max-p95", "2s"]);
    expect(ttft.code).toBe(99);
    expect(ttft.out).toMatch(/✗ p95 time to first token <= 1ms: \d+ms\n/);
    expect(ttft.out).toMatch(/✓ p95 latency <= 2000ms/);
    const noStream = await loadtest(["--scenario", "smoke", "--vus", "1", "--duration", "1s", "--model", "b", "--stream-share", "0", "--max-ttft-p95", "1s"]);
    expect(noStream.code).toBe(99);
    expect(noStream.out).toMatch(/✗ p95 time to first token <= 1000ms: no successful streamed answers/);

    const pass = await loadtest(["--scenario", "smoke", "--vus", "2", "--duration", "1s", "--model", "b", "--max-error-rate", "0", "--max-p95", "2s", "--max-ttft-p95", "1s"]);
    expect(pass.code).toBe(0);
    expect(pass.out).toMatch(/PASS/);
  });

  it("counts 429s under their status and waits out Retry-After before that user's next request", async () => {
    fixture.reset();
    const r = await loadtest(["--scenario", "constant", "--vus", "2", "--duration", "2s500ms", "--model", "limited", "--json"]);
    const report = JSON.parse(r.out) as LoadtestReport;
    // Retry-After 1 s: each of the 2 users sends at 0, ~1 s and ~2 s.
    expect(report.total.byStatus).toEqual({ "429": fixture.counts().limited[429] });
    expect(report.total.requests).toBeGreaterThanOrEqual(4);
    expect(report.total.requests).toBeLessThanOrEqual(6);
    expect(report.total.errorRate).toBe(1);
  });

  it("on Ctrl-C stops, prints the summary so far and exits 130", async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 700);
    const started = Date.now();
    const r = await loadtest(["--scenario", "constant", "--vus", "3", "--duration", "30s", "--model", "b"], { signal: ac.signal });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(r.code).toBe(130);
    expect(r.out).toMatch(/interrupted: the summary so far/);
    expect(r.out).toMatch(/^b\s+\d+\s+0%/m);
  });

  it("as a process: Ctrl-C (SIGINT) stops the run, prints the summary so far, exits 130", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "cli/bin.ts", "loadtest", "--target", "openai", "--endpoint", fixture.url, "--model", "b", "--vus", "2", "--duration", "60s"], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => {
      err += d;
      if (/models: b 100%/.test(err)) setTimeout(() => child.kill("SIGINT"), 500);
    });
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    expect(err).toMatch(/^scenario smoke: /);
    expect(code).toBe(130);
    expect(out).toMatch(/--target openai: smoke, .* \(interrupted: the summary so far\)/);
    expect(out).toMatch(/^b\s+[1-9][\d,]*\s+0%/m);
  });

  it("refuses what it must not or cannot do before sending anything", async () => {
    fixture.reset();
    await expect(loadtest(["--model", "b", "--endpoint", "http://10.255.255.1:8000/v1"])).rejects.toThrow(/refusing to load-test 10.255.255.1: loadtest only targets loopback by default; pass --allow-remote/);
    await expect(loadtest(["--model", "b", "--vus", "5000"])).rejects.toThrow(/--vus takes a whole number from 1 to 1,000 \(not "5000"\)/);
    await expect(loadtest(["--model", "b", "--duration", "7h"])).rejects.toThrow(/--duration must be from 1s to 6h/);
    await expect(loadtest(["--model", "b", "--rate", "10"])).rejects.toThrow(/--rate is for --target ingest/);
    await expect(loadtest(["--model", "b", "--stream-share", "2"])).rejects.toThrow(/--stream-share takes a fraction from 0 to 1 or a percentage .* \(not "2"; for 2 percent write 2%\)/);
    await expect(loadtest(["--model", "b", "--max-queryable", "5s"])).rejects.toThrow(/--max-queryable is for --target ingest/);
    await expect(loadtestCommand(["--scenario", "smoke"], captureIo().io)).rejects.toThrow(/--target is required: openai or ingest/);
    expect(fixture.received).toEqual([]);
  });

  it("without --model, loads the first model the server lists", async () => {
    const r = await loadtest(["--vus", "1", "--duration", "1s", "--json"]);
    const report = JSON.parse(r.out) as LoadtestReport;
    expect(report.streams.map((s) => s.name)).toEqual(["a"]);
  });
});
