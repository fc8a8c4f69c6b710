// `inferscope tail`: follows requests as they are stored. Polls
// /api/v1/requests/tail from "now"; the API may hand a record out twice
// (it re-reads a little of the past for transactions that commit late), so
// lines are deduplicated by (request_id, time). A server that goes away is
// retried with backoff; Ctrl-C prints the final stats and exits 0.
import { setTimeout as sleep } from "node:timers/promises";
import type { RequestTailData } from "../../shared/contracts/log-api";
import { CliError } from "../errors";
import { paletteFor } from "../terminal/colour";
import { nowOf, processIo, type Io } from "../terminal/io";
import { parseDurationFlag } from "../terminal/time-args";
import { ApiFailure, apiGet, commonHelp, parse, target, Unreachable } from "./api-client";
import { interruptSignal } from "./interrupt";
import { tailLine, TailStats } from "./tail-view";

const HELP = `usage: inferscope tail [filters] [--slow 5s] [--interval 1s] [--stats 30s] [--since D] [--json]

Follows requests live, one line each: time, status, model, provider, latency,
ttft, tokens in→out, cost, request id, error. Running stats go to stderr;
Ctrl-C stops after printing them.

filters:
  --model M  --provider P  --status success|failure
  --team T  --user U  --project P  --environment E  --tag T
  --q TEXT     text in the error message
tail options:
  --slow D     highlight requests slower than D (default 5s)
  --interval D poll every D (default 1s)
  --stats D    a stats line on stderr every D (default 30s; 0: only at the end)
  --since D    start D ago instead of now (such as 5m)
${commonHelp("query", "one JSON record per line (NDJSON); stats stay on stderr")}`;

export const FILTERS = ["model", "provider", "status", "team", "user", "project", "environment", "tag", "q"] as const;
const filterOptions = Object.fromEntries(FILTERS.map((f) => [f, { type: "string" as const }])) as Record<(typeof FILTERS)[number], { type: "string" }>;

/** The last `cap` keys seen: enough to drop the repeats of a few polls' overlap, bounded for a tail that runs for days. */
export class RecentKeys {
  private readonly set = new Set<string>();
  constructor(private readonly cap = 50_000) {}
  /** True when the key is new (and remembers it). */
  add(key: string): boolean {
    if (this.set.has(key)) return false;
    this.set.add(key);
    if (this.set.size > this.cap) this.set.delete(this.set.values().next().value as string);
    return true;
  }
}

export function checkStatus(status: string | undefined) {
  if (status !== undefined && status !== "success" && status !== "failure")
    throw new CliError(`--status takes success or failure (not ${JSON.stringify(status)})`);
}

const MAX_BACKOFF_MS = 30_000;

async function pause(ms: number, signal: AbortSignal) {
  try {
    await sleep(ms, undefined, { signal });
  } catch {
    // Aborted: the loop sees signal.aborted.
  }
}

export async function tailCommand(argv: string[], io: Io = processIo()): Promise<number> {
  const { values, positionals } = parse(argv, {
    ...filterOptions,
    slow: { type: "string", default: "5s" },
    interval: { type: "string", default: "1s" },
    stats: { type: "string", default: "30s" },
    since: { type: "string" },
  });
  if (values.help) {
    io.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (positionals.length) throw new CliError(`tail takes no arguments (got ${JSON.stringify(positionals[0])}); filters are flags such as --model M`);
  checkStatus(values.status);
  const slowMs = parseDurationFlag(values.slow, "slow");
  const intervalMs = parseDurationFlag(values.interval, "interval");
  if (intervalMs < 100) throw new CliError("--interval must be at least 100ms");
  const statsMs = parseDurationFlag(values.stats, "stats");
  const sinceMs = values.since === undefined ? 0 : parseDurationFlag(values.since, "since");
  const t = target(values, "query", io.env);
  const filters = Object.fromEntries(FILTERS.map((f) => [f, values[f]]));

  const own = io.signal ? null : interruptSignal();
  const signal = io.signal ?? own!.signal;
  const colours = paletteFor(io);
  const errColours = paletteFor(io, "stderr");
  const started = nowOf(io);
  const stats = new TailStats(started);
  const seen = new RecentKeys();
  let after = started - sinceMs;
  let connected = false;
  let failedPolls = 0;
  let nextStats = started + statsMs;

  try {
    while (!signal.aborted) {
      try {
        const { data } = await apiGet<RequestTailData>(t, "/requests/tail", { after, ...filters }, signal);
        if (failedPolls) io.stderr.write(`${errColours.green(`reconnected to ${t.url}`)}\n`);
        connected = true;
        failedPolls = 0;
        for (const r of data.records) {
          if (!seen.add(`${r.request_id}\u0000${r.time}`)) continue;
          stats.add(r);
          io.stdout.write(`${values.json ? JSON.stringify(r) : tailLine(r, { slowMs, palette: colours })}\n`);
        }
        after = data.next_after;
      } catch (err) {
        if (signal.aborted) break;
        const transient = err instanceof Unreachable || (err instanceof ApiFailure && err.status >= 500);
        // On first contact an unreachable server is a wrong --url, not a blip: say so and stop.
        if (!transient || (!connected && err instanceof Unreachable)) throw err;
        failedPolls++;
        const wait = Math.min(MAX_BACKOFF_MS, intervalMs * 2 ** (failedPolls - 1));
        io.stderr.write(`${errColours.yellow(`${(err as Error).message}; retrying in ${(wait / 1000).toFixed(wait < 10_000 ? 1 : 0)}s`)}\n`);
        await pause(wait, signal);
        continue;
      }
      const now = nowOf(io);
      if (statsMs > 0 && now >= nextStats) {
        io.stderr.write(`${errColours.dim(stats.line(now))}\n`);
        nextStats = now + statsMs;
      }
      await pause(intervalMs, signal);
    }
  } finally {
    own?.release();
  }
  io.stderr.write(`${stats.line(nowOf(io))}\n`);
  return 0;
}
