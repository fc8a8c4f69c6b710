// --target openai from flags to a LoadRun: the endpoint checked for loopback,
// the model mix (or the server's first model), and the closed-model run
// through the probe's client, one kept-alive connection pool for all users.
import { OpenAiClient } from "../probe/openai-client";
import { CliError } from "../errors";
import type { Common } from "../commands/loadtest";
import { fractionFlag, numberFlag } from "../terminal/number-args";
import { parseModelMix, shares, type ModelWeight } from "./model-mix";
import { DEFAULT_ENDPOINT } from "./openai-options";
import { reportedLine, reportTarget, startReport } from "./openai-report";
import { runVus, type VuState } from "./closed-model";
import { OpenAiLoad, type Complete } from "./openai-target";
import { describePlan } from "./plan";
import type { LoadRun } from "./run";
import { checkTarget } from "./safety";
import { totalMs, type Shape } from "./scenarios";

const DEFAULT_PROMPT = "Reply with a short sentence about load testing.";
// --key is openai's too: the ingest key of --report-to (openai-report.ts checks it).
const INGEST_ONLY = ["url", "query-key", "rate", "log-rate", "samples-per-request", "logs-per-request", "series", "marker-every", "queryable-timeout"] as const;

type Values = Record<string, unknown> & { endpoint?: string; "api-key"?: string; models?: string; model?: string; "stream-share"?: string; prompt?: string; "max-tokens"?: string; "report-to"?: string; key?: string };

export async function openaiRun(values: Values, c: Common, shape: Shape, env: Record<string, string | undefined>): Promise<LoadRun> {
  for (const f of INGEST_ONLY) if (values[f] !== undefined) throw new CliError(`--${f} is for --target ingest; --target openai takes --endpoint and --api-key${f === "url" ? " (and --report-to URL to report to an Inferscope)" : ""}`);
  if (values.models !== undefined && values.model !== undefined) throw new CliError("pass --models (a weighted mix) or --model, not both");
  // Not held to loopback: it is where the records go (batched, one POST at a time), not a load target.
  const reportTo = reportTarget(values, env);
  const endpoint = values.endpoint ?? (env.OPENAI_BASE_URL || DEFAULT_ENDPOINT);
  let client: OpenAiClient;
  try {
    client = new OpenAiClient({ endpoint, apiKey: values["api-key"] ?? (env.OPENAI_API_KEY || undefined), keepAlive: true, timeoutMs: c.timeoutMs, headers: { "user-agent": "inferscope-loadtest" } });
  } catch (e) {
    throw new CliError(`--endpoint: ${(e as Error).message}`);
  }
  await checkTarget(client.base, "endpoint", c.allowRemote);
  const streamShare = fractionFlag(values["stream-share"], "stream-share", { fallback: 0.5 });
  const maxTokens = numberFlag(values["max-tokens"], "max-tokens", { min: 1, max: 100_000, integer: true, fallback: 64 });
  let mix: ModelWeight[];
  if (values.models !== undefined) mix = parseModelMix(values.models);
  else if (values.model !== undefined) mix = [{ model: values.model, weight: 1 }];
  else {
    const listed = await client.listModels({ timeoutMs: c.timeoutMs });
    if (!listed.ok || listed.models.length === 0) {
      client.close();
      throw new CliError(`no --model given and GET ${client.base}/models ${listed.ok ? "lists no models" : `failed: ${listed.error}`}; pass --model or --models`);
    }
    mix = [{ model: listed.models[0], weight: 1 }];
  }
  const report = reportTo ? startReport(reportTo, client.base, c.scenario, c.runId) : null;

  const complete: Complete = async (req, signal) => {
    const r = await client.complete({ model: req.model, messages: req.messages, stream: req.stream, maxTokens: req.maxTokens }, { signal, timeoutMs: c.timeoutMs });
    report?.add(r, req.model);
    return {
      ok: r.ok,
      status: r.status,
      error: r.error,
      ttftMs: r.timings.ttftMs,
      totalMs: r.timings.totalMs,
      completionTokens: r.usage.completionTokens ?? 0,
      outputTokensPerSecond: r.outputTokensPerSecond,
      retryAfterMs: r.retryAfterMs ?? null,
      aborted: r.errorKind === "aborted",
    };
  };
  let endsAt = Infinity;
  const load = new OpenAiLoad({ mix, streamShare, prompt: values.prompt ?? DEFAULT_PROMPT, maxTokens, seed: c.seed }, complete, () => endsAt);
  const state: VuState = { active: 0, wanted: 0 };
  const mixText = shares(mix).map((s) => `${s.model} ${Math.round(s.share * 100)}%`).join(", ");
  return {
    target: "openai",
    url: client.base,
    scenario: c.scenario,
    shape,
    runId: c.runId,
    peak: { vus: c.vus },
    planLines: [
      ...describePlan(c.scenario, shape, [{ label: "VUs", peak: c.vus }]),
      `  models: ${mixText}; ${Math.round(streamShare * 100)}% streamed; max_tokens ${maxTokens}`,
      ...(reportTo ? [`  each request also reported to ${reportTo.url} (request logs tagged synthetic, loadtest)`] : []),
    ],
    rateLabel: "req/s",
    streams: () => load.streams(),
    load: () => `VUs ${state.active}/${state.wanted}`,
    async execute(stop) {
      endsAt = Date.now() + totalMs(shape);
      try {
        await runVus({ shape, peakVus: c.vus, stop, gracefulStopMs: c.gracefulStopMs, iterate: (vu, signal) => load.iterate(vu, signal) }, state);
      } finally {
        client.close();
      }
    },
    ...(report && {
      async closeReport() {
        const reported = await report.close();
        return { reported, line: reportedLine(reported) };
      },
    }),
  };
}
