// The load test's output: the live line (redrawn on a terminal, a line every
// 10 s elsewhere, errors by status only for non-2xx) and the summary drawn
// from the JSON report (streams, statuses with the server's message, markers,
// thresholds), from recorded outcomes rather than hand-made numbers.
import { describe, expect, it } from "vitest";
import { palette } from "../../cli/terminal/colour";
import { LiveProgress, progressLine } from "../../cli/loadtest/progress";
import { combined, StreamStats } from "../../cli/loadtest/recorder";
import { ratesOf, renderReport, summariseVisibility, worstQueryable, type LoadtestReport } from "../../cli/loadtest/report";
import { shapeOf } from "../../cli/loadtest/scenarios";
import { evaluate, exitCode } from "../../cli/loadtest/thresholds";

function streams() {
  const rw = new StreamStats("remote_write");
  const logs = new StreamStats("logs");
  for (let i = 0; i < 90; i++) rw.record({ ok: true, status: 204, latencyMs: 10 + i, offered: 100, accepted: 100 });
  for (let i = 0; i < 10; i++) rw.record({ ok: false, status: 429, latencyMs: 5, offered: 100, accepted: 0, error: "HTTP 429: tenant 3 is over its sample rate of 100/s" });
  rw.throttled = 7;
  for (let i = 0; i < 20; i++) logs.record({ ok: true, status: 202, latencyMs: 20, offered: 10, accepted: 10 });
  logs.record({ ok: false, status: 0, latencyMs: 30_000, offered: 10, accepted: 0, error: "no answer within 30s" });
  return [rw, logs];
}

describe("live progress", () => {
  it("shows elapsed/total, load, requests, success, rate, p95, and only failing statuses", () => {
    const total = combined(streams());
    const line = progressLine({ elapsedMs: 4_000, totalMs: 10_000, total, recentRate: 12.5, rateLabel: "req/s", load: "in flight 3/20" });
    expect(line).toBe("4.00s/10.0s  in flight 3/20  reqs 121  ok 90.9%  req/s 12.5/s  p95 94ms  errors 429:10 network:1  dropped 0 throttled 7");
  });

  it("redraws in place on a terminal and writes a plain line every 10 s elsewhere", () => {
    let now = 1_000_000;
    const tty: string[] = [];
    const live = new LiveProgress({ write: (s) => tty.push(s), isTTY: true }, () => now);
    const fig = () => ({ elapsedMs: 0, totalMs: 1000, total: combined([]), recentRate: 0, rateLabel: "req/s", load: "VUs 1/1" });
    live.update(fig);
    now += 100;
    live.update(fig); // within 250 ms: not redrawn
    now += 200;
    live.update(fig);
    live.finish();
    expect(tty).toHaveLength(3);
    expect(tty[0].startsWith("\r\x1b[2K0ms/1.00s  VUs 1/1")).toBe(true);
    expect(tty[2]).toBe("\n");

    const log: string[] = [];
    const plain = new LiveProgress({ write: (s) => log.push(s) }, () => now);
    plain.update(fig);
    now += 9_000;
    plain.update(fig);
    now += 1_000;
    plain.update(fig);
    plain.finish();
    expect(log).toHaveLength(1);
    expect(log[0].endsWith("\n")).toBe(true);
    expect(log[0]).not.toMatch(/\x1b/);
  });
});

describe("summary", () => {
  it("draws the streams, statuses with the server's words, markers and thresholds from the report", () => {
    const s = streams();
    const total = combined(s);
    const markers = [
      { kind: "samples" as const, seq: 1, final: false, ms: 800 },
      { kind: "samples" as const, seq: 2, final: true, ms: 1200 },
      { kind: "logs" as const, seq: 1, final: false, ms: 400 },
      { kind: "logs" as const, seq: 2, final: true, ms: null, error: "not visible within 60s" },
    ];
    const thresholds = evaluate({ maxErrorRate: 0.05 }, { requests: total.requests, errorRate: total.errorRate, p95Ms: total.latencyMs.p95, queryableMs: worstQueryable(markers) });
    const shape = shapeOf("constant", 10_000);
    const report: LoadtestReport = {
      version: 1, target: "ingest", url: "http://127.0.0.1:8787", scenario: "constant", runId: "lt1", startedAt: "2026-01-01T00:00:00.000Z",
      durationMs: 10_000, interrupted: false, plan: { peak: { samplesPerSecond: 1000 }, start: shape.start, stages: shape.stages },
      streams: s.map((x) => x.snapshot()), total, rates: ratesOf(total, 10_000),
      queryable: { summary: summariseVisibility(markers), markers }, thresholds, passed: false, verdict: "FAIL (exit 99)", exitCode: exitCode(thresholds, false),
    };
    expect(report.rates).toEqual({ requests: 12.1, accepted: 920, offered: 1021 });
    expect(worstQueryable(markers)).toBeNull();
    const text = renderReport(report, palette(false));
    const lines = text.split("\n");
    expect(lines[0]).toBe("inferscope loadtest --target ingest: constant, 10.0s against http://127.0.0.1:8787");
    expect(lines[2]).toMatch(/^STREAM\s+REQUESTS\s+ERRORS\s+OFFERED\s+ACCEPTED\s+ACCEPTED\/S\s+DROPPED\s+LATE\s+THROTTLED\s+P50\s+P95\s+P99$/);
    expect(lines[3]).toMatch(/^remote_write\s+100\s+10.0%\s+10,000\s+9,000\s+900\/s\s+0\s+0\s+7\s/);
    expect(lines[5]).toMatch(/^total\s+121\s+9.09%\s+10,210\s+9,200\s+920\/s/);
    expect(text).toMatch(/\n  429\s+10  \(remote_write 10\)  HTTP 429: tenant 3 is over its sample rate of 100\/s\n/);
    expect(text).toMatch(/\n  no answer\s+1  \(logs 1\)  no answer within 30s\n/);
    expect(text).toMatch(/429s were honoured: that stream waited out Retry-After/);
    expect(text).toMatch(/\n  logs     1\/2 markers seen  p50 400ms  max 400ms  after the load -\n  samples  2\/2 markers seen  p50 1.00s  max 1.20s  after the load 1.20s\n  logs marker 2: not visible within 60s\n/);
    expect(text).toMatch(/✗ error rate <= 5.00%: 9.09%\n\nFAIL \(exit 99\)\n$/);
  });
});
