// GET /api/v1/requests/summary: request counts, error rate, latency / TTFT /
// tokens-per-second quantiles, tokens and cost per group of rollup
// dimensions, from the per-minute rollups (never the raw logs), so its cost
// does not grow with the number of logs. Range ends are rounded out to whole
// minutes. Quantiles are estimated from the histogram buckets exactly as
// Prometheus's histogram_quantile does (the engine's own bucketQuantile).
import type { Context } from "hono";
import type { Quantiles, SummaryData, SummaryRow } from "../../../shared/contracts/log-api";
import { DIM_KEYS, HISTOGRAMS, MINUTE_MS, type DimKey } from "../../../shared/logs/rollup-spec";
import type { RequestLogStore, SummaryFilter, SummaryGroupSums } from "../../../shared/storage/request-log-store";
import { bucketQuantile } from "../promql/functions-labels";
import { success } from "./envelope";
import { readParams } from "./params";
import { logTimeout, withinDeadline } from "./requests-deadline";
import { invalid, onlyParams, statuses, timeRange, values } from "./requests-params";

const DIM_FILTERS = ["model", "provider", "status", "team", "project", "environment", "user"] as const;
const NOT_DIMENSIONS = ["tag", "q", "fingerprint", "min_latency_ms"];
const QUANTILES = [0.5, 0.9, 0.95, 0.99] as const;

const histIndex = (name: string) => HISTOGRAMS.findIndex((h) => h.name === name);

function byParam(raw: string[]): DimKey[] {
  const out: DimKey[] = [];
  for (const part of raw.flatMap((v) => v.split(","))) {
    const k = part.trim();
    if (!(DIM_KEYS as readonly string[]).includes(k)) throw invalid("by", `${JSON.stringify(k)} is not a summary dimension; use any of ${DIM_KEYS.join(", ")}`);
    if (!out.includes(k as DimKey)) out.push(k as DimKey);
  }
  return out;
}

/** Quantiles of one histogram from its (non-cumulative) bucket counts; null where it has no observations. */
export function quantilesOf(bounds: readonly number[], counts: readonly number[], count: number, sum: number): Quantiles {
  let total = 0;
  for (const n of counts) total += n;
  const q = (p: number) => {
    if (total === 0) return null;
    let cum = 0;
    const buckets = counts.map((n, i) => ({ upper: i < bounds.length ? bounds[i] : Infinity, count: (cum += n) }));
    return bucketQuantile(p, buckets);
  };
  const [p50, p90, p95, p99] = QUANTILES.map(q);
  return { p50, p90, p95, p99, mean: count > 0 ? sum / count : null };
}

function row(g: SummaryGroupSums): SummaryRow {
  const hist = (name: string): Quantiles => {
    const i = histIndex(name);
    return quantilesOf(HISTOGRAMS[i].bounds, g.buckets[i], g.histCount[i], g.histSum[i]);
  };
  return {
    key: g.key as Record<string, string>,
    requests: g.requests,
    failures: g.failures,
    error_rate: g.requests > 0 ? g.failures / g.requests : null,
    latency_seconds: hist("latency"),
    ttft_seconds: hist("ttft"),
    output_tokens_per_second: hist("tokens_per_second"),
    tokens: { input: g.inputTokens, output: g.outputTokens, total: g.totalTokens, cached: g.cachedTokens },
    cost_usd: g.costUsd,
  };
}

/** The groups added up: the total row (its quantiles from the summed buckets). */
export function totalOf(groups: SummaryGroupSums[]): SummaryGroupSums {
  const t: SummaryGroupSums = {
    key: {}, requests: 0, failures: 0, inputTokens: 0, outputTokens: 0, totalTokens: 0, cachedTokens: 0, costUsd: 0,
    histCount: HISTOGRAMS.map(() => 0), histSum: HISTOGRAMS.map(() => 0), buckets: HISTOGRAMS.map((h) => new Array<number>(h.bounds.length + 1).fill(0)),
  };
  for (const g of groups) {
    t.requests += g.requests;
    t.failures += g.failures;
    t.inputTokens += g.inputTokens;
    t.outputTokens += g.outputTokens;
    t.totalTokens += g.totalTokens;
    t.cachedTokens += g.cachedTokens;
    t.costUsd += g.costUsd;
    HISTOGRAMS.forEach((_, i) => {
      t.histCount[i] += g.histCount[i];
      t.histSum[i] += g.histSum[i];
      g.buckets[i].forEach((n, b) => (t.buckets[i][b] += n));
    });
  }
  return t;
}

export async function summaryRoute(c: Context, store: RequestLogStore) {
  const hint = (p: string) => `${JSON.stringify(p)} cannot filter a summary: summaries come from per-minute rollups, which keep only the dimensions ${DIM_FILTERS.join(", ")}; filter raw logs with /api/v1/requests`;
  onlyParams(c.req.url, [...DIM_FILTERS, "by", "start", "end", "timeout"], Object.fromEntries(NOT_DIMENSIONS.map((p) => [p, hint(p)])));
  const params = await readParams(c);
  const by = byParam(params.all("by"));
  const range = timeRange(params);
  const startMinute = Math.floor(range.start / MINUTE_MS) * MINUTE_MS;
  const endMinute = Math.max(startMinute + MINUTE_MS, Math.ceil(range.end / MINUTE_MS) * MINUTE_MS);
  const filter: SummaryFilter = {};
  for (const k of DIM_FILTERS) {
    const vs = k === "status" ? statuses(params) : values(params, k);
    if (vs.length) filter[k] = vs;
  }
  const hists = ["latency", "ttft", "tokens_per_second"].map(histIndex);
  const groups = await withinDeadline(logTimeout(params), (timeoutMs) => store.summary({ startMinute, endMinute, by, filter, hists, timeoutMs }));
  groups.sort((a, b) => b.requests - a.requests || JSON.stringify(a.key).localeCompare(JSON.stringify(b.key)));
  const data: SummaryData = {
    start: new Date(startMinute).toISOString(),
    end: new Date(endMinute).toISOString(),
    by,
    total: row(totalOf(groups)),
    groups: by.length ? groups.map(row) : [],
  };
  return success(c, data);
}
