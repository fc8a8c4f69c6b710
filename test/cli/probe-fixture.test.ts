// The OpenAI fixture itself: its seeded failures repeat, its rates hold over
// many requests, it slows down with load as told, and it records what it got.
import { afterEach, describe, expect, it } from "vitest";
import { OpenAiClient } from "../../cli/probe/openai-client";
import { startOpenAiFixture, type OpenAiFixture } from "../helpers/openai-fixture";

let fx: OpenAiFixture | undefined;
afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

const statuses = async (f: OpenAiFixture, model: string, n: number) => {
  const c = new OpenAiClient({ endpoint: f.url, keepAlive: true });
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await c.complete({ model, prompt: "x", stream: false })).status);
  c.close();
  return out;
};

describe("openai fixture", () => {
  it("draws failures from its seed: the same seed the same pattern, near the configured rates", async () => {
    fx = await startOpenAiFixture({ seed: 42, models: { m: { firstTokenMs: 0, tokensPerSecond: 1e6, outputTokens: 1, errorRate: 0.2, rateLimitRate: 0.1 } } });
    const first = await statuses(fx, "m", 200);
    fx.reset();
    const again = await statuses(fx, "m", 200);
    expect(again).toEqual(first);
    const share = (s: number) => first.filter((x) => x === s).length / first.length;
    expect(share(500)).toBeGreaterThan(0.12);
    expect(share(500)).toBeLessThan(0.28);
    expect(share(429)).toBeGreaterThan(0.04);
    expect(share(429)).toBeLessThan(0.16);
    expect(fx.counts().m[200] + fx.counts().m[500] + fx.counts().m[429]).toBe(200);
    await fx.close();
    fx = await startOpenAiFixture({ seed: 7, models: { m: { firstTokenMs: 0, tokensPerSecond: 1e6, outputTokens: 1, errorRate: 0.2, rateLimitRate: 0.1 } } });
    expect(await statuses(fx, "m", 200)).not.toEqual(first);
  });

  it("adds latency with the requests in flight", async () => {
    fx = await startOpenAiFixture({ models: { m: { firstTokenMs: 20, outputTokens: 1, extraLatencyMs: (n) => (n - 1) * 30 } } });
    const c = new OpenAiClient({ endpoint: fx.url });
    const alone = await c.complete({ model: "m", prompt: "x" });
    const crowd = await Promise.all(Array.from({ length: 5 }, () => c.complete({ model: "m", prompt: "x" })));
    expect(fx.maxInFlight()).toBe(5);
    expect(fx.inFlight()).toBe(0);
    expect(alone.timings.ttftMs!).toBeLessThan(60);
    // The fifth to arrive waits 20 + 4 * 30 ms.
    expect(Math.max(...crowd.map((r) => r.timings.ttftMs!))).toBeGreaterThanOrEqual(138);
  });

  it("keeps what it received and answers a broken model with its status", async () => {
    fx = await startOpenAiFixture({ models: { ok: {}, down: { failWith: 503 } } });
    const c = new OpenAiClient({ endpoint: fx.url, apiKey: "k1" });
    const r = await c.complete({ model: "down", prompt: "p", maxTokens: 3 });
    expect(r).toMatchObject({ ok: false, status: 503 });
    await c.listModels();
    expect(fx.received.map((x) => [x.method, x.path, x.status])).toEqual([["POST", "/v1/chat/completions", 503], ["GET", "/v1/models", 200]]);
    expect(fx.received[0]).toMatchObject({ model: "down", stream: true, authorization: "Bearer k1" });
    expect(fx.counts()).toEqual({ down: { 503: 1 } });
  });
});
