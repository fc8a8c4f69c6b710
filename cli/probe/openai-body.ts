// An OpenAI chat completion's body read into a result: a finished SSE stream or a
// JSON completion, their usage and decode rate, and the error a server put in
// the body. The bytes on the wire are openai-client.ts's job; this is pure.
import http from "node:http";
import type { SseReader } from "./sse-reader";
import type { CompletionResult } from "./openai-types";

export function finishStream(r: CompletionResult, sse: SseReader): CompletionResult {
  if (sse.error) return { ...r, error: sse.error, errorKind: "protocol" };
  if (sse.events === 0) return { ...r, error: "the stream ended without a single event (is the endpoint OpenAI-compatible?)", errorKind: "protocol" };
  // A stream must end with [DONE] or at least say why it finished; one that just stops
  // was cut off (a crashed server, a proxy's timeout) and its answer is partial. Some
  // servers omit [DONE] after a finish_reason, so either one will do.
  if (!sse.done && !sse.finishReason)
    return { ...r, text: sse.text, error: `stream ended before [DONE] (after ${sse.deltas} content ${sse.deltas === 1 ? "delta" : "deltas"}, no finish_reason)`, errorKind: "protocol" };
  const out: CompletionResult = { ...r, ok: true, text: sse.text, model: sse.model ?? r.model };
  if (sse.id) out.id = sse.id;
  if (sse.finishReason) out.finishReason = sse.finishReason;
  applyUsage(out, sse.usage, sse.deltas);
  const n = out.usage.completionTokens;
  const span = sse.firstTokenMs !== null && sse.lastTokenMs !== null ? sse.lastTokenMs - sse.firstTokenMs : 0;
  // n tokens arrive over n-1 gaps; a single token has no rate of its own.
  if (n !== null && n > 1 && span > 0) out.outputTokensPerSecond = ((n - 1) * 1000) / span;
  return out;
}

export function finishJson(r: CompletionResult, body: string): CompletionResult {
  const j = parseJson(body) as Record<string, any> | undefined;
  if (!j || typeof j !== "object") return { ...r, error: `expected a JSON chat completion, got ${snippet(body)}`, errorKind: "protocol" };
  if (j.error) return { ...r, error: errorMessage(j.error), errorKind: "protocol" };
  const choice = Array.isArray(j.choices) ? j.choices[0] : undefined;
  if (!choice) return { ...r, error: `the completion has no choices: ${snippet(body)}`, errorKind: "protocol" };
  const out: CompletionResult = { ...r, ok: true, text: String(choice.message?.content ?? choice.text ?? ""), model: typeof j.model === "string" ? j.model : r.model };
  if (typeof j.id === "string") out.id = j.id;
  if (typeof choice.finish_reason === "string") out.finishReason = choice.finish_reason;
  applyUsage(out, j.usage, null);
  const n = out.usage.completionTokens;
  if (n !== null && n > 0 && r.timings.totalMs > 0) out.outputTokensPerSecond = (n * 1000) / r.timings.totalMs;
  return out;
}

function applyUsage(out: CompletionResult, usage: unknown, counted: number | null): void {
  const u = (usage && typeof usage === "object" ? usage : {}) as Record<string, unknown>;
  const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) && v >= 0 ? Math.round(v) : null);
  const completion = num(u.completion_tokens);
  if (completion !== null) {
    const prompt = num(u.prompt_tokens);
    out.usage = { promptTokens: prompt, completionTokens: completion, totalTokens: num(u.total_tokens) ?? (prompt !== null ? prompt + completion : null) };
    out.usageSource = "reported";
  } else if (counted !== null) {
    out.usage = { promptTokens: null, completionTokens: counted, totalTokens: null };
    out.usageSource = "counted";
  }
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export const snippet = (s: string) => JSON.stringify(s.length > 200 ? `${s.slice(0, 200)}…` : s);

export function errorMessage(e: unknown): string {
  if (typeof e === "string") return e;
  const m = (e as { message?: unknown })?.message;
  return typeof m === "string" ? m : JSON.stringify(e).slice(0, 500);
}

/** "HTTP 429: <the server's message>" */
export function httpError(r: { status: number; body: string }): string {
  const j = parseJson(r.body) as { error?: unknown; message?: unknown; detail?: unknown } | undefined;
  const why = j && typeof j === "object" ? (j.error !== undefined ? errorMessage(j.error) : typeof j.message === "string" ? j.message : typeof j.detail === "string" ? j.detail : null) : null;
  return `HTTP ${r.status}: ${why ?? (r.body.trim() ? snippet(r.body.trim()) : http.STATUS_CODES[r.status] ?? "error")}`;
}
