// The request-log API of the query worker (query scope), as the CLI and
// scripts read it. Envelope as the Prometheus API: {status:"success", data}
// or {status:"error", errorType, error}. Times in responses are RFC 3339.

/** One stored record, in the wire field names of POST /v1/logs, plus what the pipeline added. */
export interface RequestLogView {
  request_id: string;
  trace_id: string | null;
  time: string;
  end_time: string | null;
  received_at: string;
  latency_ms: number | null;
  ttft_ms: number | null;
  model: string;
  requested_model: string;
  provider: string;
  api_base: string;
  deployment_id: string;
  call_type: string;
  stream: boolean | null;
  status: "success" | "failure";
  http_status: number | null;
  error_type: string | null;
  error_class: string | null;
  error_message: string | null;
  error_fingerprint: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  total_tokens: number | null;
  cached_tokens: number | null;
  cost_usd: number | null;
  cost_source: string | null;
  cache_hit: boolean | null;
  user: string;
  end_user: string;
  team: string;
  team_alias: string;
  api_key_alias: string;
  api_key_hash: string;
  project: string;
  environment: string;
  tags: string[];
  attributes: Record<string, unknown>;
}

/** GET /api/v1/requests: newest first. */
export interface RequestSearchData {
  records: RequestLogView[];
  /** Pass as cursor= for the next (older) page; null on the last page. */
  next_cursor: string | null;
}

/**
 * GET /api/v1/requests/tail?after=<unix ms>: records stored after that instant, oldest stored first.
 * Exact: following next_after, every record arrives once, none is skipped (a page
 * holds only records whose storing transactions can no longer be overtaken).
 */
export interface RequestTailData {
  records: RequestLogView[];
  /** Pass as after= next time (unix ms, with microseconds as a fraction; it already allows for transactions that commit late). */
  next_after: number;
}

/** GET /api/v1/requests/<id>: every record of the id, and every record of its trace. */
export interface RequestDetailData {
  request_id: string;
  records: RequestLogView[];
  /** Records sharing the trace id of any of records, oldest first (the id's own records included). */
  trace: RequestLogView[];
  /** True when the trace has more than the 1,000 records returned (the oldest ones are). */
  trace_truncated: boolean;
}

/** GET /api/v1/requests/errors: failures grouped by error_fingerprint, largest first. */
export interface ErrorGroup {
  fingerprint: string;
  error_type: string | null;
  error_class: string | null;
  count: number;
  first_seen: string;
  last_seen: string;
  example_request_id: string;
  example_message: string | null;
  models: string[];
  providers: string[];
  http_statuses: number[];
}
export interface ErrorGroupsData {
  groups: ErrorGroup[];
}

export interface Quantiles {
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
  mean: number | null;
}

export interface SummaryRow {
  /** The group's values of the by= dimensions ({} for the total). */
  key: Record<string, string>;
  requests: number;
  failures: number;
  error_rate: number | null;
  latency_seconds: Quantiles;
  ttft_seconds: Quantiles;
  output_tokens_per_second: Quantiles;
  tokens: { input: number; output: number; total: number; cached: number };
  cost_usd: number;
}

/** GET /api/v1/requests/summary?by=model,provider: from the per-minute rollups (quantiles estimated from their buckets). */
export interface SummaryData {
  start: string;
  end: string;
  by: string[];
  total: SummaryRow;
  groups: SummaryRow[];
}
