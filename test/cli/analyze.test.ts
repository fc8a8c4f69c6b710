// inferscope analyze: over a local LiteLLM log file with no server (exact
// numbers, computed by hand from the fixture), and against a fake log API.
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
process.env.TZ = "UTC";
import { analyzeCommand } from "../../cli/commands/analyze";
import type { ErrorGroupsData, SummaryData, SummaryRow } from "../../shared/contracts/log-api";
import { captureIo, FakeApi, ok, TEST_KEY } from "./fake-api";

const FIXTURE = join(import.meta.dirname, "fixtures", "litellm-payloads.jsonl");

async function analyzeJson(args: string[]) {
  const cap = captureIo();
  const code = await analyzeCommand([...args, "--json"], cap.io);
  return { code, doc: JSON.parse(cap.out()), err: cap.err() };
}
const group = (s: SummaryData, model: string) => s.groups.find((g) => g.key.model === model) as SummaryRow;

describe("analyze --file (no server)", () => {
  it("reads a LiteLLM JSON-lines file: exact totals, quantiles, tokens and cost per model; bad lines counted", async () => {
    const { code, doc, err } = await analyzeJson(["--file", FIXTURE]);
    expect(code).toBe(0);
    // 20 payloads (one wrapped as kwargs' standard_logging_object), a blank line, a line that is not JSON, a payload without startTime.
    expect(doc.source).toMatchObject({ records: 22, skipped: 2, analysed: 20, formats: { litellm: 20 } });
    expect(doc.source.problems).toEqual([
      { where: "line 16", reason: expect.stringMatching(/^not JSON/) },
      { where: "line 23", reason: "startTime: required, float unix seconds (e.g. 1767225600.125)" },
    ]);
    expect(err).toContain("2 of 22 records in");
    expect(err).toContain("line 23: startTime: required");

    const s: SummaryData = doc.summary;
    expect(s.by).toEqual(["model"]);
    expect(s.start).toBe("2026-01-01T00:00:00.125Z");
    expect(s.end).toBe("2026-01-01T00:00:59.900Z");
    expect(s.total).toMatchObject({ requests: 20, failures: 4, error_rate: 0.2, tokens: { input: 21_880, output: 5905, total: 27_785, cached: 0 } });
    expect(s.total.cost_usd).toBeCloseTo(0.0991485, 12);
    expect(s.total.latency_seconds.p50).toBeCloseTo(2.0, 9);
    expect(s.total.latency_seconds.p95).toBeCloseTo(8.34, 9);
    expect(s.total.latency_seconds.p99).toBeCloseTo(25.668, 9);
    expect(s.groups.map((g) => [g.key.model, g.requests, g.failures])).toEqual([
      ["gpt-4o-mini", 10, 2], ["claude-3-5-sonnet-20241022", 6, 1], ["llama3.1:8b", 4, 1],
    ]);
    const gpt = group(s, "gpt-4o-mini");
    expect(gpt.latency_seconds.p50).toBeCloseTo(1.15, 9);
    expect(gpt.latency_seconds.p95).toBeCloseTo(2.375, 9);
    expect(gpt.latency_seconds.p99).toBeCloseTo(2.555, 9);
    expect(gpt.ttft_seconds.p50).toBeCloseTo(0.28, 9); // streams only: 0.22, 0.28, 0.31
    expect(gpt.output_tokens_per_second.p50).toBeCloseTo(112.285714, 5);
    expect(gpt.tokens).toEqual({ input: 6330, output: 1665, total: 7995, cached: 0 });
    expect(gpt.cost_usd).toBeCloseTo(0.0019485, 12);
    const claude = group(s, "claude-3-5-sonnet-20241022");
    expect(claude.latency_seconds.p50).toBeCloseTo(5.9, 9);
    expect(claude.latency_seconds.p95).toBeCloseTo(24.3, 9);
    expect(claude.ttft_seconds.p50).toBeCloseTo(0.72, 9);
    expect(claude.output_tokens_per_second.p50).toBeCloseTo(146.443515, 5);
    expect(claude.cost_usd).toBeCloseTo(0.0972, 12);
    const llama = group(s, "llama3.1:8b");
    expect(llama.ttft_seconds.p50).toBeNull();
    expect(llama.output_tokens_per_second.p50).toBeCloseTo(62.5, 9);

    const e: ErrorGroupsData = doc.errors;
    // The two rate limits differ only in numbers: one group.
    expect(e.groups.map((g) => [g.error_type, g.error_class, g.count, g.http_statuses, g.models])).toEqual([
      ["rate_limit", "RateLimitError", 2, [429], ["gpt-4o-mini"]],
      ["context_length", "ContextWindowExceededError", 1, [400], ["llama3.1:8b"]],
      ["timeout", "Timeout", 1, [408], ["claude-3-5-sonnet-20241022"]],
    ]);
    expect(e.groups[0]).toMatchObject({ first_seen: "2026-01-01T00:00:12.750Z", last_seen: "2026-01-01T00:00:24.900Z", example_request_id: "litellm-call-009" });
  });

  it("groups by team (id or alias filter), and filters like the API", async () => {
    const { doc } = await analyzeJson(["--file", FIXTURE, "--by", "team"]);
    expect(doc.summary.groups.map((g: SummaryRow) => [g.key.team, g.requests])).toEqual([["team-42", 11], ["team-7", 9]]);
    const ads = await analyzeJson(["--file", FIXTURE, "--team", "ads", "--status", "failure"]);
    expect(ads.doc.summary.total.requests).toBe(3);
    expect(ads.doc.source.analysed).toBe(3);
  });

  it("prints errors, performance and usage for people", async () => {
    const cap = captureIo();
    expect(await analyzeCommand(["--file", FIXTURE], cap.io)).toBe(0);
    const text = cap.out();
    expect(text).toContain("2026-01-01 00:00:00 → 2026-01-01 00:00:59 (59.8s), by model");
    expect(text).toContain("20 requests, 4 failed (20.0%), 28k tokens, $0.0991");
    expect(text).toMatch(/Errors: top 3 of 3 groups\nCOUNT +TYPE +CLASS/);
    expect(text).toMatch(/^ +2 +rate_limit +RateLimitError +429 +gpt-4o-mini .*litellm-call-009/m);
    expect(text).toMatch(/^gpt-4o-mini +10 +20\.0% +1\.15s +2\.37s +2\.56s +280ms +307ms +112 +134$/m);
    expect(text).toMatch(/^\(all\) +20 +20\.0% +2\.00s +8\.34s +25\.7s/m);
    expect(text).toMatch(/^claude-3-5-sonnet-20241022 +6 +14k +3\.7k +0 +18k +\$0\.0972 +98\.0%$/m);
  });

  it("reads a JSON array file and a canonical one the same way", async () => {
    const dir = await mkdtemp(join(tmpdir(), "analyze-"));
    const lines = (await readFile(FIXTURE, "utf8")).split("\n").filter((l) => l.trim()).flatMap((l) => {
      try {
        return [JSON.parse(l)];
      } catch {
        return [];
      }
    });
    const array = join(dir, "batch.json");
    await writeFile(array, JSON.stringify(lines, null, 2));
    const fromArray = await analyzeJson(["--file", array, "--format", "litellm"]);
    expect(fromArray.doc.source).toMatchObject({ records: 21, skipped: 1, analysed: 20 });
    expect(fromArray.doc.source.problems).toEqual([{ where: "item 21", reason: "startTime: required, float unix seconds (e.g. 1767225600.125)" }]);
    expect(fromArray.doc.summary.total.requests).toBe(20);

    const canonical = join(dir, "ours.jsonl");
    await writeFile(canonical, [
      JSON.stringify({ request_id: "c1", time: "2026-01-01T00:00:00Z", latency_ms: 100, model: "m", provider: "p", input_tokens: 10, output_tokens: 5 }),
      JSON.stringify({ request_id: "c2", time: 1767225601000, latency_ms: 300, model: "m", status: "error", error_message: "boom" }),
      JSON.stringify({ request_id: "c3", time: "yesterday" }),
    ].join("\n"));
    const c = await analyzeJson(["--file", canonical]);
    expect(c.doc.source).toMatchObject({ records: 3, skipped: 1, formats: { canonical: 2 } });
    expect(c.doc.source.problems[0]).toEqual({ where: "line 3", reason: expect.stringMatching(/^time: /) });
    expect(c.doc.summary.total).toMatchObject({ requests: 2, failures: 1, latency_seconds: { p50: 0.2, mean: 0.2 } });
  });

  it("a file with no valid record exits 1; a missing file and bad flags are usage errors", async () => {
    const dir = await mkdtemp(join(tmpdir(), "analyze-"));
    const junk = join(dir, "junk.jsonl");
    await writeFile(junk, "nope\n{\"hello\": 1}\n");
    const cap = captureIo();
    expect(await analyzeCommand(["--file", junk], cap.io)).toBe(1);
    expect(cap.err()).toContain("no valid records in");
    expect(cap.err()).toContain("line 2: cannot tell its format");
    await expect(analyzeCommand(["--file", join(dir, "absent.jsonl")], cap.io)).rejects.toThrow(/cannot read .*absent\.jsonl: no such file/);
    await expect(analyzeCommand(["--file", junk, "--format", "csv"], cap.io)).rejects.toThrow(/--format takes auto, canonical, litellm, openai, ollama/);
    await expect(analyzeCommand(["--file", junk, "--by", "model,colour"], cap.io)).rejects.toThrow(/--by takes a comma-separated list of .* \(not: colour\)/);
    await expect(analyzeCommand(["--start", "1h", "--end", "2h", "--key", "k"], cap.io)).rejects.toThrow(/--start must be before --end/);
  });
});

describe("analyze against the server", () => {
  let api: FakeApi;
  afterEach(() => api?.stop());

  const row = (key: Record<string, string>, requests: number, failures: number, p50: number): SummaryRow => ({
    key, requests, failures, error_rate: failures / requests,
    latency_seconds: { p50, p90: p50 * 2, p95: p50 * 3, p99: p50 * 4, mean: p50 },
    ttft_seconds: { p50: 0.2, p90: null, p95: 0.4, p99: null, mean: 0.25 },
    output_tokens_per_second: { p50: 80, p90: null, p95: null, p99: null, mean: 75 },
    tokens: { input: 1000 * requests, output: 200 * requests, total: 1200 * requests, cached: 0 }, cost_usd: requests * 0.01,
  });

  it("asks /summary and /errors for the range, by and filters, and prints the report", async () => {
    api = await new FakeApi().start();
    const summary: SummaryData = { start: "2026-01-01T11:00:00.000Z", end: "2026-01-01T12:00:00.000Z", by: ["provider"], total: row({}, 30, 3, 1.5), groups: [row({ provider: "openai" }, 20, 1, 1.2), row({ provider: "" }, 10, 2, 2.1)] };
    const errors: ErrorGroupsData = { groups: [{ fingerprint: "RateLimitError: x", error_type: "rate_limit", error_class: "RateLimitError", count: 3, first_seen: "2026-01-01T11:10:00Z", last_seen: "2026-01-01T11:50:00Z", example_request_id: "r-9", example_message: "Rate limit reached", models: ["gpt-4o"], providers: ["openai"], http_statuses: [429] }] };
    api.route("/api/v1/requests/summary", () => ok(summary)).route("/api/v1/requests/errors", () => ok(errors));
    const now = Date.UTC(2026, 0, 1, 12);
    const cap = captureIo({ now: () => now });
    expect(await analyzeCommand(["--url", api.url, "--key", TEST_KEY, "--by", "provider", "--model", "gpt-4o", "--top", "5"], cap.io)).toBe(0);
    const [s] = api.calls("/api/v1/requests/summary");
    expect(Object.fromEntries(s.query)).toEqual({ start: "2026-01-01T11:00:00.000Z", end: "2026-01-01T12:00:00.000Z", model: "gpt-4o", by: "provider" });
    const [e] = api.calls("/api/v1/requests/errors");
    expect(Object.fromEntries(e.query)).toEqual({ start: "2026-01-01T11:00:00.000Z", end: "2026-01-01T12:00:00.000Z", model: "gpt-4o", limit: "5" });
    const text = cap.out();
    expect(text).toContain("(quantiles estimated from the rollups' histogram buckets)");
    expect(text).toContain("30 requests, 3 failed (10.0%), 36k tokens, $0.30");
    expect(text).toMatch(/^ +3 +rate_limit +RateLimitError +429 +gpt-4o +2026-01-01 11:50:00 +r-9 +Rate limit reached$/m);
    expect(text).toMatch(/^openai +20 +5\.00% +1\.20s +3\.60s +4\.80s +200ms +400ms +80 +75$/m);
    expect(text).toMatch(/^\(none\) +10 +20\.0% +2\.10s/m);

    const j = captureIo({ now: () => now });
    await analyzeCommand(["--url", api.url, "--key", TEST_KEY, "--json", "--start", "2026-01-01T00:00:00Z"], j.io);
    const doc = JSON.parse(j.out());
    expect(doc).toEqual({ source: { url: api.url }, summary, errors });
    expect(api.calls("/api/v1/requests/summary")[1].query.get("start")).toBe("2026-01-01T00:00:00.000Z");
  });
});
