// The shapes of the OpenAI client's requests and results (openai-client.ts says
// what each timing means). Their own file so that the client stays about the
// exchange, and readers of a result need not load node:http.
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
  /** With errorKind "connection": the socket's error code (ECONNREFUSED, ENOTFOUND, ECONNRESET, ...), when it gave one. */
  code?: string;
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
