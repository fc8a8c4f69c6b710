// The probe's OpenAI client against the fixture on loopback: the timings it
// measures match what the fixture was told to do, and every failure comes back
// as a result (status, kind, message), never as a throw.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OpenAiClient, apiBase, retryAfterMs } from "../../cli/probe/openai-client";
import { selfSignedCert, startOpenAiFixture, type OpenAiFixture } from "../helpers/openai-fixture";

let fx: OpenAiFixture;
let bare: OpenAiFixture;

beforeAll(async () => {
  fx = await startOpenAiFixture({
    apiKey: "sk-test",
    models: {
      slow: { firstTokenMs: 120, tokensPerSecond: 100, outputTokens: 21 },
      fast: { firstTokenMs: 10, tokensPerSecond: 1000, outputTokens: 5 },
      quiet: { firstTokenMs: 10, tokensPerSecond: 500, outputTokens: 4, usage: false },
      limited: { rateLimitRate: 1, retryAfterS: 7 },
      broken: { errorRate: 1 },
      hung: { firstTokenMs: 5000 },
      plain: { firstTokenMs: 30, tokensPerSecond: 500, outputTokens: 6, ignoresStream: true },
      cut: { firstTokenMs: 5, tokensPerSecond: 1000, outputTokens: 8, cutStreamAfter: 3 },
    },
  });
  bare = await startOpenAiFixture({ noHealth: true, models: { m: {} } });
});
afterAll(async () => {
  await fx.close();
  await bare.close();
});

const client = (o: Partial<ConstructorParameters<typeof OpenAiClient>[0]> = {}) => new OpenAiClient({ endpoint: fx.url, apiKey: "sk-test", ...o });

describe("apiBase", () => {
  it("appends /v1 where the URL has no version path and keeps one that has", () => {
    expect(apiBase("http://127.0.0.1:8000")).toBe("http://127.0.0.1:8000/v1");
    expect(apiBase("http://127.0.0.1:8000/")).toBe("http://127.0.0.1:8000/v1");
    expect(apiBase("https://api.example.com/openai/v1/")).toBe("https://api.example.com/openai/v1");
    expect(apiBase("http://h:11434/v1?x=1")).toBe("http://h:11434/v1");
  });
  it("says what is wrong with a bad endpoint", () => {
    expect(() => apiBase("127.0.0.1:8000")).toThrow('endpoint "127.0.0.1:8000" has no scheme: write it as http://127.0.0.1:8000');
    expect(() => apiBase("http://")).toThrow('endpoint "http://" is not a URL (expected e.g. http://127.0.0.1:8000/v1)');
    expect(() => apiBase("ftp://h/v1")).toThrow(/must be http:\/\/ or https:\/\//);
  });
});

describe("complete", () => {
  it("streams: TTFT is the fixture's first-token delay, tokens/s its token rate, usage as reported", async () => {
    const r = await client().complete({ model: "slow", prompt: "hello there", maxTokens: 64 });
    expect(r.ok, r.error).toBe(true);
    expect(r.status).toBe(200);
    expect(r.stream).toBe(true);
    expect(r.timings.ttftMs!).toBeGreaterThanOrEqual(118);
    expect(r.timings.ttftMs!).toBeLessThan(270);
    // 20 gaps of 10 ms after the first token.
    expect(r.timings.totalMs - r.timings.ttftMs!).toBeGreaterThanOrEqual(195);
    expect(r.outputTokensPerSecond!).toBeGreaterThan(70);
    expect(r.outputTokensPerSecond!).toBeLessThan(110);
    expect(r.timings.ttfbMs!).toBeLessThan(r.timings.ttftMs!);
    expect(r.timings.dnsMs).toBe(0); // an IP literal: no lookup
    expect(r.timings.connectMs!).toBeGreaterThanOrEqual(0);
    expect(r.timings.tlsMs).toBe(0);
    expect(r.usage.completionTokens).toBe(21);
    expect(r.usage.promptTokens).toBeGreaterThan(0);
    expect(r.usage.totalTokens).toBe(r.usage.promptTokens! + 21);
    expect(r.usageSource).toBe("reported");
    expect(r.text).toBe(Array.from({ length: 21 }, (_, i) => `tok${i}`).join(" "));
    expect(r.finishReason).toBe("stop");
    expect(r.id).toMatch(/^chatcmpl-fixture-/);
    const sent = fx.received.at(-1)!;
    expect(sent.body).toMatchObject({ model: "slow", stream: true, max_tokens: 64, stream_options: { include_usage: true }, messages: [{ role: "user", content: "hello there" }] });
    expect(sent.authorization).toBe("Bearer sk-test");
  });

  it("without streaming: no TTFT, the whole answer at once, the rate over the total", async () => {
    const r = await client().complete({ model: "slow", prompt: "hi", stream: false, maxTokens: 11 });
    expect(r.ok, r.error).toBe(true);
    expect(r.timings.ttftMs).toBeNull();
    // 120 ms + 10 gaps of 10 ms
    expect(r.timings.totalMs).toBeGreaterThanOrEqual(218);
    expect(r.timings.totalMs).toBeLessThan(450);
    expect(r.timings.ttfbMs!).toBeGreaterThanOrEqual(218);
    expect(r.usage.completionTokens).toBe(11);
    expect(r.finishReason).toBe("length");
    expect(r.outputTokensPerSecond!).toBeCloseTo((11 * 1000) / r.timings.totalMs, 6);
    expect(fx.received.at(-1)!.body).not.toHaveProperty("stream_options");
  });

  it("a streaming request answered with plain JSON is a JSON completion: stream false, no TTFT", async () => {
    const r = await client().complete({ model: "plain", prompt: "hi" });
    expect(r.ok, r.error).toBe(true);
    expect(fx.received.at(-1)!).toMatchObject({ stream: true, body: { stream_options: { include_usage: true } } });
    expect(r.stream).toBe(false);
    expect(r.timings.ttftMs).toBeNull();
    expect(r.text).toBe("tok0 tok1 tok2 tok3 tok4 tok5");
    expect(r).toMatchObject({ usageSource: "reported", finishReason: "stop", model: "plain" });
    expect(r.usage.completionTokens).toBe(6);
    // 30 ms + 5 gaps of 2 ms, all of it before the headers
    expect(r.timings.ttfbMs!).toBeGreaterThanOrEqual(39);
    expect(r.outputTokensPerSecond!).toBeCloseTo((6 * 1000) / r.timings.totalMs, 6);
  });

  it("counts deltas when the server reports no usage", async () => {
    const r = await client().complete({ model: "quiet", prompt: "x" });
    expect(r.ok, r.error).toBe(true);
    expect(r.usage).toEqual({ promptTokens: null, completionTokens: 4, totalTokens: null });
    expect(r.usageSource).toBe("counted");
  });

  it("a 429 comes back with its Retry-After, a 500 and an unknown model with the server's message", async () => {
    const limited = await client().complete({ model: "limited", prompt: "x" });
    expect(limited).toMatchObject({ ok: false, status: 429, errorKind: "http", retryAfterMs: 7000 });
    expect(limited.error).toBe("HTTP 429: Rate limit reached for requests");
    const broken = await client().complete({ model: "broken", prompt: "x", stream: false });
    expect(broken).toMatchObject({ ok: false, status: 500, errorKind: "http" });
    expect(broken.error).toMatch(/^HTTP 500: The server had an error/);
    const missing = await client().complete({ model: "nope", prompt: "x" });
    expect(missing).toMatchObject({ ok: false, status: 404 });
    expect(missing.error).toBe("HTTP 404: The model `nope` does not exist");
    const unauth = await client({ apiKey: "wrong" }).complete({ model: "fast", prompt: "x" });
    expect(unauth).toMatchObject({ ok: false, status: 401, error: "HTTP 401: Incorrect API key provided." });
  });

  it("a refused connection, a timeout and an abort are results with their kind", async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const refused = await new OpenAiClient({ endpoint: `http://127.0.0.1:${port}/v1` }).complete({ model: "m", prompt: "x" });
    expect(refused).toMatchObject({ ok: false, status: 0, errorKind: "connection", code: "ECONNREFUSED" });
    expect(refused.error).toBe(`connection refused by 127.0.0.1:${port} (is the server running?)`);
    expect(refused.timings.connectMs).toBeNull();

    const timedOut = await client({ timeoutMs: 150 }).complete({ model: "hung", prompt: "x" });
    expect(timedOut).toMatchObject({ ok: false, status: 200, errorKind: "timeout" });
    expect(timedOut.error).toBe("no complete answer within 0.15s (HTTP 200 received, waiting for the rest of the body)");
    expect(timedOut.timings.totalMs).toBeGreaterThanOrEqual(145);
    expect(timedOut.timings.totalMs).toBeLessThan(1000);

    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const aborted = await client().complete({ model: "hung", prompt: "x" }, { signal: ac.signal });
    expect(aborted).toMatchObject({ ok: false, errorKind: "aborted", error: "aborted by the caller" });
    const pre = new AbortController();
    pre.abort();
    expect((await client().complete({ model: "fast", prompt: "x" }, { signal: pre.signal })).errorKind).toBe("aborted");
  });

  it("with keepAlive the second request reuses the socket and spends nothing on connecting", async () => {
    const c = client({ keepAlive: true });
    try {
      const a = await c.complete({ model: "fast", prompt: "x" });
      const b = await c.complete({ model: "fast", prompt: "x" });
      expect(a.reusedConnection).toBe(false);
      expect(b.reusedConnection).toBe(true);
      expect(b.timings).toMatchObject({ dnsMs: 0, connectMs: 0, tlsMs: 0 });
    } finally {
      c.close();
    }
  });

  it("a stream that stops before [DONE] and without a finish_reason is a protocol failure, not a success", async () => {
    const r = await client().complete({ model: "cut", prompt: "x" });
    expect(r).toMatchObject({ ok: false, status: 200, errorKind: "protocol", error: "stream ended before [DONE] (after 3 content deltas, no finish_reason)", text: "tok0 tok1 tok2" });
    // The same model, not cut, still succeeds; and a finish_reason without [DONE] is a finished answer.
    const whole = await client().complete({ model: "fast", prompt: "x" });
    expect(whole).toMatchObject({ ok: true, finishReason: "stop" });
    const noDone = http.createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: "hi" }, finish_reason: null }] })}\n\n`);
      res.end(`data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: "stop" }] })}\n\n`);
    });
    await new Promise<void>((res) => noDone.listen(0, "127.0.0.1", res));
    try {
      const c = new OpenAiClient({ endpoint: `http://127.0.0.1:${(noDone.address() as AddressInfo).port}` });
      expect(await c.complete({ model: "m", prompt: "x" })).toMatchObject({ ok: true, text: "hi", finishReason: "stop" });
    } finally {
      await new Promise((res) => noDone.close(res));
    }
  });

  it("says so when the endpoint does not speak OpenAI", async () => {
    const other = http.createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<html>hello</html>");
    });
    await new Promise<void>((r) => other.listen(0, "127.0.0.1", r));
    try {
      const c = new OpenAiClient({ endpoint: `http://127.0.0.1:${(other.address() as AddressInfo).port}` });
      const j = await c.complete({ model: "m", prompt: "x", stream: false });
      expect(j).toMatchObject({ ok: false, errorKind: "protocol", error: 'expected a JSON chat completion, got "<html>hello</html>"' });
      const s = await c.complete({ model: "m", prompt: "x" });
      expect(s).toMatchObject({ ok: false, errorKind: "protocol", error: "the stream ended without a single event (is the endpoint OpenAI-compatible?)" });
      const m = await c.listModels();
      expect(m).toMatchObject({ ok: false, errorKind: "protocol" });
    } finally {
      await new Promise((r) => other.close(r));
    }
  });
});

describe("connection phases", () => {
  it("times the name lookup of a host name", async () => {
    const r = await new OpenAiClient({ endpoint: fx.url.replace("127.0.0.1", "localhost"), apiKey: "sk-test" }).complete({ model: "fast", prompt: "x" });
    expect(r.ok, r.error).toBe(true);
    expect(r.timings.dnsMs).not.toBeNull();
    expect(r.timings.dnsMs!).toBeGreaterThanOrEqual(0);
    expect(r.timings.dnsMs! + r.timings.connectMs!).toBeLessThanOrEqual(r.timings.ttfbMs!);
  });

  it("times the TLS handshake over https, trusting the given CA", async () => {
    const pair = selfSignedCert();
    const secure = await startOpenAiFixture({ tls: pair, models: { m: { firstTokenMs: 5, outputTokens: 2 } } });
    try {
      expect(secure.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/v1$/);
      const r = await new OpenAiClient({ endpoint: secure.url, ca: pair.cert }).complete({ model: "m", prompt: "x" });
      expect(r.ok, r.error).toBe(true);
      expect(r.timings.tlsMs!).toBeGreaterThan(0);
      expect(r.timings.connectMs! + r.timings.tlsMs!).toBeLessThanOrEqual(r.timings.ttfbMs!);
      const untrusted = await new OpenAiClient({ endpoint: secure.url }).complete({ model: "m", prompt: "x" });
      expect(untrusted).toMatchObject({ ok: false, errorKind: "connection" });
      expect(untrusted.error).toMatch(/self.signed certificate/);
    } finally {
      await secure.close();
    }
  });
});

describe("listModels and health", () => {
  it("lists the served models", async () => {
    const r = await client().listModels();
    expect(r).toMatchObject({ ok: true, status: 200, models: ["slow", "fast", "quiet", "limited", "broken", "hung", "plain", "cut"] });
    expect(r.timings.totalMs).toBeGreaterThan(0);
  });
  it("checks /health, or the model list where there is none", async () => {
    expect(await client().health()).toMatchObject({ ok: true, status: 200, checked: "/health" });
    expect(await new OpenAiClient({ endpoint: bare.url }).health()).toMatchObject({ ok: true, status: 200, checked: "/v1/models" });
    const unauth = await client({ apiKey: undefined }).health();
    expect(unauth).toMatchObject({ ok: false, status: 401, errorKind: "http" });
  });
});

describe("retryAfterMs", () => {
  it("reads seconds and HTTP dates", () => {
    expect(retryAfterMs("2")).toBe(2000);
    expect(retryAfterMs("0.5")).toBe(500);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(retryAfterMs("soon")).toBeUndefined();
    expect(retryAfterMs(undefined)).toBeUndefined();
  });
});
