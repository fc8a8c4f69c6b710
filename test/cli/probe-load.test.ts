// inferscope probe throughput and regress against the fixture: the held
// concurrency, the sweep's pick on a server whose latency grows with load,
// and regress's deltas and exit codes.
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { probeCommand } from "../../cli/commands/probe";
import { CliError } from "../../cli/errors";
import type { CompletionResult } from "../../cli/probe/openai-client";
import { MAX_RETRY_WAIT_MS, retryWaitMs } from "../../cli/probe/run";
import { startOpenAiFixture, type OpenAiFixture } from "../helpers/openai-fixture";
import { captureIo } from "./fake-api";

let fx: OpenAiFixture;
let dir: string;

beforeAll(async () => {
  fx = await startOpenAiFixture({
    models: {
      // One token after 40 ms, plus 10 ms for each other request in flight: more
      // concurrency always means more requests/s here, and more latency.
      crowd: { firstTokenMs: 40, outputTokens: 1, extraLatencyMs: (n) => (n - 1) * 10 },
      // For the sweep: 100 ms plus 10 ms a request in flight, so requests/s keep rising
      // clearly with concurrency (c / (100 + 10(c-1)) ms) while p95 crosses the bound between 10 and 20.
      queue: { firstTokenMs: 100, outputTokens: 1, extraLatencyMs: (n) => (n - 1) * 10 },
      fast: { firstTokenMs: 30, tokensPerSecond: 400, outputTokens: 9 },
      slow: { firstTokenMs: 90, tokensPerSecond: 400, outputTokens: 9 },
      flaky: { firstTokenMs: 5, outputTokens: 1, errorRate: 0.3 },
      // Half the requests refused with Retry-After: 0.25 s; "stern" asks for a minute.
      limited: { firstTokenMs: 5, outputTokens: 1, rateLimitRate: 0.5, retryAfterS: 0.25 },
      stern: { firstTokenMs: 5, outputTokens: 1, rateLimitRate: 1, retryAfterS: 60 },
    },
  });
  dir = await mkdtemp(join(tmpdir(), "probe-load-"));
});
afterAll(() => fx.close());
beforeEach(() => fx.reset());

async function probe(args: string[]) {
  const cap = captureIo({ env: {} });
  const code = await probeCommand(args, cap.io);
  return { code, out: cap.out(), err: cap.err() };
}
const json = async (args: string[]) => {
  const r = await probe([...args, "--json"]);
  return { ...r, doc: JSON.parse(r.out) };
};

describe("probe throughput", () => {
  it("holds the concurrency asked for and measures requests/s from the latency", async () => {
    const { code, doc } = await json(["throughput", "--endpoint", fx.url, "--model", "crowd", "--concurrency", "4", "--requests", "40"]);
    expect(code).toBe(0);
    expect(fx.maxInFlight()).toBe(4);
    const [level] = doc.levels;
    expect(level).toMatchObject({ concurrency: 4, summary: { requests: 40, succeeded: 40 } });
    // 4 in flight, each 40 + 3*10 ms: about 4 / 0.07 s = 57 requests/s (a little more in the first wave, less for timers).
    expect(level.rps).toBeGreaterThan(35);
    expect(level.rps).toBeLessThan(66);
    expect(level.summary.e2e_ms.p50).toBeGreaterThanOrEqual(68);
    // Connections are kept alive: at most one connect per worker.
    expect(level.summary.network_ms.p50).toBe(0);
  });

  it("--sweep picks the most requests/s within --max-p95, and the top level without a bound", async () => {
    const levels = ["--sweep-levels", "1,2,5,10,20"];
    const bounded = await json(["throughput", "--endpoint", fx.url, "--model", "queue", ...levels, "--max-p95", "240ms"]);
    expect(bounded.code).toBe(0);
    const rows = bounded.doc.levels.map((l: { concurrency: number; within_bounds: boolean; summary: { requests: number } }) => [l.concurrency, l.within_bounds, l.summary.requests]);
    // Per level 5×C requests, at least 20. Latency at 10 in flight: 190 ms; at 20: 290 ms.
    expect(rows, JSON.stringify(bounded.doc.levels.map((l: { summary: { e2e_ms: { p95: number } } }) => l.summary.e2e_ms.p95))).toEqual([[1, true, 20], [2, true, 20], [5, true, 25], [10, true, 50], [20, false, 100]]);
    expect(bounded.doc.best_concurrency).toBe(10);
    const rps = bounded.doc.levels.map((l: { goodput_rps: number }) => l.goodput_rps);
    expect(rps[3]).toBeGreaterThan(rps[2]);
    expect(bounded.doc.levels[4].outside).toMatch(/^p95 \d+ms > 240ms$/);

    const unbounded = await json(["throughput", "--endpoint", fx.url, "--model", "queue", "--sweep-levels", "2,20"]);
    expect(unbounded.doc.best_concurrency).toBe(20);

    const text = await probe(["throughput", "--endpoint", fx.url, "--model", "crowd", "--sweep-levels", "1,5", "--max-p95", "1ms"]);
    expect(text.code).toBe(1);
    expect(text.out).toMatch(/^CONCURRENCY +REQUESTS +SUCCESS +RPS +OK RPS +TOKENS\/S +P50 +P95 +P99 +TTFT P95 +VERDICT\n +1 +20 +100% .* p95 \d+ms > 1ms\n/m);
    expect(text.out).toContain("no concurrency is within p95 ≤ 1ms, success ≥ 99.0%");
  });

  it("draws a progress bar per level on a terminal only", async () => {
    const tty = captureIo({ env: {}, tty: true });
    expect(await probeCommand(["throughput", "--endpoint", fx.url, "--model", "fast", "--sweep-levels", "1,2", "--requests", "4"], tty.io)).toBe(0);
    expect(tty.err()).toMatch(/\r\x1b\[2Kc=1 \[#*-*\] \d+% .*\r\x1b\[2Kc=2 \[/s);
    expect(tty.err().endsWith("\r\x1b[2K")).toBe(true);
    expect(tty.out()).toMatch(/\x1b\[32mbest concurrency: [12]\x1b\[39m/);
    const pipe = captureIo({ env: {} });
    await probeCommand(["throughput", "--endpoint", fx.url, "--model", "fast", "--concurrency", "2", "--requests", "4"], pipe.io);
    expect(pipe.err()).toBe("");
  });

  it("judges a fixed run only against the bounds given", async () => {
    const flaky = await json(["throughput", "--endpoint", fx.url, "--model", "flaky", "--concurrency", "3", "--requests", "30"]);
    expect(flaky.code).toBe(0);
    expect(flaky.doc.levels[0].summary.failed).toBeGreaterThan(3);
    expect(flaky.doc.levels[0].summary.errors[0]).toMatchObject({ status: 500 });
    fx.reset();
    const judged = await json(["throughput", "--endpoint", fx.url, "--model", "flaky", "--concurrency", "3", "--requests", "30", "--min-success", "95"]);
    expect(judged.code).toBe(1);
    expect(judged.doc.levels[0].outside).toMatch(/^success \d+(\.\d)?% < 95\.0%$/);
    const timed = await json(["throughput", "--endpoint", fx.url, "--model", "fast", "--concurrency", "2", "--duration", "500ms"]);
    expect(timed.code).toBe(0);
    expect(timed.doc.levels[0].wall_s).toBeGreaterThanOrEqual(0.5);
    expect(timed.doc.levels[0].wall_s).toBeLessThan(1.2);
  });
});

describe("Retry-After on a 429", () => {
  /** The gaps (ms) between a 429 the fixture sent and the next request it received. */
  const gapsAfter429 = () => {
    const rs = fx.received.filter((r) => r.path === "/v1/chat/completions");
    return rs.slice(0, -1).flatMap((r, i) => (r.status === 429 ? [rs[i + 1].at - r.at] : []));
  };

  it("throughput waits it out before the next request and counts the 429 as a failure", async () => {
    const { doc } = await json(["throughput", "--endpoint", fx.url, "--model", "limited", "--concurrency", "1", "--requests", "8"]);
    const counts = fx.counts().limited;
    expect(counts[429]).toBeGreaterThan(1);
    expect(doc.levels[0].summary).toMatchObject({ requests: 8, failed: counts[429], succeeded: counts[200] });
    expect(doc.levels[0].summary.errors[0]).toMatchObject({ status: 429, error: "HTTP 429: Rate limit reached for requests" });
    const gaps = gapsAfter429();
    expect(gaps.length).toBeGreaterThan(0);
    for (const g of gaps) expect(g).toBeGreaterThanOrEqual(245);
  });

  it("latency and compare wait too", async () => {
    await probe(["latency", "--endpoint", fx.url, "--model", "limited", "--iterations", "6", "--warmup", "0"]);
    expect(gapsAfter429().length).toBeGreaterThan(0);
    for (const g of gapsAfter429()) expect(g).toBeGreaterThanOrEqual(245);
    fx.reset();
    await probe(["compare", "--endpoint", fx.url, "--models", "limited,fast", "--iterations", "8", "--warmup", "0"]);
    const rs = fx.received.filter((r) => r.path === "/v1/chat/completions");
    const waits = rs.slice(0, -1).flatMap((r, i) => (r.status === 429 ? [rs[i + 1].at - r.at] : []));
    expect(waits.length).toBeGreaterThan(0);
    for (const g of waits) expect(g).toBeGreaterThanOrEqual(245);
  });

  it("never waits past the run's end: a minute's Retry-After in a 400ms run", async () => {
    const t0 = Date.now();
    const { doc, code } = await json(["throughput", "--endpoint", fx.url, "--model", "stern", "--concurrency", "2", "--duration", "400ms"]);
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(code).toBe(1);
    expect(doc.levels[0].summary).toMatchObject({ requests: 2, succeeded: 0, failed: 2 });
  });

  it("caps the wait at 30 s and ignores Retry-After on other statuses", () => {
    const r = (status: number, retryAfterMs?: number) => ({ status, retryAfterMs }) as CompletionResult;
    expect(retryWaitMs(r(429, 250), 0)).toBe(250);
    expect(retryWaitMs(r(429, 120_000), 0)).toBe(MAX_RETRY_WAIT_MS);
    expect(MAX_RETRY_WAIT_MS).toBe(30_000);
    expect(retryWaitMs(r(429, 10_000), 1000, 4000)).toBe(3000);
    expect(retryWaitMs(r(429, 10_000), 5000, 4000)).toBe(0);
    expect(retryWaitMs(r(429), 0)).toBe(0);
    expect(retryWaitMs(r(503, 5000), 0)).toBe(0);
  });
});

describe("probe regress", () => {
  let fastFile: string;
  let slowFile: string;
  beforeAll(async () => {
    fastFile = join(dir, "fast.json");
    slowFile = join(dir, "slow.json");
    expect((await probe(["latency", "--endpoint", fx.url, "--model", "fast", "--iterations", "6", "--warmup", "1", "--export", fastFile])).code).toBe(0);
    expect((await probe(["latency", "--endpoint", fx.url, "--model", "slow", "--iterations", "6", "--warmup", "1", "--export", slowFile])).code).toBe(0);
  });

  it("exits 0 on the same run, 1 on a slower one, and prints the deltas", async () => {
    expect((await probe(["regress", "--baseline", fastFile, "--current", fastFile])).code).toBe(0);
    const r = await probe(["regress", "--baseline", fastFile, "--current", slowFile]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^TTFT +p95 +\d+ms +\d+ms +\+\d+\.\d% +\+15% +REGRESSED$/m);
    expect(r.out).toMatch(/^end to end +p95 +\d+ms +\d+ms +\+\d+\.\d% +\+15% +REGRESSED$/m);
    expect(r.out).toMatch(/^REGRESSION: TTFT p95 \+\d+\.\d% \(limit 15%\); end to end p95 \+\d+\.\d% \(limit 15%\)$/m);
    expect(r.out).toContain("note: the models differ: fast (baseline) and slow\n");
    // Faster than the baseline is no regression.
    expect((await probe(["regress", "--baseline", slowFile, "--current", fastFile])).code).toBe(0);
  });

  it("takes a threshold for the default checks and per metric", async () => {
    const { doc, code } = await json(["regress", "--baseline", fastFile, "--current", slowFile, "--threshold", "1000"]);
    expect(code).toBe(0);
    const base = JSON.parse(await readFile(fastFile, "utf8"));
    const cur = JSON.parse(await readFile(slowFile, "utf8"));
    const ttft = doc.deltas.find((d: { metric: string; stat: string }) => d.metric === "ttft_ms" && d.stat === "p95");
    expect(ttft).toMatchObject({ baseline: base.summary.ttft_ms.p95, current: cur.summary.ttft_ms.p95, limit_pct: 1000, regressed: false });
    expect(ttft.delta).toBeCloseTo((cur.summary.ttft_ms.p95 - base.summary.ttft_ms.p95) / base.summary.ttft_ms.p95, 9);
    // Only end-to-end p50 checked tightly: that alone fails.
    const one = await json(["regress", "--baseline", fastFile, "--current", slowFile, "--threshold", "1000", "--threshold", "e2e.p50=20"]);
    expect(one.code).toBe(1);
    expect(one.doc.deltas.filter((d: { regressed?: boolean }) => d.regressed).map((d: { metric: string; stat: string }) => `${d.metric}.${d.stat}`)).toEqual(["e2e_ms.p50"]);
    // tokens/s: a drop is the regression. A tps.p50 drop of 50% against a 10% limit...
    const halved = JSON.parse(await readFile(fastFile, "utf8"));
    halved.summary.tokens_per_second.p50 /= 2;
    const halvedFile = join(dir, "halved.json");
    await writeFile(halvedFile, JSON.stringify(halved));
    const tps = await json(["regress", "--baseline", fastFile, "--current", halvedFile, "--threshold", "tps.p50=10"]);
    expect(tps.code).toBe(1);
    expect(tps.doc.deltas.find((d: { metric: string; stat: string }) => d.metric === "tokens_per_second" && d.stat === "p50")).toMatchObject({ delta: -0.5, regressed: true });
    // ...and a rise is not.
    expect((await probe(["regress", "--baseline", halvedFile, "--current", fastFile, "--threshold", "tps.p50=10"])).code).toBe(0);
  });

  it("fails on a fall in success rate past --max-success-drop points (default 1), however fast the rest was", async () => {
    // Half the requests failed; the latency of those that succeeded is the baseline's own.
    const half = JSON.parse(await readFile(fastFile, "utf8"));
    half.summary = { ...half.summary, requests: 12, failed: 6, success_rate: 0.5, errors: [{ error: "HTTP 500: boom", status: 500, count: 6 }] };
    const halfFile = join(dir, "half.json");
    await writeFile(halfFile, JSON.stringify(half));
    const r = await probe(["regress", "--baseline", fastFile, "--current", halfFile]);
    expect(r.code).toBe(1);
    expect(r.out).toContain("success rate 100% -> 50.0% (-50 points, limit -1 points) REGRESSED\n");
    expect(r.out).toMatch(/^REGRESSION: success rate -50 points \(limit -1 points\)$/m);
    const j = await json(["regress", "--baseline", fastFile, "--current", halfFile]);
    expect(j.doc.success).toEqual({ baseline: 1, current: 0.5, drop_pts: 50, limit_pts: 1, regressed: true });
    expect((await probe(["regress", "--baseline", fastFile, "--current", halfFile, "--max-success-drop", "60"])).code).toBe(0);
    // 100% -> 99%: one point, within the default; 98%: past it.
    const at = async (rate: number) => {
      const f = join(dir, `rate-${rate}.json`);
      await writeFile(f, JSON.stringify({ ...half, summary: { ...half.summary, success_rate: rate } }));
      return (await probe(["regress", "--baseline", fastFile, "--current", f])).code;
    };
    expect(await at(0.99)).toBe(0);
    expect(await at(0.98)).toBe(1);
    // A rise is no regression.
    expect((await probe(["regress", "--baseline", halfFile, "--current", fastFile])).out).toContain("success rate 50.0% -> 100% (+50 points, limit -1 points) ok\n");
    const bad = await probeCommand(["regress", "--baseline", fastFile, "--current", halfFile, "--max-success-drop", "lots"], captureIo().io).catch((e: Error) => e.message);
    expect(bad).toBe('--max-success-drop takes a number from 0 to 100 (not "lots")');
  });

  it("runs a fresh latency probe with the baseline's settings when there is no --current", async () => {
    fx.reset();
    const fresh = join(dir, "fresh.json");
    const ok = await json(["regress", "--baseline", fastFile, "--endpoint", fx.url, "--threshold", "100", "--export", fresh]);
    expect(ok.code).toBe(0);
    expect(fx.counts()).toEqual({ fast: { 200: 7 } });
    expect(JSON.parse(await readFile(fresh, "utf8"))).toMatchObject({ model: "fast", settings: { iterations: 6, warmup: 1 } });
    expect(ok.doc.notes).toEqual([]);
    const otherPrompt = await json(["regress", "--baseline", fastFile, "--endpoint", fx.url, "--iterations", "2", "--warmup", "0", "--threshold", "100", "--prompt", "something else"]);
    expect(otherPrompt.code).toBe(0);
    expect(otherPrompt.doc.notes).toEqual(["the prompt sets differ (pass the baseline's --prompt / --prompt-file)"]);
    const slower = await probe(["regress", "--baseline", fastFile, "--endpoint", fx.url, "--model", "slow", "--iterations", "3", "--warmup", "0"]);
    expect(slower.code).toBe(1);
    expect(slower.out).toMatch(/^current: +a fresh run of slow at http:\/\/127\.0\.0\.1:\d+\/v1/m);
  });

  it("refuses files that are not a latency export, by name", async () => {
    const notJson = join(dir, "bad.json");
    await writeFile(notJson, "{nope");
    const other = join(dir, "other.json");
    await writeFile(other, JSON.stringify({ kind: "something-else" }));
    const newer = join(dir, "newer.json");
    await writeFile(newer, JSON.stringify({ ...JSON.parse(await readFile(fastFile, "utf8")), version: 99 }));
    const cut = join(dir, "cut.json");
    await writeFile(cut, JSON.stringify({ ...JSON.parse(await readFile(fastFile, "utf8")), summary: { ttft_ms: {} } }));
    const err = async (args: string[]) => probeCommand(args, captureIo().io).then(() => "no error", (e: Error) => (e instanceof CliError ? e.message : `not a CliError: ${e}`));
    expect(await err(["regress", "--baseline", join(dir, "missing.json"), "--current", fastFile])).toBe(`--baseline ${join(dir, "missing.json")}: no such file`);
    expect(await err(["regress", "--baseline", notJson, "--current", fastFile])).toMatch(/^--baseline .*bad\.json: not JSON \(/);
    expect(await err(["regress", "--baseline", fastFile, "--current", other])).toBe(`--current ${other}: not a probe latency export (expected "kind": "inferscope-probe-latency", as \`inferscope probe latency --export FILE\` writes)`);
    expect(await err(["regress", "--baseline", newer, "--current", fastFile])).toBe(`--baseline ${newer}: export version 99; this inferscope reads version 1 (upgrade it to read newer exports)`);
    expect(await err(["regress", "--baseline", cut, "--current", fastFile])).toBe(`--baseline ${cut}: has no summary.e2e_ms; the file is cut off or edited`);
  });
});
