// The canonical request-log record. Every wire format (our JSON, LiteLLM's
// generic_api payloads, the agent's tailed files) is mapped onto RequestLogInput
// by an adapter (shared/logs/adapters/), validated with RequestLogSchema and
// normalised to a LogRow, which is what the queue carries and Postgres stores.
import { z } from "zod";

/** LiteLLM's words. "error" is accepted as input for "failure". */
export const LOG_STATUSES = ["success", "failure"] as const;
export type LogStatus = (typeof LOG_STATUSES)[number];

export const MAX_LOG_ID_LENGTH = 256;
export const MAX_LOG_TEXT_LENGTH = 256;
export const MAX_ERROR_MESSAGE_LENGTH = 8192;
export const MAX_LOG_TAGS = 64;

const timeSchema = (field: string) =>
  z.union([
    z.number().int(`${field} must be unix milliseconds (an integer) or an RFC 3339 string`),
    z.iso.datetime({ offset: true, message: `${field} must be unix milliseconds or an RFC 3339 string such as 2026-01-01T00:00:00Z` }),
  ]);
const count = z.number().int().nonnegative();
const nonNegative = z.number().nonnegative().finite();
const text = z.string().max(MAX_LOG_TEXT_LENGTH);

/** The wire shape of one record of POST /v1/logs (snake_case, optional fields left out). */
export const RequestLogSchema = z.strictObject({
  request_id: z.string().min(1, "request_id is required").max(MAX_LOG_ID_LENGTH),
  trace_id: z.string().max(MAX_LOG_ID_LENGTH).optional(),
  /** Start of the request. */
  time: timeSchema("time"),
  end_time: timeSchema("end_time").optional(),
  /** End to end; derived from end_time - time when absent. */
  latency_ms: nonNegative.optional(),
  ttft_ms: nonNegative.optional(),
  model: text.default(""),
  /** What the caller asked for: LiteLLM's model group / requested model. */
  requested_model: text.optional(),
  provider: text.default(""),
  api_base: z.string().max(1024).optional(),
  deployment_id: text.optional(),
  call_type: text.optional(),
  stream: z.boolean().optional(),
  status: z.enum(["success", "failure", "error"]).optional(),
  http_status: z.number().int().min(100).max(599).optional(),
  /** A normalised category (rate_limit, timeout, ...); derived when absent. */
  error_type: text.optional(),
  /** The exception / error class as the source names it (RateLimitError). */
  error_class: text.optional(),
  error_message: z.string().max(MAX_ERROR_MESSAGE_LENGTH).optional(),
  input_tokens: count.optional(),
  output_tokens: count.optional(),
  total_tokens: count.optional(),
  cached_tokens: count.optional(),
  cost_usd: nonNegative.optional(),
  cache_hit: z.boolean().optional(),
  user: text.optional(),
  end_user: text.optional(),
  team: text.optional(),
  team_alias: text.optional(),
  api_key_alias: text.optional(),
  api_key_hash: text.optional(),
  project: text.optional(),
  environment: text.optional(),
  tags: z.array(text).max(MAX_LOG_TAGS).optional(),
  attributes: z.record(z.string(), z.unknown()).default({}),
});
export type RequestLogInput = z.input<typeof RequestLogSchema>;
export type RequestLogParsed = z.output<typeof RequestLogSchema>;

/** How cost_usd was obtained. */
export type CostSource = "reported" | "price_table" | "tenant_price" | "gpu_time";

/**
 * A normalised record: what the queue carries and request_logs stores. Text
 * dimensions absent in the input are "" (never null), numbers are null.
 */
export interface LogRow {
  requestId: string;
  traceId: string | null;
  /** Start, unix ms. */
  time: number;
  /** Unix ms. */
  endTime: number | null;
  latencyMs: number | null;
  ttftMs: number | null;
  model: string;
  requestedModel: string;
  provider: string;
  apiBase: string;
  deploymentId: string;
  callType: string;
  stream: boolean | null;
  status: LogStatus;
  httpStatus: number | null;
  errorType: string | null;
  errorClass: string | null;
  errorMessage: string | null;
  /** The error message with ids, numbers and quoted values replaced: the key of an error group. */
  errorFingerprint: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  totalTokens: number | null;
  cachedTokens: number | null;
  /** Reported by the source, or computed by the aggregator (costSource says how); null when unknown. */
  costUsd: number | null;
  costSource: CostSource | null;
  cacheHit: boolean | null;
  user: string;
  endUser: string;
  team: string;
  teamAlias: string;
  apiKeyAlias: string;
  apiKeyHash: string;
  project: string;
  environment: string;
  tags: string[];
  attributes: Record<string, unknown>;
}
