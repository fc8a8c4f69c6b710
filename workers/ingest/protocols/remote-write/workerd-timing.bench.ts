// Times code inside workerd (Miniflare) for the remote_write benchmarks.
// workerd's clock stands still while JS runs (Spectre mitigation), so timing is
// done from Node: the wall time of a fetch that runs the work n times minus one
// that runs it 0 times, best of a few rounds. CPU comes from the workerd
// process's own counters in /proc (Linux), since it is not this process.
// Node-side code: the .bench.ts suffix keeps it under tsconfig.node.json.
import { build } from "esbuild";
import { processStats } from "../../../../scripts/lib/process-cpu";

export interface WorkerdFigure {
  /** Wall ms per run. */
  ms: number;
  /** workerd CPU ms per run (all its threads, GC included); null off Linux. */
  cpuMs: number | null;
  runs: number;
}

export interface WorkerdTimer {
  miniflareVersion: string;
  /** Times the worker's work on `body`; `check` sees the answer of a run with n > 0. */
  time(body: Uint8Array, opts?: { params?: Record<string, string>; check?: (answer: string) => void; minCallMs?: number; rounds?: number }): Promise<WorkerdFigure>;
  dispose(): Promise<void>;
}

/** CPU ms used so far by workerd processes started by this process (clock ticks, usually 10 ms). */
function workerdCpuMs(): number | null {
  if (process.platform !== "linux") return null;
  return processStats()
    .filter((p) => p.comm === "workerd" && p.ppid === process.pid)
    .reduce((a, p) => a + p.cpuMs, 0);
}

/**
 * `source`: a module (TypeScript, bundled with esbuild from the current directory) whose
 * default fetch() runs the work `n` times, n from the query string, on the request body,
 * and answers a short text for `check`.
 */
export async function startWorkerdTimer(source: string): Promise<WorkerdTimer> {
  const { Miniflare } = await import("miniflare");
  // The workers import node:zlib (bounded inflation), which nodejs_compat provides, as in wrangler.toml.
  const out = await build({ stdin: { contents: source, loader: "ts", resolveDir: process.cwd() }, bundle: true, format: "esm", write: false, target: "es2022", external: ["node:*"] });
  const mf = new Miniflare({ modules: true, script: out.outputFiles[0].text, compatibilityDate: "2026-04-01", compatibilityFlags: ["nodejs_compat"] });
  const miniflareVersion = (await import("miniflare/package.json", { with: { type: "json" } })).default.version;

  const call = async (body: Uint8Array, n: number, params: Record<string, string>) => {
    const cpu0 = workerdCpuMs();
    const t0 = performance.now();
    const res = await mf.dispatchFetch(`http://bench/?${new URLSearchParams({ ...params, n: String(n) })}`, { method: "POST", body });
    const answer = await res.text();
    if (res.status !== 200) throw new Error(`bench worker answered ${res.status}: ${answer}`);
    const ms = performance.now() - t0;
    const cpu1 = workerdCpuMs();
    return { ms, cpuMs: cpu0 === null || cpu1 === null ? null : cpu1 - cpu0, answer };
  };

  return {
    miniflareVersion,
    async time(body, opts = {}) {
      const params = opts.params ?? {};
      const first = await call(body, 1, params);
      opts.check?.(first.answer);
      // Warm up for a while (the JIT), sizing n so one call takes about minCallMs: enough
      // that the 10 ms CPU tick and the fetch overhead fade.
      const target = opts.minCallMs ?? 400;
      let n = 1;
      for (let spent = 0; spent < 1500; ) {
        const c = await call(body, n, params);
        spent += c.ms;
        n = Math.max(1, Math.round((n * target) / Math.max(c.ms, 1)));
      }
      // Wall: best n-run call minus best 0-run call (robust to load spikes in either). CPU: summed over the rounds, each an empty call,
      // a full one and another empty one, so work the full call leaves behind (GC) is counted
      // with it rather than taken off the next call.
      let fullMs = Infinity;
      let emptyMs = Infinity;
      let cpu: number | null = 0;
      const rounds = opts.rounds ?? 7;
      for (let r = 0; r < rounds; r++) {
        const before = await call(body, 0, params);
        const full = await call(body, n, params);
        const after = await call(body, 0, params);
        fullMs = Math.min(fullMs, full.ms);
        emptyMs = Math.min(emptyMs, before.ms, after.ms);
        cpu = cpu === null || before.cpuMs === null || full.cpuMs === null || after.cpuMs === null ? null : cpu + full.cpuMs + after.cpuMs - 2 * before.cpuMs;
      }
      return { ms: (fullMs - emptyMs) / n, cpuMs: cpu === null ? null : cpu / (rounds * n), runs: n };
    },
    dispose: () => mf.dispose(),
  };
}
