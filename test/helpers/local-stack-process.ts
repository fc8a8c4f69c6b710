// Runs `npm start`'s script as a user would (a child process), waits for its
// READY line, and stops it with SIGINT like Ctrl-C.
import { spawn, type ChildProcess } from "node:child_process";
import { freePort } from "../../scripts/lib/free-port";

export interface StackProcess {
  url: string;
  key: string;
  output: () => string;
  /** SIGINT, then the exit code (null when it had to be killed). */
  stop(timeoutMs?: number): Promise<number | null>;
  /** SIGKILL to the whole process group (a crash, or `kill -9`); resolves once the launcher is gone. */
  kill(): Promise<void>;
}

export async function spawnLocalStack(env: Record<string, string>, readyTimeoutMs = 90_000): Promise<StackProcess> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
    env: { ...process.env, PORT: String(port), ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true, // own process group, so a stuck stack can be killed whole
  });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`local stack not ready in ${readyTimeoutMs} ms:\n${out}`)), readyTimeoutMs);
    const check = () => {
      if (/^READY /m.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on("data", check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`local stack exited with ${code} before READY:\n${out}`));
    });
  });
  const key = /API key:\s+(\S+)/.exec(out)?.[1] ?? "";
  const url = /^READY (\S+)/m.exec(out)![1];
  return {
    url,
    key,
    output: () => out,
    async stop(timeoutMs = 20_000) {
      if (child.exitCode !== null) return child.exitCode;
      process.kill(-child.pid!, "SIGINT");
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, "SIGKILL");
        } catch {
          /* gone */
        }
      }, timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
    async kill() {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        /* gone */
      }
      await exited;
    },
  };
}
