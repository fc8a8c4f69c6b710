// A small client of an OpenAI-compatible endpoint (vLLM, llama.cpp server,
// Ollama's /v1, LiteLLM, a hosted API) that measures where the time of one
// request goes. node:http/https only, no dependencies: the agent bundles it.
//
// Timings are phases, in milliseconds from the moment the request is made:
//   dnsMs      name lookup (socket 'lookup'); 0 for an IP literal or a reused socket
//   connectMs  TCP connect after the lookup (socket 'connect'); 0 on a reused socket
//   tlsMs      TLS handshake after connect (socket 'secureConnect'); 0 for http:
//   ttfbMs     request start to the response's status line and headers
//   ttftMs     request start to the first generated content: the first SSE delta with
//              content / reasoning / a tool call when streaming; null without streaming,
//              where the first token cannot be told from the last
//   totalMs    request start to the end of the body
// A phase that did not happen because the request failed first is null.
import http from "node:http";
import https from "node:https";

export interface ChatMessage {
  role: "system" | "user" | "assistant" | "tool";
  content: string;
}

export interface CompletionRequest {
  model: string;
  /** One user message; ignored when messages is given. */
  prompt?: string;
  messages?: ChatMessage[];
  maxTokens?: number;
  /** Streaming (SSE) by default: only then is the time to first token known. */
  stream?: boolean;
  temperature?: number;
  /** Ask a streaming server for a final usage chunk (stream_options.include_usage); default true. */
  includeUsage?: boolean;
}

export interface CallOptions {
  /** The whole request, connect to the last byte; default the client's timeoutMs. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface ClientOptions {
  /** The OpenAI base URL (https://host/v1); a URL without a /vN path gets /v1 appended. */
  endpoint: string;
  apiKey?: string;
  /** Reuse connections between requests (a load generator); default false: each request pays its own connect. */
  keepAlive?: boolean;
  /** Default 60 s. */
  timeoutMs?: number;
  /** Sockets per host with keepAlive; default unbounded. */
  maxSockets?: number;
  headers?: Record<string, string>;
  /** PEM certificate(s) to trust for https: a self-signed server's. */
  ca?: string;
}

export interface Timings {
  dnsMs: number | null;
  connectMs: number | null;
  tlsMs: number | null;
  ttfbMs: number | null;
  ttftMs: number | null;
  totalMs: number;
}

export interface Usage {
  promptTokens: number | null;
  completionTokens: number | null;
  totalTokens: number | null;
}

/** Why a request failed: an HTTP status, no connection, no answer in time, the caller's abort, a body that is not OpenAI's. */
export type FailureKind = "http" | "connection" | "timeout" | "aborted" | "protocol";

export interface CompletionResult {
  ok: boolean;
  /** HTTP status; 0 when no response came. */
  status: number;
  error?: string;
  errorKind?: FailureKind;
  /** From Retry-After on a 429 or 503. */
  retryAfterMs?: number;
  timings: Timings;
  usage: Usage;
  /** "reported" by the server, or "counted" from stream deltas (one per delta) when it reported none. */
  usageSource: "reported" | "counted" | "none";
  /** Decode rate: (completion tokens - 1) over first-to-last token when streaming, completion tokens over totalMs otherwise. */
  outputTokensPerSecond: number | null;
  /** The model the server says answered, else the one asked for. */
  model: string;
  stream: boolean;
  /** The response id (chatcmpl-...), when given. */
  id?: string;
  finishReason?: string;
  reusedConnection: boolean;
  /** Unix ms when the request was made. */
  startedAt: number;
  text?: string;
}

export interface ModelsResult {
  ok: boolean;
  status: number;
  error?: string;
  errorKind?: FailureKind;
  models: string[];
  timings: Timings;
}

export interface HealthResult {
  ok: boolean;
  status: number;
  error?: string;
  errorKind?: FailureKind;
  /** What answered: /health at the server's root, or /v1/models where there is no /health (Ollama, hosted APIs). */
  checked: string;
  timings: Timings;
}

/** Bodies larger than this are cut off: a probe has no use for them and must not run out of memory. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 60_000;

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  timings: Timings;
  reused: boolean;
  error?: string;
  errorKind?: FailureKind;
}

/** The base URL with a /vN path: http://h:8000 -> http://h:8000/v1; http://h/openai/v1 stays. */
export function apiBase(endpoint: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(endpoint)) throw new Error(`endpoint ${JSON.stringify(endpoint)} has no scheme: write it as http://${endpoint.replace(/^\/+/, "")}`);
  let u: URL;
  try {
    u = new URL(endpoint);
  } catch {
    throw new Error(`endpoint ${JSON.stringify(endpoint)} is not a URL (expected e.g. http://127.0.0.1:8000/v1)`);
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error(`endpoint ${JSON.stringify(endpoint)} must be http:// or https://`);
  const path = u.pathname.replace(/\/+$/, "");
  u.pathname = /\/v\d+$/.test(path) ? path : `${path}/v1`;
  u.search = "";
  u.hash = "";
  return u.toString().replace(/\/+$/, "");
}

export class OpenAiClient {
  readonly base: string;
  private readonly opts: ClientOptions;
  private readonly agent: http.Agent | undefined;

  constructor(opts: ClientOptions) {
    this.base = apiBase(opts.endpoint);
    this.opts = opts;
    const agentOpts = { keepAlive: true, maxSockets: opts.maxSockets ?? Infinity };
    if (opts.keepAlive) this.agent = this.base.startsWith("https:") ? new https.Agent({ ...agentOpts, ...(opts.ca ? { ca: opts.ca } : {}) }) : new http.Agent(agentOpts);
  }

  /** Closes kept-alive sockets so the process can exit. */
  close(): void {
    this.agent?.destroy();
  }

  async listModels(call: CallOptions = {}): Promise<ModelsResult> {
    const r = await this.send("GET", `${this.base}/models`, undefined, call);
    const base = { status: r.status, timings: r.timings, models: [] as string[] };
    if (r.errorKind) return { ...base, ok: false, error: r.error, errorKind: r.errorKind };
    if (r.status !== 200) return { ...base, ok: false, error: httpError(r), errorKind: "http" };
    const data = (parseJson(r.body) as { data?: unknown } | undefined)?.data;
    if (!Array.isArray(data)) return { ...base, ok: false, error: `GET /models: expected {"data":[{"id":...}]}, got ${snippet(r.body)}`, errorKind: "protocol" };
    const models = data.map((m) => (m as { id?: unknown })?.id).filter((id): id is string => typeof id === "string");
    return { ...base, ok: true, models };
  }

  /** GET /health at the server's root; where that is 404 or 405, a model list that answers 200 counts as healthy. */
  async health(call: CallOptions = {}): Promise<HealthResult> {
    const root = this.base.replace(/\/v\d+$/, "");
    const r = await this.send("GET", `${root}/health`, undefined, call);
    if (r.status === 404 || r.status === 405) {
      const m = await this.listModels(call);
      return { ok: m.ok, status: m.status, checked: "/v1/models", timings: m.timings, ...(m.ok ? {} : { error: m.error, errorKind: m.errorKind }) };
    }
    const out = { status: r.status, checked: "/health", timings: r.timings };
    if (r.errorKind) return { ...out, ok: false, error: r.error, errorKind: r.errorKind };
    if (r.status < 200 || r.status >= 300) return { ...out, ok: false, error: httpError(r), errorKind: "http" };
    return { ...out, ok: true };
  }

  /** One chat completion. Never throws for what the server or network does: the result says so. */
  async complete(req: CompletionRequest, call: CallOptions = {}): Promise<CompletionResult> {
    const stream = req.stream ?? true;
    const body: Record<string, unknown> = {
      model: req.model,
      messages: req.messages ?? [{ role: "user", content: req.prompt ?? "" }],
      stream,
    };
    if (req.maxTokens !== undefined) body.max_tokens = req.maxTokens;
    if (req.temperature !== undefined) body.temperature = req.temperature;
    if (stream && req.includeUsage !== false) body.stream_options = { include_usage: true };
    const startedAt = Date.now();
    const sse = stream ? new SseReader() : null;
    const r = await this.send("POST", `${this.base}/chat/completions`, JSON.stringify(body), call, sse ?? undefined);
    const result: CompletionResult = {
      ok: false, status: r.status, timings: r.timings, usage: { promptTokens: null, completionTokens: null, totalTokens: null },
      usageSource: "none", outputTokensPerSecond: null, model: req.model, stream, reusedConnection: r.reused, startedAt,
    };
    if (sse) r.timings.ttftMs = sse.firstTokenMs;
    const retry = retryAfterMs(r.headers["retry-after"]);
    if (retry !== undefined) result.retryAfterMs = retry;
    if (r.errorKind) return { ...result, error: r.error, errorKind: r.errorKind };
    if (r.status !== 200) return { ...result, error: httpError(r), errorKind: "http" };
    return sse ? finishStream(result, sse) : finishJson(result, r.body);
  }

  /** One HTTP exchange with its phase timings; `sink` sees the body as it arrives (SSE). */
  private send(method: string, url: string, body: string | undefined, call: CallOptions, sink?: SseReader): Promise<RawResponse> {
    const t0 = performance.now();
    const since = () => performance.now() - t0;
    const timings: Timings = { dnsMs: null, connectMs: null, tlsMs: null, ttfbMs: null, ttftMs: null, totalMs: 0 };
    const timeoutMs = call.timeoutMs ?? this.opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const secure = url.startsWith("https:");
    const headers: Record<string, string> = { accept: sink ? "text/event-stream" : "application/json", "user-agent": "inferscope-probe", ...this.opts.headers };
    if (this.opts.apiKey) headers.authorization = `Bearer ${this.opts.apiKey}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    return new Promise((resolve) => {
      let reused = false;
      let settled = false;
      let status = 0;
      let resHeaders: http.IncomingHttpHeaders = {};
      const chunks: Buffer[] = [];
      let bytes = 0;
      const done = (errorKind?: FailureKind, error?: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        call.signal?.removeEventListener("abort", onAbort);
        timings.totalMs = since();
        resolve({ status, headers: resHeaders, body: Buffer.concat(chunks).toString("utf8"), timings, reused, ...(errorKind ? { errorKind, error } : {}) });
        if (errorKind) req.destroy();
      };
      const onAbort = () => done("aborted", "aborted by the caller");
      const lib = secure ? https : http;
      const req = lib.request(url, { method, headers, agent: this.agent ?? false, ...(secure && this.opts.ca ? { ca: this.opts.ca } : {}) });
      req.on("error", (e: NodeJS.ErrnoException) => done("connection", connectionError(url, e)));
      const timer = setTimeout(() => done("timeout", `no complete answer within ${timeoutMs / 1000}s (${phaseAt(timings, status)})`), timeoutMs);
      if (call.signal?.aborted) return onAbort();
      call.signal?.addEventListener("abort", onAbort, { once: true });
      req.on("socket", (socket) => {
        // A kept-alive socket is already connected: nothing to measure, nothing spent.
        if (!socket.connecting && (socket as { remoteAddress?: string }).remoteAddress) {
          reused = true;
          timings.dnsMs = 0;
          timings.connectMs = 0;
          timings.tlsMs = 0;
          return;
        }
        let lookupAt: number | null = null;
        socket.once("lookup", () => {
          lookupAt = since();
          timings.dnsMs = lookupAt;
        });
        socket.once("connect", () => {
          const at = since();
          timings.dnsMs ??= 0; // an IP literal: no lookup happened
          timings.connectMs = at - (lookupAt ?? 0);
          if (!secure) timings.tlsMs = 0;
          else socket.once("secureConnect", () => (timings.tlsMs = since() - at));
        });
      });
      req.on("response", (res) => {
        timings.ttfbMs = since();
        status = res.statusCode ?? 0;
        resHeaders = res.headers;
        res.on("data", (chunk: Buffer) => {
          bytes += chunk.length;
          if (bytes > MAX_BODY_BYTES) return done("protocol", `response body over ${MAX_BODY_BYTES} bytes`);
          if (sink && status === 200) sink.push(chunk.toString("utf8"), since());
          else chunks.push(chunk);
        });
        res.on("end", () => done());
        res.on("error", (e) => done("connection", `response cut off: ${e.message}`));
        res.on("aborted", () => done("connection", "response cut off by the server"));
      });
      req.end(body);
    });
  }
}

/** Reads an SSE body as it arrives: the first content's time, the text, the deltas, the last usage block. */
class SseReader {
  firstTokenMs: number | null = null;
  lastTokenMs: number | null = null;
  deltas = 0;
  text = "";
  usage: Record<string, unknown> | null = null;
  model: string | null = null;
  id: string | null = null;
  finishReason: string | null = null;
  error: string | null = null;
  done = false;
  events = 0;
  private buf = "";

  push(chunk: string, atMs: number): void {
    this.buf += chunk;
    let cut: RegExpExecArray | null;
    const sep = /\r?\n\r?\n/;
    while ((cut = sep.exec(this.buf))) {
      const event = this.buf.slice(0, cut.index);
      this.buf = this.buf.slice(cut.index + cut[0].length);
      this.event(event, atMs);
    }
  }

  private event(event: string, atMs: number): void {
    const data = event.split(/\r?\n/).filter((l) => l.startsWith("data:")).map((l) => l.slice(5).replace(/^ /, "")).join("\n");
    if (!data) return;
    if (data === "[DONE]") {
      this.done = true;
      return;
    }
    this.events++;
    const j = parseJson(data) as Record<string, any> | undefined;
    if (!j || typeof j !== "object") return void (this.error ??= `an SSE event that is not JSON: ${snippet(data)}`);
    if (j.error) return void (this.error ??= errorMessage(j.error));
    if (typeof j.model === "string") this.model = j.model;
    if (typeof j.id === "string") this.id ??= j.id;
    if (j.usage && typeof j.usage === "object") this.usage = j.usage;
    const choice = Array.isArray(j.choices) ? j.choices[0] : undefined;
    if (!choice) return;
    if (typeof choice.finish_reason === "string") this.finishReason = choice.finish_reason;
    const d = choice.delta ?? {};
    const piece = typeof d.content === "string" ? d.content : typeof choice.text === "string" ? choice.text : "";
    const generated = piece !== "" || (typeof d.reasoning_content === "string" && d.reasoning_content !== "") || (Array.isArray(d.tool_calls) && d.tool_calls.length > 0);
    if (!generated) return;
    this.text += piece;
    this.deltas++;
    this.firstTokenMs ??= atMs;
    this.lastTokenMs = atMs;
  }
}

function finishStream(r: CompletionResult, sse: SseReader): CompletionResult {
  if (sse.error) return { ...r, error: sse.error, errorKind: "protocol" };
  if (sse.events === 0) return { ...r, error: "the stream ended without a single event (is the endpoint OpenAI-compatible?)", errorKind: "protocol" };
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

function finishJson(r: CompletionResult, body: string): CompletionResult {
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

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const snippet = (s: string) => JSON.stringify(s.length > 200 ? `${s.slice(0, 200)}…` : s);

function errorMessage(e: unknown): string {
  if (typeof e === "string") return e;
  const m = (e as { message?: unknown })?.message;
  return typeof m === "string" ? m : JSON.stringify(e).slice(0, 500);
}

/** "HTTP 429: <the server's message>" */
function httpError(r: RawResponse): string {
  const j = parseJson(r.body) as { error?: unknown; message?: unknown; detail?: unknown } | undefined;
  const why = j && typeof j === "object" ? (j.error !== undefined ? errorMessage(j.error) : typeof j.message === "string" ? j.message : typeof j.detail === "string" ? j.detail : null) : null;
  return `HTTP ${r.status}: ${why ?? (r.body.trim() ? snippet(r.body.trim()) : http.STATUS_CODES[r.status] ?? "error")}`;
}

function connectionError(url: string, e: NodeJS.ErrnoException): string {
  const host = new URL(url).host;
  if (e.code === "ECONNREFUSED") return `connection refused by ${host} (is the server running?)`;
  if (e.code === "ENOTFOUND" || e.code === "EAI_AGAIN") return `cannot resolve ${new URL(url).hostname} (${e.code})`;
  if (e.code === "ECONNRESET") return `connection to ${host} reset`;
  return `cannot reach ${host}: ${e.message}`;
}

/** Where a timed-out request got to, for its message. */
function phaseAt(t: Timings, status: number): string {
  if (t.connectMs === null) return "while connecting";
  if (t.ttfbMs === null) return "connected, waiting for the response";
  return `HTTP ${status} received, waiting for the rest of the body`;
}

/** Retry-After as seconds or an HTTP date, in ms. */
export function retryAfterMs(v: string | string[] | undefined, now = Date.now()): number | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  if (!s) return undefined;
  if (/^\d+(\.\d+)?$/.test(s.trim())) return Math.round(Number(s) * 1000);
  const at = Date.parse(s);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
