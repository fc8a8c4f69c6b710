// The demo's metric generators on their own: 6 simulated hours of the default
// fleet, checked the way Prometheus would read them.
import { describe, expect, it } from "vitest";
import type { RwTimeSeries } from "../../../shared/contracts/remote-write";
import { buildFleet, buildScript, inWindow } from "../../../cli/demo/fleet";
import { FleetSim } from "../../../cli/demo/fleet-sim";
import { LoadCurve } from "../../../cli/demo/load";

const TICK = 15_000;
const END = Date.UTC(2026, 0, 1, 16, 0, 0);
const START = END - 6 * 3600_000 + TICK;

interface Run {
  series: Map<string, { labels: Record<string, string>; ts: number[]; v: number[] }>;
  script: ReturnType<typeof buildScript>;
  fleet: ReturnType<typeof buildFleet>;
}

function simulate(seed: number, hosts = 3): Run {
  const fleet = buildFleet(hosts, seed);
  const script = buildScript(fleet, START, END);
  const sim = new FleetSim(fleet, script, seed);
  const load = new LoadCurve(seed);
  const series: Run["series"] = new Map();
  const collect = (ts: RwTimeSeries[]) => {
    for (const s of ts) {
      const labels = Object.fromEntries(s.labels.map((l) => [l.name, l.value]));
      const k = JSON.stringify(s.labels);
      let e = series.get(k);
      if (!e) series.set(k, (e = { labels, ts: [], v: [] }));
      for (const x of s.samples) {
        e.ts.push(x.timestamp);
        e.v.push(x.value);
      }
    }
  };
  for (let t = START; t <= END; t += TICK) {
    sim.tick(t, load.next(t));
    if ((t - START) % (40 * TICK) === 0) collect(sim.set.take());
  }
  collect(sim.set.take());
  return { series, script, fleet };
}

const run = simulate(1);
const named = (name: string) => [...run.series.values()].filter((s) => s.labels.__name__ === name);
const isCounter = (name: string) => /(_total|_bucket|_count|_sum)$/.test(name);

describe("demo fleet metrics", () => {
  it("has the default fleet: 3 hosts of 2-4 GPUs, vLLM V1 on two, V0 on one, llama.cpp, Ollama", () => {
    expect(run.fleet.map((h) => h.gpus.length).every((n) => n >= 2 && n <= 4)).toBe(true);
    const vllm = run.fleet.flatMap((h) => h.servers.filter((s) => s.kind === "vllm").map((s) => (s as { version: string }).version));
    expect(vllm.sort()).toEqual(["v0", "v1", "v1"]);
    expect(named("vllm:kv_cache_usage_perc").length).toBe(2);
    expect(named("vllm:gpu_cache_usage_perc").length).toBe(1);
    expect(named("llamacpp:requests_processing").length).toBe(1);
    expect(named("ollama_models_loaded").length).toBe(1);
    expect(new Set(named("inferscope_agent_queue_bytes").map((s) => s.labels.host)).size).toBe(3);
  });

  it("labels every series with job, instance and host; DCGM with Hostname on old exporters and hostname on the new one", () => {
    for (const s of run.series.values()) expect(Boolean(s.labels.job && s.labels.instance && s.labels.host), JSON.stringify(s.labels)).toBe(true);
    const dcgm = named("DCGM_FI_DEV_GPU_UTIL");
    expect(dcgm.length).toBe(run.fleet.reduce((n, h) => n + h.gpus.length, 0));
    for (const s of dcgm) {
      expect(s.labels.Hostname ?? s.labels.hostname).toBe(s.labels.host);
      expect(s.labels).toMatchObject({ device: `nvidia${s.labels.gpu}` });
      expect(s.labels.UUID).toMatch(/^GPU-[0-9a-f]{8}-/);
    }
    expect(dcgm.some((s) => s.labels.Hostname) && dcgm.some((s) => s.labels.hostname)).toBe(true);
  });

  it("samples every 15 s (the agent's per-target offset under a second)", () => {
    for (const s of named("up")) {
      expect(s.ts.length).toBe((END - START) / TICK + 1);
      for (let i = 1; i < s.ts.length; i++) expect(s.ts[i] - s.ts[i - 1]).toBe(TICK);
      expect(s.ts[0] - START).toBeLessThan(1000);
    }
  });

  it("counters never decrease, except llama.cpp's, reset once when it came back up", () => {
    const resets = new Map<string, number>();
    for (const s of run.series.values()) {
      if (!isCounter(s.labels.__name__)) continue;
      let prev = -Infinity;
      for (const v of s.v) {
        if (Number.isNaN(v)) continue; // staleness marker
        if (v < prev) resets.set(s.labels.job, (resets.get(s.labels.job) ?? 0) + 1);
        prev = v;
      }
    }
    expect([...resets.keys()]).toEqual(["llama-cpp"]);
    const tokens = named("llamacpp:tokens_predicted_total")[0];
    const values = tokens.v.filter((v) => !Number.isNaN(v));
    let n = 0;
    for (let i = 1; i < values.length; i++) if (values[i] < values[i - 1]) n++;
    expect(n).toBe(1);
  });

  it("the llama.cpp target is down for a while: up 0, staleness markers, no samples", () => {
    const up = named("up").find((s) => s.labels.job === "llama-cpp")!;
    const down = up.ts.filter((t, i) => up.v[i] === 0);
    expect(down.length).toBeGreaterThan(20);
    expect(down.every((t) => inWindow(run.script.llamacppDown, t - (t % TICK)))).toBe(true);
    const tokens = named("llamacpp:tokens_predicted_total")[0];
    expect(tokens.v.filter((v) => Number.isNaN(v)).length).toBe(1);
    expect(tokens.ts.length).toBe(up.ts.length - down.length + 1);
    for (const s of named("up").filter((x) => x.labels.job !== "llama-cpp")) expect(s.v.every((v) => v === 1)).toBe(true);
  });

  it("histograms are consistent: buckets cumulative in le, _count equal to +Inf, _sum within the bucket bounds", () => {
    for (const name of ["vllm:time_to_first_token_seconds", "vllm:e2e_request_latency_seconds", "vllm:request_queue_time_seconds", "vllm:inter_token_latency_seconds", "vllm:time_per_output_token_seconds"]) {
      const counts = named(`${name}_count`);
      expect(counts.length, name).toBeGreaterThan(0);
      for (const c of counts) {
        const same = (s: { labels: Record<string, string> }) => s.labels.instance === c.labels.instance;
        const buckets = named(`${name}_bucket`).filter(same).sort((a, b) => Number(a.labels.le.replace("+Inf", "Infinity")) - Number(b.labels.le.replace("+Inf", "Infinity")));
        const sum = named(`${name}_sum`).find(same)!;
        expect(buckets.at(-1)!.labels.le).toBe("+Inf");
        for (let i = 0; i < c.v.length; i++) {
          for (let b = 1; b < buckets.length; b++) expect(buckets[b].v[i]).toBeGreaterThanOrEqual(buckets[b - 1].v[i]);
          expect(buckets.at(-1)!.v[i]).toBe(c.v[i]);
          expect(sum.v[i]).toBeGreaterThanOrEqual(0);
        }
        expect(c.v.at(-1)).toBeGreaterThan(c.v[0]);
      }
    }
  });

  it("GPUs: used + free = the card, utilisation in 0-100 and following the load, one hot GPU, one XID error", () => {
    const used = named("DCGM_FI_DEV_FB_USED");
    for (const u of used) {
      const free = named("DCGM_FI_DEV_FB_FREE").find((f) => f.labels.UUID === u.labels.UUID)!;
      const size = run.fleet.flatMap((h) => h.gpus).find((g) => g.uuid === u.labels.UUID)!.memMiB;
      u.v.forEach((v, i) => expect(v + free.v[i]).toBe(size));
    }
    const util = named("DCGM_FI_DEV_GPU_UTIL");
    for (const s of util) expect(s.v.every((v) => v >= 0 && v <= 100)).toBe(true);
    const temps = named("DCGM_FI_DEV_GPU_TEMP");
    const hot = temps.filter((s) => s.v.some((v) => v > 85));
    expect(hot.length).toBe(1);
    const last20 = hot[0].v.slice(-80);
    expect(Math.min(...last20)).toBeGreaterThan(85);
    const xid = named("DCGM_FI_DEV_XID_ERRORS").filter((s) => s.v.some((v) => v !== 0));
    expect(xid.length).toBe(1);
    expect(new Set(xid[0].v)).toEqual(new Set([0, 48]));
    const power = named("DCGM_FI_DEV_POWER_USAGE");
    expect(power.every((s) => s.v.every((v) => v > 20 && v < 800))).toBe(true);
  });

  it("vLLM queues build at the busiest time of day and KV usage stays in 0-1", () => {
    for (const s of [...named("vllm:kv_cache_usage_perc"), ...named("vllm:gpu_cache_usage_perc")]) expect(s.v.every((v) => v >= 0 && v <= 1)).toBe(true);
    const waiting = named("vllm:num_requests_waiting");
    expect(waiting.some((s) => s.v.some((v) => v > 0))).toBe(true);
  });

  it("is deterministic for a seed and differs between seeds", () => {
    const again = simulate(1);
    expect([...again.series.values()]).toEqual([...run.series.values()]);
    const other = simulate(2);
    const p = (r: Run) => r.series.get([...r.series.keys()].find((k) => k.includes("DCGM_FI_DEV_POWER_USAGE"))!)!.v;
    expect(p(other)).not.toEqual(p(run));
  });

  it("scales to --hosts: one host still runs every kind of server, ten hosts run more replicas", () => {
    const one = buildFleet(1, 1);
    expect(one[0].servers.map((s) => s.kind).sort()).toEqual(["llamacpp", "ollama", "vllm", "vllm", "vllm"]);
    expect(new Set(one[0].servers.map((s) => s.port)).size).toBe(5);
    expect(buildFleet(10, 1).flatMap((h) => h.servers).filter((s) => s.kind === "vllm").length).toBe(10);
  });
});
