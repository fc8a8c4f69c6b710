// The request-log API's parameters: filters, time range, limit. Repeating a
// filter means "any of" (model=a&model=b); different filters must all hold.
// Times are Prometheus's (RFC 3339 or unix seconds). Every parameter an
// endpoint does not know is refused by name, so a typo never silently widens
// a search.
import { LOG_STATUSES, type LogStatus } from "../../../shared/logs/record";
import type { LogFilter } from "../../../shared/storage/request-log-store";
import type { TimeRange } from "../../../shared/storage/types";
import { badData } from "./envelope";
import { optionalTime, type Params } from "./params";

export const DEFAULT_RANGE_MS = 24 * 3_600_000;
export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;
const MAX_VALUES = 100;
const MAX_Q_LENGTH = 1000;

/** Filters over record fields: the parameter name and the LogFilter key. */
export const LIST_FILTERS = ["model", "provider", "status", "user", "team", "project", "environment", "tag", "q", "fingerprint"] as const;
export type ListFilter = (typeof LIST_FILTERS)[number];

const quote = (s: string) => JSON.stringify(s);
export const invalid = (name: string, why: string) => badData(`invalid parameter ${quote(name)}: ${why}`);

/** Refuses parameters the endpoint does not take; `hint` explains some of them better than "unknown". */
export function onlyParams(url: string, allowed: readonly string[], hint: Record<string, string> = {}): void {
  for (const name of new Set(new URL(url).searchParams.keys())) {
    if (allowed.includes(name)) continue;
    throw badData(hint[name] ?? `unknown parameter ${quote(name)}; this endpoint takes: ${allowed.join(", ")}`);
  }
}

/** Every value of a repeatable parameter; empty values are refused (they would match nothing or everything by accident). */
export function values(params: Params, name: string): string[] {
  const vs = params.all(name);
  if (vs.length > MAX_VALUES) throw invalid(name, `at most ${MAX_VALUES} values`);
  for (const v of vs) if (v === "") throw invalid(name, "empty value; leave the parameter out to not filter on it");
  return [...new Set(vs)];
}

export function statuses(params: Params): LogStatus[] {
  return [...new Set(values(params, "status").map((v): LogStatus => {
    const s = v === "error" ? "failure" : v;
    if (!(LOG_STATUSES as readonly string[]).includes(s)) throw invalid("status", `${quote(v)} is not one of success, failure (or error, LiteLLM's other word for failure)`);
    return s as LogStatus;
  }))];
}

/** A non-negative number (decimals allowed). */
export function nonNegative(params: Params, name: string): number | undefined {
  const raw = params.get(name);
  if (raw === undefined) return undefined;
  const n = /^\s*\d+(\.\d*)?\s*$|^\s*\.\d+\s*$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isFinite(n)) throw invalid(name, `${quote(raw)} is not a non-negative number`);
  return n;
}

export function logFilter(params: Params, names: readonly ListFilter[] = LIST_FILTERS): LogFilter {
  const f: LogFilter = {};
  for (const name of names) {
    if (name === "status") {
      const s = statuses(params);
      if (s.length) f.status = s;
      continue;
    }
    const vs = values(params, name);
    if (name === "q") for (const v of vs) if (v.length > MAX_Q_LENGTH) throw invalid("q", `longer than ${MAX_Q_LENGTH} characters`);
    if (vs.length) f[name] = vs;
  }
  const min = nonNegative(params, "min_latency_ms");
  if (min !== undefined) f.minLatencyMs = min;
  return f;
}

/** start and end (both inclusive), by default the 24 h up to now. */
export function timeRange(params: Params, defaultStart?: number): TimeRange {
  const end = optionalTime(params, "end", Date.now());
  const start = optionalTime(params, "start", defaultStart ?? end - DEFAULT_RANGE_MS);
  if (end < start) throw badData(`invalid parameter "end": end (${new Date(end).toISOString()}) is before start (${new Date(start).toISOString()})`);
  return { start, end };
}

export function limit(params: Params, fallback = DEFAULT_LIMIT): number {
  const raw = params.get("limit");
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_LIMIT) throw invalid("limit", `${quote(raw)} is not an integer from 1 to ${MAX_LIMIT}`);
  return Number(raw);
}
