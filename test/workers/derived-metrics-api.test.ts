// Derived metrics over the Prometheus HTTP API of the query worker in workerd
// (its Neon driver, its wiring of the storage): the same endpoints Grafana
// calls, over logs stored (with their rollups) for the stack's tenant.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { logRow } from "../support/log-row";
import { storeLogs } from "../support/store-logs";
import { startTestStack, type TestStack } from "../helpers/stack";

let stack: TestStack;
const T = Math.floor((Date.now() - 30 * 60_000) / 60_000) * 60_000; // a minute boundary half an hour ago
const sec = (ms: number) => ms / 1000;
const key = { apiKeyAlias: "key-a", apiKeyHash: "h-1", team: "t-1", user: "u-1", requestedModel: "gpt-4o", deploymentId: "dep-1" };

beforeAll(async () => {
  stack = await startTestStack();
  await storeLogs(stack.db.db, stack.tenantId, [
    ...[300, 800, 1600].map((ms, i) => logRow(`ok${i}`, T + 1000 * i, { ...key, model: "gpt-4o-mini", provider: "openai", status: "success", latencyMs: ms, inputTokens: 10, outputTokens: 5, totalTokens: 15, costUsd: 0.5 })),
    logRow("bad", T + 60_000 + 5000, { ...key, model: "gpt-4o-mini", provider: "openai", status: "failure", httpStatus: 429, errorClass: "RateLimitError", latencyMs: 20 }),
  ]);
});
afterAll(async () => {
  await stack?.close();
});

async function get(path: string) {
  const res = await fetch(`${stack.url}${path}`, { headers: { authorization: `Bearer ${stack.key}` } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { data: any }).data;
}
const q = (expr: string) => encodeURIComponent(expr);

describe("derived metrics over the HTTP API", () => {
  it("instant and range queries", async () => {
    expect((await get(`/api/v1/query?query=${q("sum(litellm_proxy_total_requests_metric_total)")}`)).result[0].value[1]).toBe("4");
    const range = await get(`/api/v1/query_range?query=${q("sum(llm_requests_total)")}&start=${sec(T - 120_000)}&end=${sec(T + 180_000)}&step=60`);
    expect(range.result[0].values).toEqual([[sec(T), "0"], [sec(T + 60_000), "3"], [sec(T + 120_000), "4"], [sec(T + 180_000), "4"]]);
    const p50 = await get(`/api/v1/query?query=${q("histogram_quantile(0.5, sum(rate(litellm_request_total_latency_metric_bucket[2m])) by (le))")}&time=${sec(T + 60_000)}`);
    // 0.3, 0.8 and 1.6 s: rank 1.5 falls half way into (0.5, 1.0].
    expect(Number(p50.result[0].value[1])).toBeCloseTo(0.75, 12);
    const spend = await get(`/api/v1/query?query=${q("sum(litellm_spend_metric_total)")}`);
    expect(spend.result[0].value[1]).toBe("1.5");
  });

  it("series, label values and metadata", async () => {
    const range = `start=${sec(T - 60_000)}&end=${sec(Date.now())}`;
    const series = await get(`/api/v1/series?match[]=${q("litellm_proxy_failed_requests_metric_total")}&${range}`);
    expect(series).toEqual([{
      __name__: "litellm_proxy_failed_requests_metric_total", api_key_alias: "key-a", exception_class: "Openai.RateLimitError", exception_status: "429",
      hashed_api_key: "h-1", model_id: "dep-1", requested_model: "gpt-4o", team: "t-1", team_alias: "None", user: "u-1",
    }]);
    expect(await get(`/api/v1/label/team_alias/values?${range}`)).toEqual(["None"]);
    expect(await get(`/api/v1/label/__name__/values?match[]=${q('{__name__=~"llm_request.*"}')}&${range}`)).toEqual([
      "llm_request_duration_seconds_bucket", "llm_request_duration_seconds_count", "llm_request_duration_seconds_sum", "llm_requests_total",
    ]);
    expect(await get(`/api/v1/metadata?metric=litellm_proxy_total_requests_metric`)).toEqual({
      litellm_proxy_total_requests_metric: [{ type: "counter", help: "Total number of requests made to the proxy server - track number of client side requests", unit: "" }],
    });
  });
});
