// LiteLLM StandardLoggingPayload samples for tests and the benchmark: the
// example of shared/research/litellm.md §2 as written, a failure as LiteLLM
// builds one (tokens 0, error_str and error_information set), and a generator
// of realistic batches (streaming and not, failures, cache hits, tags).

/** The §2 example, field for field. */
export const EXAMPLE_SUCCESS = {
  id: "chatcmpl-9Xk2aQ", trace_id: "5f0c1d2e-77aa-4b8e-9c1f-0a2b3c4d5e6f",
  litellm_call_id: "b980db26-9512-45cc-b1da-c511a363b83f", call_type: "acompletion", stream: true,
  response_cost: 0.000412, cost_breakdown: { input_cost: 0.00012, output_cost: 0.000292, total_cost: 0.000412 },
  response_cost_failure_debug_info: null, status: "success",
  status_fields: { llm_api_status: "success", guardrail_status: "not_run" },
  custom_llm_provider: "openai", total_tokens: 1290, prompt_tokens: 800, completion_tokens: 490,
  startTime: 1767225600.125, endTime: 1767225603.902, completionStartTime: 1767225600.611, response_time: 0.486,
  model_map_information: { model_map_key: "gpt-4o-mini", model_map_value: null },
  model: "gpt-4o-mini", model_id: "cb41bc03f4c3", model_group: "chat-default", api_base: "https://api.openai.com/v1",
  metadata: {
    user_api_key_hash: "88dc28d0f030c55e", user_api_key_alias: "svc-search", user_api_key_team_id: "team-42",
    user_api_key_team_alias: "search", user_api_key_user_id: "u-17", user_api_key_user_email: "ana@example.com",
    user_api_key_org_id: null, user_api_key_end_user_id: "cust-991", user_api_key_request_route: "/v1/chat/completions",
    spend_logs_metadata: { job: "nightly" }, requester_ip_address: "10.0.3.7", user_agent: "python-httpx/0.27",
    requester_metadata: { tags: ["prod"] }, applied_guardrails: [], team_alias: "search", team_id: "team-42",
  },
  cache_hit: false, cache_key: null, saved_cache_cost: 0.0, request_tags: ["prod"], end_user: "cust-991",
  requester_ip_address: "10.0.3.7", user_agent: "python-httpx/0.27",
  messages: [{ role: "user", content: "hi" }], response: { choices: [{ message: { role: "assistant", content: "hello" } }] },
  error_str: null, error_information: null, model_parameters: {},
  hidden_params: {
    model_id: "cb41bc03f4c3", cache_key: null, api_base: "https://api.openai.com/v1", response_cost: 0.000412,
    litellm_overhead_time_ms: 7.3, additional_headers: { x_ratelimit_remaining_requests: 9999, x_ratelimit_remaining_tokens: 1998700 },
    batch_models: null, litellm_model_name: "gpt-4o-mini", usage_object: null,
  },
  guardrail_information: null, standard_built_in_tools_params: null,
};

/** A rate-limited call, non-streaming, as LiteLLM logs a failure. */
export const EXAMPLE_FAILURE = {
  ...EXAMPLE_SUCCESS,
  id: "b1c2d3e4-0000-4000-8000-000000000429", litellm_call_id: "b1c2d3e4-0000-4000-8000-000000000429", stream: null,
  status: "failure", response_cost: 0, cost_breakdown: null, total_tokens: 0, prompt_tokens: 0, completion_tokens: 0,
  startTime: 1767225610.5, endTime: 1767225610.75, completionStartTime: 1767225610.75, response_time: 0.25,
  status_fields: { llm_api_status: "failure", guardrail_status: "not_run" },
  response: null, error_str: "litellm.RateLimitError: RateLimitError: OpenAIException - Rate limit reached for gpt-4o-mini",
  error_information: {
    error_code: "429", error_class: "RateLimitError", llm_provider: "openai",
    error_message: "litellm.RateLimitError: RateLimitError: OpenAIException - Rate limit reached for gpt-4o-mini",
    traceback: "Traceback (most recent call last):\n  File \"litellm/main.py\", line 512, in acompletion\n    ...",
  },
  hidden_params: { ...EXAMPLE_SUCCESS.hidden_params, response_cost: null, litellm_overhead_time_ms: null },
};

const MODELS = [["gpt-4o-mini", "openai", "chat-default"], ["claude-3-5-sonnet-20241022", "anthropic", "chat-smart"], ["llama3.1:8b", "ollama", "local"]] as const;
const TEAMS = [["team-42", "search"], ["team-7", "support"], ["team-9", "research"]] as const;

/** The i-th record of a synthetic batch starting at `startSeconds`: one in 20 fails, one in 3 streams, one in 10 is a cache hit. */
export function samplePayload(i: number, startSeconds: number): Record<string, unknown> {
  const [model, provider, group] = MODELS[i % MODELS.length];
  const [teamId, team] = TEAMS[i % TEAMS.length];
  const failed = i % 20 === 7;
  const start = startSeconds + i * 0.013;
  const duration = 0.4 + (i % 17) * 0.21;
  const base = failed ? EXAMPLE_FAILURE : EXAMPLE_SUCCESS;
  const prompt = failed ? 0 : 200 + ((i * 37) % 1800);
  const completion = failed ? 0 : 20 + ((i * 53) % 700);
  return {
    ...base,
    id: `chatcmpl-bench-${i}`, litellm_call_id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    trace_id: `trace-${Math.floor(i / 2)}`, model, custom_llm_provider: provider, model_group: group,
    stream: failed ? null : i % 3 === 0, cache_hit: failed ? null : i % 10 === 0,
    startTime: start, endTime: start + duration, completionStartTime: start + (i % 3 === 0 ? 0.12 + (i % 5) * 0.05 : duration),
    prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion,
    response_cost: failed ? 0 : (prompt * 0.15 + completion * 0.6) / 1e6,
    metadata: { ...base.metadata, user_api_key_team_id: teamId, user_api_key_team_alias: team, team_id: teamId, team_alias: team, user_api_key_user_id: `u-${i % 50}` },
    request_tags: i % 4 === 0 ? ["prod", "batch"] : ["prod"],
    messages: [{ role: "system", content: "You are a helpful assistant." }, { role: "user", content: `Question number ${i}: summarise the report in three bullet points.` }],
  };
}
