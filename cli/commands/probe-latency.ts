// `inferscope probe latency`: a latency profile of one model, one request at a
// time: W warm-up requests (sent, reported, not counted), then N measured ones;
// TTFT, end to end, network time, first byte and output tokens/s as mean,
// median and p50/p90/p95/p99. --export writes what `probe regress` reads.
import { CliError } from "../errors";
import type { Io } from "../terminal/io";
import { EXPORT_KIND, EXPORT_VERSION, writeExport, type LatencyExport } from "../probe/export";
import { intFlag, PROBE_HELP, parseProbeArgs, probeSettings, promptSetId } from "../probe/options";
import { progressBar } from "../terminal/progress";
import { distTable, outcomeLines } from "../probe/render";
import { runPool } from "../probe/run";
import { ProbeSession } from "../probe/session";
import { METRICS, sampleOf, summarize } from "../probe/stats";

export const LATENCY_HELP = `usage: inferscope probe latency --endpoint URL [--model M] [--iterations 20] [--warmup 2] [--export FILE] [options]

One request at a time: --warmup W requests first (not counted), then
--iterations N measured ones over the prompt set in turn. Prints TTFT, end to
end, network time (DNS + connect + TLS), first byte and output tokens/s: mean,
median and p50/p90/p95/p99, min, max over the successful requests. Quantiles
interpolate linearly between the closest ranks (rank = q*(n-1)). Exit 1 when
every measured request failed.
  --iterations N      measured requests (default 20)
  --warmup W          requests before measuring (default 2)
  --export FILE       write the run as JSON (kind ${EXPORT_KIND}, version ${EXPORT_VERSION}): probe regress --baseline FILE reads it
${PROBE_HELP}`;

export const LATENCY_OPTIONS = {
  iterations: { type: "string", default: "20" },
  warmup: { type: "string", default: "2" },
} as const;

/** Warm-up, then the measured requests; the export document of the run. */
export async function latencyRun(session: ProbeSession, model: string, iterations: number, warmup: number): Promise<LatencyExport> {
  const { io } = session;
  const bar = progressBar(io.stderr, "latency");
  const total = warmup + iterations;
  if (warmup) await runPool({ concurrency: 1, requests: warmup, signal: io.signal }, (i) => session.send(model, i, "probe latency", ["warmup"]), (_r, n) => bar.update(n, total, "warm-up"));
  const run = await runPool({ concurrency: 1, requests: iterations, signal: io.signal }, (i) => session.send(model, i, "probe latency"), (_r, n) => bar.update(warmup + n, total));
  bar.done();
  const samples = run.results.map(sampleOf);
  const s = session.s;
  return {
    kind: EXPORT_KIND,
    version: EXPORT_VERSION,
    created: new Date().toISOString(),
    endpoint: session.client.base,
    model,
    settings: { iterations, warmup, stream: s.stream, max_tokens: s.maxTokens, prompts: s.prompts.length, prompt_set: promptSetId(s.prompts) },
    quantile_method: "linear",
    summary: summarize(samples),
    samples,
  };
}

export function latencyReport(doc: LatencyExport, session: ProbeSession): string {
  const n = doc.summary.requests < doc.settings.iterations ? `${doc.summary.requests} of ${doc.settings.iterations} requests (interrupted)` : `${doc.settings.iterations} requests`;
  const head = `${doc.model} at ${doc.endpoint}: ${n} after ${doc.settings.warmup} warm-up, ${doc.settings.stream ? "streamed" : "not streamed"}, max_tokens ${doc.settings.max_tokens}\n`;
  return `${head}\n${distTable(doc.summary, METRICS)}\n${outcomeLines(doc.summary, session.out)}`;
}

export async function probeLatency(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseProbeArgs(argv, { ...LATENCY_OPTIONS, export: { type: "string" } });
  if (values.help) {
    io.stdout.write(`${LATENCY_HELP}\n`);
    return 0;
  }
  if (positionals.length) throw new CliError(`probe latency takes no arguments (got ${JSON.stringify(positionals[0])})`);
  const iterations = intFlag(values.iterations, "iterations", 1, 100_000);
  const warmup = intFlag(values.warmup, "warmup", 0, 10_000);
  const s = await probeSettings(values, io.env);
  const session = new ProbeSession(s, io);
  try {
    const doc = await latencyRun(session, await session.model(), iterations, warmup);
    if (values.export !== undefined) await writeExport(values.export, doc);
    if (s.json) io.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    else io.stdout.write(latencyReport(doc, session));
    if (values.export !== undefined && !s.json) io.stderr.write(`${session.err.dim(`exported to ${values.export}`)}\n`);
    return doc.summary.succeeded > 0 ? 0 : 1;
  } finally {
    await session.close();
  }
}
