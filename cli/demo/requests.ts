// The gateway's traffic: LiteLLM request logs for each tick, at a rate that
// follows the fleet's load. Several providers (two self-hosted through
// hosted_vllm, on the demo's own vLLM hosts), teams with their users, keys and
// projects, streamed responses with a TTFT, a little background of errors of
// several kinds, a slow tail, and the script's incidents: a 429 storm on one
// provider, a degraded provider, and one team's expensive evaluation run.
import { inWindow, type HostSpec, type Script } from "./fleet";
import { standardLoggingPayload } from "./litellm-payloads";
import { clamp } from "./target";
import { Rand } from "./rng";

export interface ModelSpec {
  model: string;
  provider: string;
  apiBase: string;
  group: string;
  /** USD per 1M input / output tokens; self-hosted ones are priced by GPU time instead. */
  inPrice: number;
  outPrice: number;
  weight: number;
  ttft: number;
  tps: number;
}

const SELF_HOSTED_USD_PER_S = 4 / 3600 / 16; // $4/h for the GPUs, 16 requests at a time

/** The gateway's models and where each is served; the demo's probes (probes.ts) check the same ones. */
export function models(fleet: HostSpec[]): ModelSpec[] {
  const vllmBase = (model: string) => {
    for (const h of fleet) for (const s of h.servers) if (s.kind === "vllm" && s.model === model) return `http://${h.name}:${s.port}/v1`;
    return "http://localhost:8000/v1";
  };
  return [
    { model: "gpt-4o-mini", provider: "openai", apiBase: "https://api.openai.com/v1", group: "gpt-4o-mini", inPrice: 0.15, outPrice: 0.6, weight: 30, ttft: 0.35, tps: 90 },
    { model: "gpt-4o", provider: "openai", apiBase: "https://api.openai.com/v1", group: "gpt-4o", inPrice: 2.5, outPrice: 10, weight: 9, ttft: 0.5, tps: 65 },
    { model: "claude-3-5-sonnet-20241022", provider: "anthropic", apiBase: "https://api.anthropic.com", group: "claude-sonnet", inPrice: 3, outPrice: 15, weight: 12, ttft: 0.7, tps: 55 },
    { model: "claude-3-5-haiku-20241022", provider: "anthropic", apiBase: "https://api.anthropic.com", group: "claude-haiku", inPrice: 0.8, outPrice: 4, weight: 10, ttft: 0.45, tps: 110 },
    { model: "gemini-2.0-flash", provider: "gemini", apiBase: "https://generativelanguage.googleapis.com", group: "gemini-flash", inPrice: 0.1, outPrice: 0.4, weight: 8, ttft: 0.3, tps: 160 },
    { model: "mistral-large-latest", provider: "mistral", apiBase: "https://api.mistral.ai/v1", group: "mistral-large", inPrice: 2, outPrice: 6, weight: 4, ttft: 0.4, tps: 50 },
    { model: "meta-llama/Llama-3.1-70B-Instruct", provider: "hosted_vllm", apiBase: vllmBase("meta-llama/Llama-3.1-70B-Instruct"), group: "llama-70b", inPrice: 0, outPrice: 0, weight: 12, ttft: 0.25, tps: 30 },
    { model: "meta-llama/Llama-3.1-8B-Instruct", provider: "hosted_vllm", apiBase: vllmBase("meta-llama/Llama-3.1-8B-Instruct"), group: "llama-8b", inPrice: 0, outPrice: 0, weight: 15, ttft: 0.08, tps: 95 },
  ];
}

interface Team {
  id: string;
  alias: string;
  users: string[];
  keys: Array<{ alias: string; hash: string }>;
  projects: string[];
  weight: number;
}

const TEAMS: Array<[string, string[], number]> = [
  ["platform", ["chat-assistant", "internal-tools"], 30],
  ["search", ["doc-search"], 22],
  ["support", ["ticket-triage", "reply-drafts"], 20],
  ["research", ["eval-sweep"], 8],
  ["growth", ["ad-copy"], 12],
  ["data", ["etl-enrich"], 8],
];

/** Background errors: [status, class, message, weight]. 429s come mostly from the script's storm. */
const ERRORS: Array<[string, string, string, number]> = [
  ["500", "InternalServerError", "The server had an error while processing your request.", 4],
  ["503", "ServiceUnavailableError", "The engine is currently overloaded, please try again later", 3],
  ["400", "BadRequestError", "Invalid 'messages[1].content': string too long.", 2],
  ["408", "Timeout", "Request timed out after 120.0 seconds.", 2],
  ["401", "AuthenticationError", "Incorrect API key provided: sk-proj-****1234.", 1],
  ["429", "RateLimitError", "Rate limit reached for requests. Please try again in 1.2s.", 1],
];

export interface RequestStats {
  requests: number;
  failed: number;
  rateLimited: number;
  streamed: number;
  costUsd: number;
}

export class RequestGen {
  private readonly r: Rand;
  private readonly models: ModelSpec[];
  private readonly teams: Team[];
  readonly stats: RequestStats = { requests: 0, failed: 0, rateLimited: 0, streamed: 0, costUsd: 0 };

  /** Requests per second at load 1 (the evaluation run comes on top). */
  constructor(fleet: HostSpec[], private readonly script: Script, private readonly seed: number, private readonly baseRps = 2) {
    this.r = new Rand(seed * 65_537 + 5);
    this.models = models(fleet);
    const hash = () => Array.from({ length: 16 }, () => Math.floor(this.r.next() * 16).toString(16)).join("");
    this.teams = TEAMS.map(([name, projects, weight]) => ({
      id: `team-${name}`,
      alias: name,
      users: Array.from({ length: 3 + (name.length % 3) }, (_, i) => `${name}-user-${i + 1}@example.com`),
      keys: [{ alias: `svc-${name}`, hash: hash() }, { alias: `${name}-dev`, hash: hash() }],
      projects,
      weight,
    }));
  }

  /** The requests that started in (ts - 15 s, ts], as StandardLoggingPayloads. */
  tick(ts: number, load: number, dtS = 15): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [];
    const n = this.r.poisson(this.baseRps * load * dtS);
    for (let i = 0; i < n; i++) out.push(this.request(ts - dtS * 1000 * this.r.next(), ts, i, false));
    if (inWindow(this.script.costSpike, ts)) {
      const m = this.r.poisson(0.4 * dtS);
      for (let i = 0; i < m; i++) out.push(this.request(ts - dtS * 1000 * this.r.next(), ts, n + i, true));
    }
    return out;
  }

  private request(startMs: number, ts: number, i: number, evalRun: boolean): Record<string, unknown> {
    const { r, script } = this;
    const team = evalRun ? this.teams.find((t) => t.id === "team-research")! : this.teams[r.weighted(this.teams.map((t) => t.weight))];
    const m = evalRun ? this.models[r.chance(0.7) ? 2 : 1] : this.models[r.weighted(this.models.map((x) => x.weight))];
    const key = evalRun ? { alias: "research-eval-batch", hash: "5e1f00dba7c4e001" } : team.keys[r.chance(0.8) ? 0 : 1];
    const stream = !evalRun && r.chance(0.6);
    let prompt = Math.round(evalRun ? r.lognormal(24_000, 0.3) : clamp(r.lognormal(900, 0.9), 20, 100_000));
    let completion = Math.round(evalRun ? r.lognormal(1200, 0.4) : clamp(r.lognormal(250, 0.8), 5, 4000));
    const cached = m.provider !== "hosted_vllm" && r.chance(0.3) ? Math.round(prompt * r.between(0.2, 0.8)) : 0;
    let ttft = r.lognormal(m.ttft, 0.35);
    let latency = ttft + completion / (m.tps * r.lognormal(1, 0.2));
    const slowWindow = m.provider === script.slow.provider && inWindow(script.slow.window, ts);
    if (slowWindow || r.chance(0.02)) {
      const f = slowWindow ? r.between(3, 6) : r.between(4, 10);
      ttft *= f;
      latency *= f;
    }
    let error: { code: string; cls: string; message: string } | null = null;
    const storm = m.provider === script.rateLimit.provider && inWindow(script.rateLimit.window, ts);
    if (storm && r.chance(0.4)) error = { code: "429", cls: "RateLimitError", message: `${m.provider}: rate limit exceeded for output tokens per minute; retry after 20s` };
    else if (r.chance(0.015)) {
      const [code, cls, message] = ERRORS[r.weighted(ERRORS.map((e) => e[3]))];
      error = { code, cls, message };
    }
    if (error) {
      prompt = 0;
      completion = 0;
      latency = error.cls === "Timeout" ? 120 : r.between(0.05, 1.5);
    }
    const failed = error !== null;
    const gpuCost = latency * SELF_HOSTED_USD_PER_S;
    const cost = failed ? 0
      : m.provider === "hosted_vllm" ? gpuCost
      : ((prompt - cached) * m.inPrice + cached * m.inPrice * 0.5 + completion * m.outPrice) / 1e6;
    const s = this.stats;
    s.requests++;
    if (failed) s.failed++;
    if (error?.code === "429") s.rateLimited++;
    if (stream && !failed) s.streamed++;
    s.costUsd += cost;
    const slot = Math.round(ts / 15_000).toString(36);
    const id = `chatcmpl-demo${this.seed}-${slot}-${i}`;
    const round = (x: number) => Math.round(x * 1000) / 1000;
    return standardLoggingPayload({
      id,
      traceId: `trace-demo${this.seed}-${slot}-${i}`,
      callId: `call-demo${this.seed}-${slot}-${i}`,
      model: m.model,
      provider: m.provider,
      apiBase: m.apiBase,
      modelGroup: m.group,
      deploymentId: `${m.group}-${m.provider}`,
      startS: round(startMs / 1000),
      latencyS: round(latency),
      ttftS: stream && !failed ? round(Math.min(ttft, latency)) : null,
      stream,
      promptTokens: prompt,
      completionTokens: completion,
      cachedTokens: failed ? 0 : cached,
      cost: Math.round(cost * 1e9) / 1e9,
      error,
      keyHash: key.hash,
      keyAlias: key.alias,
      teamId: team.id,
      teamAlias: team.alias,
      userId: evalRun ? "research-user-1@example.com" : r.pick(team.users),
      project: evalRun ? "eval-sweep" : r.pick(team.projects),
      environment: evalRun || r.chance(0.85) ? "production" : "staging",
      tags: evalRun ? ["batch", "eval"] : stream ? ["chat"] : ["api"],
      overheadMs: round(r.lognormal(4, 0.4)),
    });
  }
}
