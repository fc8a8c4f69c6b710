// `inferscope loadtest`: k6-style scenarios against an OpenAI-compatible
// endpoint (--target openai) or Inferscope's own ingest path (--target
// ingest), with thresholds that set the exit code. Loopback only unless
// --allow-remote; VUs, rates and duration are capped; it stops by itself.
import { CliError } from "../errors";
import { formatMs } from "../terminal/format";
import { processIo, type Io } from "../terminal/io";
import { parseDurationFlag } from "../terminal/time-args";
import { parse } from "./api-client";
import { interruptSignal } from "./interrupt";
import { numberFlag } from "../terminal/number-args";
import { ingestRun, INGEST_HELP, INGEST_OPTIONS } from "../loadtest/ingest-run";
import { runLoad } from "../loadtest/run";
import { MAX_DURATION_MS, MAX_VUS, SCENARIO_SPECS, SCENARIOS, scenarioOf, shapeOf, type ScenarioName } from "../loadtest/scenarios";
import { EXIT_INTERRUPTED, EXIT_THRESHOLDS, EXIT_USAGE, parseThresholds, withScenarioDefaults } from "../loadtest/thresholds";
import type { LoadRun } from "../loadtest/run";
import { OPENAI_HELP, OPENAI_OPTIONS } from "../loadtest/openai-options";

const scenarioLines = SCENARIOS.map((s) => {
  const spec = SCENARIO_SPECS[s];
  return `  ${s.padEnd(9)} ${spec.summary} (default ${spec.vus} VUs, ${formatMs(spec.durationMs)})`;
}).join("\n");

const HELP = `usage: inferscope loadtest --target ingest|openai [--scenario S] [--vus N] [--duration D] [thresholds] [--json] [--export FILE]

Load-tests an OpenAI-compatible endpoint (closed model: N virtual users, each
sending its next request when the last is answered) or Inferscope's own ingest
path (open model: requests start at the target rate whether or not the server
keeps up). Prints the plan, a live line on stderr, then a summary.

scenarios (k6's names; the stages are printed before the run):
${scenarioLines}

common options:
  --target T           openai or ingest (required)
  --scenario S         default smoke
  --vus N              peak virtual users (openai) / most requests in flight (ingest); at most ${MAX_VUS}
  --duration D         such as 30s, 5m; at most ${MAX_DURATION_MS / 3_600_000}h
  --graceful-stop D    time requests still in flight at the end may take (default 10s), then they are aborted
  --timeout D          per request (default 30s)
  --seed N             the same seed draws the same models, payloads and stream choices (default 1)
  --allow-remote       allow a host that is not loopback: only your own, that you may load
  --json               print the report as JSON instead of tables (the plan and live line stay on stderr)
  --export FILE        also write the JSON report to FILE
thresholds (any failed one exits ${EXIT_THRESHOLDS}):
  --max-error-rate R   such as 0.01 or 1%: failed requests (no answer included) over all that finished
  --max-p95 D          p95 of the latency of successful answers, such as 500ms
  --max-ttft-p95 D     openai: p95 of time to first token of the successful streamed answers
  --max-queryable D    ingest: the slowest marker's time until queryable
  with none given there is no verdict (exit 0, said in the summary); smoke then
  applies --max-error-rate 0 (any threshold flag replaces that default)

${INGEST_HELP}

${OPENAI_HELP}

exit codes: 0 passed (or no thresholds), ${EXIT_THRESHOLDS} a threshold failed, ${EXIT_USAGE} usage error or refused target,
${EXIT_INTERRUPTED} interrupted by Ctrl-C (the summary so far is printed), 1 an internal error.`;

const COMMON = {
  target: { type: "string" },
  scenario: { type: "string", default: "smoke" },
  vus: { type: "string" },
  duration: { type: "string" },
  "graceful-stop": { type: "string", default: "10s" },
  timeout: { type: "string", default: "30s" },
  seed: { type: "string" },
  "allow-remote": { type: "boolean", default: false },
  export: { type: "string" },
  "max-error-rate": { type: "string" },
  "max-p95": { type: "string" },
  "max-ttft-p95": { type: "string" },
  "max-queryable": { type: "string" },
} as const;

export interface Common {
  scenario: ScenarioName;
  vus: number;
  durationMs: number;
  gracefulStopMs: number;
  timeoutMs: number;
  seed: number;
  allowRemote: boolean;
  runId: string;
}

/** Ctrl-C once stops the load (the summary follows); twice also stops waiting for markers. */
function interrupts(io: Io) {
  const finish = new AbortController();
  // A test's io.signal stands for the first Ctrl-C; it leaves the process's signals alone.
  if (io.signal) return { stop: io.signal, finish: finish.signal, release: () => {} };
  const { signal, release } = interruptSignal({ again: () => finish.abort() });
  return { stop: signal, finish: finish.signal, release };
}

export async function loadtestCommand(argv: string[], io: Io = processIo()): Promise<number> {
  const { values } = parse(argv, { ...COMMON, ...INGEST_OPTIONS, ...OPENAI_OPTIONS });
  if (values.help) {
    io.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (values.target !== "ingest" && values.target !== "openai")
    throw new CliError(values.target === undefined ? "--target is required: openai or ingest (see --help)" : `--target takes openai or ingest (not ${JSON.stringify(values.target)})`);
  const scenario = scenarioOf(values.scenario);
  const spec = SCENARIO_SPECS[scenario];
  const common: Common = {
    scenario,
    vus: numberFlag(values.vus, "vus", { min: 1, max: MAX_VUS, integer: true, fallback: spec.vus }),
    durationMs: values.duration === undefined ? spec.durationMs : parseDurationFlag(values.duration, "duration"),
    gracefulStopMs: parseDurationFlag(values["graceful-stop"], "graceful-stop"),
    timeoutMs: parseDurationFlag(values.timeout, "timeout"),
    seed: numberFlag(values.seed, "seed", { min: 0, max: 2 ** 31, integer: true, fallback: 1 }),
    allowRemote: values["allow-remote"],
    runId: `lt${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36).padStart(2, "0")}`,
  };
  if (common.durationMs < 1000 || common.durationMs > MAX_DURATION_MS)
    throw new CliError(`--duration must be from 1s to ${MAX_DURATION_MS / 3_600_000}h (not ${values.duration})`);
  if (common.timeoutMs <= 0) throw new CliError("--timeout must be above 0");
  if (common.gracefulStopMs > 5 * 60_000) throw new CliError("--graceful-stop is at most 5m");
  const thresholds = withScenarioDefaults(parseThresholds(values), scenario);
  const shape = shapeOf(scenario, common.durationMs);
  let run: LoadRun;
  if (values.target === "ingest") {
    if (thresholds.maxTtftP95Ms !== undefined) throw new CliError("--max-ttft-p95 is for --target openai (time to first token)");
    run = await ingestRun(values, common, shape, io.env);
  } else {
    if (thresholds.maxQueryableMs !== undefined) throw new CliError("--max-queryable is for --target ingest (time until queryable)");
    run = await (await import("../loadtest/openai-run")).openaiRun(values, common, shape, io.env);
  }
  const { stop, finish, release } = interrupts(io);
  try {
    return await runLoad(run, thresholds, { json: values.json, exportPath: values.export }, io, stop, finish);
  } finally {
    release();
  }
}
