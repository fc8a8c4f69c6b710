// The Prometheus HTTP API as Grafana calls it, over data that went through the
// whole pipeline: envelope, GET and form POST, time formats, errors.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startTestStack, type TestStack } from "../helpers/stack";
import { NOT_SELF_MATCH, withoutSelfLabels, withoutSelfMetadata, withoutSelfNames } from "../support/self-series";

let stack: TestStack;
const T0 = Math.floor((Date.now() - 3_600_000) / 60_000) * 60_000; // a minute boundary an hour ago

beforeAll(async () => {
  stack = await startTestStack();
  const samples = (f: (i: number) => number) => Array.from({ length: 20 }, (_, i) => [T0 + i * 15_000, f(i)]);
  const res = await fetch(`${stack.url}/v1/metrics`, {
    method: "POST",
    headers: { authorization: `Bearer ${stack.key}`, "content-type": "application/json" },
    body: JSON.stringify({
      series: [
        { name: "vllm:num_requests_running", labels: { model_name: "llama3", instance: "gpu-1" }, samples: samples((i) => i % 5) },
        { name: "vllm:num_requests_running", labels: { model_name: "mistral", instance: "gpu-2" }, samples: samples(() => 2) },
        { name: "vllm:request_success_total", labels: { model_name: "llama3", instance: "gpu-1" }, samples: samples((i) => i * 10), type: "counter", help: "Count of successful requests." },
        { name: "DCGM_FI_DEV_GPU_UTIL", labels: { gpu: "0", Hostname: "gpu-1" }, samples: samples(() => 87) },
      ],
    }),
  });
  expect(res.status).toBe(202);
  await eventually(async () => withoutSelfNames((await get("/api/v1/label/__name__/values")).body.data ?? []).length === 3, 20_000, "data stored");
});
afterAll(async () => {
  await stack?.close();
});

async function get(path: string) {
  const res = await fetch(`${stack.url}${path}`, { headers: { authorization: `Bearer ${stack.key}` } });
  return { status: res.status, body: (await res.json()) as { status: string; data: any; errorType?: string; error?: string; warnings?: string[] } };
}

async function postForm(path: string, form: Record<string, string>) {
  const res = await fetch(`${stack.url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${stack.key}`, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, body: (await res.json()) as { status: string; data: any; errorType?: string; error?: string } };
}

const sec = (ms: number) => ms / 1000;

describe("query endpoints", () => {
  it("Grafana's health check: 1+1", async () => {
    const r = await get(`/api/v1/query?query=1%2B1&time=${sec(T0)}`);
    expect(r.body).toEqual({ status: "success", data: { resultType: "scalar", result: [sec(T0), "2"] } });
  });

  it("instant query with each matcher type", async () => {
    const at = sec(T0 + 60_000);
    const q = async (expr: string) => (await get(`/api/v1/query?query=${encodeURIComponent(expr)}&time=${at}`)).body.data.result as { metric: Record<string, string>; value: [number, string] }[];
    expect((await q('vllm:num_requests_running{model_name="llama3"}')).map((r) => r.value)).toEqual([[at, "4"]]);
    expect((await q('vllm:num_requests_running{model_name!="llama3"}')).map((r) => r.metric.model_name)).toEqual(["mistral"]);
    expect((await q('vllm:num_requests_running{model_name=~"llam.*"}')).map((r) => r.metric.model_name)).toEqual(["llama3"]);
    expect((await q('vllm:num_requests_running{model_name!~"llam.*"}')).map((r) => r.metric.model_name)).toEqual(["mistral"]);
    expect((await q('{__name__=~"vllm:.*",instance="gpu-1"}')).length).toBe(2);
    // Regexes are anchored: "llam" alone matches nothing.
    expect(await q('vllm:num_requests_running{model_name=~"llam"}')).toEqual([]);
    // RE2 syntax Postgres does not share is decided by the engine's matcher.
    expect((await q('vllm:num_requests_running{model_name=~"(?i)LLAMA\\\\d"}')).map((r) => r.metric.model_name)).toEqual(["llama3"]);
    expect((await q('vllm:num_requests_running{model_name!~"\\\\w+\\\\d"}')).map((r) => r.metric.model_name)).toEqual(["mistral"]);
    expect((await q('vllm:num_requests_running{model_name=~"llama3|mistral"}')).length).toBe(2);
  });

  it("range query by GET with unix seconds and by form POST with RFC 3339 and a duration step", async () => {
    const a = await get(`/api/v1/query_range?query=${encodeURIComponent('vllm:num_requests_running{model_name="llama3"}')}&start=${sec(T0)}&end=${sec(T0 + 60_000)}&step=15`);
    expect(a.body.data.resultType).toBe("matrix");
    expect(a.body.data.result[0].values).toEqual([[sec(T0), "0"], [sec(T0) + 15, "1"], [sec(T0) + 30, "2"], [sec(T0) + 45, "3"], [sec(T0) + 60, "4"]]);
    const b = await postForm("/api/v1/query_range", {
      query: 'vllm:num_requests_running{model_name="llama3"}',
      start: new Date(T0).toISOString(),
      end: new Date(T0 + 60_000).toISOString(),
      step: "15s",
    });
    expect(b.body.data).toEqual(a.body.data);
  });

  it("rate and sum by over the stored counter", async () => {
    const r = await get(`/api/v1/query?query=${encodeURIComponent("sum by (model_name) (rate(vllm:request_success_total[1m]))")}&time=${sec(T0 + 240_000)}`);
    expect(r.body.data.result).toEqual([{ metric: { model_name: "llama3" }, value: [sec(T0 + 240_000), String(10 / 15)] }]);
  });

  it("errors as Prometheus spells them", async () => {
    const parse = await get(`/api/v1/query?query=${encodeURIComponent("sum(")}`);
    expect(parse.status).toBe(400);
    expect(parse.body.errorType).toBe("bad_data");
    expect(parse.body.error).toMatch(/^1:\d+: parse error/);
    const noQuery = await get(`/api/v1/query`);
    expect(noQuery.status).toBe(400);
    const badTime = await get(`/api/v1/query?query=up&time=yesterday`);
    expect(badTime.body.error).toBe('invalid parameter "time": Invalid time value for \'time\': cannot parse "yesterday" to a valid timestamp');
    const tooMany = await get(`/api/v1/query_range?query=up&start=0&end=1000000&step=1`);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error).toMatch(/11,000 points/);
    const negStep = await get(`/api/v1/query_range?query=up&start=0&end=10&step=-1`);
    expect(negStep.body.error).toMatch(/zero or negative query resolution step/);
    const many = await get(`/api/v1/query?query=${encodeURIComponent("vllm:num_requests_running + on() vllm:num_requests_running")}&time=${sec(T0 + 60_000)}`);
    expect(many.status).toBe(422);
    expect(many.body.errorType).toBe("execution");
    const noKey = await fetch(`${stack.url}/api/v1/query?query=up`);
    expect(noKey.status).toBe(401);
    // A deadline shorter than the read: 503 timeout (pg_sleep-free: a tiny timeout on a real query).
    const slow = await get(`/api/v1/query_range?query=${encodeURIComponent("count_over_time({__name__=~\".+\"}[1h])")}&start=${sec(T0)}&end=${sec(T0 + 300_000)}&step=1&timeout=1ms`);
    expect(slow.status).toBe(503);
    expect(slow.body.errorType).toBe("timeout");
    const unknown = await get(`/api/v1/nope`);
    expect(unknown.status).toBe(404);
  });
});

describe("metric browser endpoints", () => {
  it("series with match[], start and end", async () => {
    const r = await get(`/api/v1/series?match[]=${encodeURIComponent('{instance="gpu-1"}')}&start=${sec(T0)}&end=${sec(T0 + 300_000)}`);
    expect(r.body.data).toEqual([
      { __name__: "vllm:num_requests_running", instance: "gpu-1", model_name: "llama3" },
      { __name__: "vllm:request_success_total", instance: "gpu-1", model_name: "llama3" },
    ]);
    const outside = await get(`/api/v1/series?match[]=${encodeURIComponent('{instance="gpu-1"}')}&start=${sec(T0 - 7_200_000)}&end=${sec(T0 - 3_600_000)}`);
    expect(outside.body.data).toEqual([]);
    const none = await get(`/api/v1/series`);
    expect(none.status).toBe(400);
    expect(none.body.error).toBe("no match[] parameter provided");
    const bad = await get(`/api/v1/series?match[]=${encodeURIComponent("{")}`);
    expect(bad.status).toBe(400);
  });

  it("labels and label values, with match[] and limit", async () => {
    expect(withoutSelfLabels((await get(`/api/v1/labels`)).body.data)).toEqual(["Hostname", "__name__", "gpu", "instance", "model_name"]);
    expect((await get(`/api/v1/labels?match[]=DCGM_FI_DEV_GPU_UTIL`)).body.data).toEqual(["Hostname", "__name__", "gpu"]);
    expect((await get(`/api/v1/label/model_name/values`)).body.data).toEqual(["llama3", "mistral"]);
    expect((await get(`/api/v1/label/model_name/values?match[]=${encodeURIComponent('{instance="gpu-2"}')}`)).body.data).toEqual(["mistral"]);
    expect((await get(`/api/v1/label/model_name/values?match[]=${encodeURIComponent('{instance=~"(?i)GPU-2"}')}`)).body.data).toEqual(["mistral"]);
    expect((await get(`/api/v1/labels?match[]=${encodeURIComponent('{__name__=~"dcgm_.*|(?i)DCGM.*"}')}`)).body.data).toEqual(["Hostname", "__name__", "gpu"]);
    const limited = await get(`/api/v1/label/__name__/values?limit=2&match[]=${encodeURIComponent(NOT_SELF_MATCH)}`);
    expect(limited.body.data).toEqual(["DCGM_FI_DEV_GPU_UTIL", "vllm:num_requests_running"]);
    expect(limited.body.warnings).toEqual(["results truncated due to limit"]);
    expect((await get(`/api/v1/label/bad-name/values`)).status).toBe(400);
  });

  it("metadata, buildinfo, exemplars, rules, alerts", async () => {
    expect(withoutSelfMetadata((await get(`/api/v1/metadata`)).body.data)).toEqual({ "vllm:request_success_total": [{ type: "counter", help: "Count of successful requests.", unit: "" }] });
    expect((await get(`/api/v1/status/buildinfo`)).body.data.version).toMatch(/^2\./);
    expect((await get(`/api/v1/query_exemplars?query=up&start=0&end=1`)).body).toEqual({ status: "success", data: [] });
    expect((await get(`/api/v1/rules`)).body).toEqual({ status: "success", data: { groups: [] } });
    expect((await get(`/api/v1/alerts`)).body).toEqual({ status: "success", data: { alerts: [] } });
  });
});
