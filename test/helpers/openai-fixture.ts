// An OpenAI-compatible server on 127.0.0.1 with known behaviour, for the probe,
// the load test and the agent's synthetic checks: GET /v1/models, POST
// /v1/chat/completions (SSE when stream is true, JSON otherwise), GET /health.
// Per model: the time before the first token, the token rate, the output length,
// an error rate and a 429 rate (with Retry-After), and extra latency as a function
// of the requests in flight (a server that slows down under load). Failures are
// drawn from a seeded generator, so a run is the same each time. It counts what
// it got and keeps each request's body, model and headers for the test to check.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { rng } from "../../cli/demo/rng";

export interface FixtureModel {
  /** From the request's arrival to the first token; default 20 ms. */
  firstTokenMs?: number;
  /** Tokens after the first, per second; default 200. */
  tokensPerSecond?: number;
  /** Tokens generated (fewer when max_tokens asks for fewer); default 16. */
  outputTokens?: number;
  /** Share of requests answered 500; default 0. */
  errorRate?: number;
  /** Share of requests answered 429 with Retry-After; default 0. */
  rateLimitRate?: number;
  /** Retry-After of a 429, seconds; default 1. */
  retryAfterS?: number;
  /** Extra time to first token given the requests in flight on arrival (this one included). */
  extraLatencyMs?: (inFlight: number) => number;
  /** Report usage (the JSON's usage, the stream's final chunk when asked for); default true. */
  usage?: boolean;
  /** Every request to this model fails with this HTTP status (e.g. 503): a broken deployment. */
  failWith?: number;
  /** Answers `stream: true` with one JSON completion (application/json), as a server or proxy that ignores `stream` does. */
  ignoresStream?: boolean;
  /**
   * Ends a stream cleanly after this many tokens, with no finish_reason, usage or
   * [DONE]: a server that crashed or a proxy that gave up mid-answer.
   */
  cutStreamAfter?: number;
}

export interface FixtureOptions {
  models: Record<string, FixtureModel>;
  /** Seed of the failure draws; default 1. */
  seed?: number;
  /** When set, a request without `Authorization: Bearer <key>` gets 401. */
  apiKey?: string;
  /** GET /health answers 404 (as Ollama and hosted APIs do); default false. */
  noHealth?: boolean;
  /** Serve https with this PEM key and certificate (make one with selfSignedCert). */
  tls?: { key: string; cert: string };
}

export interface ReceivedRequest {
  method: string;
  path: string;
  at: number;
  authorization: string | undefined;
  body: Record<string, unknown> | null;
  model: string | null;
  stream: boolean;
  /** What it was answered with. */
  status: number;
}

export interface OpenAiFixture {
  /** The OpenAI base URL: http://127.0.0.1:<port>/v1 */
  url: string;
  /** http://127.0.0.1:<port> */
  origin: string;
  received: ReceivedRequest[];
  /** Completions by model and answer: { "m": { 200: 9, 429: 1 } }. */
  counts(): Record<string, Record<number, number>>;
  inFlight(): number;
  /** The most completions in flight at once since start or reset. */
  maxInFlight(): number;
  reset(): void;
  close(): Promise<void>;
}

const json = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
};
/** Answers with JSON and notes the status on what was received. */
const answerer = (rec: ReceivedRequest, res: http.ServerResponse) => (status: number, payload: unknown, headers?: Record<string, string>) => {
  rec.status = status;
  json(res, status, payload, headers);
};
const apiError = (message: string, type: string, code: string | null = null) => ({ error: { message, type, param: null, code } });

/** About four characters a token, as OpenAI's tokenizers average on English. */
const promptTokens = (messages: unknown) => Math.max(1, Math.ceil(JSON.stringify(messages ?? "").length / 4));

export async function startOpenAiFixture(opts: FixtureOptions): Promise<OpenAiFixture> {
  let draw = rng(opts.seed ?? 1);
  let received: ReceivedRequest[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const sockets = new Set<import("node:net").Socket>();

  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = (req.url ?? "/").split("?")[0];
      let body: Record<string, unknown> | null = null;
      const text = Buffer.concat(chunks).toString("utf8");
      if (text) try { body = JSON.parse(text); } catch { body = null; }
      const rec: ReceivedRequest = {
        method: req.method ?? "GET", path, at: Date.now(), authorization: req.headers.authorization, body,
        model: typeof body?.model === "string" ? body.model : null, stream: body?.stream === true, status: 0,
      };
      received.push(rec);
      const answer = answerer(rec, res);
      if (opts.apiKey !== undefined && req.headers.authorization !== `Bearer ${opts.apiKey}`)
        return answer(401, apiError("Incorrect API key provided.", "invalid_request_error", "invalid_api_key"));
      if (req.method === "GET" && path === "/health") return opts.noHealth ? answer(404, apiError("not found", "not_found")) : answer(200, { status: "ok" });
      if (req.method === "GET" && path === "/v1/models")
        return answer(200, { object: "list", data: Object.keys(opts.models).map((id) => ({ id, object: "model", created: 1700000000, owned_by: "fixture" })) });
      if (req.method === "POST" && path === "/v1/chat/completions") return complete(rec, body, res);
      answer(404, apiError(`no route ${req.method} ${path}`, "invalid_request_error"));
    });
  };
  const server = opts.tls ? https.createServer(opts.tls, handler) : http.createServer(handler);

  function complete(rec: ReceivedRequest, body: Record<string, unknown> | null, res: http.ServerResponse) {
    const answer = answerer(rec, res);
    if (!body) return answer(400, apiError("the body must be a JSON object", "invalid_request_error"));
    if (!rec.model) return answer(400, apiError("you must provide a model parameter", "invalid_request_error"));
    const m = opts.models[rec.model];
    if (!m) return answer(404, apiError(`The model \`${rec.model}\` does not exist`, "invalid_request_error", "model_not_found"));
    if (m.failWith) return answer(m.failWith, apiError(`model ${rec.model} is failing (fixture failWith ${m.failWith})`, "server_error"));
    const roll = draw();
    const errorRate = m.errorRate ?? 0;
    if (roll < errorRate) return answer(500, apiError("The server had an error while processing your request.", "server_error"));
    if (roll < errorRate + (m.rateLimitRate ?? 0))
      return answer(429, apiError("Rate limit reached for requests", "requests", "rate_limit_exceeded"), { "retry-after": String(m.retryAfterS ?? 1) });

    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    let finished = false;
    const finish = () => {
      if (!finished) inFlight--;
      finished = true;
    };
    res.on("close", finish);
    const maxTokens = typeof body.max_tokens === "number" ? body.max_tokens : Infinity;
    const n = Math.max(1, Math.min(m.outputTokens ?? 16, maxTokens));
    const first = (m.firstTokenMs ?? 20) + (m.extraLatencyMs?.(inFlight) ?? 0);
    const gap = 1000 / (m.tokensPerSecond ?? 200);
    const id = `chatcmpl-fixture-${received.length}`;
    const created = Math.floor(Date.now() / 1000);
    const usage = { prompt_tokens: promptTokens(body.messages), completion_tokens: n, total_tokens: promptTokens(body.messages) + n };
    const token = (i: number) => (i === 0 ? "tok0" : ` tok${i}`);
    const withUsage = m.usage !== false;
    rec.status = 200;

    if (!rec.stream || m.ignoresStream) {
      setTimeout(() => {
        finish();
        const text = Array.from({ length: n }, (_, i) => token(i)).join("");
        json(res, 200, {
          id, object: "chat.completion", created, model: rec.model,
          choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: n < (m.outputTokens ?? 16) ? "length" : "stop" }],
          ...(withUsage ? { usage } : {}),
        });
      }, first + (n - 1) * gap);
      return;
    }
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    const send = (chunk: unknown) => res.write(`data: ${JSON.stringify(chunk)}\n\n`);
    const chunk = (delta: Record<string, unknown>, finish_reason: string | null) =>
      ({ id, object: "chat.completion.chunk", created, model: rec.model, choices: [{ index: 0, delta, finish_reason }] });
    send(chunk({ role: "assistant", content: "" }, null));
    let i = 0;
    let firstSentAt = 0;
    // Each token at its own time from the first one, so timer drift does not add up, and a
    // first token that came late (a busy machine) does not bunch up the rest into a burst.
    const next = () => {
      if (finished) return;
      send(chunk({ content: token(i) }, null));
      if (i === 0) firstSentAt = performance.now();
      i++;
      if (m.cutStreamAfter !== undefined && i >= m.cutStreamAfter) {
        res.end();
        return finish();
      }
      if (i < n) return void setTimeout(next, Math.max(0, firstSentAt + i * gap - performance.now()));
      send(chunk({}, n < (m.outputTokens ?? 16) ? "length" : "stop"));
      const streamOptions = body.stream_options as { include_usage?: boolean } | undefined;
      if (withUsage && streamOptions?.include_usage) send({ id, object: "chat.completion.chunk", created, model: rec.model, choices: [], usage });
      res.end("data: [DONE]\n\n");
      finish();
    };
    setTimeout(next, first);
  }

  server.on(opts.tls ? "secureConnection" : "connection", (s: import("node:net").Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `${opts.tls ? "https" : "http"}://127.0.0.1:${port}`;
  return {
    url: `${origin}/v1`,
    origin,
    get received() {
      return received;
    },
    counts() {
      const out: Record<string, Record<number, number>> = {};
      for (const r of received) {
        if (r.path !== "/v1/chat/completions") continue;
        const byStatus = (out[r.model ?? ""] ??= {});
        byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
      }
      return out;
    },
    inFlight: () => inFlight,
    maxInFlight: () => maxInFlight,
    reset() {
      received = [];
      maxInFlight = inFlight;
      draw = rng(opts.seed ?? 1);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A throwaway self-signed certificate for localhost and 127.0.0.1 (openssl). */
export function selfSignedCert(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), "openai-fixture-"));
  try {
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"),
      "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"], { stdio: "ignore" });
    return { key: readFileSync(join(dir, "key.pem"), "utf8"), cert: readFileSync(join(dir, "cert.pem"), "utf8") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
