// Linux /proc readings for the agent bench: RSS and CPU time of a process and
// all its descendants (tsx runs the agent in a child, with an esbuild service
// beside it; the bundle is one process), so wrappers are counted, not hidden.
import { readdirSync, readFileSync } from "node:fs";

const TICKS = 100; // USER_HZ: 100 on every Linux that Node supports

function stat(pid: number): { ppid: number; cpuS: number; rssBytes: number } | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = s.slice(s.lastIndexOf(")") + 2).split(" "); // fields from 3 on: state ppid ...
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const rssKb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0);
    return { ppid: Number(f[1]), cpuS: (Number(f[11]) + Number(f[12])) / TICKS, rssBytes: rssKb * 1024 };
  } catch {
    return null; // gone, or not Linux
  }
}

/** Sum over `root` and its descendants; null where /proc is unreadable. */
export function processTree(root: number): { pids: number; cpuS: number; rssBytes: number } | null {
  const all = new Map<number, { ppid: number; cpuS: number; rssBytes: number }>();
  let entries: string[];
  try {
    entries = readdirSync("/proc").filter((e) => /^\d+$/.test(e));
  } catch {
    return null;
  }
  for (const e of entries) {
    const s = stat(Number(e));
    if (s) all.set(Number(e), s);
  }
  if (!all.has(root)) return null;
  const tree = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, s] of all) if (!tree.has(pid) && tree.has(s.ppid)) (tree.add(pid), (grew = true));
  }
  let cpuS = 0;
  let rssBytes = 0;
  for (const pid of tree) (cpuS += all.get(pid)!.cpuS), (rssBytes += all.get(pid)!.rssBytes);
  return { pids: tree.size, cpuS, rssBytes };
}

/**
 * Where a process's RSS lies (Linux smaps_rollup): its own pages (private) and
 * the pages it shares, most of them the node executable's code and data,
 * mapped from the file and shared by every node process on the host. null
 * where /proc is unreadable.
 */
export function memorySplit(pid: number): { privateBytes: number; sharedBytes: number } | null {
  try {
    const s = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, "m").exec(s)?.[1] ?? 0) * 1024;
    return { privateBytes: kb("Private_Clean") + kb("Private_Dirty"), sharedBytes: kb("Shared_Clean") + kb("Shared_Dirty") };
  } catch {
    return null;
  }
}

/**
 * What the systemd unit runs node with: the flags of ExecStart before the
 * script, and Environment= assignments, so the bench measures the deployed
 * settings rather than a copy of them.
 */
export function unitSettings(unit: string): { nodeFlags: string[]; env: Record<string, string> } {
  const exec = /^ExecStart=(.*)$/m.exec(unit)?.[1];
  if (!exec) throw new Error("the unit has no ExecStart= line");
  const words = exec.trim().split(/\s+/);
  const script = words.findIndex((w) => /\.m?js$/.test(w));
  const env: Record<string, string> = {};
  for (const m of unit.matchAll(/^Environment=(.*)$/gm))
    for (const a of m[1].trim().split(/\s+/)) {
      const eq = a.replace(/^"|"$/g, "").indexOf("=");
      if (eq > 0) env[a.replace(/^"|"$/g, "").slice(0, eq)] = a.replace(/^"|"$/g, "").slice(eq + 1);
    }
  return { nodeFlags: words.slice(1, script === -1 ? words.length : script), env };
}
