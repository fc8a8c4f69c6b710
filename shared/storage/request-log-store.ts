// The request-log read interface the log API (/api/v1/requests...) talks to.
// The Postgres implementation (postgres/request-logs-read.ts for raw logs,
// postgres/rollup-summary.ts for the per-minute rollups) is the only place
// that writes its SQL. Scoped to one tenant when constructed.
import type { ErrorGroup, RequestLogView } from "../contracts/log-api";
import type { DimKey, Dims } from "../logs/rollup-spec";
import type { LogStatus } from "../logs/record";
import type { TimeRange } from "./types";

/**
 * What a search, tail or error-group query keeps. Every list is "any of" (a
 * record matches when its field equals one of the values); different fields
 * must all match. Absent or empty lists do not filter.
 */
export interface LogFilter {
  model?: string[];
  provider?: string[];
  status?: LogStatus[];
  user?: string[];
  /** A team id or a team alias. */
  team?: string[];
  project?: string[];
  environment?: string[];
  /** The record carries one of these tags. */
  tag?: string[];
  /** Case-insensitive literal substrings of the error message (only failures have one). */
  q?: string[];
  fingerprint?: string[];
  /** latency_ms >= this. */
  minLatencyMs?: number;
}

/** A position in newest-first order: (time, request_id), both descending. */
export interface SearchKey {
  /** Unix microseconds of the record's time. */
  timeUs: number;
  requestId: string;
}

/** Every read of a call ends within this many ms (Postgres cancels it), or the call throws StatementDeadlineError (postgres/deadline.ts). */
export interface Deadline {
  timeoutMs?: number;
}

export interface SearchQuery extends Deadline {
  range: TimeRange;
  filter: LogFilter;
  limit: number;
  /** Only records strictly after this key in newest-first order (older, or as old with a smaller id). */
  after?: SearchKey;
}

export interface TailQuery extends Deadline {
  filter: LogFilter;
  /** Only records stored strictly after this instant (unix microseconds); absent: from now on (the page is empty). */
  afterUs?: number;
  limit: number;
}

export interface TailPage {
  /** Oldest stored first; past the limit by the rest of the last instant's records, which are never split. */
  records: RequestLogView[];
  /** Unix microseconds: everything stored at or before it that matches has been returned. */
  nextAfterUs: number;
}

export interface RequestDetail {
  records: RequestLogView[];
  trace: RequestLogView[];
  traceTruncated: boolean;
}

export interface ErrorGroupQuery extends Deadline {
  range: TimeRange;
  filter: LogFilter;
  limit: number;
}

/** Filters of a summary: on the rollup dimensions only. team matches team or team_alias. */
export type SummaryFilter = Partial<Record<"model" | "provider" | "status" | "team" | "project" | "environment" | "user", string[]>>;

export interface SummaryQuery extends Deadline {
  /** Unix ms of minute boundaries: the minutes m with startMinute <= m < endMinute. */
  startMinute: number;
  endMinute: number;
  by: DimKey[];
  filter: SummaryFilter;
  /** HISTOGRAMS ids whose buckets are wanted (the others come back empty). */
  hists: number[];
}

/** The sums of one group of rollup rows. */
export interface SummaryGroupSums {
  /** The group's values of the by= dimensions ("" where a row has none). */
  key: Dims;
  requests: number;
  failures: number;
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  cachedTokens: number;
  costUsd: number;
  /** By HISTOGRAMS index: the count and sum of observations, and the count in each bucket (index = bucket). */
  histCount: number[];
  histSum: number[];
  buckets: number[][];
}

export interface RequestLogStore {
  /** Newest first: time descending, then request id descending. */
  search(q: SearchQuery): Promise<Array<{ record: RequestLogView; key: SearchKey }>>;
  tail(q: TailQuery): Promise<TailPage>;
  /** Every record of the id, and every record sharing a trace id with them (at most traceLimit), oldest first. */
  detail(requestId: string, traceLimit: number, deadline?: Deadline): Promise<RequestDetail>;
  errorGroups(q: ErrorGroupQuery): Promise<ErrorGroup[]>;
  summary(q: SummaryQuery): Promise<SummaryGroupSums[]>;
}
