// --target ingest from flags to a LoadRun: the rates, batch sizes and markers,
// checked and capped, the URL checked for loopback, and the open-model run.
import { CliError } from "../errors";
import { target } from "../commands/api-client";
import { parseDurationFlag } from "../terminal/time-args";
import type { Common } from "../commands/loadtest";
import { numberFlag } from "../terminal/number-args";
import { IngestLoad } from "./ingest-target";
import { runArrivals } from "./open-model";
import { describePlan } from "./plan";
import type { LoadRun } from "./run";
import { checkTarget } from "./safety";
import type { Shape } from "./scenarios";

export const MAX_SAMPLES_PER_SECOND = 1_000_000;
export const MAX_LOGS_PER_SECOND = 100_000;

export const INGEST_OPTIONS = {
  "query-key": { type: "string" },
  rate: { type: "string" },
  "log-rate": { type: "string" },
  "samples-per-request": { type: "string" },
  "logs-per-request": { type: "string" },
  series: { type: "string" },
  "marker-every": { type: "string" },
  "queryable-timeout": { type: "string" },
} as const;

export const INGEST_HELP = `--target ingest (remote_write to /api/v1/write and request logs to /v1/logs):
  --url URL              Inferscope base URL (env INFERSCOPE_URL, default http://127.0.0.1:8787)
  --key KEY              an API key with the ingest scope (env INFERSCOPE_API_KEY)
  --query-key KEY        a key with the query scope for time until queryable (default --key)
  --rate N               peak samples/s (default 1000; smoke 100); 0: no remote_write
  --log-rate N           peak request-log records/s (default 50; smoke 5); 0: no logs
  --samples-per-request N  samples per remote_write request (default 100)
  --logs-per-request N   records per POST /v1/logs (default 10)
  --series N             distinct series the samples rotate over (default 1000)
  --marker-every D       send a marker sample and record this often, then poll for them (default 5s; 0: only after the load)
  --queryable-timeout D  how long to wait for a marker to show (default 60s)
  A 429's Retry-After is honoured: that stream pauses, and what falls due meanwhile is counted as throttled.`;

type Values = { [K in keyof typeof INGEST_OPTIONS]?: string | undefined } & { url?: string; key?: string; endpoint?: string; "api-key"?: string; models?: string; model?: string; "stream-share"?: string };

const OPENAI_ONLY = ["endpoint", "api-key", "models", "model", "stream-share", "prompt", "max-tokens", "report-to"] as const;

export async function ingestRun(values: Values & Record<string, unknown>, c: Common, shape: Shape, env: Record<string, string | undefined>): Promise<LoadRun> {
  for (const f of OPENAI_ONLY) if (values[f] !== undefined) throw new CliError(`--${f} is for --target openai; --target ingest takes --url and --key`);
  const post = target(values, "ingest", env);
  await checkTarget(post.url, "url", c.allowRemote);
  const smoke = c.scenario === "smoke";
  const samplesPerSecond = numberFlag(values.rate, "rate", { min: 0, max: MAX_SAMPLES_PER_SECOND, fallback: smoke ? 100 : 1000 });
  const logsPerSecond = numberFlag(values["log-rate"], "log-rate", { min: 0, max: MAX_LOGS_PER_SECOND, fallback: smoke ? 5 : 50 });
  if (samplesPerSecond === 0 && logsPerSecond === 0) throw new CliError("--rate and --log-rate are both 0: nothing to send");
  const series = numberFlag(values.series, "series", { min: 1, max: 100_000, integer: true, fallback: 1000 });
  const samplesPerRequest = numberFlag(values["samples-per-request"], "samples-per-request", { min: 1, max: 10_000, integer: true, fallback: 100 });
  if (samplesPerRequest > series) throw new CliError(`--samples-per-request (${samplesPerRequest}) is above --series (${series}): a request holds one sample per series`);
  const logsPerRequest = numberFlag(values["logs-per-request"], "logs-per-request", { min: 1, max: 1000, integer: true, fallback: 10 });
  const markerEveryMs = values["marker-every"] === "0" ? 0 : parseDurationFlag(values["marker-every"] ?? "5s", "marker-every");
  const queryableTimeoutMs = parseDurationFlag(values["queryable-timeout"] ?? "60s", "queryable-timeout");
  const query = { ...post, key: values["query-key"] ?? post.key, scope: "query" as const };

  const load = new IngestLoad({
    post: { url: post.url, key: post.key, timeoutMs: c.timeoutMs },
    query,
    runId: c.runId,
    seed: c.seed,
    samplesPerSecond,
    logsPerSecond,
    samplesPerRequest,
    logsPerRequest,
    series,
    markerEveryMs,
    queryableTimeoutMs,
  });
  const streams = load.streams();
  let inFlight = 0;
  const units = [
    ...(samplesPerSecond ? [{ label: "samples/s", peak: samplesPerSecond }] : []),
    ...(logsPerSecond ? [{ label: "logs/s", peak: logsPerSecond }] : []),
  ];
  return {
    target: "ingest",
    url: post.url,
    scenario: c.scenario,
    shape,
    runId: c.runId,
    peak: { samplesPerSecond, logsPerSecond, maxInFlight: c.vus },
    planLines: [
      ...describePlan(c.scenario, shape, units),
      `  ${[samplesPerSecond ? `${samplesPerRequest} samples per remote_write (${series} series)` : "", logsPerSecond ? `${logsPerRequest} records per POST /v1/logs` : ""].filter(Boolean).join(", ")}`,
      `  at most ${c.vus} requests in flight (--vus); run ${c.runId} (label run="${c.runId}")`,
    ],
    rateLabel: "req/s",
    streams: () => [load.samples, load.logs].filter((s) => (s === load.samples ? samplesPerSecond : logsPerSecond) > 0),
    load: () => `in flight ${inFlight}/${c.vus}`,
    async execute(stop) {
      const markersStop = new AbortController();
      const onStop = () => markersStop.abort();
      stop.addEventListener("abort", onStop, { once: true });
      const markers = load.markersDuring(markersStop.signal);
      const counted = streams.map((s) => ({
        ...s,
        iterate: async (signal: AbortSignal) => {
          inFlight++;
          try {
            await s.iterate(signal);
          } finally {
            inFlight--;
          }
        },
      }));
      try {
        await runArrivals(counted, { shape, maxInFlight: c.vus, stop, gracefulStopMs: c.gracefulStopMs });
      } finally {
        markersStop.abort();
        stop.removeEventListener("abort", onStop);
        await markers;
      }
    },
    finish: (signal) => load.finish(signal),
  };
}
