// Differential test: every corpus query, as instant and range queries, against a
// real Prometheus 2.42 and against Inferscope's engine over the same data.
// Any difference fails the test and is printed with the query and the reason.
// Run: npx vitest run test/promql-diff   (needs `prometheus` 2.42 on PATH, or PROMETHEUS_BIN;
// PROMQL_DIFF_REPORT=file also writes the list of disagreements to a file)
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryStorage } from "../support/memory-storage";
import { engineAnswerer, httpAnswerer, type Answerer } from "./answerers";
import { compareAnswers, type ApiAnswer } from "./compare";
import { buildCases, isOrdered, QUERIES, type QueryCase } from "./corpus";
import { generateDataset } from "./dataset";
import { loadDataset, startPrometheus, type PrometheusInstance } from "./prometheus";

async function mapLimit<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]);
      }
    }),
  );
  return out;
}

describe("PromQL agrees with Prometheus 2.42", () => {
  const ds = generateDataset();
  let prom: PrometheusInstance | undefined;
  let reference: Answerer;
  let ours: Answerer;

  // A missing Prometheus fails every test below (never skips them), with install instructions.
  let setupError: unknown;
  const ready = () => {
    if (setupError) throw setupError;
  };

  beforeAll(async () => {
    try {
      prom = await startPrometheus();
      await loadDataset(prom.url, ds);
      reference = httpAnswerer(prom.url);
      ours = engineAnswerer(new MemoryStorage(ds.series));
    } catch (e) {
      setupError = e;
    }
  });

  afterAll(async () => {
    await prom?.stop();
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

  it(`agrees on all ${QUERIES.length} corpus queries (instant and range)`, async () => {
    ready();
    expect(QUERIES.length).toBeGreaterThanOrEqual(300);
    const cases = buildCases(ds);
    const expected = await mapLimit(cases, 4, (c) => reference(c));
    const failures: string[] = [];
    let agreed = 0;
    for (let i = 0; i < cases.length; i++) {
      const c: QueryCase = cases[i];
      let actual: ApiAnswer;
      try {
        actual = await ours(c);
      } catch (e) {
        actual = { status: "error", errorType: "crash", error: String((e as Error)?.stack ?? e) };
      }
      const diffs = compareAnswers(expected[i], actual, c.type === "instant" && isOrdered(c.query));
      if (diffs.length === 0) agreed++;
      else failures.push(`${c.id} ${c.type} ${JSON.stringify(c.query)}\n    ${diffs.slice(0, 3).join("\n    ")}${diffs.length > 3 ? `\n    ... ${diffs.length - 3} more` : ""}`);
    }
    const pct = ((100 * agreed) / cases.length).toFixed(2);
    // How much the corpus actually exercises: errors, empty and non-empty answers from Prometheus.
    const errors = expected.filter((a) => a.status === "error").length;
    const empty = expected.filter((a) => a.status === "success" && Array.isArray(a.data!.result) && (a.data!.result as unknown[]).length === 0).length;
    console.log(`Prometheus answers: ${errors} errors, ${empty} empty, ${expected.length - errors - empty} with data`);
    console.log(`PromQL differential: ${agreed}/${cases.length} cases agree (${pct}%), ${QUERIES.length} queries, Prometheus ${prom!.version}`);
    if (failures.length) console.log(failures.join("\n"));
    if (process.env.PROMQL_DIFF_REPORT) (await import("node:fs")).writeFileSync(process.env.PROMQL_DIFF_REPORT, failures.join("\n") + "\n");
    expect(failures.length, `${failures.length} of ${cases.length} cases disagree with Prometheus (listed above)`).toBe(0);
  });
});
