import { describe, expect, it } from "vitest";
import { instantQuery, rangeQuery, toPrometheusData, PromQLError, type QueryResult } from "../../../workers/query/promql/index";
import { errorOf, series, store, T0 } from "./helpers";

const vec = (r: QueryResult) => {
  if (r.resultType !== "vector") throw new Error(`expected vector, got ${r.resultType}`);
  return r.result.map((s) => [s.metric, s.v]);
};

describe("engine", () => {
  const s = store(
    series({ __name__: "c", job: "a" }, [0, 10, 20, 30, 5, 15, 25]),
    series({ __name__: "c", job: "b" }, [1, 2, 3, 4, 5, 6, 7]),
    series({ __name__: "g", job: "a" }, [1, 2, "stale", null, 4]),
  );

  it("answers 1+1 (Grafana's health check)", async () => {
    expect(toPrometheusData(await instantQuery(s, "1+1", T0))).toEqual({ resultType: "scalar", result: [T0 / 1000, "2"] });
  });

  it("uses the 5m lookback, inclusive at the window start", async () => {
    expect(vec(await instantQuery(s, 'c{job="b"}', T0 + 6 * 15_000 + 300_000))).toEqual([[{ __name__: "c", job: "b" }, 7]]);
    expect(vec(await instantQuery(s, 'c{job="b"}', T0 + 6 * 15_000 + 300_001))).toEqual([]);
  });

  it("honours staleness markers", async () => {
    expect(vec(await instantQuery(s, "g", T0 + 15_000))).toEqual([[{ __name__: "g", job: "a" }, 2]]);
    expect(vec(await instantQuery(s, "g", T0 + 2 * 15_000))).toEqual([]);
    expect(vec(await instantQuery(s, "g", T0 + 3 * 15_000))).toEqual([]);
    expect(vec(await instantQuery(s, "g", T0 + 4 * 15_000))).toEqual([[{ __name__: "g", job: "a" }, 4]]);
  });

  it("extrapolates rate and handles counter resets", async () => {
    const r = vec(await instantQuery(s, 'increase(c{job="a"}[90s])', T0 + 90_000));
    // Samples 0..25 with a reset at 5 (increase 30 + 25 = 55 over 90s of samples), range 90s: no extrapolation needed at the end.
    expect(r).toHaveLength(1);
    expect(r[0][0]).toEqual({ job: "a" });
    expect(r[0][1] as number).toBeCloseTo(55, 6);
  });

  it("aggregates, keeps topk series labels and drops names on arithmetic", async () => {
    expect(vec(await instantQuery(s, "sum by (job) (c)", T0 + 90_000))).toEqual([[{ job: "a" }, 25], [{ job: "b" }, 7]]);
    expect(vec(await instantQuery(s, "topk(1, c)", T0 + 90_000))).toEqual([[{ __name__: "c", job: "a" }, 25]]);
    expect(vec(await instantQuery(s, "c * 2", T0 + 90_000)).map((x) => x[0])).toEqual([{ job: "a" }, { job: "b" }]);
  });

  it("reports many-to-many matching as an execution error", async () => {
    const e = await errorOf(instantQuery(s, "c + on() c", T0));
    expect(e.errorType).toBe("execution");
    expect(e.message).toMatch(/many-to-many matching not allowed/);
  });

  it("range queries return sorted matrices at aligned steps", async () => {
    const r = await rangeQuery(s, "c", T0, T0 + 60_000, 30_000);
    expect(r.resultType).toBe("matrix");
    if (r.resultType !== "matrix") return;
    expect(r.result.map((x) => x.metric.job)).toEqual(["a", "b"]);
    expect(r.result[0].timestamps).toEqual([T0, T0 + 30_000, T0 + 60_000]);
    expect(r.result[0].values).toEqual([0, 20, 5]);
  });

  it("fetches each selector once for the whole range", async () => {
    const st = store(series({ __name__: "c", job: "a" }, [1, 2, 3]));
    await rangeQuery(st, "rate(c[1m]) + c + max_over_time(c[5m:15s])", T0, T0 + 3600_000, 15_000);
    expect(st.selectCalls).toBe(3);
  });

  it("enforces the 11,000 points limit and bad steps as bad_data", async () => {
    expect((await errorOf(rangeQuery(s, "c", T0, T0 + 11_001_000, 1000))).errorType).toBe("bad_data");
    expect((await rangeQuery(s, "c", T0, T0 + 11_000_000, 1000)).resultType).toBe("matrix");
    expect((await errorOf(rangeQuery(s, "c", T0, T0 + 1000, 0))).errorType).toBe("bad_data");
    expect((await errorOf(rangeQuery(s, "c", T0 + 1000, T0, 1000))).errorType).toBe("bad_data");
    expect((await errorOf(rangeQuery(s, "c[5m]", T0, T0 + 1000, 1000))).message).toMatch(/invalid expression type "range vector" for range query/);
  });

  it("limits samples, honours the abort signal and the timeout", async () => {
    expect((await errorOf(rangeQuery(s, "c", T0, T0 + 100_000, 1000, { maxSamples: 10 }))).errorType).toBe("execution");
    const ac = new AbortController();
    ac.abort();
    expect((await errorOf(instantQuery(s, "c", T0, { signal: ac.signal }))).errorType).toBe("canceled");
    expect((await errorOf(rangeQuery(s, "sum(rate(c[5m]))", T0, T0 + 10_000_000, 1000, { timeoutMs: -1 }))).errorType).toBe("timeout");
  });

  it("returns strings, matrices for range selectors and timestamps of samples", async () => {
    expect(toPrometheusData(await instantQuery(s, '"x"', T0))).toEqual({ resultType: "string", result: [T0 / 1000, "x"] });
    const m = toPrometheusData(await instantQuery(s, 'c{job="b"}[30s]', T0 + 30_000));
    expect(m).toEqual({ resultType: "matrix", result: [{ metric: { __name__: "c", job: "b" }, values: [[T0 / 1000, "1"], [T0 / 1000 + 15, "2"], [T0 / 1000 + 30, "3"]] }] });
    expect(vec(await instantQuery(s, 'timestamp(c{job="b"})', T0 + 100_000))).toEqual([[{ job: "b" }, (T0 + 90_000) / 1000]]);
  });
});
