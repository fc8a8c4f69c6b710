// `inferscope agent --config agent.yaml`: load, run until SIGTERM/SIGINT.
import { parseArgs } from "node:util";
import { ConfigError, loadConfig } from "./config";
import { log } from "./log";
import { runAgent } from "./run";

export async function agentCommand(argv: string[]): Promise<number> {
  let configPath: string | undefined;
  try {
    const { values } = parseArgs({ args: argv, options: { config: { type: "string", short: "c" }, help: { type: "boolean", short: "h" } } });
    if (values.help) {
      process.stdout.write("usage: inferscope agent --config agent.yaml\n");
      return 0;
    }
    configPath = values.config;
  } catch (e) {
    process.stderr.write(`inferscope agent: ${(e as Error).message}\n`);
    return 2;
  }
  if (!configPath) {
    process.stderr.write("inferscope agent: --config <file> is required\n");
    return 2;
  }
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
