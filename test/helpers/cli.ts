// Runs the real `inferscope` command (npx tsx cli/bin.ts) against a stack, as a
// user would: its exit code and both streams, whether it succeeds or not.
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

export async function runCli(args: string[], url: string, key: string): Promise<{ code: number; out: string; err: string }> {
  try {
    const r = await run("npx", ["tsx", "cli/bin.ts", ...args, "--url", url, "--key", key], { encoding: "utf8" });
    return { code: 0, out: r.stdout, err: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, out: err.stdout, err: err.stderr };
  }
}
