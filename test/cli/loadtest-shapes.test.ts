// The load test's pure parts: each scenario's stages over its duration, the
// level and arrival integral the open model schedules from, the VUs the closed
// model runs, the printed plan, thresholds and their exit codes, the model
// mix, the loopback rule, and the ingest payloads (decoded by the server's own decoder).
import { describe, expect, it } from "vitest";
import { CliError } from "../../cli/errors";
import { IngestPayloads } from "../../cli/loadtest/ingest-payload";
import { decodeWriteRequest } from "../../workers/ingest/protocols/remote-write/parse";
import { parseModelMix, shares } from "../../cli/loadtest/model-mix";
import { describePlan } from "../../cli/loadtest/plan";
import { checkTarget, isLoopbackAddress } from "../../cli/loadtest/safety";
import { cumulative, levelAt, SCENARIOS, scenarioOf, shapeOf, totalMs, vusAt } from "../../cli/loadtest/scenarios";
import { evaluate, exitCode, EXIT_INTERRUPTED, EXIT_OK, EXIT_THRESHOLDS, parseThresholds } from "../../cli/loadtest/thresholds";

describe("scenario shapes", () => {
  it("every scenario's stages add up to exactly the duration, whatever it is", () => {
    for (const s of SCENARIOS) for (const d of [1000, 7_777, 120_000, 3_600_001]) expect(totalMs(shapeOf(s, d))).toBe(d);
  });

  it("smoke and constant hold the peak from the first millisecond to the last", () => {
    for (const s of ["smoke", "constant"] as const) {
      const shape = shapeOf(s, 30_000);
      for (const t of [0, 1, 15_000, 29_999]) expect(levelAt(shape, t)).toBe(1);
      expect(levelAt(shape, 30_000)).toBe(0);
    }
  });

  it("gradual ramps 0 → peak over the first 20%, holds 60%, ramps down over the last 20%", () => {
    const g = shapeOf("gradual", 100_000);
    expect(g.stages).toEqual([{ durationMs: 20_000, level: 1 }, { durationMs: 60_000, level: 1 }, { durationMs: 20_000, level: 0 }]);
    expect(levelAt(g, 0)).toBe(0);
    expect(levelAt(g, 10_000)).toBeCloseTo(0.5);
    expect(levelAt(g, 50_000)).toBe(1);
    expect(levelAt(g, 90_000)).toBeCloseTo(0.5);
    expect(vusAt(g, 20, 10_000)).toBe(10);
    // A ramp keeps one VU as soon as its level is above 0 (k6 starts the first user at once).
    expect(vusAt(g, 20, 1)).toBe(1);
    expect(vusAt(g, 20, 0)).toBe(0);
  });

  it("spike sits at 10%, surges to the peak within 10% of the run, and drops back", () => {
    const s = shapeOf("spike", 100_000);
    expect(levelAt(s, 10_000)).toBeCloseTo(0.1);
    expect(levelAt(s, 25_000)).toBeCloseTo(0.55);
    expect(levelAt(s, 40_000)).toBe(1);
    expect(levelAt(s, 80_000)).toBeCloseTo(0.1);
    expect(vusAt(s, 50, 40_000)).toBe(50);
    expect(vusAt(s, 50, 80_000)).toBe(5);
  });

  it("soak holds the peak for 90% of a long run", () => {
    const s = shapeOf("soak", 3_600_000);
    expect(s.stages.map((x) => x.durationMs)).toEqual([180_000, 3_240_000, 180_000]);
    expect(levelAt(s, 1_800_000)).toBe(1);
  });

  it("cumulative is the integral of the level (the open model's arrivals due by t)", () => {
    for (const name of SCENARIOS) {
      const shape = shapeOf(name, 60_000);
      let numeric = 0;
      for (let t = 0; t < 60_000; t += 1) numeric += levelAt(shape, t + 0.5);
      expect(cumulative(shape, 60_000)).toBeCloseTo(numeric, -1);
    }
    // gradual at a peak of 10/s over 100 s: 20 s ramp (100) + 60 s hold (600) + 20 s ramp (100) = 800 arrivals.
    expect(cumulative(shapeOf("gradual", 100_000), 100_000) * (10 / 1000)).toBeCloseTo(800);
    expect(cumulative(shapeOf("gradual", 100_000), 200_000) * (10 / 1000)).toBeCloseTo(800);
  });

  it("prints the plan in absolute units before the run", () => {
    const lines = describePlan("gradual", shapeOf("gradual", 120_000), [{ label: "VUs", peak: 20 }]);
    expect(lines[0]).toBe("scenario gradual: ramp up (20%), hold (60%), ramp down (20%)");
    expect(lines.slice(1).map((l) => l.replace(/\s+/g, " ").trim())).toEqual([
      "0ms → 24.0s ramp up 0 VUs → 20 VUs",
      "24.0s → 1m36s hold 20 VUs",
      "1m36s → 2m00s ramp down 20 VUs → 0 VUs",
    ]);
  });

  it("refuses an unknown scenario with the list", () => {
    expect(() => scenarioOf("stress")).toThrow(/--scenario takes one of smoke, constant, gradual, spike, soak \(not "stress"\)/);
  });
});

describe("thresholds", () => {
  it("parses rates as fractions or percentages and durations for p95", () => {
    // The fraction-or-percent reading itself is cli/terminal/number-args' (test/cli/terminal.test.ts).
    expect(parseThresholds({ "max-error-rate": "0.01" }).maxErrorRate).toBe(0.01);
    expect(parseThresholds({ "max-error-rate": "2.5%" }).maxErrorRate).toBe(0.025);
    expect(() => parseThresholds({ "max-error-rate": "150%" })).toThrow(/--max-error-rate takes a fraction from 0 to 1/);
    expect(() => parseThresholds({ "max-error-rate": "lots" })).toThrow(CliError);
    expect(parseThresholds({ "max-p95": "1s500ms", "max-error-rate": "1%" })).toEqual({ maxErrorRate: 0.01, maxP95Ms: 1500, maxQueryableMs: undefined });
    expect(() => parseThresholds({ "max-p95": "fast" })).toThrow(/--max-p95 takes a duration/);
  });

  it("exits 99 when any threshold fails, 0 when all hold, 130 when interrupted and passing", () => {
    const t = { maxErrorRate: 0.05, maxP95Ms: 200 };
    const pass = evaluate(t, { requests: 100, errorRate: 0.05, p95Ms: 200 });
    expect(pass.map((v) => v.ok)).toEqual([true, true]);
    expect(exitCode(pass, false)).toBe(EXIT_OK);
    expect(exitCode(pass, true)).toBe(EXIT_INTERRUPTED);
    const slow = evaluate(t, { requests: 100, errorRate: 0, p95Ms: 201 });
    expect(slow.map((v) => v.ok)).toEqual([true, false]);
    expect(slow[1]).toEqual({ name: "p95 latency", limit: "<= 200ms", actual: "201ms", unit: "ms", limitValue: 200, actualValue: 201, ok: false });
    expect(exitCode(slow, false)).toBe(EXIT_THRESHOLDS);
    expect(exitCode(slow, true)).toBe(EXIT_THRESHOLDS);
    expect(EXIT_THRESHOLDS).toBe(99);
  });

  it("fails a threshold that nothing was measured for, and time until queryable when a marker never showed", () => {
    expect(evaluate({ maxErrorRate: 0.1 }, { requests: 0, errorRate: null, p95Ms: null })[0]).toMatchObject({ ok: false, actual: "no requests" });
    expect(evaluate({ maxQueryableMs: 5000 }, { requests: 1, errorRate: 0, p95Ms: 1, queryableMs: null })[0]).toMatchObject({ ok: false });
    expect(evaluate({ maxQueryableMs: 5000 }, { requests: 1, errorRate: 0, p95Ms: 1, queryableMs: 4000 })[0]).toMatchObject({ ok: true, actual: "4000ms" });
  });
});

describe("model mix", () => {
  it("reads weights, bare names weigh 1, and shares add up to 1", () => {
    expect(parseModelMix("a=3, b=1,c")).toEqual([{ model: "a", weight: 3 }, { model: "b", weight: 1 }, { model: "c", weight: 1 }]);
    expect(shares(parseModelMix("a=3,b=1"))).toEqual([{ model: "a", share: 0.75 }, { model: "b", share: 0.25 }]);
    expect(parseModelMix("meta-llama/Llama-3.1-8B-Instruct=2")).toEqual([{ model: "meta-llama/Llama-3.1-8B-Instruct", weight: 2 }]);
  });

  it("says what is wrong with a bad mix", () => {
    expect(() => parseModelMix("a=0")).toThrow(/the weight of a must be a positive number/);
    expect(() => parseModelMix("a=x")).toThrow(/the weight of a must be a positive number \(not "x"\)/);
    expect(() => parseModelMix("=3")).toThrow(/has no model name/);
    expect(() => parseModelMix("a,a=2")).toThrow(/a is listed twice/);
    expect(() => parseModelMix(" , ")).toThrow(/takes a list/);
  });
});

describe("loopback only", () => {
  it("knows loopback addresses", () => {
    for (const a of ["127.0.0.1", "127.8.9.10", "::1", "[::1]", "::ffff:127.0.0.1"]) expect(isLoopbackAddress(a)).toBe(true);
    for (const a of ["10.0.0.1", "192.168.1.2", "0.0.0.0", "::", "8.8.8.8", "fe80::1", "localhost"]) expect(isLoopbackAddress(a)).toBe(false);
  });

  it("accepts loopback literals and names that resolve only to loopback; refuses the rest unless --allow-remote", async () => {
    const resolve = async (h: string) => ({ localhost: ["127.0.0.1", "::1"], "gpu-box": ["10.1.2.3"], mixed: ["127.0.0.1", "10.0.0.9"] })[h] ?? [];
    await checkTarget("http://127.0.0.1:8787", "url", false, resolve);
    await checkTarget("http://[::1]:8000/v1", "endpoint", false, resolve);
    await checkTarget("http://localhost:8787", "url", false, resolve);
    await expect(checkTarget("http://gpu-box:8000/v1", "endpoint", false, resolve)).rejects.toThrow(
      "refusing to load-test gpu-box (resolves to 10.1.2.3): loadtest only targets loopback by default; pass --allow-remote if this host is yours and you may load it",
    );
    await expect(checkTarget("http://mixed:1", "url", false, resolve)).rejects.toThrow(/resolves to 127.0.0.1, 10.0.0.9/);
    await expect(checkTarget("https://10.0.0.5/v1", "endpoint", false, resolve)).rejects.toThrow(/refusing to load-test 10.0.0.5: /);
    await checkTarget("http://gpu-box:8000/v1", "endpoint", true, resolve);
    await expect(checkTarget("http://unknown-host:1", "url", false, async () => { throw new Error("ENOTFOUND unknown-host"); })).rejects.toThrow(/--url: cannot resolve unknown-host: ENOTFOUND/);
  });
});

describe("ingest payloads", () => {
  it("never writes the same (series, timestamp) twice, and keeps timestamps at now however fast requests come", () => {
    const now = 1_800_000_000_000;
    const p = new IngestPayloads("r1", 10, 1, () => now); // the clock stands still: the worst case
    const seen = new Set<string>();
    let latest = 0;
    for (let i = 0; i < 25; i++) {
      const { body, samples } = p.samples(4);
      expect(samples).toBe(4);
      const req = decodeWriteRequest(body);
      for (const ts of req.timeseries) {
        const series = ts.labels.find((l) => l.name === "series")!.value;
        expect(ts.labels.find((l) => l.name === "run")!.value).toBe("r1");
        for (const s of ts.samples) {
          const key = `${series}@${s.timestamp}`;
          expect(seen.has(key)).toBe(false);
          seen.add(key);
          latest = Math.max(latest, s.timestamp);
        }
      }
    }
    expect(seen.size).toBe(100);
    // Each series is written 10 times; a timestamp moves past the stopped clock only when a request
    // reuses a series the round before wrote: about one ms per 2.5 requests here, not one per request.
    expect(latest - now).toBeGreaterThanOrEqual(9);
    expect(latest - now).toBeLessThanOrEqual(13);
    const ids = [...p.logs(5), p.markerLog(1)].map((r) => r.request_id);
    expect(ids).toEqual(["loadtest-r1-1", "loadtest-r1-2", "loadtest-r1-3", "loadtest-r1-4", "loadtest-r1-5", "loadtest-r1-marker-1"]);
  });
});
