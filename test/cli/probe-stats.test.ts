// The probe's distributions (cli/probe/stats.ts): min and max over runs far
// longer than an argument list can hold, and the figures of a summary.
import { describe, expect, it } from "vitest";
import { dist, summarize, type Sample } from "../../cli/probe/stats";

describe("dist", () => {
  it("takes 300k values (more than Math.min(...values) can) and gets min, max and the quantiles right", () => {
    const n = 300_000;
    // 1..n shuffled by a fixed stride (coprime with n), so the extremes are not at the ends.
    const values = Array.from({ length: n }, (_, i) => ((i * 7919) % n) + 1);
    const d = dist(values);
    expect(d).toMatchObject({ count: n, min: 1, max: n, p50: (n + 1) / 2, mean: (n + 1) / 2 });
    expect(d.p99).toBeCloseTo(1 + 0.99 * (n - 1), 6);
  });

  it("is all null for no values, and one value is every statistic", () => {
    expect(dist([])).toEqual({ count: 0, mean: null, median: null, p50: null, p90: null, p95: null, p99: null, min: null, max: null });
    expect(dist([-3])).toMatchObject({ count: 1, min: -3, max: -3, p50: -3, p99: -3 });
  });

  it("summarizes a run of 200k samples", () => {
    const sample = (i: number): Sample => ({ ok: i % 10 !== 0, status: i % 10 ? 200 : 500, error: i % 10 ? undefined : "HTTP 500: boom", ttft_ms: i % 1000, e2e_ms: 10 + (i % 1000), network_ms: 0, ttfb_ms: 5, tokens_per_second: 100, output_tokens: 2 });
    const s = summarize(Array.from({ length: 200_000 }, (_, i) => sample(i)));
    expect(s).toMatchObject({ requests: 200_000, succeeded: 180_000, failed: 20_000, success_rate: 0.9, output_tokens: 360_000 });
    expect(s.e2e_ms).toMatchObject({ count: 180_000, min: 11, max: 1009 });
    expect(s.errors).toEqual([{ error: "HTTP 500: boom", status: 500, count: 20_000 }]);
  });
});
