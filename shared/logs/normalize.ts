// A validated wire record (RequestLogParsed) -> the LogRow that is queued and
// stored: status, latency and totals filled in where they follow from the rest,
// a normalised error type, and the error message's fingerprint.
import type { LogRow, RequestLogParsed } from "./record";
import { errorFingerprint, errorTypeOf } from "./errors";

const ms = (t: number | string) => (typeof t === "number" ? t : Date.parse(t));

export function normalizeRecord(r: RequestLogParsed): LogRow {
  const time = ms(r.time);
  const endTime = r.end_time === undefined ? null : ms(r.end_time);
  const failed = r.status
    ? r.status !== "success"
    : (r.http_status !== undefined && r.http_status >= 400) || r.error_type !== undefined || r.error_class !== undefined;
  const latencyMs = r.latency_ms ?? (endTime !== null && endTime >= time ? endTime - time : null);
  const known = r.input_tokens !== undefined || r.output_tokens !== undefined;
  const errorMessage = failed ? (r.error_message ?? null) : null;
  const errorClass = failed ? (r.error_class ?? null) : null;
  return {
    requestId: r.request_id,
    traceId: r.trace_id ?? null,
    time,
    endTime,
    latencyMs,
    ttftMs: r.ttft_ms ?? null,
    model: r.model,
    requestedModel: r.requested_model ?? "",
    provider: r.provider,
    apiBase: r.api_base ?? "",
    deploymentId: r.deployment_id ?? "",
    callType: r.call_type ?? "",
    stream: r.stream ?? null,
    status: failed ? "failure" : "success",
    httpStatus: r.http_status ?? null,
    errorType: failed ? (r.error_type ?? errorTypeOf(r.http_status ?? null, errorClass, errorMessage)) : null,
    errorClass,
    errorMessage,
    errorFingerprint: failed ? errorFingerprint(errorClass, errorMessage, r.http_status ?? null) : null,
    inputTokens: r.input_tokens ?? null,
    outputTokens: r.output_tokens ?? null,
    totalTokens: r.total_tokens ?? (known ? (r.input_tokens ?? 0) + (r.output_tokens ?? 0) : null),
    cachedTokens: r.cached_tokens ?? null,
    costUsd: r.cost_usd ?? null,
    costSource: r.cost_usd === undefined ? null : "reported",
    cacheHit: r.cache_hit ?? null,
    user: r.user ?? "",
    endUser: r.end_user ?? "",
    team: r.team ?? "",
    teamAlias: r.team_alias ?? "",
    apiKeyAlias: r.api_key_alias ?? "",
    apiKeyHash: r.api_key_hash ?? "",
    project: r.project ?? "",
    environment: r.environment ?? "",
    tags: r.tags ?? [],
    attributes: r.attributes,
  };
}
