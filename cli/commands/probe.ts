// `inferscope probe`: measure an OpenAI-compatible endpoint from the terminal.
// request (is it up, one timed completion), latency (a profile), throughput (a
// fixed concurrency or a sweep), compare (models or endpoints side by side),
// regress (a run against a baseline, for CI). Each subcommand is its own file.
import { CliError } from "../errors";
import { processIo, type Io } from "../terminal/io";
import { PROBE_FAILED, ProbeFailure } from "../probe/failure";
import { interruptSignal } from "./interrupt";

type Sub = { summary: string; run: (argv: string[], io: Io) => Promise<number> };

const SUBCOMMANDS: Record<string, Sub> = {
  request: { summary: "health, model list and one completion with its timings (--all-models: one to each)", run: async (a, io) => (await import("./probe-request")).probeRequest(a, io) },
  latency: { summary: "a latency profile: TTFT, end to end, network, tokens/s quantiles (--export for regress)", run: async (a, io) => (await import("./probe-latency")).probeLatency(a, io) },
  throughput: { summary: "requests/s and latency at a concurrency, or --sweep for the best one within --max-p95", run: async (a, io) => (await import("./probe-throughput")).probeThroughput(a, io) },
  compare: { summary: "the same prompts against --models A B C (or --endpoints), side by side with speed-ups", run: async (a, io) => (await import("./probe-compare")).probeCompare(a, io) },
  regress: { summary: "a run against --baseline FILE; exit 1 past a threshold (default p95 +15%)", run: async (a, io) => (await import("./probe-regress")).probeRegress(a, io) },
};

export function probeUsage(): string {
  const width = Math.max(...Object.keys(SUBCOMMANDS).map((c) => c.length));
  const lines = Object.entries(SUBCOMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `usage: inferscope probe <subcommand> --endpoint URL [options]\n\nsubcommands:\n${lines.join("\n")}\n\nEach takes --help. Only the --endpoint (and --report-to) hosts are contacted.\n`;
}

/** Ctrl-C / SIGTERM end the run cleanly: requests in flight are cut, what finished is printed and reported. */
function interruptible(io: Io): { io: Io; release: () => void } {
  if (io.signal) return { io, release: () => {} };
  const { signal, release } = interruptSignal();
  return { io: { ...io, signal }, release };
}

export async function probeCommand(argv: string[], io: Io = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  // Asked for help: stdout, exit 0. No subcommand is bad usage: stderr (a script's stdout stays clean), exit 2.
  if (!name) {
    io.stderr.write(probeUsage());
    return 2;
  }
  if (name === "-h" || name === "--help" || name === "help") {
    io.stdout.write(probeUsage());
    return 0;
  }
  const sub = SUBCOMMANDS[name];
  if (!sub) throw new CliError(`unknown subcommand ${JSON.stringify(name)}; one of: ${Object.keys(SUBCOMMANDS).join(", ")}`);
  const run = interruptible(io);
  try {
    const code = await sub.run(rest, run.io);
    // Interrupted: what finished was printed; the exit code says it was not the whole run.
    return run.io.signal?.aborted ? 130 : code;
  } catch (e) {
    // The endpoint failed before there was anything to print: exit 1, as any failed check; 2 stays for bad usage.
    if (!(e instanceof ProbeFailure)) throw e;
    if (run.io.signal?.aborted) return 130;
    io.stderr.write(`inferscope probe ${name}: ${e.message}\n`);
    return PROBE_FAILED;
  } finally {
    run.release();
  }
}
