// Realistic LiteLLM StandardLoggingPayloads (what its generic_api callback
// posts), seeded so that a benchmark or a test can regenerate the same set and
// compute what the derived metrics must say.
import { rng } from "./rng";

export interface PayloadOptions {
  /** Unix ms of the first and last request start. */
  from: number;
  to: number;
  seed?: number;
  /** Share of failures, 0..1. */
  failureRate?: number;
}

const MODELS = [
  ["gpt-4o-mini", "openai", "https://api.openai.com/v1"], ["gpt-4o", "openai", "https://api.openai.com/v1"],
  ["claude-3-5-sonnet-20241022", "anthropic", "https://api.anthropic.com"], ["claude-3-5-haiku-20241022", "anthropic", "https://api.anthropic.com"],
  ["gemini-2.0-flash", "gemini", "https://generativelanguage.googleapis.com"], ["llama-3.1-8b-instruct", "hosted_vllm", "http://gpu-1:8000/v1"],
  ["llama-3.1-70b-instruct", "hosted_vllm", "http://gpu-2:8000/v1"], ["qwen2.5-32b-instruct", "hosted_vllm", "http://gpu-3:8000/v1"],
  ["mistral-large-latest", "mistral", "https://api.mistral.ai/v1"], ["deepseek-chat", "deepseek", "https://api.deepseek.com"],
] as const;
const TEAMS = Array.from({ length: 20 }, (_, i) => [`team-${i}`, `team-alias-${i}`] as const);
const ERRORS = [
  ["429", "RateLimitError", "Rate limit reached for requests on org-Ab12cd. Limit: 500 / min. Please try again in 1.2s."],
  ["500", "InternalServerError", "The server had an error while processing your request. Request id req_8f2a91c3d4e5"],
  ["400", "ContextWindowExceededError", "This model's maximum context length is 128000 tokens. However, your messages resulted in 131072 tokens."],
  ["408", "Timeout", "Request timed out after 600.0 seconds."],
  ["503", "ServiceUnavailableError", "The engine is currently overloaded, please try again later"],
  ["401", "AuthenticationError", "Incorrect API key provided: sk-proj-****1234."],
] as const;

export interface GeneratedPayload {
  payload: Record<string, unknown>;
  model: string;
  provider: string;
  failed: boolean;
  latencyS: number;
  ttftS: number | null;
  promptTokens: number;
  completionTokens: number;
  cost: number;
}

/** The i-th payload of a set (deterministic in seed and i). */
export function litellmPayload(i: number, n: number, opts: PayloadOptions): GeneratedPayload {
  const r = rng((opts.seed ?? 7) * 1_000_003 + i);
  const [model, provider, apiBase] = MODELS[Math.floor(r() * MODELS.length)];
  // A user belongs to one team and calls with its team's key, as in a real proxy.
  const u = Math.floor(r() * 50);
  const [teamId, teamAlias] = TEAMS[u % TEAMS.length];
  const user = `user-${u}`;
  const failed = r() < (opts.failureRate ?? 0.05);
  const stream = r() < 0.6;
  const start = (opts.from + ((opts.to - opts.from) * i) / Math.max(1, n - 1)) / 1000;
  const latencyS = Math.round((0.2 + r() * r() * 12) * 1000) / 1000;
  const ttftS = stream && !failed ? Math.round(Math.min(latencyS, 0.05 + r() * 0.8) * 1000) / 1000 : null;
  const promptTokens = failed ? 0 : 50 + Math.floor(r() * 3000);
  const completionTokens = failed ? 0 : 10 + Math.floor(r() * 800);
  const cost = failed ? 0 : Math.round((promptTokens * 0.15 + completionTokens * 0.6) * 1e-6 * 1e9) / 1e9;
  const err = failed ? ERRORS[Math.floor(r() * ERRORS.length)] : null;
  const id = `chatcmpl-${(opts.seed ?? 7).toString(36)}-${i.toString(36)}`;
  const payload: Record<string, unknown> = {
    id,
    trace_id: `trace-${Math.floor(i / 2).toString(36)}`,
    litellm_call_id: `call-${i.toString(36)}`,
    call_type: "acompletion",
    stream: stream ? true : null,
    response_cost: cost,
    status: failed ? "failure" : "success",
    custom_llm_provider: provider,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    startTime: start,
    endTime: start + latencyS,
    completionStartTime: ttftS === null ? start + latencyS : start + ttftS,
    response_time: ttftS ?? latencyS,
    model,
    model_id: `dep-${model}`,
    model_group: model.startsWith("llama") ? "llama" : model,
    api_base: apiBase,
    metadata: {
      user_api_key_hash: `hash-${teamId}`,
      user_api_key_alias: `key-${teamAlias}`,
      user_api_key_team_id: teamId,
      user_api_key_team_alias: teamAlias,
      user_api_key_user_id: user,
      user_api_key_request_route: "/chat/completions",
      requester_metadata: { environment: "prod" },
    },
    cache_hit: false,
    request_tags: ["bench"],
    end_user: "",
    error_str: err ? err[2] : null,
    error_information: err ? { error_code: err[0], error_class: err[1], llm_provider: provider, error_message: err[2] } : null,
    hidden_params: { model_id: `dep-${model}`, api_base: apiBase, response_cost: cost, litellm_overhead_time_ms: 3.5 },
  };
  return { payload, model, provider, failed, latencyS, ttftS, promptTokens, completionTokens, cost };
}
