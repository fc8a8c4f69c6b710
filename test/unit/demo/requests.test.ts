// The demo's request logs: valid LiteLLM payloads (our own adapter takes every
// one), the mix the dashboards group by, and the script's incidents.
import { describe, expect, it } from "vitest";
import { adaptLitellm } from "../../../shared/logs/adapters/litellm";
import { buildFleet, buildScript, inWindow } from "../../../cli/demo/fleet";
import { LoadCurve } from "../../../cli/demo/load";
import { RequestGen } from "../../../cli/demo/requests";

const TICK = 15_000;
const END = Date.UTC(2026, 0, 1, 16, 0, 0);
const START = END - 6 * 3600_000 + TICK;

function generate(seed: number) {
  const fleet = buildFleet(3, seed);
  const script = buildScript(fleet, START, END);
  const gen = new RequestGen(fleet, script, seed);
  const load = new LoadCurve(seed);
  const out: Array<{ tick: number; p: Record<string, unknown> }> = [];
  for (let t = START; t <= END; t += TICK) for (const p of gen.tick(t, load.next(t))) out.push({ tick: t, p });
  return { out, script, stats: gen.stats };
}

const { out, script, stats } = generate(1);
const records = out.map(({ tick, p }) => {
  const a = adaptLitellm(p);
  if (!a.ok) throw new Error(JSON.stringify(a.problem));
  return { tick, r: a.record };
});

describe("demo request logs", () => {
  it("about 1-3 requests a second, every one a valid StandardLoggingPayload with a unique id", () => {
    const rps = records.length / (6 * 3600);
    expect(rps).toBeGreaterThan(0.7);
    expect(rps).toBeLessThan(3);
    expect(new Set(records.map((x) => x.r.request_id)).size).toBe(records.length);
    expect(stats.requests).toBe(records.length);
    for (const { tick, r } of records) {
      expect(r.time).toBeLessThanOrEqual(tick);
      expect(r.time).toBeGreaterThanOrEqual(tick - TICK);
    }
  });

  it("mixes providers, teams, users, keys and projects; streamed successes have a TTFT", () => {
    const set = (f: (r: (typeof records)[number]["r"]) => unknown) => new Set(records.map((x) => f(x.r)));
    expect([...set((r) => r.provider)].sort()).toEqual(["anthropic", "gemini", "hosted_vllm", "mistral", "openai"]);
    expect(set((r) => r.team).size).toBe(6);
    expect(set((r) => r.user).size).toBeGreaterThan(15);
    expect(set((r) => r.api_key_alias).size).toBeGreaterThan(10);
    expect(set((r) => r.project).size).toBeGreaterThan(6);
    const streamed = records.filter((x) => x.r.stream && x.r.status === "success");
    expect(streamed.length).toBe(stats.streamed);
    expect(streamed.every((x) => x.r.ttft_ms! > 0 && x.r.ttft_ms! <= x.r.latency_ms!)).toBe(true);
    const selfHosted = records.find((x) => x.r.provider === "hosted_vllm")!;
    expect(selfHosted.r.api_base).toMatch(/^http:\/\/gpu-node-\d:800\d\/v1$/);
  });

  it("errors of several kinds; 429s mostly from one provider in the storm window", () => {
    const failed = records.filter((x) => x.r.status === "failure");
    expect(failed.length).toBe(stats.failed);
    expect(new Set(failed.map((x) => x.r.http_status)).size).toBeGreaterThanOrEqual(5);
    const limited = failed.filter((x) => x.r.http_status === 429);
    expect(limited.length).toBe(stats.rateLimited);
    const inStorm = limited.filter((x) => x.r.provider === script.rateLimit.provider && inWindow(script.rateLimit.window, x.tick));
    expect(inStorm.length / limited.length).toBeGreaterThan(0.9);
    expect(failed.every((x) => x.r.input_tokens === 0 && (x.r.cost_usd ?? 0) === 0)).toBe(true);
  });

  it("has a slow tail and a cost spike in the last hour", () => {
    const lat = records.filter((x) => x.r.status === "success").map((x) => x.r.latency_ms!).sort((a, b) => a - b);
    expect(lat[Math.floor(lat.length * 0.99)]).toBeGreaterThan(lat[Math.floor(lat.length * 0.5)] * 4);
    const cost = (from: number, to: number) => records.filter((x) => x.tick >= from && x.tick < to).reduce((n, x) => n + (x.r.cost_usd ?? 0), 0);
    const lastHalfHour = cost(END - 30 * 60_000, END + 1);
    const halfHourBefore = cost(END - 150 * 60_000, END - 120 * 60_000);
    expect(lastHalfHour).toBeGreaterThan(3 * halfHourBefore);
  });

  it("is deterministic for a seed", () => {
    const again = generate(1);
    expect(again.out.map((x) => x.p)).toEqual(out.map((x) => x.p));
    expect(generate(2).out.length).not.toBe(out.length);
  });
});
