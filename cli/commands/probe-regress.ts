// `inferscope probe regress`: a run against a baseline, for CI. The current
// run is a second export (--current) or a fresh latency probe with the
// baseline's settings; the deltas are printed and the exit code says whether
// any checked figure moved past its limit (default: TTFT p95 and end-to-end
// p95 up by more than 15%, the success rate down by more than 1 point).
import { CliError } from "../errors";
import { paletteFor } from "../terminal/colour";
import type { Io } from "../terminal/io";
import { formatPercent } from "../terminal/format";
import { renderTable } from "../terminal/table";
import { readExport, writeExport, type LatencyExport } from "../probe/export";
import { intFlag, PROBE_HELP, parseProbeArgs, probeSettings } from "../probe/options";
import { comparabilityNotes, compareSummaries, DEFAULT_LIMIT_PCT, DEFAULT_MAX_SUCCESS_DROP_PTS, parseThresholds, successCheck, type Delta, type SuccessCheck } from "../probe/regress-checks";
import { numberFlag } from "../terminal/number-args";
import { formatMetric, METRIC_LABEL } from "../probe/render";
import { ProbeSession } from "../probe/session";
import { latencyRun } from "./probe-latency";

export const REGRESS_HELP = `usage: inferscope probe regress --baseline old.json --current new.json [--threshold 15] [--json]
       inferscope probe regress --baseline old.json --endpoint URL [--model M] [--export new.json] [options]

Compares a latency run with a baseline (both as \`probe latency --export\`
writes them) and prints every figure's change. Without --current it runs a
fresh latency probe first, with the baseline's model, iterations, warm-up,
max_tokens and streaming unless given. Exit 0: within the limits; 1: a
regression (or the fresh run failed entirely); 2: bad usage or a bad file.
  --baseline FILE     the reference run
  --current FILE      the run to judge (default: run one now)
  --threshold SPEC    repeatable: a percentage (15) for the default checks, TTFT p95 and
                      end-to-end p95 (default ${DEFAULT_LIMIT_PCT}%); or METRIC.STAT=PCT to add or change one,
                      e.g. e2e.p99=25, ttft.p50=10, tps.p50=10 (tokens/s: the allowed drop)
                      metrics: ttft, e2e, network, ttfb, tps; stats: mean, median, p50, p90, p95, p99, min, max
  --max-success-drop PTS  the success rate may fall by at most this many percentage points
                      (default ${DEFAULT_MAX_SUCCESS_DROP_PTS}: 100% -> 98% regresses); 100 turns the check off
  --export FILE       keep the fresh run (to use as the next baseline)
  --iterations N  --warmup W   for the fresh run (default: the baseline's)
${PROBE_HELP}`;

export async function probeRegress(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseProbeArgs(argv, {
    baseline: { type: "string" }, current: { type: "string" }, threshold: { type: "string", multiple: true },
    export: { type: "string" }, iterations: { type: "string" }, warmup: { type: "string" }, "max-success-drop": { type: "string" },
  });
  if (values.help) {
    io.stdout.write(`${REGRESS_HELP}\n`);
    return 0;
  }
  if (positionals.length) throw new CliError(`probe regress takes no arguments (got ${JSON.stringify(positionals[0])}); the files are --baseline and --current`);
  if (values.baseline === undefined) throw new CliError("probe regress needs --baseline FILE (a `probe latency --export FILE` run)");
  const checks = parseThresholds(values.threshold ?? []);
  const maxSuccessDrop = numberFlag(values["max-success-drop"], "max-success-drop", { min: 0, max: 100, fallback: DEFAULT_MAX_SUCCESS_DROP_PTS });
  if (values.current !== undefined) {
    for (const f of ["endpoint", "model", "iterations", "warmup", "export", "report-to"] as const)
      if (values[f] !== undefined) throw new CliError(`--${f} is for a fresh run; with --current the run is read from the file`);
  }
  const baseline = await readExport(values.baseline, "baseline");
  let current: LatencyExport;
  let currentName: string;
  if (values.current !== undefined) {
    current = await readExport(values.current, "current");
    currentName = values.current;
  } else {
    const b = baseline.settings;
    const iterations = values.iterations === undefined ? b.iterations : intFlag(values.iterations, "iterations", 1, 100_000);
    const warmup = values.warmup === undefined ? b.warmup : intFlag(values.warmup, "warmup", 0, 10_000);
    // The baseline's request shape unless the flags say otherwise, so like is compared with like.
    const argvHas = (f: string) => argv.some((a) => a === f || a.startsWith(`${f}=`));
    const settings = await probeSettings(values, io.env);
    if (!argvHas("--max-tokens")) settings.maxTokens = b.max_tokens;
    if (!argvHas("--stream") && !argvHas("--no-stream")) settings.stream = b.stream;
    const session = new ProbeSession(settings, io);
    try {
      current = await latencyRun(session, settings.model ?? baseline.model, iterations, warmup);
    } finally {
      await session.close();
    }
    if (values.export !== undefined) await writeExport(values.export, current);
    currentName = `a fresh run of ${current.model} at ${current.endpoint}`;
  }
  const deltas = compareSummaries(baseline.summary, current.summary, checks);
  const notes = comparabilityNotes(baseline, current);
  const regressed = deltas.filter((d) => d.regressed);
  const success = successCheck(baseline.summary, current.summary, maxSuccessDrop);
  const failedRun = current.summary.succeeded === 0;
  const code = regressed.length || success.regressed || failedRun ? 1 : 0;
  if (values.json) {
    io.stdout.write(`${JSON.stringify({ regressed: code === 1, baseline: { file: values.baseline, model: baseline.model, endpoint: baseline.endpoint, created: baseline.created }, current: { file: values.current ?? null, model: current.model, endpoint: current.endpoint, created: current.created, success_rate: current.summary.success_rate }, notes, success, deltas }, null, 2)}\n`);
    return code;
  }
  const p = paletteFor(io);
  io.stdout.write(`baseline: ${values.baseline} (${baseline.model}, ${baseline.created})\ncurrent:  ${currentName} (${current.model}, ${current.created})\n\n`);
  io.stdout.write(deltaTable(deltas, p.red, p.green));
  io.stdout.write(`\n${successLine(success, p.red, p.green)}\n`);
  for (const n of notes) io.stdout.write(`${p.yellow(`note: ${n}`)}\n`);
  for (const d of deltas.filter((x) => x.skipped)) io.stdout.write(`${p.dim(`check ${d.metric}.${d.stat} skipped: ${d.skipped}`)}\n`);
  if (failedRun) io.stdout.write(`${p.red("REGRESSION: every request of the current run failed")}\n`);
  else if (regressed.length || success.regressed) {
    const what = regressed.map((d) => `${METRIC_LABEL[d.metric]} ${d.stat} ${signed(d.delta)} (limit ${d.limit_pct}%)`);
    if (success.regressed) what.push(`success rate ${points(-success.drop_pts!)} (limit -${success.limit_pts} points)`);
    io.stdout.write(`${p.red(`REGRESSION: ${what.join("; ")}`)}\n`);
  }
  else io.stdout.write(`${p.green("ok: no checked figure past its limit")}\n`);
  return code;
}

const signed = (d: number | null) => (d === null ? "-" : d === Infinity ? "+Inf" : `${d >= 0 ? "+" : ""}${(d * 100).toFixed(1)}%`);

const points = (v: number) => `${v >= 0 ? "+" : ""}${Number(v.toFixed(1))} points`;

function successLine(c: SuccessCheck, red: (s: string) => string, green: (s: string) => string): string {
  const head = `success rate ${formatPercent(c.baseline)} -> ${formatPercent(c.current)}`;
  if (c.drop_pts === null) return `${head} (not checked: a run without requests)`;
  return `${head} (${points(-c.drop_pts)}, limit -${c.limit_pts} points) ${c.regressed ? red("REGRESSED") : green("ok")}`;
}

function deltaTable(rows: Delta[], red: (s: string) => string, green: (s: string) => string): string {
  return renderTable(rows, [
    { title: "METRIC", cell: (d) => METRIC_LABEL[d.metric] },
    { title: "STAT", cell: (d) => d.stat },
    { title: "BASELINE", cell: (d) => formatMetric(d.metric, d.baseline), align: "right" },
    { title: "CURRENT", cell: (d) => formatMetric(d.metric, d.current), align: "right" },
    { title: "DELTA", cell: (d) => signed(d.delta), align: "right" },
    { title: "LIMIT", cell: (d) => (d.limit_pct === undefined ? "" : `${d.metric === "tokens_per_second" ? "-" : "+"}${d.limit_pct}%`), align: "right" },
    { title: "RESULT", cell: (d) => (d.regressed === undefined ? (d.skipped ? "skipped" : "") : d.regressed ? red("REGRESSED") : green("ok")) },
  ]);
}
