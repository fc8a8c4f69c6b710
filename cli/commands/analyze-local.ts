// The analyze report computed from records in hand (analyze --file): the same
// shapes the log API answers (SummaryData, ErrorGroupsData), but with exact
// quantiles over every observation instead of estimates from rollup buckets.
import type { ErrorGroup, ErrorGroupsData, SummaryData, SummaryRow } from "../../shared/contracts/log-api";
import type { LogRow } from "../../shared/logs/record";
import { dimsOf, HISTOGRAMS, type DimKey } from "../../shared/logs/rollup-spec";
import { quantilesOf } from "./stats";

export interface LocalFilter {
  start?: number;
  end?: number;
  /** Field equals the value; team matches team or team alias, as the API's filter. */
  model?: string;
  provider?: string;
  status?: string;
  team?: string;
  project?: string;
  environment?: string;
  user?: string;
}

export function matches(r: LogRow, f: LocalFilter): boolean {
  if (f.start !== undefined && r.time < f.start) return false;
  if (f.end !== undefined && r.time > f.end) return false;
  if (f.team !== undefined && r.team !== f.team && r.teamAlias !== f.team) return false;
  const eq: Array<[string | undefined, string]> = [[f.model, r.model], [f.provider, r.provider], [f.status, r.status], [f.project, r.project], [f.environment, r.environment], [f.user, r.user]];
  return eq.every(([want, have]) => want === undefined || want === have);
}

const LATENCY = HISTOGRAMS.find((h) => h.name === "latency")!;
const TTFT = HISTOGRAMS.find((h) => h.name === "ttft")!;
const TPS = HISTOGRAMS.find((h) => h.name === "tokens_per_second")!;

function summaryRow(key: Record<string, string>, rows: LogRow[]): SummaryRow {
  const observed = (h: typeof LATENCY) => rows.map((r) => h.observe(r)).filter((v): v is number => v !== null);
  const failures = rows.filter((r) => r.status === "failure").length;
  const sum = (f: (r: LogRow) => number | null) => rows.reduce((s, r) => s + (f(r) ?? 0), 0);
  return {
    key,
    requests: rows.length,
    failures,
    error_rate: rows.length ? failures / rows.length : null,
    latency_seconds: quantilesOf(observed(LATENCY)),
    ttft_seconds: quantilesOf(observed(TTFT)),
    output_tokens_per_second: quantilesOf(observed(TPS)),
    tokens: { input: sum((r) => r.inputTokens), output: sum((r) => r.outputTokens), total: sum((r) => r.totalTokens), cached: sum((r) => r.cachedTokens) },
    cost_usd: sum((r) => r.costUsd),
  };
}

/** Totals and one row per distinct value of the `by` dimensions ("" where a record has none), most requests first. */
export function summarize(rows: LogRow[], by: DimKey[], range: { start: number; end: number }): SummaryData {
  const groups = new Map<string, { key: Record<string, string>; rows: LogRow[] }>();
  for (const r of rows) {
    const dims = dimsOf(r);
    const key = Object.fromEntries(by.map((k) => [k, dims[k] ?? ""]));
    const id = JSON.stringify(by.map((k) => key[k]));
    let g = groups.get(id);
    if (!g) groups.set(id, (g = { key, rows: [] }));
    g.rows.push(r);
  }
  const list = [...groups.values()].map((g) => summaryRow(g.key, g.rows));
  list.sort((a, b) => b.requests - a.requests || JSON.stringify(a.key).localeCompare(JSON.stringify(b.key)));
  return { start: new Date(range.start).toISOString(), end: new Date(range.end).toISOString(), by, total: summaryRow({}, rows), groups: list };
}

const distinct = <T>(xs: T[]) => [...new Set(xs)].sort() as T[];

/** Failures grouped by error fingerprint, largest first (then most recent); the example is the latest occurrence. */
export function errorGroups(rows: LogRow[]): ErrorGroupsData {
  const byPrint = new Map<string, LogRow[]>();
  for (const r of rows) {
    if (r.status !== "failure" || r.errorFingerprint === null) continue;
    const list = byPrint.get(r.errorFingerprint);
    if (list) list.push(r);
    else byPrint.set(r.errorFingerprint, [r]);
  }
  const groups: ErrorGroup[] = [...byPrint.entries()].map(([fingerprint, list]) => {
    const sorted = [...list].sort((a, b) => a.time - b.time || a.requestId.localeCompare(b.requestId));
    const latest = sorted[sorted.length - 1];
    return {
      fingerprint,
      error_type: latest.errorType,
      error_class: latest.errorClass,
      count: list.length,
      first_seen: new Date(sorted[0].time).toISOString(),
      last_seen: new Date(latest.time).toISOString(),
      example_request_id: latest.requestId,
      example_message: latest.errorMessage,
      models: distinct(list.map((r) => r.model).filter(Boolean)),
      providers: distinct(list.map((r) => r.provider).filter(Boolean)),
      http_statuses: [...new Set(list.map((r) => r.httpStatus).filter((s): s is number => s !== null))].sort((a, b) => a - b),
    };
  });
  groups.sort((a, b) => b.count - a.count || Date.parse(b.last_seen) - Date.parse(a.last_seen) || a.fingerprint.localeCompare(b.fingerprint));
  return { groups };
}
