// The demo's synthetic checks (cli/demo/probes.ts): 6 simulated hours of the
// default fleet's probes, checked against what the agent's probe collector
// exports and against the script's incidents.
import { describe, expect, it } from "vitest";
import type { RwTimeSeries } from "../../../shared/contracts/remote-write";
import { isStaleNaN } from "../../../shared/staleness";
import { buildFleet, buildScript, inWindow } from "../../../cli/demo/fleet";
import { FleetSim } from "../../../cli/demo/fleet-sim";
import { LoadCurve } from "../../../cli/demo/load";
import { ProbeSim } from "../../../cli/demo/probes";
import { models } from "../../../cli/demo/requests";
import { Rand } from "../../../cli/demo/rng";
import { SeriesSet } from "../../../cli/demo/series";

const TICK = 15_000;
const END = Date.UTC(2026, 0, 1, 16, 0, 0);
const START = END - 6 * 3600_000 + TICK;
const REASONS = ["timeout", "connection_refused", "connection", "http_429", "http_5xx", "http_4xx", "protocol"];

type Found = Map<string, { labels: Record<string, string>; ts: number[]; v: number[] }>;

function collect(into: Found, ts: RwTimeSeries[]): void {
  for (const s of ts) {
    const k = JSON.stringify(s.labels);
    let e = into.get(k);
    if (!e) into.set(k, (e = { labels: Object.fromEntries(s.labels.map((l) => [l.name, l.value])), ts: [], v: [] }));
    for (const x of s.samples) {
      e.ts.push(x.timestamp);
      e.v.push(x.value);
    }
  }
}

const fleet = buildFleet(3, 1);
const script = buildScript(fleet, START, END);

/** The probes alone, on their own SeriesSet. */
function probesAlone(seed: number): Found {
  const set = new SeriesSet();
  const sim = new ProbeSim(set, fleet, seed);
  const out: Found = new Map();
  // The fleet's stream is not the probes': any Rand in the tick must leave their output unchanged.
  const r = new Rand(999);
  for (let t = START; t <= END; t += TICK) sim.tick({ ts: t, dtS: 15, load: 1, r, script });
  collect(out, set.take());
  return out;
}

const run = probesAlone(1);
const named = (name: string) => [...run.values()].filter((s) => s.labels.__name__ === name);
const ticks = (END - START) / TICK + 1;

describe("demo probes", () => {
  it("one probe per gateway model, job llm_probe, labelled probe / target / model, one scrape per endpoint", () => {
    const success = named("llm_probe_success");
    const specs = models(fleet);
    expect(success.map((s) => s.labels.model).sort()).toEqual(specs.map((m) => m.model).sort());
    for (const s of success) {
      const spec = specs.find((m) => m.model === s.labels.model)!;
      expect(s.labels).toMatchObject({ job: "llm_probe", host: fleet[0].name, probe: spec.group, target: spec.apiBase });
      expect(s.labels.instance).toBe(`${new URL(spec.apiBase).hostname}:${new URL(spec.apiBase).port || "443"}`);
      expect(s.ts.length).toBe(ticks);
    }
    const up = named("up");
    expect(up.length).toBe(new Set(specs.map((m) => m.apiBase)).size);
    expect(up.every((s) => s.v.every((v) => v === 1))).toBe(true);
    expect(named("llm_probe_failures_total").length).toBe(specs.length * REASONS.length);
    expect(new Set(named("llm_probe_failures_total").map((s) => s.labels.reason))).toEqual(new Set(REASONS));
  });

  it("mostly succeed; each failure counts once under its reason, with its status; 429s only in the storm, on its provider", () => {
    const success = named("llm_probe_success");
    const all = success.flatMap((s) => s.v);
    const ok = all.filter((v) => v === 1).length;
    expect(ok / all.length).toBeGreaterThan(0.95);
    expect(ok).toBeLessThan(all.length);
    const reasonsSeen = new Set<string>();
    for (const s of success) {
      const failures = named("llm_probe_failures_total").filter((f) => f.labels.probe === s.labels.probe);
      const status = named("llm_probe_http_status_code").find((f) => f.labels.probe === s.labels.probe)!;
      const total = (i: number) => failures.reduce((n, f) => n + f.v[i], 0);
      expect(failures.every((f) => f.v[0] >= 0 && f.v.every((v, i) => i === 0 || v >= f.v[i - 1]))).toBe(true);
      for (let i = 1; i < s.v.length; i++) {
        expect(total(i) - total(i - 1)).toBe(1 - s.v[i]);
        expect(status.v[i] === 200).toBe(s.v[i] === 1);
      }
      for (const f of failures) if (f.v.at(-1)! > 0) reasonsSeen.add(f.labels.reason);
      const r429 = failures.find((f) => f.labels.reason === "http_429")!;
      if (s.labels.target !== "https://api.anthropic.com") expect(r429.v.at(-1)).toBe(0);
      else {
        expect(r429.v.at(-1)).toBeGreaterThan(5);
        r429.v.forEach((v, i) => { if (i > 0 && v > r429.v[i - 1]) expect(inWindow(script.rateLimit.window, r429.ts[i] - (r429.ts[i] % TICK))).toBe(true); });
      }
    }
    expect(reasonsSeen.size).toBeGreaterThanOrEqual(2);
  });

  it("TTFT and tokens/s only for successes (a failure ends them with a staleness marker); the degraded provider's first token is slower", () => {
    for (const s of named("llm_probe_success")) {
      const ttft = named("llm_probe_ttft_seconds").find((f) => f.labels.probe === s.labels.probe)!;
      const values = new Map(ttft.ts.map((t, i) => [t, ttft.v[i]]));
      s.ts.forEach((t, i) => {
        const v = values.get(t);
        if (s.v[i] === 1) expect(v).toBeGreaterThan(0);
        else expect(v === undefined || isStaleNaN(v)).toBe(true);
      });
    }
    const mini = named("llm_probe_ttft_seconds").find((f) => f.labels.model === "gpt-4o-mini")!;
    const median = (xs: number[]) => {
      const ys = xs.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
      return ys[Math.floor(ys.length / 2)];
    };
    const during = median(mini.v.filter((_, i) => inWindow(script.slow.window, mini.ts[i] - (mini.ts[i] % TICK))));
    const outside = median(mini.v.filter((_, i) => !inWindow(script.slow.window, mini.ts[i] - (mini.ts[i] % TICK))));
    expect(during / outside).toBeGreaterThan(2.5);
  });

  it("is deterministic for a seed and differs between seeds", () => {
    expect([...probesAlone(1).values()]).toEqual([...run.values()]);
    const ok = (f: Found) => [...f.values()].filter((s) => s.labels.__name__ === "llm_probe_success").map((s) => s.v.join(""));
    expect(ok(probesAlone(2))).not.toEqual(ok(run));
  });

  it("inside the fleet's simulation: the same probe series, after every host's series, counted as targets", () => {
    const sim = new FleetSim(fleet, script, 1);
    const load = new LoadCurve(1);
    const found: Found = new Map();
    for (let t = START; t <= END; t += TICK) sim.tick(t, load.next(t));
    const taken = sim.set.take();
    collect(found, taken);
    const probes = [...found.values()].filter((s) => s.labels.job === "llm_probe");
    expect(probes).toEqual([...run.values()]);
    const firstProbe = taken.findIndex((s) => s.labels.some((l) => l.name === "job" && l.value === "llm_probe"));
    expect(taken.slice(firstProbe).every((s) => s.labels.some((l) => l.name === "job" && l.value === "llm_probe"))).toBe(true);
    expect(sim.targets).toBe(fleet.reduce((n, h) => n + h.servers.length + 2, 0) + named("up").length);
  });
});
