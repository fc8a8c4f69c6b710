// inferscope probe request | latency | compare against the OpenAI fixture on
// loopback: the figures printed are the fixture's known first-token delay and
// token rate (within timer tolerance), --all-models names the failing model,
// tables for people and --json for scripts, colour and progress on a TTY only.
import { spawn } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { probeCommand } from "../../cli/commands/probe";
import { EXPORT_KIND, EXPORT_VERSION } from "../../cli/probe/export";
import { selfSignedCert, startOpenAiFixture, type OpenAiFixture } from "../helpers/openai-fixture";
import { captureIo } from "./fake-api";

let fx: OpenAiFixture;
let dir: string;

// a: 60 ms to the first token, then 200 tokens/s; b: twice as slow on both.
beforeAll(async () => {
  fx = await startOpenAiFixture({
    apiKey: "sk-probe",
    models: {
      a: { firstTokenMs: 60, tokensPerSecond: 200, outputTokens: 21 },
      b: { firstTokenMs: 120, tokensPerSecond: 100, outputTokens: 21 },
      down: { failWith: 503 },
    },
  });
  dir = await mkdtemp(join(tmpdir(), "probe-test-"));
});
afterAll(() => fx.close());
beforeEach(() => fx.reset());

const env = { INFERSCOPE_PROBE_API_KEY: "sk-probe" };
async function probe(args: string[], opts: { tty?: boolean } = {}) {
  const cap = captureIo({ env, tty: opts.tty });
  const code = await probeCommand(args, cap.io);
  return { code, out: cap.out(), err: cap.err() };
}
const json = async (args: string[]) => {
  const r = await probe([...args, "--json"]);
  return { ...r, doc: JSON.parse(r.out) };
};
const within = (v: number, expected: number, tolerance: number) => {
  expect(v).toBeGreaterThanOrEqual(expected * (1 - tolerance));
  expect(v).toBeLessThanOrEqual(expected * (1 + tolerance));
};

describe("probe request", () => {
  it("checks health, lists the models and times one streamed completion", async () => {
    const { code, doc } = await json(["request", "--endpoint", fx.origin, "--model", "a", "--prompt", "hi"]);
    expect(code).toBe(0);
    expect(doc).toMatchObject({ ok: true, endpoint: fx.url, health: { ok: true, checked: "/health" }, models: { ok: true, models: ["a", "b", "down"] } });
    const [r] = doc.requests;
    expect(r).toMatchObject({ ok: true, status: 200, model: "a", stream: true, usage: { completionTokens: 21 }, usageSource: "reported" });
    // 60 ms to the first token; 20 gaps of 5 ms after it.
    expect(r.timings.ttftMs).toBeGreaterThanOrEqual(59);
    expect(r.timings.ttftMs).toBeLessThan(60 + 150); // a busy machine's timers run late, never early
    expect(r.timings.totalMs).toBeGreaterThanOrEqual(158);
    within(r.outputTokensPerSecond, 200, 0.2);
    expect(fx.received.map((x) => x.path)).toEqual(["/health", "/v1/models", "/v1/chat/completions"]);
    expect(fx.received[2].authorization).toBe("Bearer sk-probe");
  });

  it("prints the phases for a person, and takes the first listed model without --model", async () => {
    const { code, out, err } = await probe(["request", "--endpoint", fx.url, "--no-stream"]);
    expect(code).toBe(0);
    expect(out).toMatch(/^endpoint  http:\/\/127\.0\.0\.1:\d+\/v1\nhealth    ok  GET \/health 200 in [\d.]+m?s\nmodels    3: a, b, down\n\nrequest   ok  model a, not streamed, HTTP 200\n/);
    expect(out).toMatch(/^timings   DNS 0ms  connect [\d.]+ms  TLS 0ms  first byte [\d.]+ms  first token - \(not streamed\)  total [\d.]+ms$/m);
    expect(out).toMatch(/^usage     \d+ prompt \+ 21 completion = \d+ tokens \(reported\)  output [\d.]+ tokens\/s$/m);
    expect(out).not.toContain("\x1b[");
    expect(err).toBe("");
    expect(fx.received[2].body).toMatchObject({ model: "a", stream: false, max_tokens: 64 });
  });

  it("a server that answers a streaming request with plain JSON: ok, not streamed, no first token", async () => {
    const plain = await startOpenAiFixture({ models: { plain: { ignoresStream: true, outputTokens: 5 } } });
    try {
      const { code, out } = await probe(["request", "--endpoint", plain.url, "--model", "plain"]);
      expect(code).toBe(0);
      expect(plain.received.at(-1)!.body).toMatchObject({ stream: true });
      expect(out).toMatch(/^request   ok  model plain, not streamed, HTTP 200$/m);
      expect(out).toMatch(/^timings   .* first token - \(not streamed\)  total [\d.]+ms$/m);
      expect(out).toMatch(/^usage     \d+ prompt \+ 5 completion = \d+ tokens \(reported\)/m);
    } finally {
      await plain.close();
    }
  });

  it("--all-models asks every model and exits 1 naming the one that fails", async () => {
    const { code, doc } = await json(["request", "--endpoint", fx.url, "--all-models"]);
    expect(code).toBe(1);
    expect(doc.requests.map((r: { model: string; ok: boolean; status: number }) => [r.model, r.ok, r.status])).toEqual([["a", true, 200], ["b", true, 200], ["down", false, 503]]);
    const text = await probe(["request", "--endpoint", fx.url, "--all-models"]);
    expect(text.code).toBe(1);
    expect(text.out).toMatch(/^down\s+HTTP 503\s+-\s+[\d.]+m?s\s+-\s+-\s+HTTP 503: model down is failing/m);
    expect(text.out).toContain("1 of 3 models failed: down\n");
  });

  it("trusts a private CA with --ca-file, and says why it fails without", async () => {
    const pair = selfSignedCert();
    const secure = await startOpenAiFixture({ tls: pair, models: { m: { firstTokenMs: 5, outputTokens: 2 } } });
    try {
      const ca = join(dir, "ca.pem");
      await import("node:fs/promises").then((fs) => fs.writeFile(ca, pair.cert));
      const ok = await json(["request", "--endpoint", secure.url, "--ca-file", ca]);
      expect(ok.code).toBe(0);
      expect(ok.doc.requests[0].timings.tlsMs).toBeGreaterThan(0);
      const bad = await probe(["request", "--endpoint", secure.url, "--model", "m"]);
      expect(bad.code).toBe(1);
      expect(bad.out).toMatch(/^health    FAILED  GET \/health - in [\d.]+m?s: cannot reach 127\.0\.0\.1:\d+: self[- ]signed certificate$/m);
    } finally {
      await secure.close();
    }
  });

  it("exits 1 with the server's reason when the key is refused", async () => {
    const cap = captureIo({ env: {} });
    const code = await probeCommand(["request", "--endpoint", fx.url, "--model", "a", "--api-key", "wrong"], cap.io);
    expect(code).toBe(1);
    expect(cap.out()).toContain("error     HTTP 401: Incorrect API key provided.");
  });
});

/** A port nothing listens on: bound, then closed. */
async function deadEndpoint(): Promise<string> {
  const srv = http.createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const { port } = srv.address() as AddressInfo;
  await new Promise((r) => srv.close(r));
  return `http://127.0.0.1:${port}/v1`;
}

describe("an unreachable endpoint", () => {
  it("probe request without --model prints health, models and the request as failures and exits 1, not 2", async () => {
    const dead = await deadEndpoint();
    const host = new URL(dead).host;
    const r = await probe(["request", "--endpoint", dead]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(new RegExp(`^health    FAILED  GET /health - in [\\d.]+ms: connection refused by ${host} \\(is the server running\\?\\)$`, "m"));
    expect(r.out).toContain(`models    FAILED: connection refused by ${host} (is the server running?)\n`);
    expect(r.out).toContain("request   FAILED  not sent: no --model given and the model list failed; pass --model\n");
    const j = await json(["request", "--endpoint", dead]);
    expect(j.code).toBe(1);
    expect(j.doc).toMatchObject({ ok: false, health: { ok: false, errorKind: "connection" }, models: { ok: false }, requests: [], error: "no --model given and the model list failed; pass --model" });
    const all = await probe(["request", "--endpoint", dead, "--all-models"]);
    expect(all.code).toBe(1);
    expect(all.out).toContain(`request   FAILED  not sent: --all-models needs the model list, and GET ${dead}/models failed: connection refused by ${host} (is the server running?)\n`);
  });

  it("latency, throughput and compare without --model exit 1 with the reason on stderr", async () => {
    const dead = await deadEndpoint();
    const why = `no --model given and GET ${dead}/models failed: connection refused by ${new URL(dead).host} (is the server running?); pass --model`;
    for (const [sub, ...extra] of [["latency"], ["throughput", "--requests", "2"], ["compare", "--endpoints", `${dead},${dead}`]]) {
      const r = await probe(sub === "compare" ? [sub, ...extra] : [sub, "--endpoint", dead, ...extra]);
      expect({ sub, code: r.code }).toEqual({ sub, code: 1 });
      expect(r.err).toBe(`inferscope probe ${sub}: ${why}\n`);
    }
    // With --model the requests are sent, fail, and say why: also exit 1.
    const withModel = await probe(["latency", "--endpoint", dead, "--model", "m", "--iterations", "2", "--warmup", "0"]);
    expect(withModel.code).toBe(1);
    expect(withModel.out).toContain("connection refused");
  });
});

describe("probe latency", () => {
  it("reports TTFT, end to end and tokens/s at the fixture's rates, after the warm-up, and exports them", async () => {
    const file = join(dir, "a.json");
    const { code, doc } = await json(["latency", "--endpoint", fx.url, "--model", "a", "--iterations", "8", "--warmup", "2", "--export", file]);
    expect(code).toBe(0);
    expect(fx.counts()).toEqual({ a: { 200: 10 } });
    const s = doc.summary;
    expect(s).toMatchObject({ requests: 8, succeeded: 8, failed: 0, success_rate: 1, output_tokens: 168 });
    expect(s.ttft_ms.count).toBe(8);
    // Timers on a busy machine fire late, never early: the bounds allow for that above only.
    expect(s.ttft_ms.p50).toBeGreaterThanOrEqual(59);
    expect(s.ttft_ms.p50).toBeLessThan(60 + 60);
    expect(s.e2e_ms.p50).toBeGreaterThanOrEqual(60 + 20 * 5 - 1);
    expect(s.e2e_ms.p50).toBeLessThan(60 + 20 * 5 + 80);
    within(s.tokens_per_second.p50, 200, 0.2);
    expect(s.ttft_ms.median).toBe(s.ttft_ms.p50);
    expect(s.ttft_ms.p99).toBeGreaterThanOrEqual(s.ttft_ms.p95);
    expect(s.network_ms.count).toBe(8);
    expect(s.network_ms.max).toBeLessThan(s.ttfb_ms.max);
    const exported = JSON.parse(await readFile(file, "utf8"));
    expect(exported).toEqual(doc);
    expect(exported).toMatchObject({ kind: EXPORT_KIND, version: EXPORT_VERSION, model: "a", quantile_method: "linear", settings: { iterations: 8, warmup: 2, stream: true, max_tokens: 64, prompts: 1, prompt_set: expect.stringMatching(/^[0-9a-f]{16}$/) } });
    expect(exported.samples).toHaveLength(8);
  });

  it("prints a table of the distributions, in colour and with a progress bar only on a terminal", async () => {
    const plain = await probe(["latency", "--endpoint", fx.url, "--model", "b", "--iterations", "3", "--warmup", "0"]);
    expect(plain.code).toBe(0);
    expect(plain.out).toMatch(/^b at http:\/\/127\.0\.0\.1:\d+\/v1: 3 requests after 0 warm-up, streamed, max_tokens 64\n\nMETRIC +N +MEAN +MEDIAN\/P50 +P90 +P95 +P99 +MIN +MAX\nTTFT +3 /);
    expect(plain.out).toMatch(/^output tokens\/s +3 +(9\d|10\d|11\d)(\.\d)? /m);
    // For tokens/s the high quantiles are the fast requests: said under the table.
    expect(plain.out).toMatch(/^output tokens\/s .*\n\(output tokens\/s: more is better, so its P90\/P95\/P99 are the fastest requests; its slow tail is MIN\)\n/m);
    expect(plain.out).toContain("3 of 3 succeeded (100%)");
    expect(plain.err).toBe("");
    expect(plain.out).not.toContain("\x1b[");
    const tty = await probe(["latency", "--endpoint", fx.url, "--model", "a", "--iterations", "3", "--warmup", "1"], { tty: true });
    expect(tty.err).toMatch(/\r\x1b\[2Klatency \[#+-*\] \d+%/);
    expect(tty.out).toContain("\x1b[32m3 of 3 succeeded (100%)\x1b[39m");
  });

  it("sends the prompt set in turn and counts failures apart from the figures", async () => {
    const prompts = join(dir, "prompts.jsonl");
    await import("node:fs/promises").then((fs) => fs.writeFile(prompts, 'first prompt\n\n{"prompt": "second"}\n{"messages": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "third"}]}\n'));
    const { code } = await json(["latency", "--endpoint", fx.url, "--model", "a", "--iterations", "4", "--warmup", "0", "--prompt-file", prompts, "--max-tokens", "3"]);
    expect(code).toBe(0);
    expect(fx.received.filter((r) => r.path === "/v1/chat/completions").map((r) => r.body?.messages)).toEqual([
      [{ role: "user", content: "first prompt" }], [{ role: "user", content: "second" }],
      [{ role: "system", content: "be brief" }, { role: "user", content: "third" }], [{ role: "user", content: "first prompt" }],
    ]);
    const down = await json(["latency", "--endpoint", fx.url, "--model", "down", "--iterations", "3", "--warmup", "0"]);
    expect(down.code).toBe(1);
    expect(down.doc.summary).toMatchObject({ requests: 3, succeeded: 0, failed: 3, success_rate: 0, errors: [{ status: 503, count: 3 }] });
    expect(down.doc.summary.e2e_ms).toMatchObject({ count: 0, p50: null });
  });
});

describe("Ctrl-C", () => {
  it("stops the run, prints what finished without counting the cut request as a failure, and exits 130", async () => {
    const ac = new AbortController();
    const cap = captureIo({ env, signal: ac.signal });
    // Once the third request has started, the first two have finished (one at a time).
    const poll = setInterval(() => fx.received.filter((r) => r.path === "/v1/chat/completions").length >= 3 && ac.abort(), 5);
    const code = await probeCommand(["latency", "--endpoint", fx.url, "--model", "b", "--iterations", "10", "--warmup", "0"], cap.io).finally(() => clearInterval(poll));
    expect(code).toBe(130);
    const m = /^b at .*: (\d+) of 10 requests \(interrupted\) after 0 warm-up/m.exec(cap.out());
    expect(m, cap.out()).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThanOrEqual(2);
    expect(Number(m![1])).toBeLessThan(10);
    expect(cap.out()).toContain(`${m![1]} of ${m![1]} succeeded (100%)`);
  });

  it("as a process: SIGINT (the shared interrupt signal) does the same", async () => {
    const root = join(import.meta.dirname, "..", "..");
    const child = spawn(join(root, "node_modules", ".bin", "tsx"), ["cli/bin.ts", "probe", "latency", "--endpoint", fx.url, "--model", "b", "--iterations", "10", "--warmup", "0"], {
      cwd: root, env: { ...process.env, ...env, NO_COLOR: "1" },
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    const deadline = Date.now() + 30_000;
    while (fx.received.filter((r) => r.path === "/v1/chat/completions").length < 3) {
      if (Date.now() > deadline) throw new Error("the probe process sent fewer than 3 requests in 30 s");
      await new Promise((r) => setTimeout(r, 5));
    }
    child.kill("SIGINT");
    expect(await exited).toBe(130);
    expect(out).toMatch(/^b at .*: \d+ of 10 requests \(interrupted\) after 0 warm-up/m);
  }, 40_000);
});

describe("probe compare", () => {
  it("runs the same prompts against each model in turn, with speed-ups against the first", async () => {
    const { code, doc } = await json(["compare", "--endpoint", fx.url, "--models", "a", "b", "--iterations", "4", "--warmup", "1"]);
    expect(code).toBe(0);
    expect(fx.received.filter((r) => r.path === "/v1/chat/completions").map((r) => r.model)).toEqual(["a", "b", "a", "b", "a", "b", "a", "b", "a", "b"]);
    const [a, b] = doc.targets;
    expect(a).toMatchObject({ model: "a", speedup: { ttft_p50: 1, e2e_p50: 1, tokens_per_second_p50: 1 } });
    expect(b.model).toBe("b");
    // b: twice the time to first token, half the token rate.
    // Exactly 0.5 each on an idle machine; late timers add the same few ms to both and pull it up a little.
    for (const x of [b.speedup.ttft_p50, b.speedup.tokens_per_second_p50, b.speedup.e2e_p50]) {
      expect(x).toBeGreaterThan(0.35);
      expect(x).toBeLessThan(0.7);
    }
    const text = await probe(["compare", "--endpoint", fx.url, "--models", "a,b", "--iterations", "2", "--warmup", "0"]);
    expect(text.out).toMatch(/^MODEL +SUCCESS +TTFT P50 +TTFT P95 +E2E P50 +E2E P95 +TOKENS\/S P50 +TTFT SPEED-UP +E2E SPEED-UP +TOKENS\/S ×\na +100% .* 1\.00x +1\.00x +1\.00x\nb +100% .* 0\.[3-6]\dx +0\.[3-6]\dx +0\.[3-6]\dx\n/m);
  });

  it("pairs repeated --api-key with --endpoints by position, one key serving all", async () => {
    const other = await startOpenAiFixture({ apiKey: "sk-other", models: { a: { firstTokenMs: 5, outputTokens: 2 } } });
    try {
      const args = ["compare", "--endpoints", `${fx.url},${other.url}`, "--model", "a", "--iterations", "1", "--warmup", "0"];
      const paired = await json([...args, "--api-key", "sk-probe", "--api-key", "sk-other"]);
      expect(paired.code).toBe(0);
      expect(paired.doc.targets.map((t: { summary: { succeeded: number } }) => t.summary.succeeded)).toEqual([1, 1]);
      expect(fx.received.at(-1)!.authorization).toBe("Bearer sk-probe");
      expect(other.received.at(-1)!.authorization).toBe("Bearer sk-other");
      // One key: every endpoint gets it (the second refuses it).
      const one = await json([...args, "--api-key", "sk-probe"]);
      expect(one.code).toBe(1);
      expect(other.received.at(-1)!.authorization).toBe("Bearer sk-probe");
      const err = (a: string[]) => probeCommand(a, captureIo().io).then(() => "no error", (e: Error) => e.message);
      expect(await err([...args, "--api-key", "k1", "--api-key", "k2", "--api-key", "k3"])).toBe("--api-key is given 3 times and --endpoints lists 2: pass one key for all of them, or one per endpoint in the same order");
      expect(await err(["compare", "--endpoint", fx.url, "--models", "a,b", "--api-key", "k1", "--api-key", "k2"])).toBe("--api-key is given 2 times; several keys pair with --endpoints, one per endpoint (with one --endpoint pass one key)");
    } finally {
      await other.close();
    }
  });

  it("compares one model at two endpoints, and exits 1 when a target answers nothing", async () => {
    const { code, doc } = await json(["compare", "--endpoints", fx.url, fx.origin, "--model", "a", "--iterations", "2", "--warmup", "0"]);
    expect(code).toBe(0);
    expect(doc.targets.map((t: { endpoint: string; model: string }) => [t.model, t.endpoint])).toEqual([["a", fx.url], ["a", fx.url]]);
    const bad = await json(["compare", "--endpoint", fx.url, "--models", "a,down", "--iterations", "2", "--warmup", "0"]);
    expect(bad.code).toBe(1);
    expect(bad.doc.targets[1].summary).toMatchObject({ succeeded: 0, failed: 2 });
  });
});
