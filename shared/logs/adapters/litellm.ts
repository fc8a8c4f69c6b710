// LiteLLM's StandardLoggingPayload (what its generic_api callback posts and its
// custom loggers receive as kwargs["standard_logging_object"]) -> the canonical
// record. Facts: shared/research/litellm.md §2. Times are float unix seconds;
// completionStartTime equals endTime unless the call streamed, so it is a TTFT
// only when stream is true (as LiteLLM's own TTFT metric). The message and
// response bodies are not kept (they can be large and sensitive), only their
// sizes; everything else without a column goes to attributes.
import { MAX_ERROR_MESSAGE_LENGTH, type RequestLogInput } from "../record";
import { bodyBytes, fitAttributes } from "./fit-attributes";
import type { AdaptOptions, AdaptResult, FieldSources } from "./types";
import {
  AdaptError, absent, bool, count, fail, firstText, httpStatus, isObject, kindOf, nonNegative, objectAt, roundMs, text, unixMs, type Json,
} from "./values";

/** Top-level fields that become columns (or, for the bodies, sizes). */
const MAPPED = new Set([
  "id", "trace_id", "call_type", "stream", "response_cost", "status", "custom_llm_provider", "total_tokens", "prompt_tokens",
  "completion_tokens", "startTime", "endTime", "completionStartTime", "model", "model_id", "model_group", "api_base",
  "cache_hit", "request_tags", "end_user", "messages", "response", "metadata", "hidden_params", "error_information",
]);

/** Optional user metadata (requester_metadata, spend_logs_metadata): a string is taken, anything else stays in attributes only. */
const loose = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

function firstLoose(candidates: ReadonlyArray<readonly [unknown, string]>): { value: string; field: string } | undefined {
  for (const [v, field] of candidates) {
    const s = loose(v);
    if (s !== undefined) return { value: s, field };
  }
  return undefined;
}

function tagsOf(v: unknown): string[] | undefined {
  if (absent(v)) return undefined;
  if (!Array.isArray(v)) return fail("request_tags", `expected a list of strings, got ${kindOf(v)}`);
  const out = new Set<string>();
  v.forEach((t, i) => {
    const s = text(t, `request_tags[${i}]`);
    if (s !== undefined) out.add(s);
  });
  return out.size > 0 ? [...out] : undefined;
}

/** A copy of `obj` without the keys whose value is the one a column took (so a value is kept once), and without nulls. */
function rest(obj: Json, taken: ReadonlyArray<readonly [string, unknown]>): Json {
  const out: Json = {};
  for (const k of Object.keys(obj)) if (obj[k] !== null && obj[k] !== undefined) out[k] = obj[k];
  for (const [k, v] of taken) if (v !== undefined && out[k] === v) delete out[k];
  return out;
}

export function adaptLitellm(value: unknown, opts: AdaptOptions = {}): AdaptResult {
  const wrapped = isObject(value) ? value.standard_logging_object : undefined;
  const p = isObject(wrapped) ? wrapped : value;
  if (!isObject(p)) return { ok: false, problem: { field: "(record)", reason: `expected a StandardLoggingPayload object, got ${kindOf(p)}` } };
  const id = typeof p.id === "string" && p.id ? p.id : typeof p.litellm_call_id === "string" && p.litellm_call_id ? p.litellm_call_id : undefined;
  try {
    return { ok: true, ...map(p, opts) };
  } catch (err) {
    if (err instanceof AdaptError) return { ok: false, problem: err.problem, id };
    throw err;
  }
}

function map(p: Json, opts: AdaptOptions): { record: RequestLogInput; sources: FieldSources } {
  const meta = objectAt(p.metadata);
  const hidden = objectAt(p.hidden_params);
  const err = objectAt(p.error_information);
  const requester = objectAt(meta.requester_metadata);
  const spendMeta = objectAt(meta.spend_logs_metadata);
  const sources: FieldSources = {};
  const r: RequestLogInput = { request_id: "", time: 0 };

  const id = firstText([[p.id, "id"], [p.litellm_call_id, "litellm_call_id"]]);
  r.request_id = id?.value ?? opts.fallbackId ?? fail("id", "required: the request id (or litellm_call_id)");
  sources.request_id = id?.field ?? "id";

  const start = unixMs(p.startTime, "s", "startTime") ?? fail("startTime", "required, float unix seconds (e.g. 1767225600.125)");
  r.time = Math.round(start);
  sources.time = "startTime";
  const end = unixMs(p.endTime, "s", "endTime");
  if (end !== undefined) {
    if (end < start) fail("endTime", "is before startTime");
    r.end_time = Math.round(end);
    r.latency_ms = roundMs(end - start);
    sources.end_time = sources.latency_ms = "endTime";
  }
  r.stream = bool(p.stream, "stream");
  const first = unixMs(p.completionStartTime, "s", "completionStartTime");
  if (r.stream === true && first !== undefined && first >= start) {
    r.ttft_ms = roundMs(first - start);
    sources.ttft_ms = "completionStartTime";
  }

  const status = text(p.status, "status");
  let failed: boolean;
  if (status === undefined) failed = !absent(p.error_str) || Object.keys(err).length > 0;
  else if (status === "success" || status === "failure" || status === "error") failed = status !== "success";
  else return fail("status", `expected "success" or "failure", got ${JSON.stringify(status.slice(0, 40))}`);
  r.status = failed ? "failure" : "success";
  const code = failed ? httpStatus(err.error_code) : 200;
  if (code !== undefined) r.http_status = code;
  if (failed) {
    r.error_class = text(err.error_class, "error_information.error_class");
    const message = firstText([[err.error_message, "error_information.error_message"], [p.error_str, "error_str"]]);
    if (message) {
      r.error_message = message.value.slice(0, MAX_ERROR_MESSAGE_LENGTH);
      sources.error_message = message.field;
    }
    sources.error_class = "error_information.error_class";
  }

  const put = <K extends keyof FieldSources>(field: K, got: { value: string; field: string } | undefined) => {
    if (!got) return;
    (r as Record<string, unknown>)[field] = got.value;
    sources[field] = got.field;
  };
  put("trace_id", firstText([[p.trace_id, "trace_id"]]));
  put("model", firstText([[p.model, "model"]]));
  put("requested_model", firstText([[p.model_group, "model_group"]]));
  put("provider", firstText([[p.custom_llm_provider, "custom_llm_provider"], [err.llm_provider, "error_information.llm_provider"]]));
  if (r.provider === undefined && opts.provider) r.provider = opts.provider;
  put("api_base", firstText([[p.api_base, "api_base"], [hidden.api_base, "hidden_params.api_base"]]));
  put("deployment_id", firstText([[p.model_id, "model_id"], [hidden.model_id, "hidden_params.model_id"]]));
  put("call_type", firstText([[p.call_type, "call_type"]]));
  put("user", firstText([[meta.user_api_key_user_id, "metadata.user_api_key_user_id"]]));
  put("end_user", firstText([[p.end_user, "end_user"], [meta.user_api_key_end_user_id, "metadata.user_api_key_end_user_id"]]));
  put("team", firstText([[meta.user_api_key_team_id, "metadata.user_api_key_team_id"], [meta.team_id, "metadata.team_id"]]));
  put("team_alias", firstText([[meta.user_api_key_team_alias, "metadata.user_api_key_team_alias"], [meta.team_alias, "metadata.team_alias"]]));
  put("api_key_alias", firstText([[meta.user_api_key_alias, "metadata.user_api_key_alias"]]));
  put("api_key_hash", firstText([[meta.user_api_key_hash, "metadata.user_api_key_hash"]]));
  put("project", firstText([[meta.user_api_key_project_alias, "metadata.user_api_key_project_alias"], [meta.user_api_key_project_id, "metadata.user_api_key_project_id"]])
    ?? firstLoose([[requester.project, "metadata.requester_metadata.project"], [spendMeta.project, "metadata.spend_logs_metadata.project"]]));
  put("environment", firstLoose([
    [requester.environment, "metadata.requester_metadata.environment"], [requester.env, "metadata.requester_metadata.env"],
    [spendMeta.environment, "metadata.spend_logs_metadata.environment"], [spendMeta.env, "metadata.spend_logs_metadata.env"],
  ]));

  const counts = [["input_tokens", "prompt_tokens"], ["output_tokens", "completion_tokens"], ["total_tokens", "total_tokens"]] as const;
  for (const [field, src] of counts) {
    const n = count(p[src], src);
    if (n !== undefined) {
      r[field] = n;
      sources[field] = src;
    }
  }
  const cached = cachedTokens(hidden, "hidden_params") ?? cachedTokens(objectAt(meta), "metadata");
  if (cached) {
    r.cached_tokens = cached.value;
    sources.cached_tokens = cached.field;
  }
  // LiteLLM writes 0 when it could not price a call (and says why in
  // response_cost_failure_debug_info): that 0 is "unknown", left for our price table.
  const cost = nonNegative(p.response_cost, "response_cost");
  if (cost !== undefined && !(cost === 0 && !failed && isObject(p.response_cost_failure_debug_info))) {
    r.cost_usd = cost;
    sources.cost_usd = "response_cost";
  }
  r.cache_hit = bool(p.cache_hit, "cache_hit");
  const tags = tagsOf(p.request_tags);
  if (tags) {
    r.tags = tags;
    sources.tags = "request_tags";
  }
  for (const k of Object.keys(r) as (keyof RequestLogInput)[]) if (r[k] === undefined) delete r[k];
  r.attributes = attributesOf(p, r, meta, hidden, err);
  return { record: r, sources };
}

function cachedTokens(container: Json, where: string): { value: number; field: string } | undefined {
  const usage = objectAt(container.usage_object);
  const details = objectAt(usage.prompt_tokens_details);
  for (const [v, field] of [[details.cached_tokens, "usage_object.prompt_tokens_details.cached_tokens"], [usage.cache_read_input_tokens, "usage_object.cache_read_input_tokens"]] as const) {
    const n = count(v, `${where}.${field}`);
    if (n !== undefined) return { value: n, field: `${where}.${field}` };
  }
  return undefined;
}

/** Everything without a column, nulls left out, values a column took not repeated, bodies as sizes; trimmed to fit. */
function attributesOf(p: Json, r: RequestLogInput, meta: Json, hidden: Json, err: Json): Json {
  const out: Json = {};
  for (const k of Object.keys(p)) if (!MAPPED.has(k) && p[k] !== null && p[k] !== undefined) out[k] = p[k];
  if (r.request_id === p.litellm_call_id) delete out.litellm_call_id;
  if (r.error_message !== undefined && r.error_message === p.error_str) delete out.error_str;
  if (!absent(p.messages)) out.messages_bytes = bodyBytes(p.messages);
  if (!absent(p.response)) out.response_bytes = bodyBytes(p.response);
  const m = rest(meta, [
    ["user_api_key_user_id", r.user], ["user_api_key_end_user_id", r.end_user], ["user_api_key_team_id", r.team], ["team_id", r.team],
    ["user_api_key_team_alias", r.team_alias], ["team_alias", r.team_alias], ["user_api_key_alias", r.api_key_alias],
    ["user_api_key_hash", r.api_key_hash], ["user_api_key_project_alias", r.project], ["user_api_key_project_id", r.project],
    ["requester_ip_address", p.requester_ip_address], ["user_agent", p.user_agent],
  ]);
  if (Object.keys(m).length > 0) out.metadata = m;
  const h = rest(hidden, [["model_id", r.deployment_id], ["api_base", r.api_base], ["response_cost", p.response_cost]]);
  if (Object.keys(h).length > 0) out.hidden_params = h;
  const e = rest(err, [["error_class", r.error_class], ["error_message", r.error_message], ["llm_provider", r.provider], ["error_code", r.http_status === undefined ? undefined : err.error_code]]);
  if (Object.keys(e).length > 0) out.error_information = e;
  return fitAttributes(out);
}
