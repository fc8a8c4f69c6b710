// The figures of a probe run, over its successful requests: TTFT, end to end,
// network time, time to first byte and output tokens/s, each as count, mean,
// min, max and quantiles. One quantile method everywhere (cli/commands/stats):
// linear interpolation between the closest ranks, rank = q * (n - 1) — what
// PromQL's quantile_over_time, numpy's default and Excel's PERCENTILE.INC do.
// The median is p50.
import { quantilesOf } from "../commands/stats";
import type { CompletionResult } from "./openai-client";

export interface Dist {
  count: number;
  mean: number | null;
  median: number | null;
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
  min: number | null;
  max: number | null;
}

export const METRICS = ["ttft_ms", "e2e_ms", "network_ms", "ttfb_ms", "tokens_per_second"] as const;
export type Metric = (typeof METRICS)[number];
export const STATS = ["mean", "median", "p50", "p90", "p95", "p99", "min", "max"] as const;
export type Stat = (typeof STATS)[number];

/** For tokens/s more is better; for the times less is. */
export const HIGHER_IS_BETTER: Record<Metric, boolean> = { ttft_ms: false, e2e_ms: false, network_ms: false, ttfb_ms: false, tokens_per_second: true };

export interface RunSummary extends Record<Metric, Dist> {
  requests: number;
  succeeded: number;
  failed: number;
  success_rate: number | null;
  output_tokens: number;
  /** Failures by message, most frequent first. */
  errors: { error: string; status: number; count: number }[];
}

/** One request, as kept in an export. */
export interface Sample {
  ok: boolean;
  status: number;
  error?: string;
  ttft_ms: number | null;
  e2e_ms: number;
  network_ms: number | null;
  ttfb_ms: number | null;
  tokens_per_second: number | null;
  output_tokens: number | null;
}

/** Network time: name lookup, TCP connect and TLS handshake, the part a closer or kept-alive client saves. */
export function networkMs(r: CompletionResult): number | null {
  const t = r.timings;
  if (t.dnsMs === null || t.connectMs === null || t.tlsMs === null) return null;
  return t.dnsMs + t.connectMs + t.tlsMs;
}

export function sampleOf(r: CompletionResult): Sample {
  const s: Sample = {
    ok: r.ok, status: r.status, ttft_ms: r.timings.ttftMs, e2e_ms: r.timings.totalMs, network_ms: networkMs(r),
    ttfb_ms: r.timings.ttfbMs, tokens_per_second: r.outputTokensPerSecond, output_tokens: r.usage.completionTokens,
  };
  if (r.error) s.error = r.error;
  return s;
}

export function dist(values: readonly number[]): Dist {
  const q = quantilesOf(values);
  // A loop, not Math.min(...values): spreading passes every value as an argument,
  // which throws RangeError past the engine's stack (~120k values in V8), and a long
  // throughput run or a merged export gets there.
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return {
    count: values.length, mean: q.mean, median: q.p50, p50: q.p50, p90: q.p90, p95: q.p95, p99: q.p99,
    min: values.length ? min : null, max: values.length ? max : null,
  };
}

export function summarize(samples: readonly Sample[]): RunSummary {
  const ok = samples.filter((s) => s.ok);
  const of = (m: Metric) => dist(ok.map((s) => s[m]).filter((v): v is number => v !== null));
  const errors = new Map<string, { error: string; status: number; count: number }>();
  for (const s of samples) {
    if (s.ok) continue;
    const key = `${s.status} ${s.error}`;
    const e = errors.get(key) ?? { error: s.error ?? "failed", status: s.status, count: 0 };
    e.count++;
    errors.set(key, e);
  }
  return {
    requests: samples.length,
    succeeded: ok.length,
    failed: samples.length - ok.length,
    success_rate: samples.length ? ok.length / samples.length : null,
    ttft_ms: of("ttft_ms"),
    e2e_ms: of("e2e_ms"),
    network_ms: of("network_ms"),
    ttfb_ms: of("ttfb_ms"),
    tokens_per_second: of("tokens_per_second"),
    output_tokens: ok.reduce((n, s) => n + (s.output_tokens ?? 0), 0),
    errors: [...errors.values()].sort((a, b) => b.count - a.count),
  };
}
