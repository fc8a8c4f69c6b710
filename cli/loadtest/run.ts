// One load test from start to verdict, whatever the target: print the plan,
// run the load with the live line on stderr, then (ingest) wait for the
// markers, and print the summary (or --json), write --export, and return the
// exit code the thresholds set. Ctrl-C (the `stop` signal) ends the load
// early and still prints the summary so far.
import { writeFileSync } from "node:fs";
import { CliError } from "../errors";
import { paletteFor } from "../terminal/colour";
import { nowOf, type Io } from "../terminal/io";
// A type only: the probe's reporter is loaded with --target openai, not here.
import type { Reported } from "./openai-report";
import { LiveProgress } from "./progress";
import { combined, type StreamStats } from "./recorder";
import { ratesOf, renderReport, summariseVisibility, worstQueryable, REPORT_VERSION, type LoadtestReport } from "./report";
import type { Visibility } from "./queryable";
import { totalMs, type ScenarioName, type Shape } from "./scenarios";
import { evaluate, exitCode, passedOf, verdictLine, type Thresholds } from "./thresholds";

export interface LoadRun {
  target: LoadtestReport["target"];
  url: string;
  scenario: ScenarioName;
  shape: Shape;
  runId: string;
  peak: Record<string, number>;
  planLines: string[];
  /** Runs the load until its shape ends or `stop`. */
  execute(stop: AbortSignal): Promise<void>;
  streams(): StreamStats[];
  /** "VUs 3/10", "in flight 4": for the live line. */
  load(): string;
  rateLabel: string;
  /** After the load (openai --report-to): delivers what is left to report and says how it went; never throws. */
  closeReport?(): Promise<{ reported: Reported; line: string }>;
  /** After the load: the time-until-queryable markers (ingest). */
  finish?(signal: AbortSignal): Promise<Visibility[]>;
}

export interface Output {
  json: boolean;
  exportPath?: string;
}

const LIVE_MS = 250;

export async function runLoad(run: LoadRun, thresholds: Thresholds, out: Output, io: Io, stop: AbortSignal, finishSignal: AbortSignal): Promise<number> {
  const startedAt = nowOf(io);
  io.stderr.write(`${run.planLines.join("\n")}\n`);
  const live = new LiveProgress(io.stderr);
  const planned = totalMs(run.shape);
  // Requests per second over the last second, from the count a second ago.
  const history: Array<[number, number]> = [];
  const timer = setInterval(() => {
    const now = Date.now();
    const requests = run.streams().reduce((n, s) => n + s.requests, 0);
    history.push([now, requests]);
    while (history.length > 1 && now - history[0][0] > 1000) history.shift();
    const [t0, n0] = history[0];
    // Lazy: the quantiles are only sorted when the line is drawn.
    live.update(() => ({
      elapsedMs: Math.min(now - startedAt, planned),
      totalMs: planned,
      total: combined(run.streams()),
      recentRate: now > t0 ? ((requests - n0) * 1000) / (now - t0) : 0,
      rateLabel: run.rateLabel,
      load: run.load(),
    }));
  }, LIVE_MS);
  try {
    await run.execute(stop);
  } finally {
    clearInterval(timer);
    live.finish();
  }
  const loadMs = nowOf(io) - startedAt;
  const interrupted = stop.aborted;
  const closed = run.closeReport ? await run.closeReport() : undefined;
  const reported = closed?.reported;
  if (closed) {
    const err = paletteFor(io, "stderr");
    io.stderr.write(`${closed.reported.failed ? err.yellow(closed.line) : err.dim(closed.line)}\n`);
  }
  if (run.finish && !interrupted) io.stderr.write("load done; waiting for the markers to be queryable...\n");
  const markers = run.finish ? await run.finish(interrupted ? AbortSignal.abort() : finishSignal) : undefined;

  const streams = run.streams();
  const total = combined(streams);
  const queryableMs = markers ? worstQueryable(markers) : undefined;
  const verdicts = evaluate(thresholds, { requests: total.requests, approximate: total.quantilesApproximate, errorRate: total.errorRate, p95Ms: total.latencyMs.p95, ttftP95Ms: total.ttftMs.p95, queryableMs });
  const code = exitCode(verdicts, interrupted);
  const report: LoadtestReport = {
    version: REPORT_VERSION,
    target: run.target,
    url: run.url,
    scenario: run.scenario,
    runId: run.runId,
    startedAt: new Date(startedAt).toISOString(),
    durationMs: loadMs,
    interrupted,
    plan: { peak: run.peak, start: run.shape.start, stages: run.shape.stages },
    streams: streams.map((s) => s.snapshot()),
    total,
    rates: ratesOf(total, loadMs),
    ...(markers ? { queryable: { summary: summariseVisibility(markers), markers } } : {}),
    ...(reported ? { reported } : {}),
    thresholds: verdicts,
    passed: passedOf(verdicts),
    verdict: verdictLine(passedOf(verdicts), code),
    exitCode: code,
  };
  io.stdout.write(out.json ? `${JSON.stringify(report, null, 2)}\n` : renderReport(report, paletteFor(io)));
  // After the summary, so a bad path does not cost the run's figures.
  if (out.exportPath) {
    try {
      writeFileSync(out.exportPath, `${JSON.stringify(report, null, 2)}\n`);
    } catch (e) {
      throw new CliError(`--export ${out.exportPath}: ${(e as Error).message} (the summary above is the run's)`);
    }
  }
  return code;
}
