// Metrics derived from request-log rollups, through the Postgres storage and
// the PromQL engine, on real Postgres: every expected value is worked out by
// hand from the events below (Prometheus's extrapolation included).
import { beforeAll, describe, expect, it } from "vitest";
import { PgDialect } from "drizzle-orm/pg-core";
import { ensureTenant } from "../../shared/admin";
import type { Db } from "../../shared/db";
import type { LogRow } from "../../shared/logs/record";
import { postgresQueryStorage, type QueryStorageOptions } from "../../shared/storage/postgres/read";
import type { LabelMatcher, QueryStorage, SeriesData } from "../../shared/storage/types";
import { instantQuery, labelsPredicate, parseSeriesSelector, type VectorResult } from "../../workers/query/promql";
import { logRow } from "../support/log-row";
import { useNodeDb } from "../support/node-db";
import { storeLogs } from "../support/store-logs";

const M = 60_000;
const H = 3_600_000;
const DAY = 86_400_000;
const TODAY = Date.UTC(2026, 2, 10);
const at = (day: number, h: number, m: number, s = 0) => TODAY + day * DAY + h * H + m * M + s * 1000;
const NOW = at(0, 12, 0, 30); // 12:00:30 today: a quiet minute
// Rollups quantise each log's part of a sum (shared/logs/rollup.ts): seconds to
// 2^-24 (6e-8), dollars to 2^-32 (2e-10); sums of a few logs are this close.
const SECONDS_DIGITS = 6;
const USD_DIGITS = 9;

const gpt: Partial<LogRow> = {
  model: "gpt-4o-mini", requestedModel: "gpt-4o", provider: "openai", deploymentId: "dep-1", status: "success", httpStatus: 200,
  team: "t-1", user: "u-1", apiKeyAlias: "key-a", apiKeyHash: "h-1", stream: true,
};
const llama: Partial<LogRow> = { model: "llama3", provider: "ollama", project: "p1", environment: "prod", status: "success", stream: false };
const tokens = (input: number, output: number, cached: number | null) => ({ inputTokens: input, outputTokens: output, totalTokens: input + output, cachedTokens: cached });

const EVENTS: LogRow[] = [
  logRow("a", at(-3, 8, 0), { ...gpt, latencyMs: 1000, ttftMs: 200, ...tokens(100, 40, 0), costUsd: 0.004, cacheHit: false }),
  logRow("b", at(-1, 9, 0, 10), { model: "old-model", provider: "openai", status: "success", latencyMs: 500, ...tokens(1, 1, null), costUsd: 0.001 }),
  logRow("c", at(-1, 22, 10, 5), { ...gpt, latencyMs: 1200, ttftMs: 300, ...tokens(100, 50, 20), costUsd: 0.01, cacheHit: false }),
  logRow("d", at(-1, 22, 10, 40), { ...gpt, latencyMs: 400, ttftMs: 100, ...tokens(10, 5, 5), costUsd: 0.002, cacheHit: true }),
  logRow("e", at(0, 11, 0, 10), { ...gpt, status: "failure", httpStatus: 429, errorClass: "RateLimitError", latencyMs: 50 }),
  ...[200, 700, 2200, 6000].map((ms, i) => logRow(`f${i}`, at(0, 11, 30, 5 + 10 * i), { ...llama, latencyMs: ms, ...tokens(10, 20, null) })),
  logRow("g", at(0, 11, 58, 20), { ...gpt, latencyMs: 3000, ttftMs: 500, ...tokens(50, 25, 0), costUsd: 0.005, cacheHit: false }),
];

const testDb = useNodeDb();
let tenantId: number;
let storage: QueryStorage;

const store = (opts: QueryStorageOptions = {}, db: Db = testDb(), tenant = tenantId) => postgresQueryStorage(db, tenant, labelsPredicate, { now: () => NOW, ...opts });
const sel = (s: string) => parseSeriesSelector(s) as LabelMatcher[];

async function vector(expr: string, t = NOW, s = storage) {
  const r = await instantQuery(s, expr, t);
  expect(r.resultType).toBe("vector");
  return (r as VectorResult).result.map((x) => ({ metric: x.metric, v: x.v }));
}
const scalarOf = async (expr: string, t = NOW) => {
  const v = await vector(expr, t);
  expect(v.length).toBe(1);
  return v[0].v;
};

beforeAll(async () => {
  tenantId = (await ensureTenant(testDb(), `derived-${process.pid}-${Date.now().toString(36)}`)).id;
  await storeLogs(testDb(), tenantId, EVENTS);
  storage = store();
});

describe("our families", () => {
  it("sum(llm_requests_total) at now counts every event of series still live (old-model's last event is over 24 h old)", async () => {
    expect(await scalarOf("sum(llm_requests_total)")).toBe(9);
    expect(await scalarOf("count(llm_requests_total)")).toBe(3);
    // The evening before, old-model was still live.
    expect(await scalarOf("count(llm_requests_total)", at(-1, 23, 0))).toBe(2);
  });

  it("increase(...[1h]) at now: exact at a minute boundary, Prometheus's extrapolation in the quiet minute after", async () => {
    // Events in [11:00, 12:00): e, the four llama3 ones, g.
    expect(await scalarOf("sum(increase(llm_requests_total[1h]))", at(0, 12, 0))).toBe(6);
    // At 12:00:30 the window holds the samples 11:01..12:00: gpt (3 -> 4 over 59 min, extrapolated to 60),
    // llama3 (0 -> 4 from 11:30, extrapolated 30 s to the end, none to the start: it starts at 0), e's series flat.
    expect(await scalarOf("sum(increase(llm_requests_total[1h]))")).toBeCloseTo(60 / 59 + (4 * 30.5) / 30, 12);
  });

  it("rate over 5 m", async () => {
    expect(await vector('rate(llm_requests_total{model="llama3"}[5m])', at(0, 11, 35))).toEqual([
      { metric: { model: "llama3", provider: "ollama", status: "success", project: "p1", environment: "prod" }, v: 4 / 300 },
    ]);
  });

  it("histogram_quantile over the latency buckets", async () => {
    // 0.2, 0.7, 2.2 and 6.0 s: rank 3.8 of 4 falls in (5.5, 6.0], 80% of the way.
    expect(await scalarOf("histogram_quantile(0.95, sum by (le) (rate(llm_request_duration_seconds_bucket[5m])))", at(0, 11, 35))).toBeCloseTo(5.9, 12);
    expect(await scalarOf('sum(llm_request_duration_seconds_count{model="llama3"})')).toBe(4);
    expect(await scalarOf('sum(llm_request_duration_seconds_sum{model="llama3"})')).toBeCloseTo(9.1, SECONDS_DIGITS);
    expect(await scalarOf('sum(llm_request_duration_seconds_bucket{model="llama3",le="1.0"})')).toBe(2);
    expect(await scalarOf('sum(llm_request_duration_seconds_bucket{model="llama3",le="+Inf"})')).toBe(4);
  });

  it("tokens by type, TTFT and cost", async () => {
    const cached = await vector('llm_tokens_total{type="cached"}');
    expect(cached).toEqual([
      { metric: { __name__: "llm_tokens_total", environment: "prod", model: "llama3", project: "p1", provider: "ollama", status: "success", type: "cached" }, v: 0 },
      { metric: { __name__: "llm_tokens_total", model: "gpt-4o-mini", provider: "openai", status: "failure", type: "cached" }, v: 0 },
      { metric: { __name__: "llm_tokens_total", model: "gpt-4o-mini", provider: "openai", status: "success", type: "cached" }, v: 25 },
    ]);
    expect(await scalarOf('sum(llm_tokens_total{type="prompt"})')).toBe(100 + 100 + 10 + 40 + 50);
    expect(await scalarOf('sum(llm_tokens_total{type="completion",model="llama3"})')).toBe(80);
    expect(await scalarOf('llm_time_to_first_token_seconds_count{status="success"}')).toBe(4);
    expect(await scalarOf("sum(llm_cost_usd_total)")).toBeCloseTo(0.021, USD_DIGITS);
  });
});

describe("LiteLLM's families and its dashboards' queries", () => {
  it("Proxy - Requests per second (success + failure)", async () => {
    // The four llama3 requests of minute 11:30 over a 2 m window. The proxy metrics have no model label, so
    // llama3 shares its series with old-model, whose request of yesterday makes it start again at 1 (11:30)
    // and go to 5 (11:31): Prometheus extrapolates back only to where it would reach 0, 15 s, so 4 x 75/60.
    expect(await scalarOf("sum(rate(litellm_proxy_total_requests_metric_total[2m]))", at(0, 11, 31))).toBeCloseTo((4 * 75) / 60 / 120, 15);
    expect(await scalarOf('sum(rate(litellm_proxy_total_requests_metric_total{status_code="429"}[2m]))', at(0, 11, 1))).toBeCloseTo(1 / 120, 15);
  });

  it("Proxy Failure Responses / Second By Exception Class", async () => {
    expect(await vector("sum(rate(litellm_proxy_failed_requests_metric_total[2m])) by (exception_class)", at(0, 11, 1))).toEqual([
      { metric: { exception_class: "Openai.RateLimitError" }, v: 1 / 120 },
    ]);
  });

  it("Average & Median Response Latency", async () => {
    const t = at(0, 11, 31);
    expect(await scalarOf("sum(rate(litellm_request_total_latency_metric_sum[2m]))/sum(rate(litellm_request_total_latency_metric_count[2m]))", t)).toBeCloseTo(9.1 / 4, SECONDS_DIGITS);
    // Rank 2 of 4 is the top of the le="1.0" bucket.
    expect(await scalarOf("histogram_quantile(0.5, sum(rate(litellm_request_total_latency_metric_bucket[2m])) by (le))", t)).toBeCloseTo(1.0, 12);
  });

  it("labels as LiteLLM writes them, and success-only families", async () => {
    const v = await vector('litellm_proxy_total_requests_metric_total{requested_model="gpt-4o"}');
    expect(v).toEqual([
      { metric: {
        __name__: "litellm_proxy_total_requests_metric_total", api_key_alias: "key-a", hashed_api_key: "h-1", model_id: "dep-1",
        requested_model: "gpt-4o", status_code: "200", team: "t-1", team_alias: "None", user: "u-1" }, v: 4 },
      { metric: {
        __name__: "litellm_proxy_total_requests_metric_total", api_key_alias: "key-a", hashed_api_key: "h-1", model_id: "dep-1",
        requested_model: "gpt-4o", status_code: "429", team: "t-1", team_alias: "None", user: "u-1" }, v: 1 },
    ]);
    expect(await scalarOf('sum(litellm_requests_metric_total{model="gpt-4o-mini"})')).toBe(4);
    expect(await scalarOf('sum(litellm_deployment_total_requests_total{litellm_model_name="gpt-4o-mini"})')).toBe(5);
    expect(await scalarOf('sum(litellm_deployment_failure_responses_total{exception_status="429"})')).toBe(1);
    expect(await scalarOf("sum(litellm_input_tokens_metric_total)")).toBe(300);
    expect(await scalarOf("sum(litellm_cache_hits_metric_total)")).toBe(1);
    expect(await scalarOf("sum(litellm_cache_misses_metric_total)")).toBe(3);
    // TTFT only for streaming successes; llama3 is not streaming.
    expect(await vector("litellm_llm_api_time_to_first_token_metric_count")).toEqual([
      { metric: expect.objectContaining({ model: "gpt-4o-mini" }), v: 4 },
    ]);
    expect(await scalarOf('litellm_deployment_latency_per_output_token_bucket{litellm_model_name="llama3",le="0.5"}')).toBe(4);
  });

  it("Spend by model over 30 d: the whole sum at a minute boundary", async () => {
    const v = await vector("sum(increase(litellm_spend_metric_total[30d])) by (model)", at(0, 12, 0));
    expect(v.find((x) => x.metric.model === "gpt-4o-mini")!.v).toBeCloseTo(0.021, USD_DIGITS);
  });
});

describe("series lifetime and prefixes", () => {
  it("a series ends TTL + 1 minute after its last event", async () => {
    const short = store({ derivedTtlMs: 10 * M });
    expect(await vector("count(llm_requests_total)", NOW, short)).toEqual([{ metric: {}, v: 1 }]);
    const [failed] = await short.select(sel('llm_requests_total{status="failure"}'), { start: at(0, 10, 0), end: NOW });
    expect([...failed.timestamps]).toEqual(Array.from({ length: 12 }, (_, i) => at(0, 11, i)));
    expect([...failed.values]).toEqual([0, ...Array(11).fill(1)]);
  });

  it("no sample after the current minute boundary", async () => {
    const [g] = await storage.select(sel('llm_requests_total{model="gpt-4o-mini",status="success"}'), { start: at(0, 11, 50), end: at(0, 13, 0) });
    expect(g.timestamps[g.timestamps.length - 1]).toBe(at(0, 12, 0));
  });

  const key = (s: SeriesData) => JSON.stringify(s.labels);
  const all = { start: at(-3, 0, 0), end: NOW };
  const windows = [
    { name: "today, reading back from midnight", start: at(0, 11, 50), end: NOW },
    { name: "yesterday evening, reading back", start: at(-1, 22, 11), end: at(-1, 23, 0) },
    { name: "across midnight", start: at(-1, 23, 50), end: at(0, 0, 10) },
    { name: "early in a day, reading forward over day rows", start: at(-2, 7, 0), end: at(-2, 9, 0) },
  ];
  for (const selector of ["llm_requests_total", "llm_cost_usd_total", "llm_request_duration_seconds_bucket", "litellm_spend_metric_total", "llm_tokens_total"]) {
    it(`${selector}: a range starting late gives the absolute values a range from the beginning does`, async () => {
      const ref = new Map((await storage.select(sel(selector), all)).map((s) => [key(s), s]));
      for (const w of windows) {
        const got = await storage.select(sel(selector), w);
        expect(got.length, w.name).toBeGreaterThan(0);
        for (const s of got) {
          const r = ref.get(key(s))!;
          const want = [...r.timestamps].map((t, i) => [t, r.values[i]] as const).filter(([t]) => t >= w.start && t <= w.end);
          expect([...s.timestamps], `${w.name} ${key(s)}`).toEqual(want.map(([t]) => t));
          s.values.forEach((v, i) => expect(v, `${w.name} ${key(s)} at ${s.timestamps[i]}`).toBeCloseTo(want[i][1], 12));
        }
        // And every reference series live in the window shows up.
        const inWindow = [...ref.values()].filter((r) => [...r.timestamps].some((t) => t >= w.start && t <= w.end));
        expect(got.length, w.name).toBe(inWindow.length);
      }
    });
  }
});

describe("series, labels, metadata", () => {
  const today = { start: at(0, 11, 0), end: NOW };

  it("/api/v1/series lists derived series live in the range, with LiteLLM's \"None\"", async () => {
    expect(await storage.series([sel("litellm_requests_metric_total")], today)).toEqual([
      { __name__: "litellm_requests_metric_total", api_key_alias: "None", hashed_api_key: "None", model: "llama3", model_id: "None", team: "None", team_alias: "None", user: "None" },
      { __name__: "litellm_requests_metric_total", api_key_alias: "key-a", hashed_api_key: "h-1", model: "gpt-4o-mini", model_id: "dep-1", team: "t-1", team_alias: "None", user: "u-1" },
    ]);
    // old-model only in its own day.
    expect((await storage.series([sel("llm_requests_total")], { start: at(-1, 9, 0), end: at(-1, 9, 30) })).map((l) => l.model)).toEqual(["old-model"]);
    expect(await storage.series([sel('llm_requests_total{model="old-model"}')], today)).toEqual([]);
  });

  it("label names and values include the derived series'", async () => {
    expect(await storage.labelValues("team_alias", [], today)).toEqual(["None"]);
    expect(await storage.labelValues("exception_class", [], today)).toEqual(["Openai.RateLimitError"]);
    const names = await storage.labelValues("__name__", [], today);
    for (const n of ["llm_requests_total", "llm_request_duration_seconds_bucket", "litellm_proxy_failed_requests_metric_total", "litellm_llm_api_time_to_first_token_metric_bucket", "litellm_cache_hits_metric_total"]) {
      expect(names).toContain(n);
    }
    expect(await storage.labelValues("le", [sel("litellm_deployment_latency_per_output_token_bucket")], today)).toEqual(
      ["+Inf", "0.005", "0.01", "0.025", "0.05", "0.075", "0.1", "0.25", "0.5", "0.75", "1.0", "10.0", "2.5", "5.0", "7.5"],
    );
    const labels = await storage.labelNames([sel('{__name__=~"llm_.*"}')], today);
    expect(labels).toEqual(["__name__", "environment", "le", "model", "project", "provider", "status", "type"]);
  });

  it("metadata lists the families for a tenant with logs, counters under the OpenMetrics family name", async () => {
    const all = await storage.metadata();
    expect(all.llm_requests).toEqual([{ type: "counter", help: "Requests, from request logs.", unit: "" }]);
    expect(all.litellm_request_total_latency_metric).toEqual([{ type: "histogram", help: "Total latency (seconds) for a request to LiteLLM", unit: "" }]);
    expect(await storage.metadata("litellm_requests_metric")).toEqual({
      litellm_requests_metric: [{ type: "counter", help: "deprecated - use litellm_proxy_total_requests_metric. Total number of LLM calls to litellm - track total per API Key, team, user", unit: "" }],
    });
  });

  it("another tenant sees none of it", async () => {
    const other = (await ensureTenant(testDb(), `derived-other-${process.pid}-${Date.now().toString(36)}`)).id;
    const s = store({}, testDb(), other);
    expect(await s.select(sel("llm_requests_total"), { start: at(-3, 0, 0), end: NOW })).toEqual([]);
    expect(await s.series([sel("llm_requests_total")], { start: at(-3, 0, 0), end: NOW })).toEqual([]);
    expect(await s.metadata()).toEqual({});
  });
});

describe("cost of a query for a scraped metric", () => {
  it("issues no derived SQL; a derived one does", async () => {
    const dialect = new PgDialect();
    const texts: string[] = [];
    const spied = new Proxy(testDb(), {
      get(target, prop, recv) {
        if (prop !== "execute") return Reflect.get(target, prop, recv);
        return (q: Parameters<Db["execute"]>[0]) => {
          texts.push(dialect.sqlToQuery(q as never).sql);
          return target.execute(q);
        };
      },
    });
    const s = store({}, spied);
    await instantQuery(s, 'sum(rate(up{job="x"}[5m])) + count(vllm:num_requests_running)', NOW);
    await s.series([sel("up"), sel('{job="vllm"}')], { start: 0, end: NOW });
    await s.labelValues("instance", [sel("up")], { start: 0, end: NOW });
    await s.metadata("up");
    expect(texts.length).toBeGreaterThan(0);
    expect(texts.filter((t) => t.includes("log_"))).toEqual([]);
    await instantQuery(s, "sum(llm_requests_total)", NOW);
    expect(texts.filter((t) => t.includes("log_")).length).toBe(2); // the dims, then one read for the family
  });
});
