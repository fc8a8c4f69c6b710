// Ollama's /api/generate and /api/chat final response (done: true) -> the
// canonical record. Its durations are NANOSECONDS; created_at (RFC 3339) is when
// the response was written, i.e. the end, so the start is created_at minus
// total_duration. The time to first token is what came before generation
// (total_duration - eval_duration: load, prompt evaluation). Ollama has no
// request id: the source's own (the agent: the line's place) or model@created_at.
import { MAX_ERROR_MESSAGE_LENGTH, type RequestLogInput } from "../record";
import { bodyBytes, fitAttributes } from "./fit-attributes";
import type { AdaptOptions, AdaptResult, FieldSources } from "./types";
import { AdaptError, absent, count, durationMs, fail, isObject, kindOf, roundMs, text, unixMs, type Json } from "./values";

const MAPPED = new Set([
  "model", "created_at", "done", "error", "total_duration", "load_duration", "prompt_eval_count", "prompt_eval_duration",
  "eval_count", "eval_duration", "response", "message", "context", "thinking", "embeddings",
]);

export function adaptOllama(value: unknown, opts: AdaptOptions = {}): AdaptResult {
  if (!isObject(value)) return { ok: false, problem: { field: "(record)", reason: `expected an Ollama response object, got ${kindOf(value)}` } };
  try {
    return { ok: true, ...map(value, opts) };
  } catch (err) {
    if (err instanceof AdaptError) return { ok: false, problem: err.problem };
    throw err;
  }
}

function map(p: Json, opts: AdaptOptions): { record: RequestLogInput; sources: FieldSources } {
  if (p.done === false) fail("done", "is false: a streamed chunk, not the final response that carries the stats");
  const createdAt = text(p.created_at, "created_at");
  const end = unixMs(createdAt, "ns", "created_at") ?? fail("created_at", "required, an RFC 3339 time (Ollama's response stats)");
  const model = text(p.model, "model");
  const total = durationMs(p.total_duration, "ns", "total_duration");
  const evalMs = durationMs(p.eval_duration, "ns", "eval_duration");
  const r: RequestLogInput = {
    request_id: opts.fallbackId ?? `${model ?? "ollama"}@${createdAt}`,
    time: Math.round(total === undefined ? end : end - total),
    end_time: Math.round(end),
    provider: opts.provider ?? "ollama",
  };
  const sources: FieldSources = { time: "created_at", end_time: "created_at" };
  if (model !== undefined) r.model = model;
  if (total !== undefined) {
    r.latency_ms = total;
    sources.latency_ms = "total_duration";
    if (evalMs !== undefined && evalMs <= total) {
      r.ttft_ms = roundMs(total - evalMs);
      sources.ttft_ms = "eval_duration";
    }
  }
  const input = count(p.prompt_eval_count, "prompt_eval_count");
  if (input !== undefined) r.input_tokens = input;
  const output = count(p.eval_count, "eval_count");
  if (output !== undefined) r.output_tokens = output;
  Object.assign(sources, { input_tokens: "prompt_eval_count", output_tokens: "eval_count" });
  r.call_type = !absent(p.message) ? "chat" : !absent(p.embeddings) ? "embed" : "generate";
  const error = text(p.error, "error");
  r.status = error === undefined ? "success" : "failure";
  if (error !== undefined) r.error_message = error.slice(0, MAX_ERROR_MESSAGE_LENGTH);

  const attributes: Json = {};
  for (const k of Object.keys(p)) if (!MAPPED.has(k) && p[k] !== null && p[k] !== undefined) attributes[k] = p[k];
  for (const k of ["load_duration", "prompt_eval_duration", "eval_duration"] as const) {
    const ms = durationMs(p[k], "ns", k);
    if (ms !== undefined) attributes[`${k}_ms`] = ms;
  }
  for (const body of ["response", "message", "thinking"] as const) if (!absent(p[body])) attributes[`${body}_bytes`] = bodyBytes(p[body]);
  if (Array.isArray(p.context)) attributes.context_tokens = p.context.length;
  if (Array.isArray(p.embeddings)) attributes.embeddings = p.embeddings.length;
  r.attributes = fitAttributes(attributes);
  return { record: r, sources };
}
