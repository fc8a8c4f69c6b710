// Runs the agent as a real child process, as systemd would, and collects its
// JSON-lines stderr. From sources (tsx cli/bin.ts agent) by default; from a
// release artifact when one is given, or named by env INFERSCOPE_AGENT_BIN:
// `node <bin> agent` for a .mjs/.cjs/.js bundle, `<bin> agent` for a single
// executable.
import { spawn, type ChildProcess } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

export class AgentProcess {
  readonly logs: Array<Record<string, unknown>> = [];
  private child!: ChildProcess;
  exited: Promise<number | null> = Promise.resolve(null);

  constructor(
    private readonly configPath: string,
    private readonly bin: string | undefined = process.env.INFERSCOPE_AGENT_BIN || undefined,
  ) {}

  start(): void {
    // This is what `npx tsx cli/bin.ts agent` runs, minus npm's wrapper, which
    // dies on SIGTERM without passing it on; tsx relays signals and exit codes.
    // tsx runs the agent in a child process: its own process group lets SIGKILL
    // reach both at once, as systemd's cgroup kill would.
    const [cmd, args, cwd] = agentCommandLine(this.bin);
    this.child = spawn(cmd, [...args, "agent", "--config", this.configPath], {
      cwd,
      stdio: ["ignore", "ignore", "pipe"],
      env: { ...process.env, INFERSCOPE_LOG_LEVEL: "info" },
      detached: true,
    });
    let buf = "";
    this.child.stderr!.on("data", (d: Buffer) => {
      buf += d.toString("utf8");
      let nl: number;
      while ((nl = buf.indexOf("\n")) !== -1) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        try {
          this.logs.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          this.logs.push({ msg: "non-json stderr", line });
        }
      }
    });
    // "close": stderr is drained too, so the last log lines are in this.logs.
    this.exited = new Promise((r) => this.child.once("close", (code) => r(code)));
  }

  async waitForLog(msg: string, timeoutMs = 20_000): Promise<Record<string, unknown>> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      const hit = this.logs.find((l) => l.msg === msg);
      if (hit) return hit;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`agent did not log ${JSON.stringify(msg)} within ${timeoutMs}ms; stderr: ${JSON.stringify(this.logs.slice(-10))}`);
  }

  /** SIGKILL: the whole process group, nothing survives. Other signals: the top process, which relays them. */
  kill(signal: NodeJS.Signals): Promise<number | null> {
    try {
      if (signal === "SIGKILL") process.kill(-this.child.pid!, signal);
      else this.child.kill(signal);
    } catch {} // already gone
    return this.exited;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }
}

/** The command that starts the agent: [program, args before `agent`, cwd]. */
export function agentCommandLine(bin: string | undefined): [string, string[], string] {
  if (!bin) return [`${ROOT}node_modules/.bin/tsx`, ["cli/bin.ts"], ROOT];
  // An artifact runs from anywhere: its own directory, not the checkout.
  const dir = dirname(resolve(bin));
  return /\.[cm]?js$/.test(bin) ? [process.execPath, [resolve(bin)], dir] : [resolve(bin), [], dir];
}

export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
