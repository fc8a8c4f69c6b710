// What `inferscope analyze` prints, from the server's answers or from a file
// analysed locally: the totals, the top error groups, performance (latency,
// TTFT, output tokens/s per group) and usage (requests, tokens, cost per group).
import type { ErrorGroupsData, SummaryData, SummaryRow } from "../../shared/contracts/log-api";
import type { Palette } from "../terminal/colour";
import { formatCompact, formatCount, formatDateTime, formatMs, formatNumber, formatPercent, formatSeconds, formatUsd, shorten } from "../terminal/format";
import { renderTable, type Column } from "../terminal/table";

export interface AnalyzeReport {
  /** Where the numbers come from, in words: "https://… (quantiles estimated from histogram buckets)". */
  source: string;
  summary: SummaryData;
  errors: ErrorGroupsData;
}

const keyText = (row: SummaryRow, by: string[]) => by.map((k) => row.key[k] || "(none)").join(" / ");

function groupColumn(by: string[]): Column<SummaryRow & { isTotal?: boolean }> {
  return { title: by.map((b) => b.toUpperCase()).join(" / "), cell: (r) => (r.isTotal ? "(all)" : keyText(r, by)) };
}

export function renderReport(r: AnalyzeReport, opts: { top: number; palette: Palette }): string {
  const p = opts.palette;
  const s = r.summary;
  const t = s.total;
  const span = Date.parse(s.end) - Date.parse(s.start);
  const out: string[] = [];
  out.push(p.bold(`${formatDateTime(Date.parse(s.start))} → ${formatDateTime(Date.parse(s.end))} (${formatMs(span)}), by ${s.by.join(", ")}`));
  out.push(p.dim(r.source));
  const errRate = t.error_rate !== null && t.error_rate > 0 ? p.red(formatPercent(t.error_rate)) : formatPercent(t.error_rate);
  out.push(`${formatCount(t.requests)} requests, ${formatCount(t.failures)} failed (${errRate}), ${formatCompact(t.tokens.total)} tokens, ${formatUsd(t.cost_usd)}`);
  if (t.requests === 0) return `${out.join("\n")}\n`;

  const groups = r.errors.groups;
  out.push("", p.bold(groups.length ? `Errors: top ${Math.min(opts.top, groups.length)} of ${groups.length} groups` : "Errors: none"));
  if (groups.length) {
    out.push(renderTable(groups.slice(0, opts.top), [
      { title: "COUNT", cell: (g) => formatCount(g.count), align: "right" },
      { title: "TYPE", cell: (g) => g.error_type },
      { title: "CLASS", cell: (g) => shorten(g.error_class, 28) },
      { title: "HTTP", cell: (g) => g.http_statuses.join(",") },
      { title: "MODELS", cell: (g) => shorten(g.models.join(","), 24) },
      { title: "LAST SEEN", cell: (g) => formatDateTime(Date.parse(g.last_seen)) },
      { title: "EXAMPLE", cell: (g) => g.example_request_id },
      { title: "MESSAGE", cell: (g) => shorten(g.example_message, 60) },
    ]).trimEnd());
  }

  const rows: Array<SummaryRow & { isTotal?: boolean }> = [...s.groups];
  if (s.groups.length > 1) rows.push({ ...t, isTotal: true });
  const group = groupColumn(s.by);
  const errCell = (x: SummaryRow) => (x.error_rate ? p.red(formatPercent(x.error_rate)) : formatPercent(x.error_rate));
  out.push("", p.bold("Performance: latency, time to first token, output tokens/s per request"));
  out.push(renderTable(rows, [
    group,
    { title: "REQUESTS", cell: (x) => formatCount(x.requests), align: "right" },
    { title: "ERRORS", cell: errCell, align: "right" },
    { title: "P50", cell: (x) => formatSeconds(x.latency_seconds.p50), align: "right" },
    { title: "P95", cell: (x) => formatSeconds(x.latency_seconds.p95), align: "right" },
    { title: "P99", cell: (x) => formatSeconds(x.latency_seconds.p99), align: "right" },
    { title: "TTFT P50", cell: (x) => formatSeconds(x.ttft_seconds.p50), align: "right" },
    { title: "TTFT P95", cell: (x) => formatSeconds(x.ttft_seconds.p95), align: "right" },
    { title: "TOK/S P50", cell: (x) => formatNumber(x.output_tokens_per_second.p50), align: "right" },
    { title: "TOK/S MEAN", cell: (x) => formatNumber(x.output_tokens_per_second.mean), align: "right" },
  ]).trimEnd());

  out.push("", p.bold("Usage: requests, tokens and cost"));
  out.push(renderTable(rows, [
    group,
    { title: "REQUESTS", cell: (x) => formatCount(x.requests), align: "right" },
    { title: "INPUT", cell: (x) => formatCompact(x.tokens.input), align: "right" },
    { title: "OUTPUT", cell: (x) => formatCompact(x.tokens.output), align: "right" },
    { title: "CACHED", cell: (x) => formatCompact(x.tokens.cached), align: "right" },
    { title: "TOTAL", cell: (x) => formatCompact(x.tokens.total), align: "right" },
    { title: "COST", cell: (x) => formatUsd(x.cost_usd), align: "right" },
    { title: "COST %", cell: (x) => (t.cost_usd > 0 ? formatPercent(x.cost_usd / t.cost_usd) : "-"), align: "right" },
  ]).trimEnd());
  return `${out.join("\n")}\n`;
}
