// Pass/fail criteria (k6's thresholds) and the exit codes they set. Like k6,
// a failed threshold exits 99, distinct from a usage error (2, the CLI's code
// for anything the user must fix) and from a crash (1); a run cut short by
// Ctrl-C exits 130 unless a threshold already failed. With no threshold at
// all there is no verdict (k6 too exits 0 then), and the summary says so
// rather than looking like a pass; smoke, the "does it work at all" run, gets
// --max-error-rate 0 unless the user gives a threshold of their own.
import { fractionFlag } from "../terminal/number-args";
import { parseDurationFlag } from "../terminal/time-args";

export const EXIT_OK = 0;
export const EXIT_USAGE = 2;
export const EXIT_THRESHOLDS = 99;
export const EXIT_INTERRUPTED = 130;

export interface Thresholds {
  maxErrorRate?: number;
  maxP95Ms?: number;
  /** --target openai: p95 of time to first token (streamed requests). */
  maxTtftP95Ms?: number;
  /** --target ingest: the slowest marker's time until queryable. */
  maxQueryableMs?: number;
  /** Set when maxErrorRate is smoke's default, not the user's: the summary says so. */
  errorRateDefault?: boolean;
}

const GIVEN = ["maxErrorRate", "maxP95Ms", "maxTtftP95Ms", "maxQueryableMs"] as const;

/** Smoke without any threshold flag: --max-error-rate 0, marked as the default. */
export function withScenarioDefaults(t: Thresholds, scenario: string): Thresholds {
  if (scenario !== "smoke" || GIVEN.some((k) => t[k] !== undefined)) return t;
  return { ...t, maxErrorRate: 0, errorRateDefault: true };
}

export interface Verdict {
  name: string;
  /** For people: "<= 1.00%", "<= 500ms". */
  limit: string;
  actual: string;
  /** For scripts: the same numbers in the metric's unit (a fraction for error rate, ms for the rest); actualValue null when nothing was measured. */
  unit: "fraction" | "ms";
  limitValue: number;
  actualValue: number | null;
  /** Latency quantiles from a sample (past 50,000 values per stream), not every value. */
  approximate?: boolean;
  ok: boolean;
  /** Why this threshold applies when the user did not ask for it (smoke's default). */
  note?: string;
}

export function parseThresholds(v: { "max-error-rate"?: string; "max-p95"?: string; "max-ttft-p95"?: string; "max-queryable"?: string }): Thresholds {
  return {
    maxErrorRate: fractionFlag(v["max-error-rate"], "max-error-rate"),
    maxP95Ms: v["max-p95"] === undefined ? undefined : parseDurationFlag(v["max-p95"], "max-p95"),
    maxTtftP95Ms: v["max-ttft-p95"] === undefined ? undefined : parseDurationFlag(v["max-ttft-p95"], "max-ttft-p95"),
    maxQueryableMs: v["max-queryable"] === undefined ? undefined : parseDurationFlag(v["max-queryable"], "max-queryable"),
  };
}

export interface Measured {
  requests: number;
  /** The latency quantiles were sampled (see StreamSnapshot.quantilesApproximate). */
  approximate?: boolean;
  errorRate: number | null;
  p95Ms: number | null;
  ttftP95Ms?: number | null;
  /** Slowest marker, or null when one never showed (that fails the threshold). */
  queryableMs?: number | null;
}

const pct = (f: number) => `${(f * 100).toFixed(2)}%`;
const ms = (v: number) => `${Math.round(v)}ms`;

/** One verdict per threshold given; a threshold with nothing measured (no requests) fails, as it cannot be shown to hold. */
export function evaluate(t: Thresholds, m: Measured): Verdict[] {
  const out: Verdict[] = [];
  const approx = m.approximate ? { approximate: true } : {};
  const latency = (name: string, limit: number, v: number | null, none: string): Verdict => ({
    name, limit: `<= ${ms(limit)}`, actual: v === null ? none : ms(v), unit: "ms", limitValue: limit, actualValue: v, ...approx, ok: v !== null && v <= limit,
  });
  if (t.maxErrorRate !== undefined)
    out.push({
      name: "error rate", limit: `<= ${pct(t.maxErrorRate)}`, actual: m.errorRate === null ? "no requests" : pct(m.errorRate),
      unit: "fraction", limitValue: t.maxErrorRate, actualValue: m.errorRate, ok: m.errorRate !== null && m.errorRate <= t.maxErrorRate,
      ...(t.errorRateDefault ? { note: "smoke's default; any threshold flag replaces it" } : {}),
    });
  if (t.maxP95Ms !== undefined) out.push(latency("p95 latency", t.maxP95Ms, m.p95Ms, m.requests ? "no successful answers" : "no requests"));
  if (t.maxTtftP95Ms !== undefined) out.push(latency("p95 time to first token", t.maxTtftP95Ms, m.ttftP95Ms ?? null, "no successful streamed answers"));
  if (t.maxQueryableMs !== undefined) {
    // Markers are few and kept whole: never sampled.
    const q = m.queryableMs ?? null;
    out.push({ name: "time until queryable", limit: `<= ${ms(t.maxQueryableMs)}`, actual: q === null ? "never (see markers)" : ms(q), unit: "ms", limitValue: t.maxQueryableMs, actualValue: q, ok: q !== null && q <= t.maxQueryableMs });
  }
  return out;
}

/** true/false with thresholds; null without: nothing was asked, so nothing passed or failed. */
export function passedOf(verdicts: Verdict[]): boolean | null {
  return verdicts.length ? verdicts.every((v) => v.ok) : null;
}

/** The summary's last line, also in the JSON as `verdict`. */
export function verdictLine(passed: boolean | null, code: number): string {
  if (passed === null) return `no thresholds given: no verdict (exit ${code})`;
  return passed ? `PASS${code ? ` (exit ${code})` : ""}` : `FAIL (exit ${code})`;
}

export function exitCode(verdicts: Verdict[], interrupted: boolean): number {
  if (verdicts.some((v) => !v.ok)) return EXIT_THRESHOLDS;
  return interrupted ? EXIT_INTERRUPTED : EXIT_OK;
}
