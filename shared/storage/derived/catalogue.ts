// The metric families derived from request-log rollups: ours (low-cardinality
// labels, absent ones left out) and LiteLLM's, exactly as its prometheus
// integration (litellm/integrations/prometheus.py) exposes them, so LiteLLM's
// Grafana dashboards and users' queries work on logs alone. Every label is a
// function of a log_dims set (shared/logs/rollup-spec.ts DIM_KEYS); every value
// is a rollup column or histogram. Nothing here touches SQL.
//
// LiteLLM labels we have no source for are left out: end_user (not a
// dimension: high cardinality), user_email, client_ip, user_agent and route
// (not in a request log), and the opt-in ones (stream, custom metadata, tags).
import type { Labels } from "../../labels";
import { HISTOGRAMS, type Dims } from "../../logs/rollup-spec";

/** log_rollups columns a counter can sum (an allow-list: these become SQL identifiers). */
export type RollupColumn = "requests" | "input_tokens" | "output_tokens" | "total_tokens" | "cached_tokens" | "cost_usd" | "cache_hits" | "cache_misses";

/** What makes a series exist in a minute: rows with this column > 0 (LiteLLM creates a series on its first inc/observe). */
export type Presence = { column: RollupColumn } | { hist: number };

/** One label: its name and its value for a dims set (undefined: absent). */
export interface LabelSpec {
  name: string;
  value(d: Dims): string | undefined;
}

interface FamilyBase {
  /** The family name: what /api/v1/metadata lists (see metadataName). */
  name: string;
  help: string;
  unit: string;
  /** "ours" leaves absent labels out; "litellm" renders them "None" as LiteLLM does. */
  style: "ours" | "litellm";
  labels: readonly LabelSpec[];
  /** Which dims sets the family counts (LiteLLM counts most families on success only). */
  filter(d: Dims): boolean;
}

export interface CounterFamily extends FamilyBase {
  kind: "counter";
  /** One series per entry and label set; `extra` labels tell them apart (llm_tokens_total{type}). */
  values: readonly { column: RollupColumn; extra?: Labels }[];
  presence: { column: RollupColumn };
}

export interface HistogramFamily extends FamilyBase {
  kind: "histogram";
  /** Index into HISTOGRAMS: log_rollups.hist_count[hist + 1], log_rollup_buckets.hist. */
  hist: number;
  /** Bucket upper bounds (+Inf implied), as HISTOGRAMS[hist].bounds. */
  bounds: readonly number[];
}

export type DerivedFamily = CounterFamily | HistogramFamily;

export function presenceOf(f: DerivedFamily): Presence {
  return f.kind === "counter" ? f.presence : { hist: f.hist };
}

/**
 * The key under which /api/v1/metadata lists a family. Prometheus 2.42 scrapes
 * with an Accept header that prefers OpenMetrics, and prometheus_client (what
 * LiteLLM uses) then answers OpenMetrics, whose "# TYPE" line names a counter
 * family without "_total" (its samples keep it). Prometheus keys metadata by
 * that family name, so a real Prometheus scraping LiteLLM lists
 * "litellm_requests_metric" (counter), not "litellm_requests_metric_total"; a
 * histogram is listed under its base name, as Grafana expects (it adds the
 * _bucket/_sum/_count entries itself). Ours follow the same rule.
 */
export const metadataName = (f: DerivedFamily): string => f.name;

/** The series names a family exposes. */
export function seriesNamesOf(f: DerivedFamily): string[] {
  return f.kind === "counter" ? [`${f.name}_total`] : [`${f.name}_bucket`, `${f.name}_sum`, `${f.name}_count`];
}

/**
 * A bucket bound as prometheus_client writes le (floatToGoString: Python's
 * repr, so 1 is "1.0" and 0.005 "0.005"; "+Inf"). Prometheus 2.42 keeps le as
 * scraped, and dashboards filter on it, so the text must match LiteLLM's.
 */
export function leText(bound: number): string {
  if (bound === Infinity) return "+Inf";
  if (bound === -Infinity) return "-Inf";
  if (Number.isNaN(bound)) return "NaN";
  let s = Number.isInteger(bound) && Math.abs(bound) < 1e16 ? `${bound}.0` : String(bound);
  const dot = s.indexOf(".");
  // Go switches to exponents sooner than Python (prometheus_client's own rule).
  if (bound > 0 && dot > 6) {
    const mantissa = `${s[0]}.${s.slice(1, dot)}${s.slice(dot + 1)}`.replace(/[0.]+$/, "");
    s = `${mantissa}e+0${dot - 1}`;
  }
  return s;
}

// ---- label sources ----

const dim = (name: string, key: keyof Dims): LabelSpec => ({ name, value: (d) => d[key] });

const OURS: readonly LabelSpec[] = [dim("model", "model"), dim("provider", "provider"), dim("status", "status"), dim("project", "project"), dim("environment", "environment")];

const K = [dim("hashed_api_key", "api_key_hash"), dim("api_key_alias", "api_key_alias")];
const TT = [dim("team", "team"), dim("team_alias", "team_alias")];
const USER = dim("user", "user");
const MODEL = dim("model", "model"); // LiteLLM's "model": the model sent to the provider
const REQUESTED_MODEL = dim("requested_model", "requested_model"); // the model group the client asked for
const MODEL_ID = dim("model_id", "deployment_id");
const DEP = [dim("litellm_model_name", "model"), MODEL_ID, dim("api_base", "api_base"), dim("api_provider", "provider")];
const EXCEPTION_STATUS: LabelSpec = { name: "exception_status", value: (d) => d.http_status };

/** LiteLLM's _get_exception_class_name: "<Provider>.<Class>", the provider's first letter upper-cased ("Openai.RateLimitError"). */
export function exceptionClassOf(d: Dims): string | undefined {
  const cls = d.error_class;
  if (cls === undefined) return undefined;
  const p = d.provider;
  if (!p) return cls;
  const prefix = `${p[0].toUpperCase()}${p.slice(1)}.`;
  return cls.startsWith(prefix) ? cls : prefix + cls;
}
const EXCEPTION_CLASS: LabelSpec = { name: "exception_class", value: exceptionClassOf };
/** The proxy's answer: LiteLLM writes "200" on success, the exception's status code on failure. */
const STATUS_CODE: LabelSpec = { name: "status_code", value: (d) => d.http_status ?? (d.status === "success" ? "200" : undefined) };

const all = () => true;
const success = (d: Dims) => d.status === "success";
const failure = (d: Dims) => d.status === "failure";

const REQUESTS = { column: "requests" } as const;

function counter(style: FamilyBase["style"], name: string, help: string, labels: readonly LabelSpec[], filter: (d: Dims) => boolean, column: RollupColumn, presence: RollupColumn = "requests"): CounterFamily {
  return { kind: "counter", style, name, help, unit: "", labels, filter, values: [{ column }], presence: { column: presence } };
}

function histogram(style: FamilyBase["style"], name: string, help: string, unit: string, labels: readonly LabelSpec[], filter: (d: Dims) => boolean, hist: number): HistogramFamily {
  return { kind: "histogram", style, name, help, unit, labels, filter, hist, bounds: HISTOGRAMS[hist].bounds };
}

// ---- the families ----

export const OUR_FAMILIES: readonly DerivedFamily[] = [
  counter("ours", "llm_requests", "Requests, from request logs.", OURS, all, "requests"),
  histogram("ours", "llm_request_duration_seconds", "End-to-end request latency in seconds, from request logs.", "seconds", OURS, all, 0),
  histogram("ours", "llm_time_to_first_token_seconds", "Time to first token in seconds, from request logs.", "seconds", OURS, all, 1),
  {
    kind: "counter", style: "ours", name: "llm_tokens", help: "Tokens by type (prompt, completion, cached), from request logs.", unit: "",
    labels: OURS, filter: all, presence: REQUESTS,
    values: [{ column: "input_tokens", extra: { type: "prompt" } }, { column: "output_tokens", extra: { type: "completion" } }, { column: "cached_tokens", extra: { type: "cached" } }],
  },
  counter("ours", "llm_cost_usd", "Cost in US dollars, from request logs.", OURS, all, "cost_usd"),
  histogram("ours", "llm_output_tokens_per_second", "Output tokens per second of generation, from request logs.", "", OURS, all, 2),
];

const REQ_LABELS = [MODEL, ...K, ...TT, USER, MODEL_ID];
const TOKEN_LABELS = [MODEL, ...K, ...TT, USER, REQUESTED_MODEL, MODEL_ID];
const LATENCY_LABELS = [...K, REQUESTED_MODEL, ...TT, USER, MODEL, MODEL_ID];
const DEPLOYMENT_LABELS = [REQUESTED_MODEL, ...DEP, ...K, ...TT];
const successStream = (d: Dims) => d.status === "success" && d.stream === "true";

// Help texts are LiteLLM's own.
export const LITELLM_FAMILIES: readonly DerivedFamily[] = [
  counter("litellm", "litellm_proxy_total_requests_metric", "Total number of requests made to the proxy server - track number of client side requests",
    [...K, REQUESTED_MODEL, ...TT, USER, STATUS_CODE, MODEL_ID], all, "requests"),
  counter("litellm", "litellm_proxy_failed_requests_metric", "Total number of failed responses from proxy - the client did not get a success response from litellm proxy",
    [...K, REQUESTED_MODEL, ...TT, USER, EXCEPTION_STATUS, EXCEPTION_CLASS, MODEL_ID], failure, "requests"),
  counter("litellm", "litellm_requests_metric", "deprecated - use litellm_proxy_total_requests_metric. Total number of LLM calls to litellm - track total per API Key, team, user",
    REQ_LABELS, success, "requests"),
  counter("litellm", "litellm_llm_api_failed_requests_metric", "deprecated - use litellm_proxy_failed_requests_metric", REQ_LABELS, failure, "requests"),
  counter("litellm", "litellm_spend_metric", "Total spend on LLM requests", REQ_LABELS, success, "cost_usd"),
  counter("litellm", "litellm_total_tokens_metric", "Total number of input + output tokens from LLM requests", TOKEN_LABELS, success, "total_tokens"),
  counter("litellm", "litellm_input_tokens_metric", "Total number of input tokens from LLM requests", TOKEN_LABELS, success, "input_tokens"),
  counter("litellm", "litellm_output_tokens_metric", "Total number of output tokens from LLM requests", TOKEN_LABELS, success, "output_tokens"),
  // Both latencies are the log's start-to-end time: a log has no separate LLM API call start.
  histogram("litellm", "litellm_request_total_latency_metric", "Total latency (seconds) for a request to LiteLLM", "", LATENCY_LABELS, success, 0),
  histogram("litellm", "litellm_llm_api_latency_metric", "Total latency (seconds) for a models LLM API call", "", LATENCY_LABELS, success, 0),
  // LiteLLM observes TTFT for streaming requests only.
  histogram("litellm", "litellm_llm_api_time_to_first_token_metric", "Time to first token for a models LLM API call", "", LATENCY_LABELS, successStream, 1),
  counter("litellm", "litellm_deployment_success_responses", "LLM Deployment Analytics - Total number of successful LLM API calls via litellm", DEPLOYMENT_LABELS, success, "requests"),
  counter("litellm", "litellm_deployment_failure_responses",
    "LLM Deployment Analytics - Total number of failed LLM API calls for a specific LLM deploymeny. exception_status is the status of the exception from the llm api",
    [REQUESTED_MODEL, ...DEP, EXCEPTION_STATUS, EXCEPTION_CLASS, ...K, ...TT], failure, "requests"),
  counter("litellm", "litellm_deployment_total_requests", "LLM Deployment Analytics - Total number of LLM API calls via litellm - success + failure", DEPLOYMENT_LABELS, all, "requests"),
  histogram("litellm", "litellm_deployment_latency_per_output_token", "LLM Deployment Analytics - Latency per output token", "", [...DEP, ...K, ...TT], success, 3),
  counter("litellm", "litellm_cache_hits_metric", "Total number of LiteLLM cache hits", REQ_LABELS, success, "cache_hits", "cache_hits"),
  counter("litellm", "litellm_cache_misses_metric", "Total number of LiteLLM cache misses", REQ_LABELS, success, "cache_misses", "cache_misses"),
];

export const DERIVED_FAMILIES: readonly DerivedFamily[] = [...OUR_FAMILIES, ...LITELLM_FAMILIES];

const sortedSpecs = new WeakMap<DerivedFamily, readonly LabelSpec[]>();

/** A family's base labels (no __name__, le or type) for a dims set, keys sorted. */
export function baseLabels(f: DerivedFamily, d: Dims): Labels {
  let specs = sortedSpecs.get(f);
  if (!specs) sortedSpecs.set(f, (specs = [...f.labels].sort((a, b) => (a.name < b.name ? -1 : 1))));
  const out: Labels = {};
  for (const l of specs) {
    const v = l.value(d);
    if (v !== undefined && v !== "") out[l.name] = v;
    else if (f.style === "litellm") out[l.name] = "None";
  }
  return out;
}

/** Every label name a series of the family can carry, __name__ and le/type included. */
export function possibleLabelNames(f: DerivedFamily, seriesName: string): Set<string> {
  const names = new Set(["__name__", ...f.labels.map((l) => l.name)]);
  if (f.kind === "histogram" && seriesName.endsWith("_bucket")) names.add("le");
  if (f.kind === "counter") for (const v of f.values) for (const k of Object.keys(v.extra ?? {})) names.add(k);
  return names;
}
