// The flags of --target openai, apart so the command can list them without
// loading the client.
export const OPENAI_OPTIONS = {
  endpoint: { type: "string" },
  "api-key": { type: "string" },
  models: { type: "string" },
  model: { type: "string" },
  "stream-share": { type: "string" },
  prompt: { type: "string" },
  "max-tokens": { type: "string" },
  "report-to": { type: "string" },
} as const;

export const DEFAULT_ENDPOINT = "http://127.0.0.1:8000/v1";

export const OPENAI_HELP = `--target openai (POST /v1/chat/completions):
  --endpoint URL         OpenAI-compatible base URL (env OPENAI_BASE_URL, default ${DEFAULT_ENDPOINT})
  --api-key KEY          sent as a bearer token (env OPENAI_API_KEY; none by default)
  --models a=3,b=1       weighted model mix (a bare name weighs 1)
  --model M              one model (default: the first of GET /v1/models)
  --stream-share F       share of requests streamed (SSE; TTFT is measured on those), such as 0.3 or 30% (default 0.5)
  --prompt TEXT          the user message (default a short fixed prompt)
  --max-tokens N         max_tokens of each request (default 64)
  --report-to URL        also send each request to this Inferscope as a request log tagged synthetic and loadtest
  --key KEY              an ingest key for --report-to (env INFERSCOPE_API_KEY); never changes the exit code
  A 429 counts as an error under its status and is honoured: that user waits out Retry-After (at most 30s).`;
