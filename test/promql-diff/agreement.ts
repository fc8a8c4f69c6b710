// Runs a corpus through one Answerer and compares with Prometheus's answers:
// shared by the differential tests (diff.test.ts: in-memory engine and head
// rows; diff-chunks.test.ts: compacted chunks and a mix of chunks and rows).
import { pushInTimeOrder, startPrometheus, type PrometheusInstance } from "../../scripts/lib/prometheus";
import type { Answerer } from "./answerers";
import { compareAnswers, type ApiAnswer } from "./compare";
import { isOrdered, QUERIES, type QueryCase } from "./corpus";
import type { Dataset } from "./dataset";

export async function mapLimit<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
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

/** Runs every case through `ours`, compares with Prometheus's answers; prints and returns the disagreements. */
export async function agreement(label: string, cases: QueryCase[], expected: ApiAnswer[], ours: Answerer, concurrency: number): Promise<string[]> {
  const started = Date.now();
  const actual = await mapLimit(cases, concurrency, async (c): Promise<ApiAnswer> => {
    try {
      return await ours(c);
    } catch (e) {
      return { status: "error", errorType: "crash", error: String((e as Error)?.stack ?? e) };
    }
  });
  const failures: string[] = [];
  cases.forEach((c, i) => {
    const diffs = compareAnswers(expected[i], actual[i], c.type === "instant" && isOrdered(c.query));
    if (diffs.length) failures.push(`${c.id} ${c.type} ${JSON.stringify(c.query)}\n    ${diffs.slice(0, 3).join("\n    ")}${diffs.length > 3 ? `\n    ... ${diffs.length - 3} more` : ""}`);
  });
  const agreed = cases.length - failures.length;
  console.log(`PromQL differential (${label}): ${agreed}/${cases.length} cases agree (${((100 * agreed) / cases.length).toFixed(2)}%), ${QUERIES.length} queries, ${((Date.now() - started) / 1000).toFixed(1)}s`);
  if (failures.length) console.log(failures.join("\n"));
  if (process.env.PROMQL_DIFF_REPORT) (await import("node:fs")).writeFileSync(`${process.env.PROMQL_DIFF_REPORT}.${label.replace(/\W+/g, "-")}`, failures.join("\n") + "\n");
  return failures;
}

/** A Prometheus 2.42 holding the dataset; `started` sees it as soon as it runs (to stop it even if loading fails). */
export async function prometheusWith(ds: Dataset, started: (p: PrometheusInstance) => void): Promise<PrometheusInstance> {
  const p = await startPrometheus();
  started(p);
  await pushInTimeOrder(p.url, ds.series);
  return p;
}
