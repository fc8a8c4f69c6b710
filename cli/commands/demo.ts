// `inferscope demo`: feeds a running stack with a simulated fleet (vLLM V1/V0,
// llama.cpp, Ollama, DCGM, the agent's own metrics) and LiteLLM request logs,
// backfilled over the last N hours and then live, so every shipped dashboard
// panel has data and the shipped alerts have something to fire on.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { numberFlag } from "../terminal/number-args";
import { parseDurationFlag } from "../terminal/time-args";
import { runDemo } from "../demo/index";
import { commonHelp, DEFAULT_URL, helpExit, parse, target, UsageError } from "./api-client";
import { interruptSignal } from "./interrupt";

const HELP = `usage: inferscope demo [--backfill 1h] [--duration forever] [--hosts 3] [--seed 1] [--rules DIR]

Sends synthetic metrics (remote_write, a scrape every 15 s per target) and
LiteLLM request logs (/v1/logs/litellm) to an Inferscope server: first the
last --backfill of history as fast as the server takes it, then in real time.
  --backfill D   history to send first, e.g. 30m, 6h (default 1h; 0 for none; at most 29d)
  --duration D   how long to run live afterwards: 10m, 0 (stop after the backfill) or forever (default; Ctrl-C stops)
  --hosts N      simulated GPU hosts (default 3)
  --seed N       the same seed sends the same fleet and traffic (default 1)
  --rules DIR    after the backfill, load these rule files (e.g. dashboards/alerts; needs the admin scope)

Without --key or INFERSCOPE_API_KEY, against the local stack, it uses the dev
key \`npm start\` keeps in .inferscope/dev-api-key.
${commonHelp("ingest", "print the run's summary as JSON at the end").replace("--key KEY    an API key with the ingest scope", "--key KEY    an API key with the ingest scope (and query for the dashboards, admin for --rules)")}`;

export function durationOf(raw: string | undefined): number {
  if (raw === undefined || raw === "forever") return Infinity;
  return parseDurationFlag(raw, "duration");
}

/** The key `npm start` made for the local stack (scripts/start.ts), when the demo is pointed at it without a key. */
export function devKey(values: { url?: string; key?: string }, env: Record<string, string | undefined> = process.env): string | undefined {
  if (values.key || env.INFERSCOPE_API_KEY) return undefined;
  if ((values.url ?? (env.INFERSCOPE_URL || DEFAULT_URL)).replace(/\/+$/, "") !== DEFAULT_URL) return undefined;
  const file = join(env.INFERSCOPE_DATA_DIR ?? join(import.meta.dirname, "..", "..", ".inferscope"), "dev-api-key");
  return existsSync(file) ? readFileSync(file, "utf8").trim() || undefined : undefined;
}

export async function demoCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    backfill: { type: "string" },
    duration: { type: "string" },
    hosts: { type: "string" },
    seed: { type: "string" },
    rules: { type: "string" },
  });
  const exit = helpExit(values.help, "demo", HELP);
  if (exit !== null) return exit;
  const local = devKey(values);
  if (local) process.stderr.write("using the local stack's dev key (.inferscope/dev-api-key, written by npm start)\n");
  const t = target(local ? { ...values, key: local } : values, "ingest");
  // Ctrl-C only (SIGTERM ends the demo the default way); a second Ctrl-C quits at once.
  const { signal, release } = interruptSignal({ signals: ["SIGINT"], again: () => process.exit(130) });
  // Registered first, so the line comes before anything the abort makes runDemo print.
  signal.addEventListener("abort", () => process.stderr.write("\nstopping after the requests in flight (Ctrl-C again to quit at once)\n"), { once: true });
  try {
    const summary = await runDemo({
      url: t.url,
      key: t.key,
      backfill: values.backfill, // runDemo's default (1h) when absent; "0" is none
      durationMs: durationOf(values.duration),
      // The same bounds runDemo enforces, refused here with the flag as typed.
      hosts: numberFlag(values.hosts, "hosts", { min: 1, max: 50, integer: true, fallback: 3 }),
      seed: numberFlag(values.seed, "seed", { min: 0, integer: true, fallback: 1 }),
      rules: values.rules,
      signal,
      progressOut: process.stderr,
      // On a terminal a message first clears the progress bar's line; the bar redraws below it.
      log: (line) => process.stderr.write(`${process.stderr.isTTY ? "\r\x1b[2K" : ""}${line}\n`),
    });
    if (values.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    else
      process.stdout.write(
        `sent ${summary.samples} samples of ${summary.series} series and ${summary.logs} request logs (${summary.failedRequests} failed, ${summary.rateLimited} rate-limited, $${summary.costUsd.toFixed(2)}) ` +
          `from ${new Date(summary.from).toISOString()} to ${new Date(summary.to).toISOString()}\n`,
      );
    return 0;
  } finally {
    release();
  }
}
