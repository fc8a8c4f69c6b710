// Differential test: every corpus query, as instant and range queries, against a
// real Prometheus 2.42 and against Inferscope over the same data, twice: the
// engine over the in-memory store, and the whole pipeline (remote_write ingest,
// Postgres, the HTTP query API). Any difference fails the test and is printed
// with the query and the reason.
// Run: npx vitest run test/promql-diff   (needs `prometheus` 2.42 on PATH, or PROMETHEUS_BIN;
// PROMQL_DIFF_REPORT=file also writes the list of disagreements to a file)
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PrometheusInstance } from "../../scripts/lib/prometheus";
import { startTestStack, type TestStack } from "../helpers/stack";
import { MemoryStorage } from "../support/memory-storage";
import { engineAnswerer, httpAnswerer, type Answerer } from "./answerers";
import { agreement, mapLimit, prometheusWith } from "./agreement";
import type { ApiAnswer } from "./compare";
import { buildCases, QUERIES } from "./corpus";
import { generateDataset } from "./dataset";
import { loadIntoStack, storedSamples } from "./pipeline";

describe("PromQL agrees with Prometheus 2.42", () => {
  const ds = generateDataset();
  const cases = buildCases(ds);
  let prom: PrometheusInstance | undefined;
  let stack: TestStack | undefined;
  let reference: Answerer;
  let expected: Promise<ApiAnswer[]>;
  let loaded = 0;

  // A missing Prometheus fails every test below (never skips them), with install instructions.
  let setupError: unknown;
  const ready = () => {
    if (setupError) throw setupError;
  };

  beforeAll(async () => {
    try {
      // Prometheus and the stack start and load side by side.
      const [p] = await Promise.all([
        prometheusWith(ds, (p) => (prom = p)),
        // The dataset is from 2023: this stack keeps (and accepts) data that old.
        startTestStack({ retentionDays: 100_000 }).then(async (s) => {
          stack = s;
          loaded = await loadIntoStack(s, ds);
        }),
      ]);
      reference = httpAnswerer(p.url);
      expected = mapLimit(cases, 4, (c) => reference(c));
      expected.catch(() => {}); // awaited (and reported) by the tests
    } catch (e) {
      setupError = e;
    }
  });

  afterAll(async () => {
    await Promise.all([prom?.stop(), stack?.close()]);
  });

  it("loaded the whole dataset into Prometheus", async () => {
    ready();
    const res = await reference({ id: "count", query: "count({__name__=~\".+\"} @ " + ds.end / 1000 + ")", type: "instant", time: ds.end });
    const live = ds.series.filter((s) => s.timestamps[s.timestamps.length - 1] >= ds.end - 300_000).length;
    expect(res.status).toBe("success");
    expect(Number((res.data!.result as [number, string][])[0]?.[1] ?? (res.data!.result as Array<{ value: [number, string] }>)[0].value[1])).toBeGreaterThan(live * 0.9);
  });

  it("carried staleness markers into Prometheus (a stale series vanishes before its lookback ends)", async () => {
    ready();
    const { isStaleNaN } = await import("../../shared/staleness");
    const staleOnes = ds.series.filter((s) => s.values.some((v) => isStaleNaN(v)));
    expect(staleOnes.length).toBeGreaterThan(0);
    for (const s of staleOnes.slice(0, 3)) {
      const i = s.values.findIndex((v) => isStaleNaN(v));
      const sel = `batch_jobs_processed_total{job="${s.labels.job}"}`;
      const before = await reference({ id: "stale-before", query: sel, type: "instant", time: s.timestamps[i] - 1 });
      const after = await reference({ id: "stale-after", query: sel, type: "instant", time: s.timestamps[i] + 1000 });
      expect((before.data!.result as unknown[]).length).toBe(1);
      expect((after.data!.result as unknown[]).length).toBe(0);
    }
  });

  it(`agrees on all ${QUERIES.length} corpus queries (instant and range): engine over the in-memory store`, async () => {
    ready();
    expect(QUERIES.length).toBeGreaterThanOrEqual(300);
    const exp = await expected;
    // How much the corpus actually exercises: errors, empty and non-empty answers from Prometheus.
    const errors = exp.filter((a) => a.status === "error").length;
    const empty = exp.filter((a) => a.status === "success" && Array.isArray(a.data!.result) && (a.data!.result as unknown[]).length === 0).length;
    console.log(`Prometheus ${prom!.version} answers: ${errors} errors, ${empty} empty, ${exp.length - errors - empty} with data`);
    const failures = await agreement("in-memory engine", cases, exp, engineAnswerer(new MemoryStorage(ds.series)), 1);
    expect(failures.length, `${failures.length} of ${cases.length} cases disagree with Prometheus (listed above)`).toBe(0);
  }, 180_000);

  it(`agrees on all ${QUERIES.length} corpus queries (instant and range): remote_write ingest, Postgres, HTTP query API`, async () => {
    ready();
    const ours = httpAnswerer(stack!.url, { authorization: `Bearer ${stack!.key}` });
    const failures = await agreement("Postgres via HTTP", cases, await expected, ours, 4);
    // The data is from 2023: a retention run (another test file's cron, same database) would drop its partitions.
    const left = await storedSamples(stack!);
    expect(left.n, "samples vanished from Postgres during the run (a retention cron dropped the 2023 partitions?)").toBe(loaded);
    expect(failures.length, `${failures.length} of ${cases.length} cases disagree with Prometheus (listed above)`).toBe(0);
    // 2,860 HTTP queries: ~50 s alone on 2 cores, longer while the other test files run beside it.
  }, 300_000);
});
