// The agent's synthetic checks (probes:) against the OpenAI-compatible fixture:
// the series a probe exports, failures with their reasons, the schedule, and
// the config's messages. Through the local stack: probes-stack.test.ts.
import { createServer } from "node:net";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { RwWriteRequest } from "../../shared/contracts/remote-write";
import { isStaleNaN } from "../../shared/staleness";
import { failureReason, newProbeState, PROBE_FAILURE_REASONS, probeSpec, type ProbeState } from "../../cli/agent/collectors/llm-probe";
import type { CompletionResult } from "../../cli/probe/openai-types";
import { TargetLoop } from "../../cli/agent/collectors/target-loop";
import { parseConfig, type ProbeConfig } from "../../cli/agent/config";
import { agentMetrics } from "../../cli/agent/self-metrics";
import { decodeWriteRequestProto } from "../../workers/ingest/protocols/remote-write/parse";
import { startOpenAiFixture, type FixtureModel, type OpenAiFixture } from "../helpers/openai-fixture";

const cleanups: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function fixture(models: Record<string, FixtureModel>, apiKey?: string): Promise<OpenAiFixture> {
  const f = await startOpenAiFixture({ models, ...(apiKey ? { apiKey } : {}) });
  cleanups.push(() => f.close());
  return f;
}

/** A config with these probes (JSON is YAML), through the real parser. */
const config = (probes: unknown[], extra = "") =>
  parseConfig(`data_dir: /tmp/unused\nendpoint: { url: "http://127.0.0.1:1", api_key: k }\nlabels: { host: gpu-01 }\n${extra}probes: ${JSON.stringify(probes)}\n`, "agent.yaml");

type Row = { name: string; labels: Record<string, string>; value: number };
function rows(req: RwWriteRequest): Row[] {
  return req.timeseries.flatMap((t) => {
    const { __name__: name, ...labels } = Object.fromEntries(t.labels.map((l) => [l.name, l.value]));
    return t.samples.map((s) => ({ name, labels, value: s.value }));
  });
}

function probeLoop(p: ProbeConfig, state: ProbeState = newProbeState()) {
  const out: RwWriteRequest[] = [];
  const loop = new TargetLoop(probeSpec(p, { host: "gpu-01" }, 60_000, state), (c) => out.push(decodeWriteRequestProto(Buffer.concat([c.series, c.metadata]))), agentMetrics());
  cleanups.push(() => loop.stop());
  const value = (i: number, name: string, reason?: string) => rows(out[i]).find((r) => r.name === name && (reason === undefined || r.labels.reason === reason))?.value;
  return { loop, out, state, value };
}

const closedPort = () =>
  new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

describe("agent probes: series", () => {
  it("exports success, duration, TTFT and decode rate within tolerance of the fixture's latency, with target and model labels", async () => {
    // first token after 80 ms, then 5 more at 100/s: ~130 ms in all, 100 tokens/s
    const f = await fixture({ m: { firstTokenMs: 80, tokensPerSecond: 100, outputTokens: 6 } });
    const [p] = config([{ name: "vllm-m", endpoint: f.url, model: "m", labels: { team: "infra" } }]).probes;
    const { loop, out, value } = probeLoop(p);
    await loop.scrapeOnce();
    const r = rows(out[0]);
    const success = r.find((x) => x.name === "llm_probe_success")!;
    expect(success.value).toBe(1);
    expect(success.labels).toEqual({ probe: "vllm-m", target: f.url, model: "m", job: "llm_probe", instance: f.origin.replace("http://", ""), host: "gpu-01", team: "infra" });
    expect(value(0, "llm_probe_ttft_seconds")).toBeGreaterThanOrEqual(0.08);
    expect(value(0, "llm_probe_ttft_seconds")).toBeLessThan(0.08 + 0.15);
    expect(value(0, "llm_probe_duration_seconds")).toBeGreaterThanOrEqual(0.13);
    expect(value(0, "llm_probe_duration_seconds")).toBeLessThan(0.13 + 0.2);
    expect(value(0, "llm_probe_tokens_per_second")).toBeGreaterThan(60);
    expect(value(0, "llm_probe_tokens_per_second")).toBeLessThan(110);
    expect(value(0, "llm_probe_http_status_code")).toBe(200);
    expect(value(0, "up")).toBe(1);
    for (const reason of PROBE_FAILURE_REASONS) expect(value(0, "llm_probe_failures_total", reason)).toBe(0); // every reason from 0, so increase() works from the first failure
    expect(out[0].metadata).toContainEqual({ metricFamilyName: "llm_probe_ttft_seconds", type: "gauge", help: expect.any(String), unit: "seconds" });
    // what was sent: a tiny streaming request of the configured model and prompt
    const sent = f.received.find((x) => x.path === "/v1/chat/completions")!;
    expect(sent.body).toMatchObject({ model: "m", stream: true, max_tokens: 8, messages: [{ role: "user", content: "Reply with the single word: ok" }] });
  });

  it("two probes of one endpoint (two models) keep their up series apart by the probe label", async () => {
    const f = await fixture({ a: { firstTokenMs: 5 }, b: { firstTokenMs: 5 } });
    const ups: Array<Record<string, string>> = [];
    for (const p of config([{ name: "pa", endpoint: f.url, model: "a" }, { name: "pb", endpoint: f.url, model: "b" }]).probes) {
      const { loop, out } = probeLoop(p);
      await loop.scrapeOnce();
      const up = rows(out[0]).filter((r) => r.name === "up");
      expect(up).toHaveLength(1);
      ups.push(up[0].labels);
      // the probe label comes from the target, once, not also as exported_probe
      expect(rows(out[0]).find((r) => r.name === "llm_probe_success")!.labels).toMatchObject({ probe: p.name, model: p.model });
      expect(rows(out[0]).some((r) => "exported_probe" in r.labels)).toBe(false);
    }
    const instance = f.origin.replace("http://", "");
    expect(ups).toEqual([{ job: "llm_probe", instance, host: "gpu-01", probe: "pa" }, { job: "llm_probe", instance, host: "gpu-01", probe: "pb" }]);
  });

  it("without streaming there is no first token to time: TTFT is absent, the rest is there", async () => {
    const f = await fixture({ m: { firstTokenMs: 50, tokensPerSecond: 100, outputTokens: 4 } });
    const [p] = config([{ endpoint: f.url, model: "m", stream: false, prompt: "ping", max_tokens: 4 }]).probes;
    expect(p.name).toBe(`${f.origin.replace("http://", "")}/m`); // the default name
    const { loop, value } = probeLoop(p);
    await loop.scrapeOnce();
    expect(value(0, "llm_probe_success")).toBe(1);
    expect(value(0, "llm_probe_ttft_seconds")).toBeUndefined();
    expect(value(0, "llm_probe_duration_seconds")).toBeGreaterThanOrEqual(0.08);
    expect(f.received.find((x) => x.path === "/v1/chat/completions")!.body).toMatchObject({ stream: false, max_tokens: 4, messages: [{ role: "user", content: "ping" }] });
  });

  it("sends the probe's API key, from api_key (with ${VAR}) or api_key_file", async () => {
    const f = await fixture({ m: {} }, "sekret");
    const dir = mkdtempSync(join(tmpdir(), "probe-key-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, "key"), "sekret\n");
    process.env.PROBE_TEST_KEY = "sekret";
    cleanups.push(() => void delete process.env.PROBE_TEST_KEY);
    const probes = config([
      { name: "env", endpoint: f.url, model: "m", api_key: "${PROBE_TEST_KEY}" },
      { name: "file", endpoint: f.url, model: "m", api_key_file: join(dir, "key") },
      { name: "none", endpoint: f.url, model: "m" },
    ]).probes;
    const results = [];
    for (const p of probes) {
      const l = probeLoop(p);
      await l.loop.scrapeOnce();
      results.push([l.value(0, "llm_probe_success"), l.value(0, "llm_probe_http_status_code")]);
    }
    expect(results).toEqual([[1, 200], [1, 200], [0, 401]]);
  });
});

describe("agent probes: failures", () => {
  it("keeps each failure with its reason (5xx, 429, 4xx, timeout, connection refused), counts it and logs it", async () => {
    const f = await fixture({ broken: { errorRate: 1 }, limited: { rateLimitRate: 1 }, slow: { firstTokenMs: 3000 } });
    const port = await closedPort();
    const lines: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation((s) => (lines.push(String(s)), true));
    const cases: Array<[Record<string, unknown>, string, number]> = [
      [{ endpoint: f.url, model: "broken" }, "http_5xx", 500],
      [{ endpoint: f.url, model: "limited" }, "http_429", 429],
      [{ endpoint: f.url, model: "no-such-model" }, "http_4xx", 404],
      [{ endpoint: f.url, model: "slow", timeout: "300ms" }, "timeout", 200], // a stream's headers come at once, its first token never
      [{ endpoint: `http://127.0.0.1:${port}/v1`, model: "m" }, "connection_refused", 0],
    ];
    for (const [i, [probe, reason, status]] of cases.entries()) {
      const [p] = config([{ name: `p${i}`, ...probe }]).probes;
      const { loop, value } = probeLoop(p);
      await loop.scrapeOnce();
      await loop.scrapeOnce();
      expect({ reason, success: value(1, "llm_probe_success"), status: value(1, "llm_probe_http_status_code"), count: value(1, "llm_probe_failures_total", reason) })
        .toEqual({ reason, success: 0, status, count: 2 });
      for (const other of PROBE_FAILURE_REASONS.filter((r) => r !== reason)) expect(value(1, "llm_probe_failures_total", other)).toBe(0);
      expect(value(1, "llm_probe_ttft_seconds")).toBeUndefined();
      expect(value(1, "up")).toBe(1); // the probe ran and reported: the endpoint failed, not the agent
      const logged = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === "probe failed" && l.probe === `p${i}`);
      expect(logged).toHaveLength(2);
      expect(logged[0]).toMatchObject({ level: "warn", reason, model: probe.model, error: expect.any(String) });
      if (reason === "timeout") expect(value(1, "llm_probe_duration_seconds")).toBeGreaterThanOrEqual(0.3);
      if (reason === "timeout") expect(value(1, "llm_probe_duration_seconds")).toBeLessThan(1);
    }
    expect(lines.map((l) => JSON.parse(l).error).find((e) => /refused/.test(e ?? ""))).toMatch(/^connection refused by 127\.0\.0\.1:\d+/);
  });

  it("classifies a connection failure by the socket's code, not its message", () => {
    const base = { ok: false, status: 0, errorKind: "connection" as const };
    const r = (extra: Partial<CompletionResult>) => failureReason({ ...base, ...extra } as CompletionResult);
    expect(r({ code: "ECONNREFUSED", error: "anything at all" })).toBe("connection_refused");
    expect(r({ code: "ECONNRESET", error: "connection refused by x (is the server running?)" })).toBe("connection");
    expect(r({ code: "ENOTFOUND", error: "cannot resolve x" })).toBe("connection");
    expect(r({ error: "response cut off by the server" })).toBe("connection"); // no code
  });

  it("a TTFT series that stops (the endpoint went down) gets a staleness marker instead of a stale value", async () => {
    const f = await fixture({ m: { firstTokenMs: 10 } });
    const [p] = config([{ endpoint: f.url, model: "m", timeout: "1s" }]).probes;
    const { loop, out, value } = probeLoop(p);
    await loop.scrapeOnce();
    expect(value(0, "llm_probe_success")).toBe(1);
    await f.close();
    await loop.scrapeOnce();
    expect(value(1, "llm_probe_success")).toBe(0);
    const ttft = rows(out[1]).find((r) => r.name === "llm_probe_ttft_seconds");
    expect(ttft && isStaleNaN(ttft.value)).toBe(true);
    expect(value(1, "llm_probe_failures_total", "connection_refused")).toBe(1);
  });
});

describe("agent probes: schedule", () => {
  it("sends one request per interval, on the interval's grid", async () => {
    const f = await fixture({ m: { firstTokenMs: 5 } });
    const [p] = config([{ endpoint: f.url, model: "m", interval: "1s", timeout: "500ms" }]).probes;
    p.interval = 250; // below the config's 1 s floor, to keep the test short
    const { loop, out } = probeLoop(p);
    loop.start();
    await new Promise((r) => setTimeout(r, 1900));
    await loop.stop();
    const at = f.received.filter((x) => x.path === "/v1/chat/completions").map((x) => x.at);
    // the first within the start-up spread (up to 1 s), then every 250 ms
    expect(at.length).toBeGreaterThanOrEqual(4);
    expect(at.length).toBeLessThanOrEqual(8);
    const gaps = at.slice(1).map((t, i) => t - at[i]);
    for (const g of gaps) expect(Math.abs(g - 250)).toBeLessThan(120);
    expect(out).toHaveLength(at.length);
  });
});

describe("agent probes: config", () => {
  it("fills in defaults", () => {
    const [p] = config([{ endpoint: "http://127.0.0.1:8000", model: "llama" }]).probes;
    expect(p).toMatchObject({ name: "127.0.0.1:8000/llama", interval: 60_000, timeout: 10_000, prompt: "Reply with the single word: ok", max_tokens: 8, stream: true, job: "llm_probe", labels: {} });
    expect(p.apiKey).toBeUndefined();
  });

  it.each([
    [{ endpoint: "127.0.0.1:8000", model: "m" }, /probes\[0\]\.endpoint: must be an http:\/\/ or https:\/\/ URL/],
    [{ endpoint: "http://h:1/v1" }, /probes\[0\]\.model: /],
    [{ endpoint: "http://h:1/v1", model: "" }, /probes\[0\]\.model: model is required/],
    [{ endpoint: "http://h:1/v1", model: "m", interval: "15s", timeout: "30s" }, /probes\[0\]\.timeout: timeout \(30000ms\) is longer than the interval \(15000ms\)/],
    [{ endpoint: "http://h:1/v1", model: "m", interval: "500ms" }, /probes\[0\]\.interval: duration "500ms" is below the minimum of 1000ms/],
    [{ endpoint: "http://h:1/v1", model: "m", interval: "soon" }, /probes\[0\]\.interval: invalid duration "soon"/],
    [{ endpoint: "http://h:1/v1", model: "m", api_key: "a", api_key_file: "/k" }, /probes\[0\]\.api_key_file: set api_key or api_key_file, not both/],
    [{ endpoint: "http://h:1/v1", model: "m", labels: { model: "x" } }, /probes\[0\]\.labels\.model: label "model" is set by the probe itself/],
    [{ endpoint: "http://h:1/v1", model: "m", labels: { "bad-name": "x" } }, /probes\[0\]\.labels\.bad-name: label name must match/],
    [{ endpoint: "http://h:1/v1", model: "m", max_tokens: 0 }, /probes\[0\]\.max_tokens: /],
    [{ endpoint: "http://h:1/v1", model: "m", timout: "1s" }, /probes\[0\]: Unrecognized key: "timout"/],
    [{ endpoint: "http://h:1/v1", model: "m", api_key_file: "/nonexistent/key" }, /probes\[0\]\.api_key_file: cannot read \/nonexistent\/key: /],
    [{ endpoint: "http://h:1/v1", model: "m", api_key: "${PROBE_TEST_UNSET}" }, /probes\[0\]\.api_key: environment variable PROBE_TEST_UNSET is not set/],
  ])("rejects %j with a message that names the field", (probe, re) => {
    expect(() => config([probe])).toThrow(re);
  });

  it("agent.example.yaml validates, probes included", () => {
    Object.assign(process.env, { INFERSCOPE_API_KEY: "k1", LITELLM_PROBE_KEY: "k2" });
    cleanups.push(() => void (delete process.env.INFERSCOPE_API_KEY, delete process.env.LITELLM_PROBE_KEY));
    const file = fileURLToPath(new URL("../../cli/agent/agent.example.yaml", import.meta.url));
    const cfg = parseConfig(readFileSync(file, "utf8"), file);
    expect(cfg.probes.map((p) => [p.name, p.interval, p.timeout, p.apiKey ?? null])).toEqual([["vllm-llama", 60_000, 10_000, null], ["litellm-gpt4o-mini", 300_000, 10_000, "k2"]]);
  });

  it("rejects two probes of one name, saying when the name is the default", () => {
    expect(() => config([{ name: "a", endpoint: "http://h:1/v1", model: "m" }, { name: "a", endpoint: "http://h:2/v1", model: "m" }])).toThrow(/probes\[1\]\.name: duplicate probe name "a"$/);
    expect(() => config([{ endpoint: "http://h:1/v1", model: "m" }, { endpoint: "http://h:1/v1", model: "m", prompt: "x" }])).toThrow(/probes\[1\]\.name: duplicate probe name "h:1\/m" \(the default, endpoint host and model: set name to tell them apart\)/);
  });
});
