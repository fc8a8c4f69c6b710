// A fast check of RequestLogSchema for the common record: in workerd zod runs
// without its compiled (eval) path and cost ~30 µs a record, the largest share
// of the ingest thread's time. fastParseRequestLog returns exactly what
// RequestLogSchema.safeParse(x).data would for a record it is sure about, and
// undefined for anything else (any doubt, any invalid value, RFC 3339 times),
// which the caller hands to zod: zod stays the one definition and the one
// source of messages. test/unit/logs/record-fast.test.ts checks both agree.
import { MAX_ERROR_MESSAGE_LENGTH, MAX_LOG_ID_LENGTH, MAX_LOG_TAGS, MAX_LOG_TEXT_LENGTH, RequestLogSchema, type RequestLogParsed } from "./record";

type Check = (v: unknown) => boolean;

const str = (max: number): Check => (v) => typeof v === "string" && v.length <= max;
const text = str(MAX_LOG_TEXT_LENGTH);
const id = str(MAX_LOG_ID_LENGTH);
const ms: Check = (v) => Number.isSafeInteger(v);
const count: Check = (v) => Number.isSafeInteger(v) && (v as number) >= 0;
const nonNegative: Check = (v) => typeof v === "number" && Number.isFinite(v) && v >= 0;
const bool: Check = (v) => typeof v === "boolean";

/** Every key of the schema but attributes and tags (checked apart, as their values are copied). */
const CHECKS: Record<string, Check> = {
  request_id: (v) => typeof v === "string" && v.length >= 1 && v.length <= MAX_LOG_ID_LENGTH,
  trace_id: id,
  time: ms,
  end_time: ms,
  latency_ms: nonNegative,
  ttft_ms: nonNegative,
  model: text,
  requested_model: text,
  provider: text,
  api_base: str(1024),
  deployment_id: text,
  call_type: text,
  stream: bool,
  status: (v) => v === "success" || v === "failure" || v === "error",
  http_status: (v) => Number.isInteger(v) && (v as number) >= 100 && (v as number) <= 599,
  error_type: text,
  error_class: text,
  error_message: str(MAX_ERROR_MESSAGE_LENGTH),
  input_tokens: count,
  output_tokens: count,
  total_tokens: count,
  cached_tokens: count,
  cost_usd: nonNegative,
  cache_hit: bool,
  user: text,
  end_user: text,
  team: text,
  team_alias: text,
  api_key_alias: text,
  api_key_hash: text,
  project: text,
  environment: text,
};
const has = Object.prototype.hasOwnProperty;

const isPlain = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && Object.getPrototypeOf(v) === Object.prototype;

/** The schema's keys in its order, which is the order of zod's output (textFieldProblem reports the first bad one). */
const KEYS = Object.keys(RequestLogSchema.shape);
const DEFAULTS: Record<string, unknown> = { model: "", provider: "" };

/** RequestLogSchema's output for a record surely valid, else undefined (ask zod). */
export function fastParseRequestLog(x: unknown): RequestLogParsed | undefined {
  if (!isPlain(x)) return undefined;
  let n = 0;
  for (const key in x) {
    if (!has.call(x, key)) return undefined;
    const v = x[key];
    if (v === undefined) return undefined;
    if (key === "tags") {
      if (!Array.isArray(v) || v.length > MAX_LOG_TAGS) return undefined;
      for (let i = 0; i < v.length; i++) if (!text(v[i])) return undefined;
    } else if (key === "attributes") {
      // zod's record copies own keys and drops __proto__; anything unusual goes to zod.
      if (!isPlain(v) || has.call(v, "__proto__")) return undefined;
    } else if (!has.call(CHECKS, key) || !CHECKS[key](v)) return undefined;
    n++;
  }
  if (!has.call(x, "request_id") || !has.call(x, "time")) return undefined;
  const out: Record<string, unknown> = {};
  for (const key of KEYS) {
    if (has.call(x, key)) {
      const v = x[key];
      out[key] = key === "tags" ? (v as unknown[]).slice() : key === "attributes" ? { ...(v as object) } : v;
      n--;
    } else if (key === "attributes") out.attributes = {};
    else if (has.call(DEFAULTS, key)) out[key] = DEFAULTS[key];
  }
  return n === 0 ? (out as RequestLogParsed) : undefined;
}
