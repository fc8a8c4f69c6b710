// A test stack that survives a frozen workerd: on the old code some hostile
// queries spin workerd's JS thread for ever, so after each test the stack is
// checked and, if frozen, killed (workerd by pid: a busy isolate may never see
// a polite shutdown) and started again with its data reloaded. The test that
// froze it fails on its own time bound; the next one gets a working stack.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { startTestStack, type TestStack } from "../../helpers/stack";
import { healthProblems } from "./health";

/** Pids of this process's descendants whose command is `name`. */
export function descendantPids(name: string, root = process.pid): number[] {
  const parent = new Map<number, number>();
  const comm = new Map<number, string>();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      const close = stat.lastIndexOf(")");
      comm.set(Number(d), stat.slice(stat.indexOf("(") + 1, close));
      parent.set(Number(d), Number(stat.slice(close + 2).split(" ")[1]));
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  for (const [pid] of parent) {
    let p: number | undefined = pid;
    while (p && p !== root && p !== 1) p = parent.get(p);
    if (p === root && pid !== root && comm.get(pid) === name) out.push(pid);
  }
  return out;
}

/** Peak resident memory (VmHWM) of this process's workerd children, in KiB. */
function workerdStatusKiB(field: "VmHWM" | "VmRSS"): number {
  let total = 0;
  for (const pid of descendantPids("workerd")) {
    try {
      const m = new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      if (m) total += Number(m[1]);
    } catch {
      // gone
    }
  }
  return total;
}

/** Peak resident memory of the stack's workerd processes since the last resetWorkerdPeaks(). */
export const workerdPeakKiB = () => workerdStatusKiB("VmHWM");
export const workerdRssKiB = () => workerdStatusKiB("VmRSS");

/** Resets the peaks (Linux: "5" to /proc/<pid>/clear_refs), so a measurement is not hidden by an earlier high-water mark. */
export function resetWorkerdPeaks(): void {
  const pids = descendantPids("workerd");
  if (pids.length === 0) throw new Error("no workerd process to measure");
  for (const pid of pids) writeFileSync(`/proc/${pid}/clear_refs`, "5");
}

async function closeHard(stack: TestStack): Promise<void> {
  const pids = descendantPids("workerd");
  const closed = stack.close().catch(() => {});
  const timeout = new Promise((r) => setTimeout(r, 3_000));
  if ((await Promise.race([closed.then(() => "closed"), timeout])) !== "closed") {
    for (const pid of pids) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    await Promise.race([closed, new Promise((r) => setTimeout(r, 5_000))]);
  }
}

export class GuardedStack {
  stack!: TestStack;
  restarts = 0;
  constructor(private readonly load: (s: TestStack) => Promise<void> = async () => {}) {}

  async start(): Promise<TestStack> {
    this.stack = await startTestStack();
    await this.load(this.stack);
    return this.stack;
  }

  /** Health problems seen (empty when healthy); a frozen stack is replaced before returning. */
  async checkAndRecover(): Promise<string[]> {
    const problems = await healthProblems(this.stack);
    if (problems.length === 0) return problems;
    // One retry: a busy machine can be slow once without being frozen.
    const again = await healthProblems(this.stack, undefined, 5_000);
    if (again.length === 0) return problems;
    await closeHard(this.stack);
    this.restarts++;
    await this.start();
    return problems;
  }

  async close(): Promise<void> {
    if (this.stack) await closeHard(this.stack);
  }
}
