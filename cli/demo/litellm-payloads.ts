// Realistic LiteLLM StandardLoggingPayloads (what its generic_api callback
// posts), seeded so that a benchmark or a test can regenerate the same set and
// compute what the derived metrics must say; the demo (cli/demo/requests.ts)
// writes its requests through standardLoggingPayload too.
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
export const ERRORS = [
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
  const payload = standardLoggingPayload({
    id: `chatcmpl-${(opts.seed ?? 7).toString(36)}-${i.toString(36)}`,
    traceId: `trace-${Math.floor(i / 2).toString(36)}`,
    callId: `call-${i.toString(36)}`,
    model, provider, apiBase, modelGroup: model.startsWith("llama") ? "llama" : model, deploymentId: `dep-${model}`,
    startS: start, latencyS, ttftS, stream, promptTokens, completionTokens, cost,
    error: err ? { code: err[0], cls: err[1], message: err[2] } : null,
    keyHash: `hash-${teamId}`, keyAlias: `key-${teamAlias}`, teamId, teamAlias, userId: user,
    environment: "prod", tags: ["bench"], overheadMs: 3.5,
  });
  return { payload, model, provider, failed, latencyS, ttftS, promptTokens, completionTokens, cost };
}

/** What one request was; standardLoggingPayload writes it as LiteLLM would. */
export interface RequestFacts {
  id: string;
  traceId: string;
  callId: string;
  model: string;
  provider: string;
  apiBase: string;
  /** The proxy's model_name (requested_model in LiteLLM's metrics). */
  modelGroup: string;
  deploymentId: string;
  /** Unix seconds. */
  startS: number;
  latencyS: number;
  /** Seconds to the first token of a streamed success, else null. */
  ttftS: number | null;
  stream: boolean;
  promptTokens: number;
  completionTokens: number;
  cachedTokens?: number;
  cost: number;
  error: { code: string; cls: string; message: string } | null;
  keyHash: string;
  keyAlias: string;
  teamId: string;
  teamAlias: string;
  userId: string;
  project?: string;
  environment?: string;
  tags: string[];
  overheadMs: number;
}

/** A StandardLoggingPayload (shared/research/litellm.md §2) of one request, as the generic_api callback posts it. */
export function standardLoggingPayload(f: RequestFacts): Record<string, unknown> {
  const failed = f.error !== null;
  const end = f.startS + f.latencyS;
  return {
    id: f.id,
    trace_id: f.traceId,
    litellm_call_id: f.callId,
    call_type: "acompletion",
    stream: f.stream ? true : null,
    response_cost: f.cost,
    status: failed ? "failure" : "success",
    custom_llm_provider: f.provider,
    total_tokens: f.promptTokens + f.completionTokens,
    prompt_tokens: f.promptTokens,
    completion_tokens: f.completionTokens,
    startTime: f.startS,
    endTime: end,
    completionStartTime: f.ttftS === null ? end : f.startS + f.ttftS,
    response_time: f.ttftS ?? f.latencyS,
    model: f.model,
    model_id: f.deploymentId,
    model_group: f.modelGroup,
    api_base: f.apiBase,
    metadata: {
      user_api_key_hash: f.keyHash,
      user_api_key_alias: f.keyAlias,
      user_api_key_team_id: f.teamId,
      user_api_key_team_alias: f.teamAlias,
      user_api_key_user_id: f.userId,
      user_api_key_request_route: "/chat/completions",
      ...(f.project ? { user_api_key_project_alias: f.project } : {}),
      requester_metadata: f.environment ? { environment: f.environment } : {},
    },
    cache_hit: false,
    request_tags: f.tags,
    end_user: "",
    error_str: f.error ? f.error.message : null,
    error_information: f.error ? { error_code: f.error.code, error_class: f.error.cls, llm_provider: f.provider, error_message: f.error.message } : null,
    hidden_params: {
      model_id: f.deploymentId, api_base: f.apiBase, response_cost: f.cost, litellm_overhead_time_ms: f.overheadMs,
      ...(f.cachedTokens ? { usage_object: { prompt_tokens_details: { cached_tokens: f.cachedTokens } } } : {}),
    },
  };
}
