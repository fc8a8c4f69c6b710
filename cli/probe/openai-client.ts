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
import { finishJson, finishStream, httpError, parseJson, snippet } from "./openai-body";
import { SseReader } from "./sse-reader";
import type { CallOptions, ClientOptions, CompletionRequest, CompletionResult, FailureKind, HealthResult, ModelsResult, Timings } from "./openai-types";

// The agent and the load test import the types from here: the client's API is one module.
export type { ChatMessage, CompletionRequest, CallOptions, ClientOptions, Timings, Usage, FailureKind, CompletionResult, ModelsResult, HealthResult } from "./openai-types";

/** Bodies larger than this are cut off: a probe has no use for them and must not run out of memory. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 60_000;
/** application/json, application/problem+json, with or without a charset. */
const JSON_TYPE = /^\s*application\/(?:[\w.-]+\+)?json\s*(?:;|$)/i;

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  timings: Timings;
  reused: boolean;
  /** The body went to the SSE sink: asked for and answered as a stream. */
  streamed: boolean;
  error?: string;
  errorKind?: FailureKind;
  /** The socket's error code (ECONNREFUSED, ENOTFOUND, ECONNRESET, ...) when the network failed. */
  code?: string;
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
    if (r.errorKind) return { ...result, error: r.error, errorKind: r.errorKind, ...(r.code !== undefined ? { code: r.code } : {}) };
    if (r.status !== 200) return { ...result, error: httpError(r), errorKind: "http" };
    // Asked to stream, answered with one JSON completion (a proxy or server that ignores
    // `stream`): a completion all the same, only without a first token to time.
    if (sse && !r.streamed) return finishJson({ ...result, stream: false }, r.body);
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
      let streamed = false;
      let settled = false;
      let status = 0;
      let resHeaders: http.IncomingHttpHeaders = {};
      const chunks: Buffer[] = [];
      let bytes = 0;
      const done = (errorKind?: FailureKind, error?: string, code?: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        call.signal?.removeEventListener("abort", onAbort);
        timings.totalMs = since();
        resolve({ status, headers: resHeaders, body: Buffer.concat(chunks).toString("utf8"), timings, reused, streamed, ...(errorKind ? { errorKind, error } : {}), ...(code !== undefined ? { code } : {}) });
        if (errorKind) req.destroy();
      };
      const onAbort = () => done("aborted", "aborted by the caller");
      const lib = secure ? https : http;
      const req = lib.request(url, { method, headers, agent: this.agent ?? false, ...(secure && this.opts.ca ? { ca: this.opts.ca } : {}) });
      req.on("error", (e: NodeJS.ErrnoException) => done("connection", connectionError(url, e), e.code));
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
        streamed = sink !== undefined && status === 200 && !JSON_TYPE.test(res.headers["content-type"] ?? "");
        res.on("data", (chunk: Buffer) => {
          bytes += chunk.length;
          if (bytes > MAX_BODY_BYTES) return done("protocol", `response body over ${MAX_BODY_BYTES} bytes`);
          if (streamed) sink!.push(chunk.toString("utf8"), since());
          else chunks.push(chunk);
        });
        res.on("end", () => done());
        res.on("error", (e: NodeJS.ErrnoException) => done("connection", `response cut off: ${e.message}`, e.code));
        res.on("aborted", () => done("connection", "response cut off by the server"));
      });
      req.end(body);
    });
  }
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
