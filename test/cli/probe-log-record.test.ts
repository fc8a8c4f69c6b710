// A probe result as a canonical request-log record: valid against the one
// schema ingest uses, tagged synthetic, with its timings and failure kept.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OpenAiClient } from "../../cli/probe/openai-client";
import { toLogRecord } from "../../cli/probe/to-log-record";
import { RequestLogSchema } from "../../shared/logs/record";
import { startOpenAiFixture, type OpenAiFixture } from "../helpers/openai-fixture";

let fx: OpenAiFixture;
beforeAll(async () => {
  fx = await startOpenAiFixture({ models: { m: { firstTokenMs: 30, tokensPerSecond: 500, outputTokens: 6 }, bad: { failWith: 502 } } });
});
afterAll(() => fx.close());

describe("toLogRecord", () => {
  it("maps a streamed success with its timings, usage and tags", async () => {
    const c = new OpenAiClient({ endpoint: fx.url });
    const r = await c.complete({ model: "m", prompt: "hello" });
    const rec = toLogRecord(r, { requestId: "run1-0", endpoint: c.base, requestedModel: "m", source: "probe latency", runId: "run1", tags: ["probe"] });
    expect(RequestLogSchema.safeParse(rec).success).toBe(true);
    expect(rec).toMatchObject({
      request_id: "run1-0", time: r.startedAt, model: "m", requested_model: "m", provider: fx.origin.replace("http://", ""),
      api_base: fx.url, stream: true, call_type: "chat.completion.chunk", status: "success", http_status: 200,
      output_tokens: 6, tags: ["synthetic", "probe"],
    });
    expect(rec.ttft_ms!).toBeGreaterThanOrEqual(29);
    expect(rec.latency_ms).toBeCloseTo(r.timings.totalMs, 2);
    expect(rec.attributes).toMatchObject({ synthetic: true, probe_source: "probe latency", probe_run: "run1", dns_ms: 0, usage_source: "reported" });
    expect(rec).not.toHaveProperty("error_message");
  });

  it("maps a failure with its message and, without a status, our error type", async () => {
    const c = new OpenAiClient({ endpoint: fx.url, timeoutMs: 5 });
    const bad = await new OpenAiClient({ endpoint: fx.url }).complete({ model: "bad", prompt: "x", stream: false });
    const rec = toLogRecord(bad, { requestId: "r-1", endpoint: fx.url, requestedModel: "bad", source: "probe request", provider: "vllm-a" });
    expect(RequestLogSchema.safeParse(rec).success).toBe(true);
    expect(rec).toMatchObject({ status: "failure", http_status: 502, provider: "vllm-a", stream: false, call_type: "chat.completion" });
    expect(rec.error_message).toMatch(/^HTTP 502: model bad is failing/);
    expect(rec).not.toHaveProperty("ttft_ms");
    const slow = await c.complete({ model: "m", prompt: "x" });
    const t = toLogRecord(slow, { requestId: "r-2", endpoint: fx.url, requestedModel: "m", source: "agent" });
    expect(RequestLogSchema.safeParse(t).success).toBe(true);
    expect(t).toMatchObject({ status: "failure", error_type: "timeout", attributes: { failure_kind: "timeout" } });
  });
});
