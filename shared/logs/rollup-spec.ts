// What the per-minute rollups of request logs hold. The aggregator adds each
// newly stored log into the rollup rows of its minute (log_rollups, with the
// histogram buckets in log_rollup_buckets), of its hour (log_rollups_hour, the
// buckets a dense array in the row) and of its UTC day (the *_day tables); the
// query worker's derived series and summaries read them. Every quantity here
// is a function of one LogRow, so a rollup can be recomputed from the logs of
// its minute.
import type { LogRow } from "./record";

/**
 * The dimensions a rollup row is keyed by (with tenant and minute). Every
 * derived series' labels are a projection of these. Absent values are left
 * out of the object. High-cardinality fields (end_user, tags, request ids)
 * are deliberately not dimensions.
 */
export const DIM_KEYS = [
  "model", "requested_model", "provider", "api_base", "deployment_id", "status", "http_status", "error_class",
  "team", "team_alias", "user", "api_key_alias", "api_key_hash", "project", "environment", "stream",
] as const;
export type DimKey = (typeof DIM_KEYS)[number];
export type Dims = Partial<Record<DimKey, string>>;

export function dimsOf(r: LogRow): Dims {
  const d: Dims = {};
  const put = (k: DimKey, v: string | null | undefined) => {
    if (v !== null && v !== undefined && v !== "") d[k] = v;
  };
  put("model", r.model);
  put("requested_model", r.requestedModel);
  put("provider", r.provider);
  put("api_base", r.apiBase);
  put("deployment_id", r.deploymentId);
  put("status", r.status);
  put("http_status", r.httpStatus === null ? null : String(r.httpStatus));
  put("error_class", r.errorClass);
  put("team", r.team);
  put("team_alias", r.teamAlias);
  put("user", r.user);
  put("api_key_alias", r.apiKeyAlias);
  put("api_key_hash", r.apiKeyHash);
  put("project", r.project);
  put("environment", r.environment);
  put("stream", r.stream === null ? null : String(r.stream));
  return d;
}

/** Canonical text of a dims object (sorted keys): what its hash is taken over. */
export function dimsKey(d: Dims): string {
  return JSON.stringify(Object.keys(d).sort().map((k) => [k, d[k as DimKey]]));
}

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
export const minuteOf = (ms: number) => Math.floor(ms / MINUTE_MS) * MINUTE_MS;
export const hourStartOf = (ms: number) => Math.floor(ms / HOUR_MS) * HOUR_MS;
export const dayStartOf = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;

/** LiteLLM's LATENCY_BUCKETS (seconds), +Inf implied: its latency histograms and ours. */
export const LATENCY_BUCKETS = [
  0.005, 0.00625, 0.0125, 0.025, 0.05, 0.1, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 5.5,
  6.0, 6.5, 7.0, 7.5, 8.0, 8.5, 9.0, 9.5, 10.0, 15.0, 20.0, 25.0, 30.0, 60.0, 120.0, 180.0, 240.0, 300.0,
] as const;
/** Output tokens per second of generation. */
export const TOKENS_PER_SECOND_BUCKETS = [1, 2.5, 5, 10, 15, 20, 30, 40, 50, 75, 100, 150, 200, 300, 500, 1000, 2000] as const;
/** prometheus_client's default buckets: LiteLLM's per-output-token latency uses them. */
export const DEFAULT_PROMETHEUS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0] as const;

export interface HistogramSpec {
  /** Stored in log_rollup_buckets.hist. */
  id: number;
  name: "latency" | "ttft" | "tokens_per_second" | "latency_per_output_token";
  /** Upper bounds (le), ascending; bucket index bounds.length is +Inf. */
  bounds: readonly number[];
  /** The observation for one log, or null when it has none. */
  observe(r: LogRow): number | null;
}

const seconds = (ms: number | null) => (ms === null ? null : ms / 1000);

export const HISTOGRAMS: readonly HistogramSpec[] = [
  { id: 0, name: "latency", bounds: LATENCY_BUCKETS, observe: (r) => seconds(r.latencyMs) },
  { id: 1, name: "ttft", bounds: LATENCY_BUCKETS, observe: (r) => seconds(r.ttftMs) },
  {
    id: 2,
    name: "tokens_per_second",
    bounds: TOKENS_PER_SECOND_BUCKETS,
    // Generation time: after the first token when that is known.
    observe: (r) => {
      if (!r.outputTokens || r.latencyMs === null) return null;
      const genMs = r.ttftMs !== null && r.ttftMs < r.latencyMs ? r.latencyMs - r.ttftMs : r.latencyMs;
      return genMs > 0 ? r.outputTokens / (genMs / 1000) : null;
    },
  },
  {
    id: 3,
    name: "latency_per_output_token",
    bounds: DEFAULT_PROMETHEUS_BUCKETS,
    // As LiteLLM: (TTFT when streaming, else total latency) / completion tokens.
    observe: (r) => {
      if (!r.outputTokens) return null;
      const ms = r.stream === true && r.ttftMs !== null ? r.ttftMs : r.latencyMs;
      return ms === null ? null : ms / 1000 / r.outputTokens;
    },
  },
];

/** Index of the bucket an observation falls in: the first bound >= v; bounds.length for +Inf. */
export function bucketIndex(bounds: readonly number[], v: number): number {
  let lo = 0;
  let hi = bounds.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (v <= bounds[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * The plain sums of a rollup row (log_rollups / log_rollups_day columns, in
 * snake_case there). hist_count_<id> and hist_sum_<id> are the count and sum of
 * each histogram's observations.
 */
export interface RollupSums {
  requests: number;
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  cachedTokens: number;
  costUsd: number;
  cacheHits: number;
  cacheMisses: number;
  histCount: number[]; // by HISTOGRAMS index
  histSum: number[];
}

/**
 * A rollup row's bucket counts as one dense array (log_rollups_hour.buckets):
 * histogram h's buckets from BUCKET_OFFSET[h], bounds.length + 1 of them
 * (+Inf last); BUCKET_SLOTS in all.
 */
export const BUCKET_OFFSET: readonly number[] = HISTOGRAMS.map((_, i) => HISTOGRAMS.slice(0, i).reduce((n, h) => n + h.bounds.length + 1, 0));
export const BUCKET_SLOTS = HISTOGRAMS.reduce((n, h) => n + h.bounds.length + 1, 0);
