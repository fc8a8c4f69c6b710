// inferscope tail against a fake log API: follows from "now", prints only
// records it has not printed, passes filters, survives a server that goes away.
import { afterEach, describe, expect, it } from "vitest";
process.env.TZ = "UTC";
import { tailCommand, RecentKeys } from "../../cli/commands/tail";
import { tailLine, TailStats } from "../../cli/commands/tail-view";
import { palette, stripAnsi } from "../../cli/terminal/colour";
import { apiError, captureIo, FakeApi, ok, TEST_KEY } from "./fake-api";
import { view } from "./records";

const servers: FakeApi[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop().catch(() => {})));
});
async function fake() {
  const api = await new FakeApi().start();
  servers.push(api);
  return api;
}

async function until(cond: () => boolean, what: string, ms = 10_000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Runs tail in-process until stop() (the test's Ctrl-C). */
function runTail(api: FakeApi, extra: string[]) {
  const ac = new AbortController();
  const cap = captureIo({ signal: ac.signal });
  const done = tailCommand(["--url", api.url, "--key", TEST_KEY, "--interval", "100ms", ...extra], cap.io);
  return { ...cap, done, stop: () => ac.abort() };
}

const A = view("req-a", "2026-01-01T00:00:01.000Z", { latency_ms: 800 });
const B = view("req-b", "2026-01-01T00:00:02.000Z", { latency_ms: 6500, status: "failure", http_status: 429, error_type: "rate_limit", error_message: "Rate limit reached for gpt-4o-mini" });

describe("inferscope tail", () => {
  it("starts at now, prints a record offered after the first poll, once, and passes filters", async () => {
    const api = await fake();
    api.route("/api/v1/requests/tail", (_req, n) => {
      if (n === 1) return ok({ records: [], next_after: 1000 });
      // The API may repeat records across polls: A comes back on every poll, B from the third.
      return ok({ records: n >= 3 ? [A, B] : [A], next_after: 1000 + n });
    });
    const before = Date.now();
    const t = runTail(api, ["--json", "--model", "gpt-4o-mini", "--status", "failure"]);
    await until(() => api.calls("/api/v1/requests/tail").length >= 5, "five polls");
    t.stop();
    expect(await t.done).toBe(0);
    const polls = api.calls("/api/v1/requests/tail");
    const firstAfter = Number(polls[0].query.get("after"));
    expect(firstAfter).toBeGreaterThanOrEqual(before);
    expect(firstAfter).toBeLessThanOrEqual(Date.now());
    expect(polls[1].query.get("after")).toBe("1000");
    expect(polls[2].query.get("after")).toBe("1002");
    expect(polls[0].query.get("model")).toBe("gpt-4o-mini");
    expect(polls[0].query.get("status")).toBe("failure");
    const lines = t.out().trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.map((r) => r.request_id)).toEqual(["req-a", "req-b"]);
    expect(lines[1]).toEqual(B);
    expect(t.err()).toMatch(/^2 requests, 1 failed \(50\.0%\), latency p50 3\.65s p95 6\.21s/m);
  });

  it("the same id at another time is another record, not a repeat", async () => {
    const api = await fake();
    const again = { ...A, time: "2026-01-01T00:00:05.000Z" };
    api.route("/api/v1/requests/tail", (_r, n) => ok({ records: n === 1 ? [A] : [A, again], next_after: n }));
    const t = runTail(api, ["--json"]);
    await until(() => api.calls("/api/v1/requests/tail").length >= 3, "three polls");
    t.stop();
    await t.done;
    expect(t.out().trim().split("\n").map((l) => JSON.parse(l).time)).toEqual([A.time, again.time]);
  });

  it("retries a server that goes away, with a message, and carries on when it is back", async () => {
    const api = await fake();
    const port = api.port;
    api.route("/api/v1/requests/tail", () => ok({ records: [], next_after: 5 }));
    const t = runTail(api, ["--json"]);
    await until(() => api.calls("/api/v1/requests/tail").length >= 1, "a first poll");
    await api.stop();
    await until(() => /retrying in/.test(t.err()), "a retry message");
    expect(t.err()).toMatch(/cannot reach http:\/\/127\.0\.0\.1:\d+: .*; retrying in 0\.\ds/);
    const back = new FakeApi().route("/api/v1/requests/tail", () => ok({ records: [A], next_after: 6 }));
    await back.start(port);
    servers.push(back);
    await until(() => t.out().includes("req-a"), "the record after the server came back");
    t.stop();
    expect(await t.done).toBe(0);
    expect(t.err()).toMatch(/reconnected to http:\/\/127\.0\.0\.1/);
    // It resumed from where it was, not from a new "now".
    expect(back.calls("/api/v1/requests/tail")[0].query.get("after")).toBe("5");
  });

  it("a 503 is retried too", async () => {
    const api = await fake();
    api.route("/api/v1/requests/tail", (_r, n) => (n === 2 ? apiError(503, "unavailable", "database unavailable") : ok({ records: n === 3 ? [A] : [], next_after: n })));
    const t = runTail(api, ["--json"]);
    await until(() => t.out().includes("req-a"), "the record after the 503");
    t.stop();
    expect(await t.done).toBe(0);
    expect(t.err()).toMatch(/HTTP 503 unavailable: database unavailable; retrying in/);
  });

  it("fails at once on an unreachable server at first contact, a bad key, or a refused filter", async () => {
    const api = await fake();
    const port = api.port;
    await api.stop();
    const cap = captureIo({ signal: new AbortController().signal });
    await expect(tailCommand(["--url", `http://127.0.0.1:${port}`, "--key", TEST_KEY], cap.io)).rejects.toThrow(/cannot reach http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/);

    const live = await fake();
    await expect(tailCommand(["--url", live.url, "--key", "wrong"], cap.io)).rejects.toThrow(/HTTP 401 unauthorized: invalid or revoked API key; pass an API key with the query scope/);
    live.route("/api/v1/requests/tail", () => apiError(400, "bad_data", 'invalid parameter "tag": too long'));
    await expect(tailCommand(["--url", live.url, "--key", TEST_KEY], cap.io)).rejects.toThrow(/HTTP 400 bad_data: invalid parameter "tag": too long/);
  });

  it("refuses bad flags before calling anything", async () => {
    const cap = captureIo();
    await expect(tailCommand(["--status", "error", "--key", "k"], cap.io)).rejects.toThrow(/--status takes success or failure/);
    await expect(tailCommand(["--slow", "soon", "--key", "k"], cap.io)).rejects.toThrow(/--slow takes a duration/);
    await expect(tailCommand(["--interval", "10ms", "--key", "k"], cap.io)).rejects.toThrow(/at least 100ms/);
    await expect(tailCommand(["--colour"], cap.io)).rejects.toThrow(/Unknown option '--colour'/);
    await expect(tailCommand([], captureIo({ env: {} }).io)).rejects.toThrow(/no API key: pass --key or set INFERSCOPE_API_KEY/);
  });
});

describe("tail lines and stats", () => {
  it("one line per request, the slow latency highlighted, the error shortened", () => {
    const p = palette(true);
    const slow = tailLine(B, { slowMs: 5000, palette: p });
    expect(slow).toContain("\x1b[1m\x1b[33m  6.50s\x1b[39m\x1b[22m");
    expect(stripAnsi(slow)).toBe(
      "00:00:02.000  failure  gpt-4o-mini               openai        6.50s  ttft  300ms       100→50 tok    $0.0004  req-b  429 rate_limit: Rate limit reached for gpt-4o-mini",
    );
    const fast = tailLine(A, { slowMs: 5000, palette: p });
    expect(fast).not.toContain("\x1b[33m");
    expect(stripAnsi(tailLine({ ...A, input_tokens: null, output_tokens: null, total_tokens: null, cost_usd: null, ttft_ms: null }, { slowMs: 5000, palette: palette(false) })))
      .toBe("00:00:01.000  success  gpt-4o-mini               openai        800ms  ttft      -            - tok          -  req-a");
  });

  it("stats: count, error rate, exact p50/p95 latency, throughput", () => {
    const s = new TailStats(0);
    for (let i = 1; i <= 10; i++) s.add(view(`r${i}`, "2026-01-01T00:00:00Z", { latency_ms: i * 100, total_tokens: 100, status: i === 10 ? "failure" : "success" }));
    const snap = s.snapshot(10_000);
    expect(snap).toMatchObject({ requests: 10, failures: 1, error_rate: 0.1, latency_p50_ms: 550, tokens: 1000, tokens_per_second: 100 });
    expect(snap.latency_p95_ms).toBeCloseTo(955, 9);
    expect(s.line(10_000)).toBe("10 requests, 1 failed (10.0%), latency p50 550ms p95 955ms, 100 tokens/s over 10.0s");
  });

  it("remembers a bounded number of keys", () => {
    const k = new RecentKeys(2);
    expect([k.add("a"), k.add("a"), k.add("b"), k.add("c"), k.add("a")]).toEqual([true, false, true, true, true]);
  });
});
