// What the protocols' parse benchmarks share: time a function in this process,
// after letting the JIT settle, as wall and CPU milliseconds per call.
export interface Figure {
  ms: number;
  cpuMs: number;
  runs: number;
}

export function measure(fn: () => unknown, minMs = 1500): Figure {
  for (let i = 0; i < 30; i++) fn();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let runs = 0;
  while (performance.now() - t0 < minMs) {
    fn();
    runs++;
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { ms: ms / runs, cpuMs: (cpu.user + cpu.system) / 1000 / runs, runs };
}
