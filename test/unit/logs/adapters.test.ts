// The request-log adapters (shared/logs/adapters): real-looking payloads of
// each source in, the canonical record or a problem naming the source field out.
import { describe, expect, it } from "vitest";
import { adaptRecord, type AdaptResult, type MappedSpec } from "../../../shared/logs/adapters";
import { fitAttributes, MAX_ATTRIBUTE_STRING } from "../../../shared/logs/adapters/fit-attributes";
import { RequestLogSchema } from "../../../shared/logs/record";
import { MAX_ATTRIBUTES_BYTES } from "../../../shared/limits";
import { EXAMPLE_FAILURE, EXAMPLE_SUCCESS } from "../../../workers/ingest/protocols/litellm/sample-payloads";

const ok = (r: AdaptResult) => {
  if (!r.ok) throw new Error(`expected a record, got ${JSON.stringify(r.problem)}`);
  expect(RequestLogSchema.safeParse(r.record).success).toBe(true); // what an adapter makes, the canonical schema takes
  return r.record;
};
const litellm = (v: unknown) => adaptRecord("litellm", v);

describe("litellm", () => {
  it("maps the StandardLoggingPayload example field by field", () => {
    const r = ok(litellm(EXAMPLE_SUCCESS));
    const { attributes, ...columns } = r;
    expect(columns).toEqual({
      request_id: "chatcmpl-9Xk2aQ", trace_id: "5f0c1d2e-77aa-4b8e-9c1f-0a2b3c4d5e6f",
      time: 1767225600125, end_time: 1767225603902, latency_ms: 3777, ttft_ms: 486, stream: true,
      model: "gpt-4o-mini", requested_model: "chat-default", provider: "openai", api_base: "https://api.openai.com/v1",
      deployment_id: "cb41bc03f4c3", call_type: "acompletion", status: "success", http_status: 200,
      input_tokens: 800, output_tokens: 490, total_tokens: 1290, cost_usd: 0.000412, cache_hit: false,
      user: "u-17", end_user: "cust-991", team: "team-42", team_alias: "search", api_key_alias: "svc-search",
      api_key_hash: "88dc28d0f030c55e", tags: ["prod"],
    });
    // What has no column is kept, nulls left out, values a column took not repeated, the bodies as sizes only.
    expect(attributes).toEqual({
      litellm_call_id: "b980db26-9512-45cc-b1da-c511a363b83f",
      cost_breakdown: { input_cost: 0.00012, output_cost: 0.000292, total_cost: 0.000412 },
      status_fields: { llm_api_status: "success", guardrail_status: "not_run" },
      response_time: 0.486,
      model_map_information: { model_map_key: "gpt-4o-mini", model_map_value: null },
      saved_cache_cost: 0, requester_ip_address: "10.0.3.7", user_agent: "python-httpx/0.27", model_parameters: {},
      messages_bytes: JSON.stringify(EXAMPLE_SUCCESS.messages).length, response_bytes: JSON.stringify(EXAMPLE_SUCCESS.response).length,
      metadata: {
        user_api_key_user_email: "ana@example.com", user_api_key_request_route: "/v1/chat/completions",
        spend_logs_metadata: { job: "nightly" }, requester_metadata: { tags: ["prod"] }, applied_guardrails: [],
      },
      hidden_params: {
        litellm_overhead_time_ms: 7.3, litellm_model_name: "gpt-4o-mini",
        additional_headers: { x_ratelimit_remaining_requests: 9999, x_ratelimit_remaining_tokens: 1998700 },
      },
    });
    expect(JSON.stringify(attributes)).not.toContain("hello"); // the response text is not stored
  });

  it("maps a failure: status, the HTTP status from error_code, error class and message", () => {
    const r = ok(litellm(EXAMPLE_FAILURE));
    expect(r).toMatchObject({
      request_id: EXAMPLE_FAILURE.id, status: "failure", http_status: 429, error_class: "RateLimitError",
      error_message: EXAMPLE_FAILURE.error_information.error_message, input_tokens: 0, output_tokens: 0, cost_usd: 0,
      time: 1767225610500, end_time: 1767225610750, latency_ms: 250,
    });
    expect(r.ttft_ms).toBeUndefined();
    expect(r.stream).toBeUndefined();
    expect(r.attributes).toMatchObject({ error_information: { traceback: expect.stringContaining("Traceback") } });
    expect(r.attributes).not.toHaveProperty("error_str"); // the same text as error_message: kept once
    expect(r.attributes).not.toHaveProperty("litellm_call_id"); // it is the request id
    // error_str alone, an error_code that is no HTTP status, the provider from error_information
    const bare = ok(litellm({ id: "e1", startTime: 1767225600, status: "failure", error_str: "boom", error_information: { error_code: "None", llm_provider: "bedrock" } }));
    expect(bare).toMatchObject({ status: "failure", error_message: "boom", provider: "bedrock" });
    expect(bare.http_status).toBeUndefined();
    expect(bare.attributes).toEqual({ error_information: { error_code: "None" } });
  });

  it("takes completionStartTime as the time to first token only when the call streamed", () => {
    const at = { id: "s", startTime: 1767225600.0, endTime: 1767225602.0, completionStartTime: 1767225600.25 };
    expect(ok(litellm({ ...at, stream: true })).ttft_ms).toBe(250);
    expect(ok(litellm({ ...at, stream: false })).ttft_ms).toBeUndefined();
    expect(ok(litellm({ ...at, stream: null, completionStartTime: at.endTime })).ttft_ms).toBeUndefined();
    expect(ok(litellm(at)).latency_ms).toBe(2000);
  });

  it("reads the wrapped form, cached tokens, project and environment, and falls back to litellm_call_id", () => {
    const r = ok(litellm({
      standard_logging_object: {
        litellm_call_id: "call-1", startTime: 1767225600.5, status: "success", prompt_tokens: 900, completion_tokens: 10,
        hidden_params: { usage_object: { prompt_tokens: 900, prompt_tokens_details: { cached_tokens: 768 } } },
        metadata: { user_api_key_project_alias: "checkout", requester_metadata: { environment: "staging" }, spend_logs_metadata: { project: "ignored" } },
      },
    }));
    expect(r).toMatchObject({ request_id: "call-1", cached_tokens: 768, project: "checkout", environment: "staging" });
    expect(ok(litellm({ id: "x", startTime: 1767225600, metadata: { usage_object: { cache_read_input_tokens: 5 }, spend_logs_metadata: { project: "p", env: "prod" } } })))
      .toMatchObject({ cached_tokens: 5, project: "p", environment: "prod" });
  });

  it("keeps a 0 cost except when LiteLLM says it could not price the call", () => {
    expect(ok(litellm({ id: "a", startTime: 1767225600, status: "success", response_cost: 0 })).cost_usd).toBe(0);
    const unpriced = ok(litellm({ id: "b", startTime: 1767225600, status: "success", response_cost: 0, response_cost_failure_debug_info: { error_str: "model not mapped", model: "my-llama" } }));
    expect(unpriced.cost_usd).toBeUndefined(); // left for the price table
    expect(unpriced.attributes).toMatchObject({ response_cost_failure_debug_info: { model: "my-llama" } });
  });

  it("keeps unknown fields, and trims attributes that would not fit", () => {
    const r = ok(litellm({ id: "u", startTime: 1767225600, some_new_field: { a: 1 }, flag: true }));
    expect(r.attributes).toEqual({ some_new_field: { a: 1 }, flag: true });
    const tools = Array.from({ length: 60 }, (_, i) => ({ type: "function", function: { name: `tool_${i}`, description: "x".repeat(400) } }));
    const big = ok(litellm({ ...EXAMPLE_SUCCESS, model_parameters: { temperature: 0.2, tools }, messages: "y".repeat(100_000) }));
    expect(JSON.stringify(big.attributes).length).toBeLessThanOrEqual(MAX_ATTRIBUTES_BYTES);
    expect(big.attributes).toMatchObject({
      messages_bytes: 100_000, litellm_call_id: EXAMPLE_SUCCESS.litellm_call_id, model_parameters: { temperature: 0.2 },
      hidden_params: { litellm_overhead_time_ms: 7.3 }, metadata: { user_api_key_user_email: "ana@example.com" },
    });
    // the tools list lost its largest entries to size markers, the small rest of the payload is whole
    const kept = (big.attributes!.model_parameters as { tools: unknown[] }).tools;
    expect(kept).toHaveLength(60);
    expect(kept.filter((t) => JSON.stringify(t).startsWith('{"_omitted_bytes":')).length).toBeGreaterThan(20);
  });

  it("names the source field of every problem", () => {
    const problem = (v: unknown) => {
      const r = litellm(v);
      if (r.ok) throw new Error("expected a problem");
      return { ...r.problem, id: r.id };
    };
    expect(problem({ id: "a" })).toEqual({ field: "startTime", reason: "required, float unix seconds (e.g. 1767225600.125)", id: "a" });
    expect(problem({ id: "a", startTime: 1767225600125 })).toEqual({ field: "startTime", reason: "expected unix seconds, got 1767225600125, which looks like unix milliseconds", id: "a" });
    expect(problem({ id: "a", startTime: "soon" }).reason).toBe('expected unix seconds or an RFC 3339 time, got "soon"');
    expect(problem({ startTime: 1767225600 })).toEqual({ field: "id", reason: "required: the request id (or litellm_call_id)", id: undefined });
    expect(problem({ id: "a", startTime: 1767225600, status: "maybe" })).toMatchObject({ field: "status", reason: 'expected "success" or "failure", got "maybe"' });
    expect(problem({ id: "a", startTime: 1767225600, prompt_tokens: -1 })).toMatchObject({ field: "prompt_tokens", reason: "expected a non-negative integer (a token count), got -1" });
    expect(problem({ id: "a", startTime: 1767225600, request_tags: "prod" })).toMatchObject({ field: "request_tags", reason: "expected a list of strings, got a string" });
    expect(problem({ id: "a", startTime: 1767225600, request_tags: ["ok", { no: 1 }] })).toMatchObject({ field: "request_tags[1]", reason: "expected a string, got an object" });
    expect(problem({ id: "a", startTime: 1767225600, endTime: 1767225599 })).toMatchObject({ field: "endTime", reason: "is before startTime" });
    expect(problem({ id: "a", startTime: 1767225600, metadata: { user_api_key_team_alias: { name: "search" } } })).toMatchObject({ field: "metadata.user_api_key_team_alias", reason: "expected a string, got an object" });
    expect(problem([1, 2])).toEqual({ field: "(record)", reason: "expected a StandardLoggingPayload object, got an array", id: undefined });
  });

  it("takes the legacy body's numbers sent as text", () => {
    expect(ok(litellm({ id: "v1", startTime: "1767225600.5", endTime: "1767225601.5", prompt_tokens: "12", cache_hit: "False" }))).toMatchObject({ time: 1767225600500, latency_ms: 1000, input_tokens: 12, cache_hit: false });
  });
});

describe("openai", () => {
  it("maps a chat completion with cached prompt tokens", () => {
    const r = ok(adaptRecord("openai", {
      id: "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG", object: "chat.completion", created: 1741570283, model: "gpt-4o-2024-08-06",
      choices: [{ index: 0, message: { role: "assistant", content: "The image shows a wooden boardwalk." }, finish_reason: "stop" }],
      usage: { prompt_tokens: 1117, completion_tokens: 46, total_tokens: 1163, prompt_tokens_details: { cached_tokens: 1024, audio_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 } },
      service_tier: "default", system_fingerprint: "fp_fc9f1d7035",
    }, { provider: "openai" }));
    expect(r).toEqual({
      request_id: "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG", time: 1741570283000, model: "gpt-4o-2024-08-06", provider: "openai",
      call_type: "chat.completion", status: "success", input_tokens: 1117, output_tokens: 46, total_tokens: 1163, cached_tokens: 1024,
      attributes: {
        service_tier: "default", system_fingerprint: "fp_fc9f1d7035", finish_reasons: ["stop"], choices_bytes: expect.any(Number),
        usage: { prompt_tokens_details: { cached_tokens: 1024, audio_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 } },
      },
    });
  });

  it("maps a Responses API object and an error body", () => {
    expect(ok(adaptRecord("openai", { id: "resp_1", object: "response", created_at: 1741476542, status: "completed", model: "gpt-4.1", usage: { input_tokens: 36, input_tokens_details: { cached_tokens: 0 }, output_tokens: 87, total_tokens: 123 } })))
      .toMatchObject({ request_id: "resp_1", time: 1741476542000, input_tokens: 36, output_tokens: 87, cached_tokens: 0, status: "success" });
    const failed = ok(adaptRecord("openai", { id: "req_9", created: 1741476542, error: { message: "Rate limit reached", type: "rate_limit_error", code: "429", param: null } }));
    expect(failed).toMatchObject({ status: "failure", error_class: "rate_limit_error", error_message: "Rate limit reached", http_status: 429 });
    expect(adaptRecord("openai", { id: "x", usage: {} })).toEqual({ ok: false, id: "x", problem: { field: "created", reason: "required, integer unix seconds" } });
    expect(adaptRecord("openai", { id: "x", created: 1741476542, usage: { prompt_tokens: 1.5 } })).toMatchObject({ ok: false, problem: { field: "usage.prompt_tokens" } });
  });
});

describe("ollama", () => {
  const generate = {
    model: "llama3.2", created_at: "2026-11-22T10:00:05.250000123Z", response: "The sky is blue because of Rayleigh scattering.",
    done: true, done_reason: "stop", context: [1, 2, 3, 4],
    total_duration: 5_043_500_667, load_duration: 5_025_959, prompt_eval_count: 26, prompt_eval_duration: 325_953_000,
    eval_count: 290, eval_duration: 4_709_213_000,
  };

  it("maps the response stats, durations in nanoseconds", () => {
    const r = ok(adaptRecord("ollama", generate));
    expect(r).toEqual({
      request_id: "llama3.2@2026-11-22T10:00:05.250000123Z", provider: "ollama", model: "llama3.2", call_type: "generate", status: "success",
      end_time: Date.parse("2026-11-22T10:00:05.250Z"), time: Date.parse("2026-11-22T10:00:05.250Z") - 5044, latency_ms: 5043.501, ttft_ms: 334.288,
      input_tokens: 26, output_tokens: 290,
      attributes: { done_reason: "stop", load_duration_ms: 5.026, prompt_eval_duration_ms: 325.953, eval_duration_ms: 4709.213, response_bytes: generate.response.length, context_tokens: 4 },
    });
    const chat = ok(adaptRecord("ollama", { ...generate, response: undefined, context: undefined, message: { role: "assistant", content: "hi" } }, { fallbackId: "line-3" }));
    expect(chat).toMatchObject({ request_id: "line-3", call_type: "chat" });
  });

  it("refuses a streamed chunk and a response without created_at; an error is a failure", () => {
    expect(adaptRecord("ollama", { ...generate, done: false })).toMatchObject({ ok: false, problem: { field: "done" } });
    expect(adaptRecord("ollama", { ...generate, created_at: undefined })).toMatchObject({ ok: false, problem: { field: "created_at", reason: "required, an RFC 3339 time (Ollama's response stats)" } });
    expect(adaptRecord("ollama", { ...generate, eval_duration: -5 })).toMatchObject({ ok: false, problem: { field: "eval_duration" } });
    expect(ok(adaptRecord("ollama", { model: "llama3.2", created_at: "2026-11-22T10:00:05Z", error: "model 'llama3.2' not found" }))).toMatchObject({ status: "failure", error_message: "model 'llama3.2' not found" });
  });
});

describe("mapped", () => {
  const spec = (fields: MappedSpec["fields"], more: Partial<MappedSpec> = {}): MappedSpec => ({ fields, time_unit: "ms", success_values: ["ok"], attributes: [], unmapped: "keep", ...more });

  it("maps every canonical field it is given, with scales and time units", () => {
    const s = spec({
      request_id: "req.id", time: "ts", end_time: "te", ttft_ms: { path: "first_s", scale: 1000 }, status: "outcome", model: "m",
      cached_tokens: "u.cached", cost_usd: "cost", cache_hit: "hit", stream: "streamed", tags: "labels", user: "who",
    }, { time_unit: "ns" });
    expect(ok(adaptRecord("mapped", { req: { id: "r" }, ts: 1767225600_000_000_000, te: 1767225601_500_000_000, first_s: 0.2, outcome: "boom", m: "x", u: { cached: 3 }, cost: "0.5", hit: true, streamed: false, labels: "a, b", who: "ana", kept: 1 }, { mapping: s })))
      .toEqual({
        request_id: "r", time: 1767225600000, end_time: 1767225601500, ttft_ms: 200, status: "failure", model: "x", cached_tokens: 3,
        cost_usd: 0.5, cache_hit: true, stream: false, tags: ["a", "b"], user: "ana", attributes: { kept: 1 },
      });
    expect(adaptRecord("mapped", { ts: 1767225600 }, { mapping: s })).toEqual({ ok: false, problem: { field: "ts", reason: "expected unix nanoseconds, got 1767225600, which looks like unix seconds" } });
    expect(adaptRecord("mapped", { ts: 1767225600_000_000_000, req: { id: "r" }, cost: -1 }, { mapping: s })).toEqual({ ok: false, id: "r", problem: { field: "cost", reason: "expected a non-negative number, got -1" } });
  });
});

describe("canonical", () => {
  it("passes our record as it is, and refuses what is no object", () => {
    const rec = { request_id: "r", time: 1767225600000, status: "error", attributes: { a: 1 } };
    expect(adaptRecord("canonical", rec)).toEqual({ ok: true, record: rec, sources: {} });
    expect(adaptRecord("canonical", "r")).toEqual({ ok: false, problem: { field: "(record)", reason: "expected a log record object, got a string" } });
  });
});

describe("fitAttributes", () => {
  it("keeps what fits whole, cuts long strings first, then replaces the largest parts by their size", () => {
    const small = { a: "x".repeat(5000) };
    expect(fitAttributes(small)).toBe(small);
    const strings = fitAttributes({ a: "x".repeat(20_000), b: 1 });
    expect(strings).toEqual({ a: `${"x".repeat(MAX_ATTRIBUTE_STRING)}…[${20_000 - MAX_ATTRIBUTE_STRING} more characters]`, b: 1 });
    const many = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, "y".repeat(1000)]));
    const fitted = fitAttributes({ keep: "small", nested: { big: many, id: "n1" } });
    expect(JSON.stringify(fitted).length).toBeLessThanOrEqual(MAX_ATTRIBUTES_BYTES);
    expect(fitted).toMatchObject({ keep: "small", nested: { id: "n1" } });
    const values = Object.values((fitted.nested as { big: Record<string, unknown> }).big);
    expect(values).toHaveLength(40);
    expect(values.filter((v) => v === "y".repeat(1000)).length).toBeGreaterThan(10); // as many kept as fit
    expect(values.filter((v) => JSON.stringify(v) === '{"_omitted_bytes":1002}').length).toBeGreaterThan(20);
  });
});
