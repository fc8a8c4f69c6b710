// The run's result: one JSON document (--json on stdout, --export to a file)
// and the summary tables people read. The JSON is the contract for scripts
// and CI; the tables are drawn from it, so both always say the same.
import { quantileSorted } from "../commands/stats";
import type { Palette } from "../terminal/colour";
import { formatCount, formatMs, formatPercent, formatRate, shorten } from "../terminal/format";
import { renderTable, type Column } from "../terminal/table";
import { RESERVOIR, type StreamSnapshot } from "./recorder";
import type { Reported } from "./openai-report";
import type { Visibility } from "./queryable";
import type { Stage } from "./scenarios";
import type { Verdict } from "./thresholds";

export const REPORT_VERSION = 1;

export interface QueryableSummary {
  kind: Visibility["kind"];
  markers: number;
  visible: number;
  p50Ms: number | null;
  maxMs: number | null;
  /** The marker sent after the load: how long the backlog took to drain. */
  finalMs: number | null;
}

export interface LoadtestReport {
  version: number;
  target: "openai" | "ingest";
  url: string;
  scenario: string;
  runId: string;
  startedAt: string;
  durationMs: number;
  interrupted: boolean;
  plan: { peak: Record<string, number>; start: number; stages: Stage[] };
  streams: StreamSnapshot[];
  total: StreamSnapshot;
  /** Per second of the run's actual duration. */
  rates: { requests: number; accepted: number; offered: number };
  queryable?: { summary: QueryableSummary[]; markers: Visibility[] };
  /** --report-to: how many records went to which Inferscope, and the first reason any did not. */
  reported?: Reported;
  thresholds: Verdict[];
  /** null when no threshold was given: no verdict (exit 0, or 130 when interrupted). */
  passed: boolean | null;
  /** The summary's verdict line: "PASS", "FAIL (exit 99)", "no thresholds given: no verdict (exit 0)". */
  verdict: string;
  exitCode: number;
}

export function summariseVisibility(markers: Visibility[]): QueryableSummary[] {
  const kinds = [...new Set(markers.map((m) => m.kind))].sort();
  return kinds.map((kind) => {
    const mine = markers.filter((m) => m.kind === kind);
    const seen = mine.filter((m) => m.ms !== null).map((m) => m.ms!).sort((a, b) => a - b);
    const final = mine.find((m) => m.final);
    return { kind, markers: mine.length, visible: seen.length, p50Ms: quantileSorted(seen, 0.5), maxMs: seen.length ? seen[seen.length - 1] : null, finalMs: final?.ms ?? null };
  });
}

/** The slowest marker, or null when any never showed. */
export function worstQueryable(markers: Visibility[]): number | null {
  if (markers.length === 0 || markers.some((m) => m.ms === null)) return null;
  return Math.max(...markers.map((m) => m.ms!));
}

const perSecond = (n: number, ms: number) => (ms > 0 ? n / (ms / 1000) : 0);

export function ratesOf(total: StreamSnapshot, durationMs: number) {
  return { requests: perSecond(total.requests, durationMs), accepted: perSecond(total.accepted, durationMs), offered: perSecond(total.offered, durationMs) };
}

function streamColumns(r: LoadtestReport): Column<StreamSnapshot>[] {
  const rate = (n: number) => formatRate(perSecond(n, r.durationMs));
  const common: Column<StreamSnapshot>[] = [
    { title: r.target === "openai" ? "MODEL" : "STREAM", cell: (s) => s.name },
    { title: "REQUESTS", cell: (s) => formatCount(s.requests), align: "right" },
    { title: "ERRORS", cell: (s) => formatPercent(s.errorRate), align: "right" },
  ];
  const lat: Column<StreamSnapshot>[] = [
    { title: "P50", cell: (s) => formatMs(s.latencyMs.p50), align: "right" },
    { title: "P95", cell: (s) => formatMs(s.latencyMs.p95), align: "right" },
    { title: "P99", cell: (s) => formatMs(s.latencyMs.p99), align: "right" },
  ];
  if (r.target === "openai")
    return [
      ...common,
      { title: "REQ/S", cell: (s) => rate(s.requests), align: "right" },
      ...lat,
      { title: "TTFT P50", cell: (s) => formatMs(s.ttftMs.p50), align: "right" },
      { title: "TTFT P95", cell: (s) => formatMs(s.ttftMs.p95), align: "right" },
      { title: "TOK/S P50", cell: (s) => formatRate(s.tokensPerSecond.p50), align: "right" },
      { title: "OUT TOKENS", cell: (s) => formatCount(s.outputTokens), align: "right" },
      { title: "INTERRUPTED", cell: (s) => formatCount(s.interrupted), align: "right" },
    ];
  return [
    ...common,
    { title: "OFFERED", cell: (s) => formatCount(s.offered), align: "right" },
    { title: "ACCEPTED", cell: (s) => formatCount(s.accepted), align: "right" },
    { title: "ACCEPTED/S", cell: (s) => rate(s.accepted), align: "right" },
    { title: "DROPPED", cell: (s) => formatCount(s.dropped), align: "right" },
    { title: "LATE", cell: (s) => formatCount(s.late), align: "right" },
    { title: "THROTTLED", cell: (s) => formatCount(s.throttled), align: "right" },
    ...lat,
  ];
}

export function renderReport(r: LoadtestReport, p: Palette): string {
  const out: string[] = [];
  const how = r.interrupted ? p.yellow(" (interrupted: the summary so far)") : "";
  out.push(`${p.bold(`inferscope loadtest --target ${r.target}`)}: ${r.scenario}, ${formatMs(r.durationMs)} against ${r.url}${how}`, "");
  const rows = r.streams.length > 1 ? [...r.streams, r.total] : r.streams;
  out.push(renderTable(rows, streamColumns(r)).trimEnd());
  const statuses = Object.entries(r.total.byStatus);
  if (statuses.length) {
    out.push("", "responses by status:");
    for (const [status, n] of statuses) {
      const per = r.streams.filter((s) => s.byStatus[status]).map((s) => `${s.name} ${formatCount(s.byStatus[status])}`).join(", ");
      const why = r.total.errorExamples[status];
      const label = status === "network" ? "no answer" : status;
      const line = `  ${label.padEnd(9)} ${formatCount(n).padStart(8)}  (${per})${why ? `  ${shorten(why, 140)}` : ""}`;
      out.push(why ? p.red(line) : line);
    }
    if (r.total.byStatus["429"])
      out.push(p.dim(r.target === "ingest"
        ? "  429s were honoured: that stream waited out Retry-After; requests due meanwhile are counted as throttled, not sent."
        : "  429s count as errors and were honoured: that user waited out Retry-After (at most 30s) before its next request."));
  }
  if (r.queryable) {
    out.push("", "time until queryable (from the marker's accepted POST to the first query that returns it):");
    for (const q of r.queryable.summary)
      out.push(`  ${q.kind.padEnd(8)} ${q.visible}/${q.markers} markers seen  p50 ${formatMs(q.p50Ms)}  max ${formatMs(q.maxMs)}  after the load ${formatMs(q.finalMs)}`);
    for (const m of r.queryable.markers.filter((x) => x.error)) out.push(p.yellow(`  ${m.kind} marker ${m.seq}: ${m.error}`));
  }
  if (r.total.dropped + r.total.late + r.total.throttled > 0 && r.target === "ingest")
    out.push("", p.dim("dropped: due while --vus requests were already in flight (raise --vus to allow more); late: started over 100ms after their time; throttled: due during a Retry-After wait."));
  if (r.total.quantilesApproximate) {
    const which = r.streams.filter((s) => s.quantilesApproximate).map((s) => s.name).join(", ");
    out.push("", p.yellow(`latency quantiles are approximate (${which}): past ${formatCount(RESERVOIR)} values per stream they come from a uniform sample of ${formatCount(RESERVOIR)}`));
  }
  if (r.thresholds.length) {
    out.push("", "thresholds:");
    for (const v of r.thresholds) {
      const notes = [v.approximate ? "approximate: sampled" : "", v.note ?? ""].filter(Boolean).join("; ");
      out.push(`  ${v.ok ? p.green("✓") : p.red("✗")} ${v.name} ${v.limit}: ${v.actual}${notes ? p.dim(` (${notes})`) : ""}`);
    }
  }
  out.push("", r.passed === null ? p.yellow(r.verdict) : r.passed ? p.green(r.verdict) : p.red(r.verdict));
  return `${out.join("\n")}\n`;
}
