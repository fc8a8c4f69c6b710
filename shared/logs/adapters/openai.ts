// An OpenAI-style response or log line (chat.completion, text_completion, an
// embeddings list, a Responses API object, or an error body) -> the canonical
// record. `created` is integer unix seconds; the usage block gives the tokens
// (prompt_tokens_details.cached_tokens the cached part). A response says
// nothing of its latency. The generated choices are kept as sizes only.
import { MAX_ERROR_MESSAGE_LENGTH, type RequestLogInput } from "../record";
import { bodyBytes, fitAttributes } from "./fit-attributes";
import type { AdaptOptions, AdaptResult, FieldSources } from "./types";
import { AdaptError, absent, count, fail, httpStatus, isObject, kindOf, objectAt, text, unixMs, type Json } from "./values";

const MAPPED = new Set(["id", "created", "created_at", "model", "usage", "error", "object", "choices", "output", "data", "status"]);
const BODIES = ["choices", "output", "data"] as const;

export function adaptOpenai(value: unknown, opts: AdaptOptions = {}): AdaptResult {
  if (!isObject(value)) return { ok: false, problem: { field: "(record)", reason: `expected an OpenAI-style response object, got ${kindOf(value)}` } };
  try {
    return { ok: true, ...map(value, opts) };
  } catch (err) {
    if (err instanceof AdaptError) return { ok: false, problem: err.problem, id: typeof value.id === "string" ? value.id : undefined };
    throw err;
  }
}

function map(p: Json, opts: AdaptOptions): { record: RequestLogInput; sources: FieldSources } {
  const sources: FieldSources = {};
  const id = text(p.id, "id") ?? opts.fallbackId ?? fail("id", "required: the response id (e.g. chatcmpl-...)");
  const created = firstTime([[p.created, "created"], [p.created_at, "created_at"]]) ?? fail("created", "required, integer unix seconds");
  const r: RequestLogInput = { request_id: id, time: Math.round(created.ms) };
  sources.request_id = "id";
  sources.time = created.field;

  const model = text(p.model, "model");
  if (model !== undefined) r.model = model;
  if (opts.provider) r.provider = opts.provider;
  const object = text(p.object, "object");
  if (object !== undefined) {
    r.call_type = object;
    if (object.endsWith(".chunk")) r.stream = true;
    sources.call_type = "object";
  }

  // The Responses API says "failed" in status and puts the error beside it.
  const error = isObject(p.error) ? p.error : undefined;
  const failed = error !== undefined || p.status === "failed";
  r.status = failed ? "failure" : "success";
  if (error) {
    const type = text(error.type, "error.type");
    if (type !== undefined) r.error_class = type;
    const message = text(error.message, "error.message");
    if (message !== undefined) r.error_message = message.slice(0, MAX_ERROR_MESSAGE_LENGTH);
    const code = httpStatus(error.code) ?? httpStatus(error.status);
    if (code !== undefined) r.http_status = code;
    Object.assign(sources, { error_class: "error.type", error_message: "error.message", http_status: "error.code" });
  }

  const usage = objectAt(p.usage);
  const pick = (field: "input_tokens" | "output_tokens" | "total_tokens" | "cached_tokens", paths: string[]) => {
    for (const path of paths) {
      const v = path.split(".").reduce<unknown>((o, k) => objectAt(o)[k], usage);
      const n = count(v, `usage.${path}`);
      if (n !== undefined) {
        r[field] = n;
        sources[field] = `usage.${path}`;
        return;
      }
    }
  };
  pick("input_tokens", ["prompt_tokens", "input_tokens"]);
  pick("output_tokens", ["completion_tokens", "output_tokens"]);
  pick("total_tokens", ["total_tokens"]);
  pick("cached_tokens", ["prompt_tokens_details.cached_tokens", "input_tokens_details.cached_tokens"]);

  const attributes: Json = {};
  for (const k of Object.keys(p)) if (!MAPPED.has(k) && p[k] !== null && p[k] !== undefined) attributes[k] = p[k];
  const usageRest = { ...usage };
  for (const k of ["prompt_tokens", "completion_tokens", "input_tokens", "output_tokens", "total_tokens"]) delete usageRest[k];
  if (Object.keys(usageRest).length > 0) attributes.usage = usageRest;
  if (error) {
    const errorRest = { ...error };
    for (const k of ["type", "message"]) delete errorRest[k];
    if (Object.keys(errorRest).length > 0) attributes.error = errorRest;
  }
  if (typeof p.status === "string") attributes.status = p.status;
  for (const body of BODIES) if (!absent(p[body])) attributes[`${body}_bytes`] = bodyBytes(p[body]);
  if (Array.isArray(p.choices)) {
    const reasons = p.choices.map((c) => objectAt(c).finish_reason).filter((x) => typeof x === "string");
    if (reasons.length > 0) attributes.finish_reasons = reasons;
  }
  r.attributes = fitAttributes(attributes);
  return { record: r, sources };
}

function firstTime(candidates: ReadonlyArray<readonly [unknown, string]>): { ms: number; field: string } | undefined {
  for (const [v, field] of candidates) {
    const ms = unixMs(v, "s", field);
    if (ms !== undefined) return { ms, field };
  }
  return undefined;
}
