// What `probe regress` checks: per metric and statistic, a limit in percent
// of the baseline. A time regresses when it grows by more than its limit,
// tokens/s when it drops by more. --threshold 10 sets the limit of the default
// checks (TTFT p95 and end-to-end p95, 15% unless told); --threshold
// e2e.p99=25 adds or changes one check.
import { CliError } from "../errors";
import type { LatencyExport } from "./export";
import { HIGHER_IS_BETTER, METRICS, STATS, type Metric, type RunSummary, type Stat } from "./stats";

export interface Check {
  metric: Metric;
  stat: Stat;
  limitPct: number;
}

export interface Delta {
  metric: Metric;
  stat: Stat;
  baseline: number | null;
  current: number | null;
  /** (current - baseline) / baseline; null when either is missing. */
  delta: number | null;
  /** Set on checked rows. */
  limit_pct?: number;
  regressed?: boolean;
  /** A check that could not be made, and why. */
  skipped?: string;
}

export const DEFAULT_LIMIT_PCT = 15;
const DEFAULT_CHECKS: [Metric, Stat][] = [["ttft_ms", "p95"], ["e2e_ms", "p95"]];
const ALIASES: Record<string, Metric> = {
  ttft: "ttft_ms", ttft_ms: "ttft_ms", e2e: "e2e_ms", e2e_ms: "e2e_ms", latency: "e2e_ms", network: "network_ms", network_ms: "network_ms",
  ttfb: "ttfb_ms", ttfb_ms: "ttfb_ms", tps: "tokens_per_second", tokens_per_second: "tokens_per_second",
};

const pct = (raw: string, spec: string): number => {
  const m = /^(\d+(?:\.\d+)?)%?$/.exec(raw.trim());
  if (!m) throw new CliError(`--threshold ${JSON.stringify(spec)}: the limit must be a percentage such as 15 or 15% (not ${JSON.stringify(raw)})`);
  return Number(m[1]);
};

export function parseThresholds(specs: readonly string[]): Check[] {
  let base = DEFAULT_LIMIT_PCT;
  const own = new Map<string, Check>();
  for (const spec of specs) {
    const eq = spec.indexOf("=");
    if (eq < 0) {
      base = pct(spec, spec);
      continue;
    }
    const [name, stat] = spec.slice(0, eq).trim().split(".");
    const metric = ALIASES[name];
    if (!metric || !(STATS as readonly string[]).includes(stat ?? ""))
      throw new CliError(`--threshold ${JSON.stringify(spec)}: write METRIC.STAT=PERCENT, e.g. e2e.p95=10; metrics: ${Object.keys(ALIASES).join(", ")}; stats: ${STATS.join(", ")}`);
    own.set(`${metric}.${stat}`, { metric, stat: stat as Stat, limitPct: pct(spec.slice(eq + 1), spec) });
  }
  const checks = DEFAULT_CHECKS.filter(([m, s]) => !own.has(`${m}.${s}`)).map(([metric, stat]) => ({ metric, stat, limitPct: base }));
  return [...checks, ...own.values()];
}

const value = (s: RunSummary, m: Metric, st: Stat) => (s[m]?.count ? ((s[m][st] as number | null) ?? null) : null);

/** Every metric's mean and p50/p95/p99, the checked ones judged. */
export function compareSummaries(baseline: RunSummary, current: RunSummary, checks: readonly Check[]): Delta[] {
  const rows = new Map<string, Delta>();
  const row = (metric: Metric, stat: Stat): Delta => {
    const b = value(baseline, metric, stat);
    const c = value(current, metric, stat);
    return { metric, stat, baseline: b, current: c, delta: b === null || c === null ? null : b === 0 ? (c === 0 ? 0 : Infinity) : (c - b) / b };
  };
  for (const m of METRICS) for (const st of ["mean", "p50", "p95", "p99"] as const) {
    const r = row(m, st);
    if (r.baseline !== null || r.current !== null) rows.set(`${m}.${st}`, r);
  }
  for (const c of checks) {
    const key = `${c.metric}.${c.stat}`;
    const r = rows.get(key) ?? row(c.metric, c.stat);
    r.limit_pct = c.limitPct;
    if (r.delta === null) r.skipped = r.baseline === null ? "not in the baseline" : "not in the current run";
    else r.regressed = HIGHER_IS_BETTER[c.metric] ? r.delta < -c.limitPct / 100 : r.delta > c.limitPct / 100;
    rows.set(key, r);
  }
  return [...rows.values()];
}

/** What makes two runs not like for like: said next to the verdict, not a failure by itself. */
export function comparabilityNotes(b: LatencyExport, c: LatencyExport): string[] {
  const notes: string[] = [];
  if (b.model !== c.model) notes.push(`the models differ: ${b.model} (baseline) and ${c.model}`);
  if (b.endpoint !== c.endpoint) notes.push(`the endpoints differ: ${b.endpoint} (baseline) and ${c.endpoint}`);
  if (b.settings.stream !== c.settings.stream) notes.push(`the baseline was ${b.settings.stream ? "" : "not "}streamed and this run ${c.settings.stream ? "was" : "was not"}`);
  if (b.settings.max_tokens !== c.settings.max_tokens) notes.push(`max_tokens differs: ${b.settings.max_tokens} (baseline) and ${c.settings.max_tokens}`);
  if (b.settings.prompt_set && c.settings.prompt_set && b.settings.prompt_set !== c.settings.prompt_set)
    notes.push("the prompt sets differ (pass the baseline's --prompt / --prompt-file)");
  return notes;
}

/** The default for --max-success-drop: a fall of more than 1 point of success rate is a regression. */
export const DEFAULT_MAX_SUCCESS_DROP_PTS = 1;

export interface SuccessCheck {
  baseline: number | null;
  current: number | null;
  /** Percentage points lost (negative: gained); null when either run has no requests. */
  drop_pts: number | null;
  limit_pts: number;
  regressed: boolean;
}

/**
 * Success rate, judged in percentage points rather than relative change: 100% -> 50%
 * must fail however fast the requests that did succeed were (the latency checks see only those).
 */
export function successCheck(baseline: RunSummary, current: RunSummary, limitPts: number): SuccessCheck {
  const b = baseline.success_rate;
  const c = current.success_rate;
  // Rounded to a thousandth of a point so that 99% - 98% is 1, not 1.0000000000000009.
  const drop = b === null || c === null ? null : Math.round((b - c) * 100_000) / 1000;
  return { baseline: b, current: c, drop_pts: drop, limit_pts: limitPts, regressed: drop !== null && drop > limitPts };
}
