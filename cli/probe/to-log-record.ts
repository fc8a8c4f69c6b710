// One probe request as our canonical request-log record (POST /v1/logs), so
// synthetic traffic shows in the same dashboards, searches and llm_requests_total
// as user traffic, and can be told from it: tagged "synthetic", with the probe's
// run id and its phase timings in the attributes.
import { MAX_ERROR_MESSAGE_LENGTH, MAX_LOG_TEXT_LENGTH, type RequestLogInput } from "../../shared/logs/record";
import type { CompletionResult } from "./openai-client";

export const SYNTHETIC_TAG = "synthetic";
/** The environment of a reported probe request unless --environment says otherwise. */
export const SYNTHETIC_ENVIRONMENT = "synthetic";

export interface SyntheticContext {
  /** Unique per record: a run id and the request's number in it. */
  requestId: string;
  /** The API base that was probed (api_base). */
  endpoint: string;
  /** The model asked for; the record's model is what the server says answered. */
  requestedModel: string;
  /** Default: the endpoint's host, so two endpoints serving one model stay apart. */
  provider?: string;
  /** What sent it: "probe latency", "agent", "loadtest". */
  source: string;
  /** Groups one run's records: attributes.probe_run. */
  runId?: string;
  /** More attributes, such as another tool's run id (loadtest_run); the measured ones win a clash. */
  attributes?: Record<string, unknown>;
  /** More tags after "synthetic". */
  tags?: string[];
  environment?: string;
}

/** Our error categories (shared/logs/errors.ts) for failures that have no HTTP status to derive one from. */
const ERROR_TYPE: Partial<Record<NonNullable<CompletionResult["errorKind"]>, string>> = { timeout: "timeout", connection: "connection" };

const cut = (s: string, max: number) => (s.length > max ? s.slice(0, max) : s);
const round = (v: number) => Math.round(v * 1000) / 1000;

export function toLogRecord(r: CompletionResult, ctx: SyntheticContext): RequestLogInput {
  const rec: RequestLogInput = {
    request_id: ctx.requestId,
    time: r.startedAt,
    end_time: Math.round(r.startedAt + r.timings.totalMs),
    latency_ms: round(r.timings.totalMs),
    model: cut(r.model, MAX_LOG_TEXT_LENGTH),
    requested_model: cut(ctx.requestedModel, MAX_LOG_TEXT_LENGTH),
    provider: cut(ctx.provider ?? hostOf(ctx.endpoint), MAX_LOG_TEXT_LENGTH),
    api_base: ctx.endpoint.slice(0, 1024),
    call_type: r.stream ? "chat.completion.chunk" : "chat.completion",
    stream: r.stream,
    status: r.ok ? "success" : "failure",
    tags: [SYNTHETIC_TAG, ...(ctx.tags ?? [])].map((t) => cut(t, MAX_LOG_TEXT_LENGTH)),
    attributes: attributes(r, ctx),
  };
  if (r.timings.ttftMs !== null) rec.ttft_ms = round(r.timings.ttftMs);
  if (r.status > 0) rec.http_status = r.status;
  if (!r.ok) {
    rec.error_message = cut(r.error ?? "failed", MAX_ERROR_MESSAGE_LENGTH);
    const type = r.errorKind && ERROR_TYPE[r.errorKind];
    if (type) rec.error_type = type;
  }
  if (r.usage.promptTokens !== null) rec.input_tokens = r.usage.promptTokens;
  if (r.usage.completionTokens !== null) rec.output_tokens = r.usage.completionTokens;
  if (r.usage.totalTokens !== null) rec.total_tokens = r.usage.totalTokens;
  if (ctx.environment) rec.environment = cut(ctx.environment, MAX_LOG_TEXT_LENGTH);
  return rec;
}

function attributes(r: CompletionResult, ctx: SyntheticContext): Record<string, unknown> {
  const a: Record<string, unknown> = { ...ctx.attributes, synthetic: true, probe_source: ctx.source, reused_connection: r.reusedConnection, usage_source: r.usageSource };
  if (ctx.runId) a.probe_run = ctx.runId;
  const t = r.timings;
  for (const [k, v] of [["dns_ms", t.dnsMs], ["connect_ms", t.connectMs], ["tls_ms", t.tlsMs], ["ttfb_ms", t.ttfbMs]] as const) if (v !== null) a[k] = round(v);
  if (r.outputTokensPerSecond !== null) a.output_tokens_per_second = round(r.outputTokensPerSecond);
  if (r.errorKind) a.failure_kind = r.errorKind;
  if (r.id) a.response_id = r.id;
  return a;
}

function hostOf(endpoint: string): string {
  try {
    return new URL(endpoint).host;
  } catch {
    return endpoint;
  }
}
