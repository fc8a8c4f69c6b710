// JSON request-log lines -> our log record (the /v1/logs wire shape). LiteLLM's
// StandardLoggingPayload has a built-in mapping; any other JSON-lines log uses
// the field mapping from the config.
import type { LogRecordInput } from "../../../shared/contracts/ingest-json";
import type { LogFieldName, LogSourceConfig } from "../config";

/** The wire record; optional fields are left out, never null (the ingest schema is strict). */
export type WireLogRecord = Omit<LogRecordInput, "model" | "provider" | "attributes"> & {
  model?: string;
  provider?: string;
  attributes?: Record<string, unknown>;
};

export function getPath(obj: unknown, path: string): unknown {
  let cur = obj;
  for (const part of path.split(".")) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

const str = (v: unknown): string | undefined =>
  typeof v === "string" && v !== "" ? v : typeof v === "number" && Number.isFinite(v) ? String(v) : undefined;

const num = (v: unknown): number | undefined => {
  const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
};

const nonNeg = (v: number | undefined): number | undefined => (v !== undefined && v >= 0 ? v : undefined);
const count = (v: unknown): number | undefined => {
  const n = nonNeg(num(v));
  return n === undefined ? undefined : Math.round(n);
};
const httpStatus = (v: unknown): number | undefined => {
  const n = num(v);
  return n !== undefined && Number.isInteger(n) && n >= 100 && n <= 599 ? n : undefined;
};

/** Unix ms from seconds/ms numbers or an RFC 3339 / ISO string. */
export function toUnixMs(v: unknown, unit: "s" | "ms"): number | undefined {
  if (typeof v === "number" && Number.isFinite(v)) return Math.round(unit === "s" ? v * 1000 : v);
  if (typeof v === "string") {
    const t = Date.parse(v);
    return Number.isFinite(t) ? t : undefined;
  }
  return undefined;
}

/** Drops undefined fields so the strict ingest schema sees only what we know. */
function compact(r: WireLogRecord): WireLogRecord {
  for (const k of Object.keys(r) as Array<keyof WireLogRecord>) if (r[k] === undefined) delete r[k];
  return r;
}

/** LiteLLM StandardLoggingPayload, bare or wrapped as {"standard_logging_object": ...}. Times are unix seconds. */
export function litellmRecord(line: unknown, fallbackId: string): WireLogRecord | null {
  const wrapped = getPath(line, "standard_logging_object");
  const p = (wrapped && typeof wrapped === "object" ? wrapped : line) as Record<string, unknown>;
  if (!p || typeof p !== "object") return null;
  const start = num(p.startTime);
  if (start === undefined) return null;
  const end = num(p.endTime);
  const first = num(p.completionStartTime);
  const err = (p.error_information ?? {}) as Record<string, unknown>;
  const failed = p.status === "failure" || p.status === "error";
  const meta = (p.metadata ?? {}) as Record<string, unknown>;
  const attributes: Record<string, unknown> = {};
  for (const [k, v] of [
    ["call_type", p.call_type], ["api_base", p.api_base], ["model_id", p.model_id], ["requested_model", p.model],
    ["cache_hit", p.cache_hit], ["stream", p.stream], ["end_user", p.end_user], ["trace_id", p.trace_id],
    ["team", meta.user_api_key_team_alias ?? meta.user_api_key_team_id], ["key_alias", meta.user_api_key_alias],
    ["request_tags", Array.isArray(p.request_tags) && p.request_tags.length > 0 ? p.request_tags : undefined],
  ] as const) {
    if (v !== undefined && v !== null && v !== "") attributes[k] = v;
  }
  return compact({
    request_id: str(p.id) ?? fallbackId,
    time: Math.round(start * 1000),
    model: str(p.model_group) ?? str(p.model),
    provider: str(p.custom_llm_provider) ?? str(err.llm_provider),
    status: failed ? "error" : "success",
    http_status: httpStatus(err.error_code) ?? (failed ? undefined : 200),
    latency_ms: end !== undefined ? nonNeg((end - start) * 1000) : undefined,
    // For non-streaming calls LiteLLM sets completionStartTime = endTime; that is not a TTFT.
    ttft_ms: first !== undefined && p.stream === true ? nonNeg((first - start) * 1000) : undefined,
    input_tokens: count(p.prompt_tokens),
    output_tokens: count(p.completion_tokens),
    cost_usd: nonNeg(num(p.response_cost)),
    error_type: failed ? (str(err.error_class) ?? "error") : undefined,
    error_message: failed ? (str(err.error_message) ?? str(p.error_str))?.slice(0, 8192) : undefined,
    attributes,
  });
}

/** Any JSON-lines log, through the configured field mapping. */
export function mappedRecord(line: unknown, cfg: LogSourceConfig, fallbackId: string): WireLogRecord | null {
  if (!line || typeof line !== "object") return null;
  const get = (f: LogFieldName): unknown => {
    const src = cfg.fields[f];
    if (src === undefined) return undefined;
    const v = getPath(line, typeof src === "string" ? src : src.path);
    if (typeof src !== "string" && src.scale !== undefined) {
      const n = num(v);
      return n === undefined ? undefined : n * src.scale;
    }
    return v;
  };
  const time = cfg.fields.time ? toUnixMs(get("time"), cfg.time_unit) : undefined;
  if (time === undefined) return null; // a record without a time cannot be placed
  const http = httpStatus(get("http_status"));
  const errorType = str(get("error_type"));
  const rawStatus = get("status");
  const status: "success" | "error" =
    rawStatus !== undefined
      ? cfg.success_values.includes(rawStatus as string | number | boolean) ? "success" : "error"
      : (http !== undefined && http >= 400) || errorType !== undefined ? "error" : "success";
  const attributes: Record<string, unknown> = {};
  for (const a of cfg.attributes) {
    const v = getPath(line, a);
    if (v !== undefined) attributes[a] = v;
  }
  return compact({
    request_id: str(get("request_id")) ?? fallbackId,
    time,
    model: str(get("model")),
    provider: str(get("provider")) ?? cfg.provider,
    status,
    http_status: http,
    latency_ms: nonNeg(num(get("latency_ms"))),
    ttft_ms: nonNeg(num(get("ttft_ms"))),
    input_tokens: count(get("input_tokens")),
    output_tokens: count(get("output_tokens")),
    cost_usd: nonNeg(num(get("cost_usd"))),
    error_type: status === "error" ? errorType : undefined,
    error_message: status === "error" ? str(get("error_message"))?.slice(0, 8192) : undefined,
    attributes,
  });
}
