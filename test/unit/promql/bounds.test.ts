// Every query is bounded before it runs away (issue 11, probe D4/D5): subqueries
// with tiny steps, huge label_join outputs, long range windows. Each must be
// refused fast with a clear 422 "execution" error, and what Prometheus answers
// normally (sparse data under a tiny step) must still be answered.
import { describe, expect, it } from "vitest";
import { instantQuery, rangeQuery, PromQLError, type QueryResult } from "../../../workers/query/promql/index";
import { MemoryStorage } from "../../support/memory-storage";
import { T0 } from "./helpers";

const DAY = 86_400_000;
const YEAR = 365 * DAY;

async function errorOf(p: Promise<unknown>): Promise<PromQLError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof PromQLError) return e;
    throw e;
  }
  throw new Error("expected an error");
}

async function timed<T>(p: () => Promise<T>): Promise<{ ms: number; value: T | PromQLError }> {
  const t0 = performance.now();
  let value: T | PromQLError;
  try {
    value = await p();
  } catch (e) {
    if (!(e instanceof PromQLError)) throw e;
    value = e;
  }
  return { ms: performance.now() - t0, value };
}

/** One counter sampled every 15 s for `spanMs` before `end`. */
function dense(name: string, end: number, spanMs: number, labels: Record<string, string> = {}) {
  const n = Math.floor(spanMs / 15_000);
  const timestamps = Float64Array.from({ length: n }, (_, i) => end - (n - 1 - i) * 15_000);
  const values = Float64Array.from({ length: n }, (_, i) => i);
  return { labels: { __name__: name, ...labels }, timestamps, values };
}

const vec = (r: QueryResult) => (r.resultType === "vector" ? r.result : []);

describe("query bounds", () => {
  const now = T0 + 400 * DAY;
  const s = new MemoryStorage([dense("c", now, 30 * DAY), { labels: { __name__: "sparse" }, timestamps: [now - 1000, now - 500], values: [1, 2] }]);

  it("refuses rate(x[1y:1ms]) over a dense series in well under a second", async () => {
    const { ms, value } = await timed(() => instantQuery(s, "rate(c[1y:1ms])", now, { maxSamples: 5_000_000 }));
    expect(value).toBeInstanceOf(PromQLError);
    expect((value as PromQLError).errorType).toBe("execution");
    expect(ms).toBeLessThan(1000);
  });

  it("refuses rate(x[1d:1ms]) fast, also with the engine's default 50M samples", async () => {
    const { ms, value } = await timed(() => instantQuery(s, "rate(c[1d:1ms])", now));
    expect((value as PromQLError).errorType).toBe("execution");
    expect((value as PromQLError).message).toMatch(/too many samples/);
    expect(ms).toBeLessThan(1000);
  });

  it("refuses a subquery whose steps cannot be walked (no selector to skip the empty steps)", async () => {
    for (const q of ["max_over_time((c * 2)[1y:1ms])", "sum_over_time(vector(1)[1y:1ms])", "count_over_time(absent(nothing)[1y:1ms])"]) {
      const { ms, value } = await timed(() => instantQuery(s, q, now, { maxSamples: 5_000_000 }));
      expect((value as PromQLError).errorType, q).toBe("execution");
      expect((value as PromQLError).message, q).toMatch(/evaluation steps|too many samples/);
      expect(ms, q).toBeLessThan(1000);
    }
  });

  it("still answers a tiny-step subquery over sparse data, as Prometheus does", async () => {
    const { ms, value } = await timed(() => instantQuery(s, "count_over_time(sparse[1y:1ms])", now));
    expect(ms).toBeLessThan(1000);
    // 500 ms of steps see sample 1, then 500 + 1 steps (up to now, inclusive) see sample 2.
    expect(vec(value as QueryResult).map((x) => x.v)).toEqual([1001]);
    const empty = await instantQuery(s, "rate(nothing[1y:1ms])", now);
    expect(vec(empty)).toEqual([]);
  });

  it("keeps the selector's lookback and staleness semantics in a subquery", async () => {
    const st = new MemoryStorage([
      { labels: { __name__: "g" }, timestamps: [T0, T0 + 60_000, T0 + 120_000], values: Float64Array.from([1, 2, 3]) },
    ]);
    const r = await instantQuery(st, "count_over_time(g[20m:1m])", T0 + 10 * 60_000);
    // Steps at T0 .. T0+10m: all see a sample within 5m of the last one (T0+2m) up to T0+7m: 8 steps.
    expect(vec(r).map((x) => x.v)).toEqual([8]);
  });

  it("refuses a range query that scans more range-window samples than the step budget", async () => {
    const { ms, value } = await timed(() => rangeQuery(s, "sum_over_time(c[30d])", now - DAY, now, 60_000, { maxSamples: 200_000 }));
    expect((value as PromQLError).errorType).toBe("execution");
    expect((value as PromQLError).message).toMatch(/evaluation steps/);
    expect(ms).toBeLessThan(2000);
  });

  it("refuses label_join with a huge output before building it", async () => {
    const many = new MemoryStorage(
      Array.from({ length: 5000 }, (_, i) => ({ labels: { __name__: "m", i: String(i), job: "j", grp: "g" }, timestamps: [now], values: [1] })),
    );
    const sep = "x".repeat(100_000);
    const { ms, value } = await timed(() => instantQuery(many, `label_join(m, "dst", "${sep}", "i", "job", "grp")`, now));
    expect((value as PromQLError).errorType).toBe("execution");
    expect((value as PromQLError).message).toMatch(/label_join\(\) would build more than \d+ characters/);
    expect(ms).toBeLessThan(1000);
    // A normal join over the same series is fine and joins once per series, not per step.
    const r = await rangeQuery(many, 'label_join(m, "dst", "-", "i", "job")', now - 600_000, now, 60_000, { maxLabelChars: 5000 * 10 });
    expect(r.resultType === "matrix" && r.result.length).toBe(5000);
  });

  it("counts label_replace output against the same budget", async () => {
    const one = new MemoryStorage([{ labels: { __name__: "m", a: "abc" }, timestamps: [now], values: [1] }]);
    const e = await errorOf(instantQuery(one, `label_replace(m, "dst", "${"$1".repeat(100)}", "a", "(.*)")`, now, { maxLabelChars: 100 }));
    expect(e.errorType).toBe("execution");
    expect(e.message).toMatch(/label_replace\(\) would build/);
  });

  it("hits the deadline inside long loops", async () => {
    const big = new MemoryStorage([dense("c", now, 365 * DAY)]);
    const e = await errorOf(rangeQuery(big, "sum_over_time(c[300d])", now - 7 * DAY, now, 60_000, { timeoutMs: 50, maxSteps: 1e12 }));
    expect(e.errorType).toBe("timeout");
  });

  it("refuses a [99999999999999999999y] range at parse time", async () => {
    const e = await errorOf(instantQuery(s, "c[99999999999999999999y]", now));
    expect(e.errorType).toBe("bad_data");
    expect(e.message).toBe("1:3: parse error: duration out of range");
  });
});
