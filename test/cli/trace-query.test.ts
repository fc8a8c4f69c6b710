// inferscope trace and inferscope query against a fake API: the grouped
// record, the timeline, the trace waterfall; the instant table and range charts.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
process.env.TZ = "UTC";
import { queryCommand } from "../../cli/commands/query";
import { onGrid, renderRange } from "../../cli/commands/query-view";
import { traceCommand } from "../../cli/commands/trace";
import { renderTimeline } from "../../cli/commands/trace-view";
import { palette, stripAnsi } from "../../cli/terminal/colour";
import { apiError, captureIo, FakeApi, ok, TEST_KEY } from "./fake-api";
import { view } from "./records";

let api: FakeApi;
beforeEach(async () => {
  api = await new FakeApi().start();
});
afterEach(() => api.stop());
const conn = () => ["--url", api.url, "--key", TEST_KEY];

const failed = view("req-1", "2026-01-01T00:00:00.000Z", {
  trace_id: "t-1", latency_ms: 1200, ttft_ms: null, status: "failure", http_status: 429, error_type: "rate_limit",
  error_class: "RateLimitError", error_message: "Rate limit reached", model: "gpt-4o", input_tokens: 0, output_tokens: 0, total_tokens: 0,
});
const retried = view("req-2", "2026-01-01T00:00:01.300Z", {
  trace_id: "t-1", latency_ms: 3777, ttft_ms: 486, end_time: "2026-01-01T00:00:05.077Z", model: "gpt-4o-mini", provider: "azure",
  team: "team-42", team_alias: "search", tags: ["prod", "batch"], attributes: { region: "eu", retries: 1 },
});

describe("inferscope trace", () => {
  it("prints the record grouped, its timeline and the other records of its trace in time order", async () => {
    // The API lists the trace oldest first; the CLI sorts anyway.
    api.route("/api/v1/requests/req-2", () => ok({ request_id: "req-2", records: [retried], trace: [retried, failed] }));
    const cap = captureIo();
    expect(await traceCommand(["req-2", ...conn()], cap.io)).toBe(0);
    const text = cap.out();
    expect(text).toMatch(/^identity\n  request_id  req-2\n  trace_id    t-1\ntiming\n/);
    expect(text).toContain("  latency      3.78s  (3,777 ms)");
    expect(text).toMatch(/^who\n  team        team-42\n  team_alias  search\n  tags        prod, batch$/m);
    expect(text).toMatch(/^attributes\n  region   eu\n  retries  1$/m);
    expect(text).toMatch(/^not set: call_type, stream, requested_model, .*error_fingerprint$/m);
    expect(text).toMatch(/^timeline \(3\.78s\)\n  start          \+0ms  00:00:01\.300  │\n  first token  \+486ms  00:00:01\.786  │▒{6}\n  end          \+3\.78s  00:00:05\.077  │▒{6}█{44}$/m);
    const trace = text.slice(text.indexOf("trace t-1"));
    expect(trace).toMatch(/^trace t-1 \(2 records over 5\.08s\)\n  {3}\+0ms  failure  gpt-4o  .*req-1  429 rate_limit  │█+\n▶ \+1\.30s  success  gpt-4o-mini .*req-2 .*│ +█+$/m);
  });

  it("the timeline bar is scaled to the latency; no first token, no waiting part", () => {
    const p = palette(false);
    expect(renderTimeline(view("x", "2026-01-01T00:00:00Z", { latency_ms: 1000, ttft_ms: 250 }), 20, p)).toBe(
      "timeline (1.00s)\n  start          +0ms  00:00:00.000  │\n  first token  +250ms  00:00:00.250  │▒▒▒▒▒\n  end          +1.00s  00:00:01.000  │▒▒▒▒▒███████████████\n  ▒ waiting for the first token  █ generating\n",
    );
    expect(renderTimeline(view("x", "2026-01-01T00:00:00Z", { latency_ms: 500, ttft_ms: null }), 10, p)).toBe(
      "timeline (500ms, no first-token time)\n  start    +0ms  00:00:00.000  │\n  end    +500ms  00:00:00.500  │██████████\n",
    );
    expect(renderTimeline(view("x", "2026-01-01T00:00:00Z", { latency_ms: null, ttft_ms: null }), 10, p)).toBe(
      "timeline (no end time or latency recorded)\n  start  +0ms  00:00:00.000  │\n",
    );
  });

  it("--json prints the API's document; an unknown id exits 1 with a clear message", async () => {
    const doc = { request_id: "req-2", records: [retried], trace: [failed, retried] };
    api.route("/api/v1/requests/req-2", () => ok(doc));
    api.route("/api/v1/requests/nope", () => apiError(404, "not_found", "no request nope"));
    api.route("/api/v1/requests/a b", () => ok({ request_id: "a b", records: [], trace: [] }));
    const j = captureIo();
    expect(await traceCommand(["req-2", "--json", ...conn()], j.io)).toBe(0);
    expect(JSON.parse(j.out())).toEqual(doc);
    const missing = captureIo();
    expect(await traceCommand(["nope", ...conn()], missing.io)).toBe(1);
    expect(missing.err()).toBe("inferscope trace: no request nope in this tenant\n");
    const spaced = captureIo();
    expect(await traceCommand(["a b", ...conn()], spaced.io)).toBe(1);
    expect(api.seen.at(-1)!.path).toBe("/api/v1/requests/a%20b");
    expect(spaced.err()).toBe("inferscope trace: no request a b in this tenant\n");
  });
});

describe("inferscope query", () => {
  const now = Date.UTC(2026, 0, 1, 1);
  const start = now / 1000 - 3600;

  it("an instant query is a table of series and values, at --time", async () => {
    api.route("/api/v1/query", () => ok({ resultType: "vector", result: [
      { metric: { __name__: "llm_requests_total", model: "gpt-4o", status: "success" }, value: [start, "42"] },
      { metric: { model: "b" }, value: [start, "0.5"] },
    ] }));
    const cap = captureIo({ now: () => now });
    expect(await queryCommand(["llm_requests_total", "--time", "2026-01-01T00:00:00Z", ...conn()], cap.io)).toBe(0);
    expect(cap.out()).toBe('SERIES                                                VALUE\nllm_requests_total{model="gpt-4o", status="success"}     42\n{model="b"}                                             0.5\n');
    expect(Object.fromEntries(api.calls("/api/v1/query")[0].query)).toEqual({ query: "llm_requests_total", time: "1767225600" });
    api.route("/api/v1/query", () => ok({ resultType: "scalar", result: [start, "2"] }));
    const s = captureIo({ now: () => now });
    await queryCommand(["1+1", ...conn()], s.io);
    expect(s.out()).toBe("scalar 2  at 2026-01-01 00:00:00\n");
    expect(api.calls("/api/v1/query")[1].query.get("time")).toBe("1767229200");
  });

  it("a range query draws a chart per series with a legend, and says what it left out", async () => {
    api.route("/api/v1/query_range", () => ok({ resultType: "matrix", result: [
      { metric: { model: "a" }, values: Array.from({ length: 61 }, (_, i) => [start + i * 60, String(i)]) },
      { metric: { model: "b" }, values: [[start + 1800, "7"]] },
      { metric: { model: "c" }, values: [[start, "1"]] },
    ] }));
    const cap = captureIo({ now: () => now });
    expect(await queryCommand(["rate(x[5m])", "--range", "1h", "--step", "1m", "--max-series", "2", "--height", "3", ...conn()], cap.io)).toBe(0);
    expect(Object.fromEntries(api.calls("/api/v1/query_range")[0].query)).toEqual({ query: "rate(x[5m])", start: String(start), end: String(start + 3600), step: "60" });
    const lines = cap.out().split("\n");
    expect(lines[0]).toBe('[1] {model="a"}  min 0  max 60  last 60  (61 samples)');
    expect(lines[1]).toMatch(/^60 ┤ {41}[▁-█]{20}$/);
    expect(lines[3]).toMatch(/^ 0 ┤▁[▁-█]{60}$/);
    expect(lines[4]).toBe(`   └${"─".repeat(61)}`);
    expect(lines[5]).toMatch(/^ {4}00:00 +00:30 +01:00$/);
    expect(lines[7]).toBe('[2] {model="b"}  min 7  max 7  last 7  (1 samples)');
    // One sample in the middle of the grid; a flat series sits mid-height.
    expect(lines.slice(8, 11)).toEqual([`7 ┤${" ".repeat(61)}`, `  │${" ".repeat(30)}▄${" ".repeat(30)}`, `7 ┤${" ".repeat(30)}█${" ".repeat(30)}`]);
    expect(cap.out()).toContain("+1 more series not shown (--max-series N, or --json for all)");
  });

  it("the default step gives one point per chart column; --json prints the data", async () => {
    api.route("/api/v1/query_range", () => ok({ resultType: "matrix", result: [] }));
    const cap = captureIo({ now: () => now });
    await queryCommand(["up", "--start", "2026-01-01T00:00:00Z", "--end", "2026-01-01T01:00:00Z", "--json", ...conn()], cap.io);
    // Not a terminal: 100 columns, less 12 for the axis = 88 points; 3600 s / 87 steps -> 42 s.
    expect(api.calls("/api/v1/query_range")[0].query.get("step")).toBe("42");
    expect(JSON.parse(cap.out())).toEqual({ resultType: "matrix", result: [] });
  });

  it("shows the API's error type and message; refuses contradictory flags", async () => {
    api.route("/api/v1/query", () => apiError(400, "bad_data", "1:5: parse error: unexpected end of input"));
    const cap = captureIo({ now: () => now });
    await expect(queryCommand(["sum(", ...conn()], cap.io)).rejects.toThrow("GET /api/v1/query: HTTP 400 bad_data: 1:5: parse error: unexpected end of input");
    api.route("/api/v1/query_range", () => apiError(422, "execution", "query processing would load too many samples"));
    await expect(queryCommand(["x", "--range", "1h", ...conn()], cap.io)).rejects.toThrow(/HTTP 422 execution: query processing would load too many samples/);
    await expect(queryCommand(["x", "--step", "1m", ...conn()], cap.io)).rejects.toThrow(/--end and --step are for range queries/);
    await expect(queryCommand(["x", "--range", "1h", "--time", "now", ...conn()], cap.io)).rejects.toThrow(/--time is for instant queries/);
    await expect(queryCommand(["x", "y", ...conn()], cap.io)).rejects.toThrow(/query takes one PromQL expression/);
    await expect(queryCommand(["x", "--max-series", "0", ...conn()], cap.io)).rejects.toThrow(/--max-series takes a whole number from 1 to 1,000 \(not "0"\)/);
  });

  it("places samples on the step grid; NaN and Inf are gaps", () => {
    const l = { startMs: 0, endMs: 4000, stepMs: 1000, width: 80, height: 3, maxSeries: 5 };
    expect(onGrid([[0, "1"], [2, "NaN"], [3, "+Inf"], [4, "5"]], l)).toEqual([1, null, null, null, 5]);
    expect(stripAnsi(renderRange({ resultType: "matrix", result: [] }, l, palette(false)))).toBe("no series in this range (empty result)\n");
  });
});
