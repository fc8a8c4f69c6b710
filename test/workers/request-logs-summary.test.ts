// GET /api/v1/requests/summary over logs stored with their rollups by the real
// write path (test/support/store-logs.ts): quantiles against values worked
// out by hand with histogram_quantile's interpolation, grouping, filters,
// minute rounding, whole days from the per-day tables, tenant isolation, and
// the parameters it refuses.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SummaryData, SummaryRow } from "../../shared/contracts/log-api";
import type { LogRow } from "../../shared/logs/record";
import { DAY_MS, MINUTE_MS } from "../../shared/logs/rollup-spec";
import { startTestStack, type TestStack } from "../helpers/stack";
import { logRow } from "../support/log-row";
import { storeDayRollups, storeLogs } from "../support/store-logs";

let stack: TestStack;
const DAY = Math.floor(Date.now() / DAY_MS) * DAY_MS - 3 * DAY_MS; // a whole UTC day, three days ago
const M1 = DAY + 10 * 3_600_000; // a minute boundary inside it
const iso = (ms: number) => new Date(ms).toISOString();
// Rollups quantise each log's part of a sum (shared/logs/rollup.ts), so means
// and costs are this close: seconds to 2^-24 (6e-8), tokens/s to 2^-16 (1.5e-5),
// dollars to 2^-32 (2e-10). Quantiles come from bucket counts, which are exact.
const SECONDS_DIGITS = 6;
const RATE_DIGITS = 4;
const USD_DIGITS = 8;

const gpt = (i: number, latencyMs: number, extra: Partial<LogRow> = {}) =>
  logRow(`gpt-${i}`, M1 + (i % 2) * MINUTE_MS + i * 1000, {
    model: "gpt-4o", provider: "openai", team: "t-1", teamAlias: "search", project: "chat", environment: "prod", user: "alice",
    latencyMs, inputTokens: 1000, outputTokens: 0, totalTokens: 1000, costUsd: 0.01, ...extra,
  });
const ROWS: LogRow[] = [
  // Latency 4 x 0.7 s (streamed, TTFT 0.15 s, 100 tokens: 181.8 tokens/s), 4 x 1.2 s (300 tokens: 250/s), 2 x 2.2 s.
  ...[0, 1, 2, 3].map((i) => gpt(i, 700, { stream: true, ttftMs: 150, outputTokens: 100, totalTokens: 1100 })),
  ...[4, 5, 6, 7].map((i) => gpt(i, 1200, { outputTokens: 300, totalTokens: 1300 })),
  ...[8, 9].map((i) => gpt(i, 2200)),
  logRow("llama-ok", M1 + 5_000, { model: "llama3", provider: "vllm", team: "t-2", user: "bob", latencyMs: 300, inputTokens: 10, outputTokens: 0, totalTokens: 10 }),
  logRow("llama-bad", M1 + 6_000, {
    model: "llama3", provider: "vllm", team: "t-2", user: "bob", latencyMs: 400_000, status: "failure", httpStatus: 500, errorClass: "InternalServerError",
  }),
];

beforeAll(async () => {
  stack = await startTestStack();
  await storeLogs(stack.db.db, stack.tenantId, ROWS);
  // Only per-day rows for the day before: what a range must read whole days from.
  await storeDayRollups(stack.db.db, stack.tenantId, [logRow("day-only", DAY - DAY_MS + 3_600_000, { model: "day-model", latencyMs: 50 })]);
  // Minutes and days (as the aggregator writes them) early in DAY: what a range starting after it subtracts from DAY's row.
  await storeLogs(stack.db.db, stack.tenantId, [logRow("early", DAY + 10 * MINUTE_MS, { model: "early-model", latencyMs: 50 })]);
  // Another tenant at the same minutes, never counted.
  const other = await stack.tenantWithKey(`summary-other-${Date.now()}`);
  await storeLogs(stack.db.db, other.tenantId, [logRow("x", M1, { model: "gpt-4o", latencyMs: 9_000 }), logRow("y", M1, { model: "secret" })]);
});
afterAll(async () => {
  await stack?.close();
});

async function summary(query: string) {
  const res = await fetch(`${stack.url}/api/v1/requests/summary?${query}`, { headers: { authorization: `Bearer ${stack.key}` } });
  return { status: res.status, body: (await res.json()) as { status: string; data: SummaryData; errorType?: string; error?: string } };
}
const range = (start: number, end: number) => `start=${iso(start)}&end=${iso(end)}`;
const group = (d: SummaryData, model: string) => d.groups.find((g) => g.key.model === model) as SummaryRow;

describe("summary from rollups", () => {
  it("quantiles, means, error rate, tokens and cost per model and in total", async () => {
    const { status, body } = await summary(`by=model&${range(M1, M1 + 5 * MINUTE_MS)}`);
    expect(status).toBe(200);
    const d = body.data;
    expect(d.by).toEqual(["model"]);
    expect(d.groups.map((g) => g.key)).toEqual([{ model: "gpt-4o" }, { model: "llama3" }]);

    const g = group(d, "gpt-4o");
    expect(g.requests).toBe(10);
    expect(g.failures).toBe(0);
    expect(g.error_rate).toBe(0);
    // Cumulative latency buckets: le=1: 4, le=1.5: 8, le=2: 8, le=2.5: 10. p50: rank 5 in (1, 1.5] = 1 + 0.5 * 1/4.
    expect(g.latency_seconds.p50).toBeCloseTo(1.125, 9);
    expect(g.latency_seconds.p90).toBeCloseTo(2 + 0.5 * (1 / 2), 9);
    expect(g.latency_seconds.p95).toBeCloseTo(2 + 0.5 * (1.5 / 2), 9);
    expect(g.latency_seconds.p99).toBeCloseTo(2 + 0.5 * (1.9 / 2), 9);
    expect(g.latency_seconds.mean).toBeCloseTo(1.2, SECONDS_DIGITS);
    // TTFT: 4 x 0.15 s, all in (0.1, 0.5].
    expect(g.ttft_seconds.p50).toBeCloseTo(0.1 + 0.4 * (2 / 4), 9);
    expect(g.ttft_seconds.p99).toBeCloseTo(0.1 + 0.4 * (3.96 / 4), 9);
    expect(g.ttft_seconds.mean).toBeCloseTo(0.15, SECONDS_DIGITS);
    // Tokens/s: 4 x 100/0.55 s in (150, 200], 4 x 300/1.2 s in (200, 300].
    expect(g.output_tokens_per_second.p50).toBeCloseTo(200, 9);
    expect(g.output_tokens_per_second.p90).toBeCloseTo(200 + 100 * (3.2 / 4), 9);
    expect(g.output_tokens_per_second.mean).toBeCloseTo((4 * (100 / 0.55) + 4 * 250) / 8, RATE_DIGITS);
    expect(g.tokens).toEqual({ input: 10_000, output: 1600, total: 11_600, cached: 0 });
    expect(g.cost_usd).toBeCloseTo(0.1, USD_DIGITS);

    const l = group(d, "llama3");
    expect([l.requests, l.failures, l.error_rate]).toEqual([2, 1, 0.5]);
    // 0.3 s in (0.1, 0.5]; 400 s in +Inf, which histogram_quantile answers with the highest finite bound.
    expect(l.latency_seconds.p50).toBeCloseTo(0.5, 9);
    expect(l.latency_seconds.p90).toBe(300);
    expect(l.latency_seconds.mean).toBeCloseTo(200.15, SECONDS_DIGITS);
    expect(l.ttft_seconds).toEqual({ p50: null, p90: null, p95: null, p99: null, mean: null });

    const t = d.total;
    expect(t.key).toEqual({});
    expect([t.requests, t.failures]).toEqual([12, 1]);
    expect(t.error_rate).toBeCloseTo(1 / 12, 12);
    // All 12: le=0.5: 1, le=1: 5, le=1.5: 9, le=2: 9, le=2.5: 11, +Inf: 12.
    expect(t.latency_seconds.p50).toBeCloseTo(1 + 0.5 * (1 / 4), 9);
    expect(t.latency_seconds.p90).toBeCloseTo(2 + 0.5 * (1.8 / 2), 9);
    expect(t.latency_seconds.p95).toBe(300);
    expect(t.tokens.input).toBe(10_010);
  });

  it("groups by several dimensions, and by team id (team_alias is its own dimension)", async () => {
    const a = (await summary(`by=model,provider&${range(M1, M1 + 5 * MINUTE_MS)}`)).body.data;
    expect(a.groups.map((g) => [g.key, g.requests])).toEqual([[{ model: "gpt-4o", provider: "openai" }, 10], [{ model: "llama3", provider: "vllm" }, 2]]);
    const b = (await summary(`by=team&by=team_alias&${range(M1, M1 + 5 * MINUTE_MS)}`)).body.data;
    expect(b.by).toEqual(["team", "team_alias"]);
    expect(b.groups.map((g) => [g.key, g.requests])).toEqual([[{ team: "t-1", team_alias: "search" }, 10], [{ team: "t-2", team_alias: "" }, 2]]);
  });

  it("filters on dimensions: team by id or alias, status (error = failure), repeated values are any of", async () => {
    const r = range(M1, M1 + 5 * MINUTE_MS);
    const total = async (q: string) => (await summary(`${q}&${r}`)).body.data.total.requests;
    expect(await total("team=search")).toBe(10);
    expect(await total("team=t-2")).toBe(2);
    expect(await total("status=failure")).toBe(1);
    expect(await total("status=error")).toBe(1);
    expect(await total("model=llama3&status=success")).toBe(1);
    expect(await total("model=llama3&model=gpt-4o")).toBe(12);
    expect(await total("user=alice&provider=openai&project=chat&environment=prod")).toBe(10);
    expect(await total("model=none")).toBe(0);
    const none = (await summary(`model=none&by=model&${r}`)).body.data;
    expect(none.groups).toEqual([]);
    expect(none.total.error_rate).toBeNull();
    expect(none.total.latency_seconds.p50).toBeNull();
  });

  it("rounds the range out to whole minutes", async () => {
    const a = (await summary(`${range(M1 + 30_000, M1 + 59_000)}`)).body.data;
    expect([a.start, a.end]).toEqual([iso(M1), iso(M1 + MINUTE_MS)]);
    // Minute M1 only: gpt-0, 2, 4, 6, 8 and both llama records.
    expect(a.total.requests).toBe(7);
    expect(a.groups).toEqual([]);
    const b = (await summary(`${range(M1 + MINUTE_MS, M1 + MINUTE_MS)}`)).body.data;
    expect([b.start, b.end, b.total.requests]).toEqual([iso(M1 + MINUTE_MS), iso(M1 + 2 * MINUTE_MS), 5]);
  });

  it("reads whole UTC days from the per-day rollups and the rest from the per-minute ones", async () => {
    const both = (await summary(`by=model&${range(DAY - DAY_MS - 3_600_000, DAY + DAY_MS + 3_600_000)}`)).body.data;
    expect(both.groups.map((g) => [g.key.model, g.requests])).toEqual([["gpt-4o", 10], ["llama3", 2], ["day-model", 1], ["early-model", 1]]);
    expect(group(both, "gpt-4o").latency_seconds.p50).toBeCloseTo(1.125, 9);
    // The last 11 h of the day before: read from its minutes, of which there are none.
    const part = (await summary(`by=model&${range(DAY - 11 * 3_600_000, DAY + DAY_MS)}`)).body.data;
    expect(part.groups.map((g) => g.key.model)).toEqual(["gpt-4o", "llama3", "early-model"]);
  });

  it("reads most of a day as its day row less the minutes outside the range, and drops groups left empty", async () => {
    // From DAY + 1 h: DAY's rows less its first hour (early-model's only record); the same sums as the minutes give.
    const d = (await summary(`by=model&${range(DAY + 3_600_000, DAY + DAY_MS)}`)).body.data;
    expect(d.groups.map((g) => [g.key.model, g.requests])).toEqual([["gpt-4o", 10], ["llama3", 2]]);
    const fromMinutes = (await summary(`by=model&${range(M1 - 60_000, M1 + 2 * MINUTE_MS)}`)).body.data;
    expect(d.groups).toEqual(fromMinutes.groups);
    expect(d.total).toEqual(fromMinutes.total);
  });

  it("never counts another tenant's rollups", async () => {
    const d = (await summary(`by=model&${range(M1, M1 + MINUTE_MS)}`)).body.data;
    expect(d.groups.map((g) => g.key.model)).toEqual(["gpt-4o", "llama3"]);
    expect(group(d, "gpt-4o").latency_seconds.p99).toBeLessThan(3);
  });

  it("refuses filters that are not rollup dimensions, unknown dimensions and bad ranges", async () => {
    for (const p of ["tag=a", "q=timeout", "min_latency_ms=5", "fingerprint=x"]) {
      const r = await summary(p);
      expect(r.status).toBe(400);
      expect(r.body.errorType).toBe("bad_data");
      expect(r.body.error).toContain("/api/v1/requests");
      expect(r.body.error).toContain(JSON.stringify(p.split("=")[0]));
    }
    const by = await summary("by=model,colour");
    expect([by.status, by.body.error]).toEqual([400, expect.stringMatching(/"colour" is not a summary dimension/)]);
    const rev = await summary(range(M1, M1 - 1000));
    expect([rev.status, rev.body.error]).toEqual([400, expect.stringMatching(/before start/)]);
    const st = await summary("status=maybe");
    expect([st.status, st.body.error]).toEqual([400, expect.stringMatching(/"status".*"maybe"/)]);
    const bad = await summary("start=yesterday");
    expect(bad.status).toBe(400);
    const unknown = await summary("modle=gpt-4o");
    expect([unknown.status, unknown.body.error]).toEqual([400, expect.stringMatching(/unknown parameter "modle"/)]);
  });
});
