// `inferscope probe throughput`: requests per second, success rate and latency
// under load, at a fixed concurrency or over a sweep of them, and which
// concurrency gives the most successful requests per second while p95 stays
// within --max-p95 and the success rate at or above --min-success.
import { CliError } from "../errors";
import type { Io } from "../terminal/io";
import { formatMs, formatNumber, formatPercent } from "../terminal/format";
import { renderTable } from "../terminal/table";
import { describeNumber, fractionFlag, readNumber } from "../terminal/number-args";
import { parseDurationFlag } from "../terminal/time-args";
import { intFlag, PROBE_HELP, parseProbeArgs, probeSettings } from "../probe/options";
import { progressBar } from "../terminal/progress";
import { distTable, outcomeLines } from "../probe/render";
import { runPool } from "../probe/run";
import { ProbeSession } from "../probe/session";
import { sampleOf, summarize, type RunSummary } from "../probe/stats";

export const DEFAULT_SWEEP = [1, 2, 5, 10, 20, 50];
const MAX_CONCURRENCY = 1000;

export const THROUGHPUT_HELP = `usage: inferscope probe throughput --endpoint URL [--model M] --concurrency C [--requests N | --duration D] [options]
       inferscope probe throughput --endpoint URL [--model M] --sweep [--sweep-levels 1,2,5] [--max-p95 2s] [options]

Holds C requests in flight (each worker sends its next request when its last
one ends; connections are kept alive) and measures requests per second, the
success rate and latency under that load. --sweep does so at each level and
picks the concurrency with the most successful requests per second among the
levels within the bounds.
  --concurrency C     requests in flight (default 10; not with --sweep)
  --requests N        requests to send (default 100; with --sweep per level, default 5×C, at least 20)
  --duration D        instead of a count: keep sending for D (30s, 2m); per level with --sweep
  --sweep             run at each of ${DEFAULT_SWEEP.join(",")} (or --sweep-levels)
  --sweep-levels L    comma-separated concurrencies, e.g. 1,4,16,64 (implies --sweep)
  --max-p95 D         latency bound: end-to-end p95 at most D (e.g. 2s, 800ms; a bare number is seconds)
  --min-success P     a level counts only with at least P% successful (default 99)
Exit 1 when a bound given is not met (fixed concurrency), when no level is within
the bounds (--sweep), or when every request failed.
${PROBE_HELP}`;

export interface LevelResult {
  concurrency: number;
  wall_s: number;
  /** Completed requests (success or not) per second. */
  rps: number;
  /** Successful requests per second: the throughput the sweep maximises. */
  goodput_rps: number;
  output_tokens_per_second: number;
  within_bounds: boolean;
  /** Why not, when not. */
  outside: string | null;
  summary: RunSummary;
}

function parseLevels(raw: string): number[] {
  const level = { min: 1, max: MAX_CONCURRENCY, integer: true };
  const parts = raw.split(",").map((x) => x.trim());
  const levels = parts.map((x) => readNumber(x, level));
  const bad = parts.filter((_, i) => levels[i] === null);
  if (bad.length) throw new CliError(`--sweep-levels takes comma-separated levels, each ${describeNumber(level)}, e.g. 1,2,5,10 (not: ${bad.map((b) => JSON.stringify(b)).join(", ")})`);
  return [...new Set(levels as number[])].sort((a, b) => a - b);
}

interface Bounds {
  maxP95Ms: number | null;
  minSuccess: number;
}

function judge(s: RunSummary, b: Bounds): string | null {
  if (!s.succeeded) return "every request failed";
  if ((s.success_rate ?? 0) < b.minSuccess) return `success ${formatPercent(s.success_rate)} < ${formatPercent(b.minSuccess)}`;
  if (b.maxP95Ms !== null && (s.e2e_ms.p95 ?? Infinity) > b.maxP95Ms) return `p95 ${formatMs(s.e2e_ms.p95)} > ${formatMs(b.maxP95Ms)}`;
  return null;
}

async function level(session: ProbeSession, model: string, c: number, plan: { requests?: number; durationMs?: number }, b: Bounds): Promise<LevelResult> {
  const bar = progressBar(session.io.stderr, `c=${c}`);
  const goal = plan.durationMs ?? plan.requests!;
  const t0 = Date.now();
  const run = await runPool({ concurrency: c, ...plan, signal: session.io.signal }, (i) => session.send(model, i, "probe throughput", [`concurrency:${c}`]), (_r, n) =>
    bar.update(plan.durationMs !== undefined ? Date.now() - t0 : n, goal, `${n} done`));
  bar.done();
  const summary = summarize(run.results.map(sampleOf));
  const secs = run.wallMs / 1000;
  const outside = judge(summary, b);
  return {
    concurrency: c, wall_s: secs, rps: run.results.length / secs, goodput_rps: summary.succeeded / secs,
    output_tokens_per_second: summary.output_tokens / secs, within_bounds: outside === null, outside, summary,
  };
}

export async function probeThroughput(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseProbeArgs(argv, {
    concurrency: { type: "string" }, requests: { type: "string" }, duration: { type: "string" },
    sweep: { type: "boolean", default: false }, "sweep-levels": { type: "string" }, "max-p95": { type: "string" }, "min-success": { type: "string" },
  });
  if (values.help) {
    io.stdout.write(`${THROUGHPUT_HELP}\n`);
    return 0;
  }
  if (positionals.length) throw new CliError(`probe throughput takes no arguments (got ${JSON.stringify(positionals[0])})`);
  const sweep = values.sweep || values["sweep-levels"] !== undefined;
  if (sweep && values.concurrency !== undefined) throw new CliError("--concurrency is one level; --sweep runs several: pass one of them (levels of a sweep are --sweep-levels)");
  if (values.requests !== undefined && values.duration !== undefined) throw new CliError("--requests and --duration both say when to stop: pass one");
  const levels = sweep ? (values["sweep-levels"] !== undefined ? parseLevels(values["sweep-levels"]) : DEFAULT_SWEEP) : [values.concurrency === undefined ? 10 : intFlag(values.concurrency, "concurrency", 1, MAX_CONCURRENCY)];
  const durationMs = values.duration === undefined ? undefined : parseDurationFlag(values.duration, "duration");
  if (durationMs !== undefined && durationMs <= 0) throw new CliError(`--duration must be more than 0 (not ${JSON.stringify(values.duration)})`);
  const requests = values.requests === undefined ? undefined : intFlag(values.requests, "requests", 1, 1_000_000);
  const maxP95Ms = values["max-p95"] === undefined ? null : parseDurationFlag(values["max-p95"], "max-p95");
  // A percentage, bare or with %: 99 and 99% are 99%.
  const bounds: Bounds = { maxP95Ms, minSuccess: fractionFlag(values["min-success"], "min-success", { fallback: 0.99, bare: "percent" }) };
  // A fixed run is judged only against bounds the user gave (and fails when nothing succeeded).
  const judged = maxP95Ms !== null || values["min-success"] !== undefined;

  const s = await probeSettings(values, io.env);
  const session = new ProbeSession(s, io, { keepAlive: true, maxSockets: Math.max(...levels) });
  try {
    const model = await session.model();
    const results: LevelResult[] = [];
    for (const c of levels) {
      if (io.signal?.aborted) break;
      const plan = durationMs !== undefined ? { durationMs } : { requests: requests ?? (sweep ? Math.max(20, 5 * c) : 100) };
      results.push(await level(session, model, c, plan, bounds));
    }
    if (!results.length) return 130; // interrupted before the first level ended
    const qualifying = results.filter((r) => r.within_bounds);
    const best = qualifying.length ? qualifying.reduce((a, b) => (b.goodput_rps > a.goodput_rps ? b : a)) : null;
    const fixedOk = results[0].summary.succeeded > 0 && (!judged || results[0].within_bounds);
    const code = (sweep ? best !== null : fixedOk) ? 0 : 1;
    if (s.json) {
      io.stdout.write(`${JSON.stringify({ endpoint: session.client.base, model, sweep, bounds: { max_p95_ms: maxP95Ms, min_success: bounds.minSuccess }, levels: results, best_concurrency: best?.concurrency ?? null }, null, 2)}\n`);
      return code;
    }
    const p = session.out;
    io.stdout.write(`${model} at ${session.client.base}, ${s.stream ? "streamed" : "not streamed"}, max_tokens ${s.maxTokens}\n\n`);
    if (!sweep) {
      const r = results[0];
      io.stdout.write(`concurrency ${r.concurrency}: ${formatNumber(r.rps)} requests/s (${formatNumber(r.goodput_rps)} successful), ${formatNumber(r.output_tokens_per_second)} output tokens/s over ${formatMs(r.wall_s * 1000)}\n\n`);
      io.stdout.write(`${distTable(r.summary, ["ttft_ms", "e2e_ms", "tokens_per_second"])}\n${outcomeLines(r.summary, p)}`);
      if (r.outside && code) io.stdout.write(`${p.red(`outside the bounds: ${r.outside}`)}\n`);
      return code;
    }
    io.stdout.write(sweepTable(results, best, p.green));
    const bound = `${maxP95Ms !== null ? `p95 ≤ ${formatMs(maxP95Ms)}, ` : ""}success ≥ ${formatPercent(bounds.minSuccess)}`;
    io.stdout.write(best
      ? `\n${p.green(`best concurrency: ${best.concurrency}`)} (${formatNumber(best.goodput_rps)} successful requests/s within ${bound})\n`
      : `\n${p.red(`no concurrency is within ${bound}`)}\n`);
    return code;
  } finally {
    await session.close();
  }
}

function sweepTable(rows: LevelResult[], best: LevelResult | null, mark: (s: string) => string): string {
  return renderTable(rows, [
    { title: "CONCURRENCY", cell: (r) => r.concurrency, align: "right" },
    { title: "REQUESTS", cell: (r) => r.summary.requests, align: "right" },
    { title: "SUCCESS", cell: (r) => formatPercent(r.summary.success_rate), align: "right" },
    { title: "RPS", cell: (r) => formatNumber(r.rps), align: "right" },
    { title: "OK RPS", cell: (r) => formatNumber(r.goodput_rps), align: "right" },
    { title: "TOKENS/S", cell: (r) => formatNumber(r.output_tokens_per_second), align: "right" },
    { title: "P50", cell: (r) => formatMs(r.summary.e2e_ms.p50), align: "right" },
    { title: "P95", cell: (r) => formatMs(r.summary.e2e_ms.p95), align: "right" },
    { title: "P99", cell: (r) => formatMs(r.summary.e2e_ms.p99), align: "right" },
    { title: "TTFT P95", cell: (r) => formatMs(r.summary.ttft_ms.p95), align: "right" },
    { title: "VERDICT", cell: (r) => (r === best ? mark("◀ best") : r.outside ?? "within bounds") },
  ]);
}
