// `inferscope agent --config agent.yaml`: load, run until SIGTERM/SIGINT.
// `--check`: load and validate the config, say what it would run, exit.
import { parseArgs } from "node:util";
import { ConfigError, loadConfig } from "./config";
import { log } from "./log";
import { runAgent } from "./run";

export async function agentCommand(argv: string[]): Promise<number> {
  let configPath: string | undefined;
  let check = false;
  try {
    const { values } = parseArgs({ args: argv, options: { config: { type: "string", short: "c" }, check: { type: "boolean" }, help: { type: "boolean", short: "h" } } });
    if (values.help) {
      process.stdout.write("usage: inferscope agent --config agent.yaml [--check]\n  --check  validate the config and exit (0: valid, 2: invalid)\n");
      return 0;
    }
    configPath = values.config;
    check = values.check === true;
  } catch (e) {
    process.stderr.write(`inferscope agent: ${(e as Error).message}\n`);
    return 2;
  }
  if (!configPath) {
    process.stderr.write("inferscope agent: --config <file> is required\n");
    return 2;
  }
  if (check) return checkConfig(configPath);
  let agent;
  try {
    agent = await runAgent(loadConfig(configPath));
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`inferscope agent: invalid config:\n${e.message}\n`);
      return 2;
    }
    log.error("agent failed to start", { error: String((e as Error).stack ?? e) });
    return 1;
  }
  return new Promise<number>((resolve) => {
    // `on`, not `once`: wrappers (npx, tsx) may relay a signal the agent also got
    // directly, and a second SIGTERM must not kill it mid-shutdown.
    const onSignal = (sig: string) => {
      log.info("signal received", { signal: sig });
      void agent.stop().then(() => resolve(0));
    };
    process.on("SIGTERM", () => onSignal("SIGTERM"));
    process.on("SIGINT", () => onSignal("SIGINT"));
  });
}

function checkConfig(configPath: string): number {
  try {
    const cfg = loadConfig(configPath);
    const targets = cfg.scrape.reduce((n, j) => n + j.targets.length, 0);
    process.stdout.write(
      `${configPath}: valid: ${targets} scrape target(s) in ${cfg.scrape.length} job(s), ${cfg.ollama.length} ollama, ` +
        `nvidia-smi ${cfg.nvidia_smi ? "on" : "off"}, ${cfg.logs.length} log file(s); sends to ${cfg.endpoint.url}, queue in ${cfg.data_dir}\n`,
    );
    return 0;
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`inferscope agent: invalid config:\n${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
