// A realistic day of request logs generated inside Postgres (generate_series,
// seeded random()), for the log API benchmark: 10 models, ~5% failures over
// 30 distinct error messages whose variable parts (ids, numbers, addresses)
// differ per record, 40 users in 8 teams (each user with its three models, its
// streaming habit and environment), traces of a few records. Plus the rollup rows the aggregator would have written for them
// (log_dims, log_rollups, log_rollup_hist, log_rollups_hour and the per-day tables),
// computed in SQL with the bounds and observations of shared/logs/rollup-spec.ts.
import { carryRollupsOver } from "./rollup-backfill";
import type pg from "pg";
import { errorFingerprint, errorTypeOf } from "../../shared/logs/errors";
import { DAY_MS, HISTOGRAMS } from "../../shared/logs/rollup-spec";

export const BENCH_MODELS: Array<[model: string, provider: string, latencyScale: number, inPerMtok: number, outPerMtok: number]> = [
  ["gpt-4o-mini", "openai", 0.6, 0.15, 0.6],
  ["gpt-4o", "openai", 1.2, 2.5, 10],
  ["claude-3-5-sonnet", "anthropic", 1.5, 3, 15],
  ["llama-3.1-70b", "vllm", 1.8, 0, 0],
  ["llama-3.1-8b", "vllm", 0.4, 0, 0],
  ["mistral-large", "mistral", 1.3, 2, 6],
  ["qwen2.5-72b", "vllm", 1.7, 0, 0],
  ["gemini-1.5-pro", "vertex_ai", 1.4, 1.25, 5],
  ["deepseek-v3", "deepseek", 2.2, 0.27, 1.1],
  ["mixtral-8x7b", "ollama", 0.9, 0, 0],
];

/** class, HTTP status, message with {n} (a number), {id} (a random token), {uuid}, {ip} filled in per record. */
export const BENCH_ERRORS: Array<[cls: string, status: number, template: string]> = [
  ["RateLimitError", 429, "Rate limit reached for gpt-4o in organization org-{id} on tokens per min (TPM): Limit 30000, Used {n}, Requested {n}. Please try again in {n}ms. Visit https://platform.openai.com/account/rate-limits to learn more."],
  ["RateLimitError", 429, "Rate limit reached for requests per minute (RPM): Limit 500, Used 500, Requested 1."],
  ["Timeout", 408, "Request timed out after {n} seconds."],
  ["APIConnectionError", 500, "Connection error: connect ECONNREFUSED {ip}"],
  ["ContextWindowExceededError", 400, "This model's maximum context length is 128000 tokens. However, your messages resulted in {n} tokens. Please reduce the length of the messages."],
  ["AuthenticationError", 401, "Incorrect API key provided: sk-proj-****{id}. You can find your API key at https://platform.openai.com/account/api-keys."],
  ["ServiceUnavailableError", 503, "The server is overloaded or not ready yet."],
  ["InternalServerError", 500, "Error code: 500 - {'error': {'message': 'The server had an error while processing your request. Request id req_{id}', 'type': 'server_error'}}"],
  ["BadRequestError", 400, "Error code: 400 - {'error': {'message': \"Invalid value for 'temperature': expected a number between 0 and 2, got {n}.\", 'type': 'invalid_request_error'}}"],
  ["BadRequestError", 400, "Error code: 400 - {'error': {'message': 'messages: at least one message is required', 'type': 'invalid_request_error'}}"],
  ["NotFoundError", 404, "The model `gpt-5-preview` does not exist or you do not have access to it."],
  ["BudgetExceededError", 400, "Budget has been exceeded! Current cost: {n}, Max budget: 100.0"],
  ["APIError", 529, "Error code: 529 - {'type': 'error', 'error': {'type': 'overloaded_error', 'message': 'Overloaded'}} request_id: req_{id}"],
  ["InternalServerError", 500, "CUDA out of memory. Tried to allocate {n} MiB (GPU 0; 79.15 GiB total capacity; {n} GiB already allocated)"],
  ["APIConnectionError", 502, "upstream connect error or disconnect/reset before headers. reset reason: connection timeout"],
  ["InternalServerError", 500, "Engine loop has died (request {uuid})"],
  ["ContentPolicyViolationError", 400, "Your request was rejected as a result of our safety system. Your prompt may contain text that is not allowed by our safety system."],
  ["BadRequestError", 400, "Invalid 'max_tokens': integer above maximum value. Expected a value <= 16384, but got {n} instead."],
  ["Timeout", 504, "Gateway Timeout: the upstream vLLM server at {ip} did not answer within {n} s"],
  ["RateLimitError", 429, "Too many requests: you have exceeded your TPM limit for team-{id}; retry after {n} seconds"],
  ["APIConnectionError", 500, "Cannot connect to host ollama:11434 ssl:default [Connection refused]"],
  ["InternalServerError", 500, "Received an empty response from the model (finish_reason=null) for call {uuid}"],
  ["BadRequestError", 400, "tools[{n}].function.parameters: must be a JSON schema object"],
  ["AuthenticationError", 401, "Authentication Error, Invalid proxy server token passed. Received API Key = sk-...{id}, Key Hash (Token) ={id}{id}. Unable to find token in cache or `LiteLLM_VerificationTokenTable`"],
  ["PermissionDeniedError", 403, "team_id={id} not allowed to access model. This team can only access models=['gpt-4o-mini', 'llama-3.1-8b']"],
  ["ServiceUnavailableError", 503, "No deployments available for selected model, Try again in 60 seconds. Passed model=claude-3-5-sonnet. pre-call-checks=False, cooldown_list=[('{id}', {'exception_received': 'RateLimitError', 'status_code': '429'})]"],
  ["InternalServerError", 500, "litellm.InternalServerError: AnthropicException - Overloaded. Handle with `litellm.InternalServerError`."],
  ["UnprocessableEntityError", 422, "Unprocessable Entity: input validation error: `inputs` tokens + `max_new_tokens` must be <= 8192. Given: {n} `inputs` tokens and 1024 `max_new_tokens`"],
  ["Timeout", 408, "litellm.Timeout: APITimeoutError - Request timed out. Error_str: Request timed out. (deadline {n}ms exceeded)"],
  ["APIError", 500, "Mistral API error: {'object': 'error', 'message': 'Service unavailable, please retry', 'type': 'internal_server_error', 'code': '{n}'}"],
];

/** One instance of a template, as the SQL below fills it in (for checking fingerprints in JS). */
export function fillTemplate(t: string, n: number, id: string, uuid: string, ip: string): string {
  return t.replaceAll("{n}", String(n)).replaceAll("{id}", id).replaceAll("{uuid}", uuid).replaceAll("{ip}", ip);
}

const lit = (s: string) => `'${s.replaceAll("'", "''")}'`;
const arr = (xs: Array<string | number>) => `ARRAY[${xs.map((x) => (typeof x === "number" ? String(x) : lit(x))).join(",")}]`;

/** Inserts `n` records of tenant `tenantId` whose times spread over the 24 h before `endMs`, in time order. */
export async function seedRequestLogs(c: pg.Client, tenantId: number, n: number, endMs: number): Promise<void> {
  const startMs = endMs - DAY_MS;
  const firstDay = Math.floor(startMs / DAY_MS);
  const lastDay = Math.floor(endMs / DAY_MS);
  await c.query(`SELECT inferscope_ensure_day_partitions(ARRAY(SELECT generate_series(${firstDay}, ${lastDay + 1}))::integer[])`);
  const errs = BENCH_ERRORS.map(([cls, status, tpl]) => {
    const fp = errorFingerprint(cls, fillTemplate(tpl, 12345, "a1B2c3D4e5F6", "0b7c4a7e-95d2-4c57-9b1e-5f0f1a2b3c4d", "10.0.3.17:8000"), status);
    return { cls, status, tpl, fp, type: errorTypeOf(status, cls, tpl) };
  });
  const models = BENCH_MODELS;
  await c.query("SELECT setseed(0.42)");
  await c.query(`
    INSERT INTO request_logs (tenant_id, time, request_id, trace_id, end_time, model, requested_model, provider, api_base, call_type, stream, status, http_status,
      latency_ms, ttft_ms, input_tokens, output_tokens, total_tokens, cached_tokens, cost_usd, cost_source, cache_hit, error_type, error_class, error_message,
      error_fingerprint, user_id, end_user, team, team_alias, api_key_alias, project, environment, tags, attributes, received_at)
    WITH base AS (
      SELECT i, random() AS r_model, random() AS r_fail, random() AS r_err, random() AS r_lat1, random() AS r_lat2, random() AS r_user,
        random() AS r_in, random() AS r_out, random() AS r_n, random() AS r_jit, random() AS r_cache
      FROM generate_series(1, ${n}) i
    ), x AS (
      SELECT b.*, r_fail < 0.05 AS failed, 1 + floor(power(r_err, 1.4) * ${errs.length})::int AS e,
        ${startMs}::float8 + (i - 1)::float8 * ${DAY_MS / n} + r_jit * 2000 AS ms,
        -- log-normal latency around 900 ms
        900 * exp(0.7 * sqrt(-2 * ln(greatest(r_lat1, 1e-12))) * cos(2 * pi() * r_lat2)) AS lat
      FROM base b
    ), xu AS (
      -- Each user (some far busier than others) sticks to three models (60/30/10%), streams or not, and runs in one environment.
      SELECT x.*, u % 3 <> 0 AS stream, CASE WHEN u % 10 = 0 THEN 'staging' ELSE 'production' END AS env,
        1 + (CASE WHEN r_model < 0.6 THEN u WHEN r_model < 0.9 THEN u * 3 + 1 ELSE u * 7 + 2 END) % ${models.length} AS m
      FROM (SELECT x.*, 1 + floor(power(r_user, 1.3) * 40)::int AS u FROM x) x
    ), y AS (
      SELECT xu.*, (${arr(models.map((m) => m[0]))})[m] AS model, (${arr(models.map((m) => m[1]))})[m] AS provider,
        CASE WHEN failed THEN lat * 0.3 ELSE lat * (${arr(models.map((m) => m[2]))})[m] END AS latency,
        CASE WHEN failed THEN NULL ELSE 200 + floor(power(r_in, 2) * 6000)::bigint END AS input_tokens,
        CASE WHEN failed THEN NULL ELSE 20 + floor(r_out * 900)::bigint END AS output_tokens,
        -- Random base62-like ids; like most real ones they hold a digit (what tells an id from a word).
        translate(substr(encode(sha256(i::text::bytea), 'base64'), 1, 11), '+/', 'xQ') || (i % 10) AS rid
      FROM xu
    )
    SELECT ${tenantId}, timestamptz 'epoch' + ms * interval '1 millisecond', 'chatcmpl-' || rid,
      CASE WHEN i % 10 < 3 THEN 'tr-' || md5((i / 3)::text) END,
      timestamptz 'epoch' + (ms + latency) * interval '1 millisecond',
      model, model, provider, 'http://' || provider || '.internal:8000', 'acompletion', stream,
      CASE WHEN failed THEN 'failure' ELSE 'success' END,
      CASE WHEN failed THEN (${arr(errs.map((e) => e.status))})[e] ELSE 200 END,
      latency, CASE WHEN stream AND NOT failed THEN latency * (0.05 + r_jit * 0.2) END,
      input_tokens, output_tokens, input_tokens + output_tokens,
      CASE WHEN r_cache < 0.2 AND NOT failed THEN input_tokens / 2 END,
      CASE WHEN failed THEN NULL ELSE (input_tokens * (${arr(models.map((m) => m[3]))})[m] + output_tokens * (${arr(models.map((m) => m[4]))})[m]) / 1e6 END,
      CASE WHEN failed THEN NULL ELSE 'reported' END,
      CASE WHEN r_cache < 0.05 THEN true ELSE false END,
      CASE WHEN failed THEN (${arr(errs.map((e) => e.type))})[e] END,
      CASE WHEN failed THEN (${arr(errs.map((e) => e.cls))})[e] END,
      CASE WHEN failed THEN replace(replace(replace(replace((${arr(errs.map((e) => e.tpl))})[e],
        '{n}', (floor(r_n * 90000) + 100)::text), '{id}', rid), '{uuid}', md5(i::text)::uuid::text),
        '{ip}', '10.0.' || (i % 250) || '.' || (i % 199) || ':8000') END,
      CASE WHEN failed THEN (${arr(errs.map((e) => e.fp))})[e] END,
      'user-' || lpad(u::text, 2, '0'), 'cust-' || floor(r_n * 5000)::int,
      'team-' || (u % 8), (${arr(["search", "support", "ads", "infra", "growth", "research", "mobile", "data"])})[1 + u % 8],
      'key-' || lpad(u::text, 2, '0'), (${arr(["assistant", "rag", "batch", "evals"])})[1 + u % 4],
      env,
      CASE WHEN u % 3 = 0 THEN ARRAY['app:chat', 'tier:paid'] WHEN u % 3 = 1 THEN ARRAY['app:api'] ELSE ARRAY[]::text[] END,
      jsonb_build_object('region', CASE WHEN u % 2 = 0 THEN 'eu' ELSE 'us' END),
      timestamptz 'epoch' + (ms + latency + 300) * interval '1 millisecond'
    FROM y`);
}

/** The rollup rows of tenant `tenantId` recomputed from its logs (what the aggregator maintains incrementally). */
export async function seedRollups(c: pg.Client, tenantId: number): Promise<void> {
  const bounds = HISTOGRAMS.map((h) => `ARRAY[${h.bounds.join(",")}]::float8[]`);
  await c.query(`DELETE FROM log_rollup_buckets WHERE tenant_id = ${tenantId}; DELETE FROM log_rollups WHERE tenant_id = ${tenantId};
    DELETE FROM log_rollup_buckets_day WHERE tenant_id = ${tenantId}; DELETE FROM log_rollups_day WHERE tenant_id = ${tenantId};
    DELETE FROM log_rollup_hist_day WHERE tenant_id = ${tenantId}; DELETE FROM log_rollups_hour WHERE tenant_id = ${tenantId};
    DELETE FROM log_dims WHERE tenant_id = ${tenantId}`);
  await c.query(`
    CREATE TEMP TABLE obs ON COMMIT PRESERVE ROWS AS
    SELECT jsonb_strip_nulls(jsonb_build_object('model', nullif(model, ''), 'requested_model', nullif(requested_model, ''), 'provider', nullif(provider, ''),
        'api_base', nullif(api_base, ''), 'deployment_id', nullif(deployment_id, ''), 'status', status, 'http_status', http_status::text,
        'error_class', nullif(error_class, ''), 'team', nullif(team, ''), 'team_alias', nullif(team_alias, ''), 'user', nullif(user_id, ''),
        'api_key_alias', nullif(api_key_alias, ''), 'api_key_hash', nullif(api_key_hash, ''), 'project', nullif(project, ''),
        'environment', nullif(environment, ''), 'stream', stream::text)) AS dims,
      (floor(extract(epoch FROM time) * 1000 / 60000) * 60000)::bigint AS minute,
      coalesce(input_tokens, 0) AS input_tokens, coalesce(output_tokens, 0) AS output_tokens, coalesce(total_tokens, 0) AS total_tokens,
      coalesce(cached_tokens, 0) AS cached_tokens, coalesce(cost_usd, 0) AS cost_usd, cache_hit,
      ARRAY[latency_ms / 1000, ttft_ms / 1000,
        CASE WHEN output_tokens > 0 AND latency_ms IS NOT NULL THEN
          CASE WHEN (CASE WHEN ttft_ms IS NOT NULL AND ttft_ms < latency_ms THEN latency_ms - ttft_ms ELSE latency_ms END) > 0
          THEN output_tokens / ((CASE WHEN ttft_ms IS NOT NULL AND ttft_ms < latency_ms THEN latency_ms - ttft_ms ELSE latency_ms END) / 1000) END END,
        CASE WHEN output_tokens > 0 THEN (CASE WHEN stream IS TRUE AND ttft_ms IS NOT NULL THEN ttft_ms ELSE latency_ms END) / 1000 / output_tokens END
      ]::float8[] AS v
    FROM request_logs WHERE tenant_id = ${tenantId}`);
  await c.query(`INSERT INTO log_dims (tenant_id, dims, dims_hash) SELECT DISTINCT ${tenantId}, dims, md5(dims::text)::uuid FROM obs`);
  await c.query(`CREATE TEMP TABLE obs_d AS SELECT d.id AS dims_id, o.* FROM obs o JOIN log_dims d ON d.tenant_id = ${tenantId} AND d.dims = o.dims`);
  const sums = (unit: string) => `
    SELECT ${tenantId}, dims_id, ${unit}, count(*), sum(input_tokens), sum(output_tokens), sum(total_tokens), sum(cached_tokens), sum(cost_usd),
      count(*) FILTER (WHERE cache_hit), count(*) FILTER (WHERE cache_hit = false),
      ARRAY[count(v[1]), count(v[2]), count(v[3]), count(v[4])], ARRAY[coalesce(sum(v[1]), 0), coalesce(sum(v[2]), 0), coalesce(sum(v[3]), 0), coalesce(sum(v[4]), 0)]
    FROM obs_d GROUP BY dims_id, ${unit}`;
  const cols = "tenant_id, dims_id, %, requests, input_tokens, output_tokens, total_tokens, cached_tokens, cost_usd, cache_hits, cache_misses, hist_count, hist_sum";
  await c.query(`INSERT INTO log_rollups (${cols.replace("%", "minute")}) ${sums("minute")}`);
  await c.query(`INSERT INTO log_rollups_day (${cols.replace("%", "day")}) ${sums(`(minute / ${DAY_MS}) * ${DAY_MS}`)}`);
  // Bucket = the index of the first bound >= v: the number of bounds < v.
  const boundsOf = `CASE h ${bounds.map((b, i) => `WHEN ${i + 1} THEN ${b}`).join(" ")} END`;
  const buckets = (unit: string) => `
    SELECT ${tenantId}, dims_id, ${unit}, h - 1, width_bucket(v[h], ${boundsOf}) - (v[h] = ANY(${boundsOf}))::int, count(*)
    FROM obs_d, generate_series(1, ${HISTOGRAMS.length}) h WHERE v[h] IS NOT NULL GROUP BY 2, 3, 4, 5`;
  await c.query(`INSERT INTO log_rollup_buckets (tenant_id, dims_id, minute, hist, bucket, n) ${buckets("minute")}`);
  await c.query(`INSERT INTO log_rollup_buckets_day (tenant_id, dims_id, day, hist, bucket, n) ${buckets(`(minute / ${DAY_MS}) * ${DAY_MS}`)}`);
  await c.query("DROP TABLE obs; DROP TABLE obs_d");
  // Bucket rows into arrays, and the hours, as the data migration does (every tenant's: ON CONFLICT DO NOTHING).
  await carryRollupsOver(c);
}
