// `inferscope demo` as a function: simulates a fleet (cli/demo/fleet.ts) and
// its gateway traffic, backfills the last N hours as fast as the server takes
// them, then goes on in real time, one tick every 15 s, until the duration
// ends or the signal aborts. Everything drawn comes from seeded streams in a
// fixed order, so a seed (with the same `now`) sends the same data.
import { CliError } from "../errors";
import type { Out } from "../terminal/io";
import { parseDurationFlag } from "../terminal/time-args";
import { buildFleet, buildScript } from "./fleet";
import { FleetSim } from "./fleet-sim";
import { LoadCurve } from "./load";
import { progress } from "./progress";
import { RequestGen } from "./requests";
import { hasAdminScope, loadRules, type RulesResult } from "./rules";
import { Sender } from "./send";

export const TICK_MS = 15_000;
/** Ticks per backfill request: 10 minutes of every series, ~20k samples. */
const CHUNK_TICKS = 40;
const LOG_BATCH = 2000;
/** Ingest refuses samples older than the deployment's retention (30 days by default). */
const MAX_BACKFILL_MS = 29 * 86_400_000;

export interface DemoOptions {
  url: string;
  key: string;
  /** How far back to start: ms, or a duration such as "6h". Default 1h. */
  backfill?: string | number;
  /** Real-time run after the backfill, ms; 0 stops after the backfill, Infinity runs until aborted. Default 0. */
  durationMs?: number;
  seed?: number;
  hosts?: number;
  log?: (line: string) => void;
  fetch?: typeof fetch;
  now?: () => number;
  /** Aborting ends the run cleanly after the requests in flight. */
  signal?: AbortSignal;
  /** Where the backfill's progress bar goes when it is a terminal. */
  progressOut?: Out;
  /** A directory (or file) of rule files to load after the backfill (admin scope). */
  rules?: string;
  concurrency?: number;
}

export interface DemoSummary {
  seed: number;
  hosts: number;
  gpus: number;
  targets: number;
  series: number;
  samples: number;
  logs: number;
  failedRequests: number;
  rateLimited: number;
  costUsd: number;
  /** Unix ms of the first and last tick sent. */
  from: number;
  to: number;
  ticks: number;
  metricRequests: number;
  logRequests: number;
  rejected: number;
  /** Not deterministic: the server's pace. */
  retries: number;
  backfillMs: number;
  liveMs: number;
  rules?: RulesResult;
  stopped: boolean;
}

function backfillMsOf(v: string | number | undefined): number {
  const ms = v === undefined ? 3_600_000 : typeof v === "number" ? v : parseDurationFlag(v, "backfill");
  if (!Number.isFinite(ms) || ms < 0) throw new CliError(`--backfill takes a duration such as 1h or 6h (not ${JSON.stringify(v)})`);
  if (ms > MAX_BACKFILL_MS) throw new CliError(`--backfill is at most 29d: ingest refuses samples older than the retention (30 days by default)`);
  return ms;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });

export async function runDemo(opts: DemoOptions): Promise<DemoSummary> {
  const now = opts.now ?? Date.now;
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const fetchFn = opts.fetch ?? fetch;
  const seed = opts.seed ?? 1;
  const hosts = opts.hosts ?? 3;
  if (!Number.isInteger(hosts) || hosts < 1 || hosts > 50) throw new CliError(`--hosts takes a whole number from 1 to 50 (not ${hosts})`);
  if (!Number.isInteger(seed) || seed < 0) throw new CliError(`--seed takes a whole number (not ${seed})`);
  const backfill = backfillMsOf(opts.backfill);
  const duration = opts.durationMs ?? 0;
  const url = opts.url.replace(/\/+$/, "");
  const sender = new Sender({ url, key: opts.key, fetch: fetchFn, concurrency: opts.concurrency ?? 4, log });

  // Ticks sit on the 15 s grid; the backfill's last one is the latest at or before now.
  const end = Math.floor(now() / TICK_MS) * TICK_MS;
  const first = end - Math.floor(backfill / TICK_MS) * TICK_MS + TICK_MS;
  const fleet = buildFleet(hosts, seed);
  const script = buildScript(fleet, first, end);
  const sim = new FleetSim(fleet, script, seed);
  const load = new LoadCurve(seed);
  const requests = new RequestGen(fleet, script, seed);
  const runKey = `demo-s${seed}-h${hosts}-${(first / 1000).toString(36)}`;
  const summary: DemoSummary = {
    seed, hosts, gpus: fleet.reduce((n, h) => n + h.gpus.length, 0), targets: sim.targets, series: sim.set.size,
    samples: 0, logs: 0, failedRequests: 0, rateLimited: 0, costUsd: 0, from: first, to: first - TICK_MS, ticks: 0,
    metricRequests: 0, logRequests: 0, rejected: 0, retries: 0, backfillMs: 0, liveMs: 0, stopped: false,
  };
  log(`demo: ${hosts} host(s), ${summary.gpus} GPUs, ${summary.targets} targets, ${summary.series} series; seed ${seed}; sending to ${url}`);

  let pendingLogs: Record<string, unknown>[] = [];
  let part = 0;
  const flushMetrics = async () => {
    const n = sim.set.pendingSamples;
    if (n === 0) return;
    summary.samples += n;
    // The first request describes every family (TYPE/HELP), as the agent does.
    await sender.metrics(sim.set.take(), `${runKey}-m${part}`, part === 0 ? sim.set.metadata() : []);
    part++;
  };
  const flushLogs = async (all: boolean) => {
    while (pendingLogs.length >= (all ? 1 : LOG_BATCH)) {
      const batch = pendingLogs.slice(0, LOG_BATCH);
      pendingLogs = pendingLogs.slice(LOG_BATCH);
      await sender.logs(batch, `${runKey}-l${part++}`);
    }
  };
  const tick = (ts: number) => {
    const l = load.next(ts);
    sim.tick(ts, l);
    const reqs = requests.tick(ts, l);
    summary.logs += reqs.length;
    for (const r of reqs) pendingLogs.push(r);
    summary.ticks++;
    summary.to = ts;
  };

  const t0 = Date.now();
  const total = Math.max(0, (end - first) / TICK_MS + 1);
  const bar = progress(total, opts.progressOut, log, Date.now);
  try {
    for (let ts = first, i = 0; ts <= end && !opts.signal?.aborted; ts += TICK_MS, i++) {
      tick(ts);
      if ((i + 1) % CHUNK_TICKS === 0 || ts === end) {
        await flushMetrics();
        await flushLogs(ts === end);
      }
      // Sending keeps pace (a few requests in flight at most); 100% waits for the last answers.
      if (i + 1 < total) bar.update(i + 1, summary.samples + sim.set.pendingSamples, summary.logs);
    }
    await flushMetrics();
    await flushLogs(true);
    await sender.drain();
    if (!opts.signal?.aborted) bar.update(total, summary.samples, summary.logs);
  } finally {
    bar.finish();
  }
  summary.backfillMs = Date.now() - t0;
  if (total > 0) log(`backfill done: ${summary.samples} samples and ${summary.logs} request logs over ${Math.round(backfill / 60_000)} min in ${(summary.backfillMs / 1000).toFixed(1)}s`);

  if (opts.rules) summary.rules = await loadRules(opts.rules, { url, key: opts.key }, fetchFn, log);
  else if (await hasAdminScope({ url, key: opts.key }, fetchFn)) log("this key has the admin scope: add --rules dashboards/alerts to load the shipped alert rules");

  if (duration > 0 && !opts.signal?.aborted) {
    const liveStart = Date.now();
    const until = duration === Infinity ? Infinity : now() + duration;
    log(duration === Infinity ? "live: a tick every 15 s until Ctrl-C" : `live: a tick every 15 s for ${Math.round(duration / 1000)}s`);
    for (let ts = end + TICK_MS; ts <= until && !opts.signal?.aborted; ts += TICK_MS) {
      // Short naps against `now`, so an injected clock (tests) is followed as well as the real one.
      while (now() < ts && !opts.signal?.aborted) await sleep(Math.min(ts - now(), 200), opts.signal);
      if (opts.signal?.aborted) break;
      tick(ts);
      await flushMetrics();
      await flushLogs(true);
    }
    await sender.drain();
    summary.liveMs = Date.now() - liveStart;
  }
  summary.stopped = opts.signal?.aborted === true;
  Object.assign(summary, {
    failedRequests: requests.stats.failed, rateLimited: requests.stats.rateLimited, costUsd: Math.round(requests.stats.costUsd * 1e6) / 1e6,
    metricRequests: sender.stats.metricRequests, logRequests: sender.stats.logRequests, rejected: sender.stats.rejected, retries: sender.stats.retries,
  });
  return summary;
}
