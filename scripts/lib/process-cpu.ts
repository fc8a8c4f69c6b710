// CPU time of other processes, for the benchmarks' per-component breakdown
// (Linux /proc; null elsewhere): workerd instances this process started, and
// the Postgres backends serving one database. Backends come and go with the
// aggregator's per-batch pools, so a sampler polls and keeps each process's
// last reading: a process that exits between polls loses at most one poll's
// worth of ticks.
import { readdirSync, readFileSync } from "node:fs";

const HZ = 100; // USER_HZ is 100 on every Linux Node supports

export interface ProcStat {
  pid: string;
  comm: string;
  ppid: number;
  /** utime + stime, ms. */
  cpuMs: number;
}

/** Every process's name, parent and CPU so far; [] off Linux. */
export function processStats(): ProcStat[] {
  if (process.platform !== "linux") return [];
  const out: ProcStat[] = [];
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
      continue; // gone meanwhile
    }
    const close = stat.lastIndexOf(")");
    const f = stat.slice(close + 2).split(" ");
    // f[1] = ppid, f[11] = utime, f[12] = stime (fields 4, 14, 15 of proc(5))
    out.push({ pid, comm: stat.slice(stat.indexOf("(") + 1, close), ppid: Number(f[1]), cpuMs: ((Number(f[11]) + Number(f[12])) * 1000) / HZ });
  }
  return out;
}

/** A backend's command line names its database: "postgres: user db host(port) state". */
function cmdline(pid: string): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
  } catch {
    return "";
  }
}

export interface CpuSampler {
  /** CPU ms since start: workerd children of this process, and Postgres backends of the database; null off Linux. */
  stop(): { workerdMs: number; postgresMs: number; nodeMs: number } | null;
}

/** Starts polling every `everyMs`; `database` is the name whose backends count. */
export function sampleCpu(database: string, everyMs = 100): CpuSampler {
  if (process.platform !== "linux") return { stop: () => null };
  const base = new Map<string, number>();
  const last = new Map<string, { kind: "workerd" | "postgres"; ms: number }>();
  const backend = new Map<string, boolean>();
  for (const p of processStats()) base.set(p.pid, p.cpuMs);
  const node0 = process.cpuUsage();
  const poll = () => {
    for (const p of processStats()) {
      let kind: "workerd" | "postgres" | undefined;
      if (p.comm === "workerd" && p.ppid === process.pid) kind = "workerd";
      else if (p.comm === "postgres") {
        if (!backend.has(p.pid)) backend.set(p.pid, cmdline(p.pid).includes(` ${database} `));
        if (backend.get(p.pid)) kind = "postgres";
      }
      if (kind) last.set(p.pid, { kind, ms: p.cpuMs - (base.get(p.pid) ?? 0) });
    }
  };
  const timer = setInterval(poll, everyMs);
  return {
    stop() {
      poll();
      clearInterval(timer);
      const sum = (k: string) => [...last.values()].filter((x) => x.kind === k).reduce((a, x) => a + x.ms, 0);
      const node = process.cpuUsage(node0);
      return { workerdMs: sum("workerd"), postgresMs: sum("postgres"), nodeMs: (node.user + node.system) / 1000 };
    },
  };
}
