// Which adapter maps a line of a local log file onto the canonical record,
// for `analyze --file`. The adapters themselves belong in shared/logs/adapters
// (one place, used by ingest and the agent too).
//
// INTERIM until shared/logs/adapters is merged: `adapterFor` then becomes
//   (value) => { const a = adaptRecord(format, value); return "record" in a ? a.record : a; }
// and the two stand-ins below (canonical, LiteLLM) are deleted.
import type { RequestLogInput } from "../../shared/logs/record";

export const FILE_FORMATS = ["auto", "canonical", "litellm", "openai", "ollama"] as const;
export type FileFormat = (typeof FILE_FORMATS)[number];
export type RecordFormat = Exclude<FileFormat, "auto">;

export interface AdaptProblem {
  problem: { field: string; reason: string };
}
export type Adapt = (value: unknown) => RequestLogInput | AdaptProblem;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The format of one parsed line, by fields only that format has (LiteLLM's payloads first); null when none fits. */
export function detectFormat(value: unknown): RecordFormat | null {
  if (!isObject(value)) return null;
  if (["standard_logging_object", "startTime", "litellm_call_id", "custom_llm_provider"].some((k) => k in value)) return "litellm";
  if ("request_id" in value && "time" in value) return "canonical";
  if ("usage" in value && ("choices" in value || "object" in value)) return "openai";
  if ("eval_count" in value || "total_duration" in value || ("created_at" in value && "done" in value)) return "ollama";
  return null;
}

export function isProblem(v: RequestLogInput | AdaptProblem): v is AdaptProblem {
  return "problem" in v && isObject((v as AdaptProblem).problem) && !("request_id" in v);
}

// ---- interim stand-ins (see the header) ----

const canonical: Adapt = (v) => (isObject(v) ? (v as RequestLogInput) : { problem: { field: "(record)", reason: "a record is a JSON object" } });

const str = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);
const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

/** A StandardLoggingPayload (float unix seconds, metadata.user_api_key_*), bare or as kwargs' standard_logging_object. */
const litellm: Adapt = (value) => {
  const p = isObject(value) && isObject(value.standard_logging_object) ? value.standard_logging_object : value;
  if (!isObject(p)) return { problem: { field: "(record)", reason: "a LiteLLM payload is a JSON object" } };
  const start = num(p.startTime);
  if (start === undefined) return { problem: { field: "startTime", reason: "required: float unix seconds" } };
  const id = str(p.id) ?? str(p.litellm_call_id);
  if (!id) return { problem: { field: "id", reason: "required: the payload's id or litellm_call_id" } };
  const end = num(p.endTime);
  const first = num(p.completionStartTime);
  const md = isObject(p.metadata) ? p.metadata : {};
  const err = isObject(p.error_information) ? p.error_information : {};
  const code = Number(err.error_code);
  const ms = (s: number) => Math.round(s * 1000);
  return {
    request_id: id,
    trace_id: str(p.trace_id),
    time: ms(start),
    end_time: end === undefined ? undefined : ms(end),
    // LiteLLM sets completionStartTime to endTime when not streaming: only a stream has a first token.
    ttft_ms: p.stream === true && first !== undefined && first >= start ? Math.round((first - start) * 1000 * 1000) / 1000 : undefined,
    model: str(p.model) ?? "",
    requested_model: str(p.model_group),
    provider: str(p.custom_llm_provider) ?? "",
    api_base: str(p.api_base),
    deployment_id: str(p.model_id),
    call_type: str(p.call_type),
    stream: typeof p.stream === "boolean" ? p.stream : undefined,
    status: p.status === "failure" ? "failure" : p.status === "success" ? "success" : undefined,
    http_status: Number.isInteger(code) && code >= 100 && code <= 599 ? code : undefined,
    error_class: str(err.error_class),
    error_message: str(err.error_message) ?? str(p.error_str),
    input_tokens: num(p.prompt_tokens),
    output_tokens: num(p.completion_tokens),
    total_tokens: num(p.total_tokens),
    cost_usd: num(p.response_cost),
    cache_hit: typeof p.cache_hit === "boolean" ? p.cache_hit : undefined,
    user: str(md.user_api_key_user_id),
    end_user: str(p.end_user),
    team: str(md.user_api_key_team_id),
    team_alias: str(md.user_api_key_team_alias),
    api_key_alias: str(md.user_api_key_alias),
    api_key_hash: str(md.user_api_key_hash),
    tags: Array.isArray(p.request_tags) ? p.request_tags.filter((t): t is string => typeof t === "string") : undefined,
    attributes: {},
  };
};

const notYet = (format: string): Adapt => () => ({
  problem: { field: "(record)", reason: `the ${format} adapter comes with shared/logs/adapters; use --format canonical or litellm meanwhile` },
});

export function adapterFor(format: RecordFormat): Adapt {
  switch (format) {
    case "canonical":
      return canonical;
    case "litellm":
      return litellm;
    default:
      return notYet(format);
  }
}
