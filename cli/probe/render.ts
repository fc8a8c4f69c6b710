// Tables of probe figures for people: a distribution per row, times as 850ms /
// 1.23s, rates as 42.5/s, failures listed under the table.
import type { Palette } from "../terminal/colour";
import { formatCount, formatMs, formatNumber, formatPercent } from "../terminal/format";
import { renderTable, type Column } from "../terminal/table";
import type { Dist, Metric, RunSummary } from "./stats";

export const METRIC_LABEL: Record<Metric, string> = {
  ttft_ms: "TTFT",
  e2e_ms: "end to end",
  network_ms: "network (DNS+connect+TLS)",
  ttfb_ms: "first byte",
  tokens_per_second: "output tokens/s",
};

export const formatMetric = (m: Metric, v: number | null | undefined) => (m === "tokens_per_second" ? formatNumber(v) : formatMs(v));

const DIST_COLUMNS: (keyof Dist)[] = ["mean", "median", "p90", "p95", "p99", "min", "max"];

/** One row per metric with at least one value. */
export function distTable(s: RunSummary, metrics: readonly Metric[]): string {
  const rows = metrics.filter((m) => s[m].count > 0);
  const cols: Column<Metric>[] = [
    { title: "METRIC", cell: (m) => METRIC_LABEL[m] },
    { title: "N", cell: (m) => s[m].count, align: "right" },
    ...DIST_COLUMNS.map((k): Column<Metric> => ({ title: k === "median" ? "MEDIAN/P50" : k.toUpperCase(), cell: (m) => formatMetric(m, s[m][k] as number | null), align: "right" })),
  ];
  const table = renderTable(rows, cols);
  // The quantiles are of each metric as measured; for a rate more is better, so its high
  // quantiles are the best requests, not the worst: said, so no one reads p99 as a floor.
  return rows.includes("tokens_per_second") ? `${table}${TPS_NOTE}\n` : table;
}

export const TPS_NOTE = "(output tokens/s: more is better, so its P90/P95/P99 are the fastest requests; its slow tail is MIN)";

/** "18 of 20 succeeded (90%)" and the failures by message. */
export function outcomeLines(s: RunSummary, p: Palette, max = 5): string {
  const rate = `${formatCount(s.succeeded)} of ${formatCount(s.requests)} succeeded (${formatPercent(s.success_rate)})`;
  const lines = [s.failed ? p.yellow(rate) : p.green(rate)];
  for (const e of s.errors.slice(0, max)) lines.push(`  ${p.red(`${formatCount(e.count)}×`)} ${e.error}`);
  if (s.errors.length > max) lines.push(`  … and ${s.errors.length - max} more kinds of failure`);
  return `${lines.join("\n")}\n`;
}
