#!/usr/bin/env -S npx tsx
// The `inferscope` command: a table of subcommands, each loaded on demand so
// `inferscope agent` does not pay for the operator tools and vice versa.
// To add one: a line in COMMANDS whose run(argv) resolves to an exit code.
import { CliError } from "./errors";

type Command = { summary: string; run: (argv: string[]) => Promise<number> };

const COMMANDS: Record<string, Command> = {
  agent: {
    summary: "run the on-host agent: scrape, tail logs, buffer on disk, forward",
    run: async (argv) => (await import("./agent/main")).agentCommand(argv),
  },
  demo: {
    summary: "feed a stack with a simulated fleet's metrics and LiteLLM request logs (backfill, then live)",
    run: async (argv) => (await import("./commands/demo")).demoCommand(argv),
  },
  doctor: {
    summary: "check a deployment end to end (server, keys, schema, cron, round trip; --agent: the agent) and say what to fix",
    run: async (argv) => (await import("./commands/doctor")).doctorCommand(argv),
  },
  keys: {
    summary: "create, list and revoke API keys (admin API)",
    run: async (argv) => (await import("./commands/keys")).keysCommand(argv),
  },
  notifiers: {
    summary: "get and set a tenant's notifier config: Alertmanagers, webhook and Slack receivers (admin API)",
    run: async (argv) => (await import("./commands/notifiers")).notifiersCommand(argv),
  },
  prices: {
    summary: "list, set and delete a tenant's model prices (admin API)",
    run: async (argv) => (await import("./commands/prices")).pricesCommand(argv),
  },
  rules: {
    summary: "sync, list, delete and test alerting and recording rules (admin API)",
    run: async (argv) => (await import("./commands/rules")).rulesCommand(argv),
  },
  tenants: {
    summary: "create and list tenants (admin API)",
    run: async (argv) => (await import("./commands/tenants")).tenantsCommand(argv),
  },
  loadtest: { summary: "load-test an OpenAI-compatible endpoint or our own ingest path (k6-style scenarios, thresholds set the exit code)", run: async (argv) => (await import("./commands/loadtest")).loadtestCommand(argv) },
  tail: { summary: "follow requests live (log API)", run: async (argv) => (await import("./commands/tail")).tailCommand(argv) },
  analyze: { summary: "errors, performance and usage over a time range, or of a local log file", run: async (argv) => (await import("./commands/analyze")).analyzeCommand(argv) },
  trace: { summary: "one request: every field, its timeline, its trace", run: async (argv) => (await import("./commands/trace")).traceCommand(argv) },
  probe: { summary: "measure an OpenAI-compatible endpoint: request, latency, throughput sweep, compare, regress", run: async (argv) => (await import("./commands/probe")).probeCommand(argv) },
  query: { summary: "run PromQL: a table, or charts for a range", run: async (argv) => (await import("./commands/query")).queryCommand(argv) },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `usage: inferscope <command> [options]\n       inferscope --version\n\ncommands:\n${lines.join("\n")}\n`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "-h" || name === "--help" || name === "help") {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  if (name === "--version" || name === "-V") {
    process.stdout.write(`${(await import("./version")).versionString()}\n`);
    return 0;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    process.stderr.write(`inferscope: unknown command ${JSON.stringify(name)}\n\n${usage()}`);
    return 2;
  }
  try {
    return await cmd.run(rest);
  } catch (e) {
    // Usage and API errors are the user's to fix: one line, no stack.
    if (e instanceof CliError) {
      process.stderr.write(`inferscope ${name}: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`inferscope: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  },
);
