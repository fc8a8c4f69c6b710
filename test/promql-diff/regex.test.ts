// RE2 differential test: each regex of the corpus as =~, !~ and label_replace
// against a real Prometheus 2.42 and Inferscope's engine (in-memory store) over
// the same series; answers must agree exactly (matched series, expanded labels,
// errorType), and for a regex error the message after "error parsing regexp:".
// Run: npx vitest run test/promql-diff/regex.test.ts   (needs `prometheus` 2.42, as diff.test.ts)
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pushInTimeOrder, startPrometheus, type PrometheusInstance } from "../../scripts/lib/prometheus";
import { MemoryStorage } from "../support/memory-storage";
import { engineAnswerer, httpAnswerer } from "./answerers";
import { compareAnswers, type ApiAnswer } from "./compare";
import type { QueryCase } from "./corpus";
import { LITERALS, PATTERNS, TEMPLATES, VALUES } from "./regex-corpus";

const T0 = 1_700_000_000_000;
const series = VALUES.map((v, i) => ({ labels: { __name__: "rx", i: String(i), v }, timestamps: [T0, T0 + 60_000], values: Float64Array.of(i, i) }));

/** A Go regex as a PromQL double-quoted string literal. */
const lit = (re: string) => JSON.stringify(re).replace(/\\u2028/g, "\\u2028");

function queries(): string[] {
  const out: string[] = [];
  const add = (l: string) => {
    out.push(`rx{v=~${l}}`, `rx{v!~${l}}`);
    for (const t of TEMPLATES) out.push(`label_replace(rx, "out", ${lit(t)}, "v", ${l})`);
  };
  for (const p of PATTERNS) add(lit(p));
  for (const l of LITERALS) add(l);
  return out;
}

/** The regex error as Go words it, with the expression Go echoes cut (Go prints the whole "^(?:…" for nesting errors). */
const regexError = (a: ApiAnswer) => /error parsing regexp: ([^`]*)/.exec(a.error ?? "")?.[1].trim().replace(/:$/, "") ?? null;

describe("RE2 regexes agree with Prometheus 2.42", () => {
  const qs = queries();
  const cases: QueryCase[] = qs.map((query, i) => ({ id: `rx${i}`, query, type: "instant", time: T0 + 30_000 }));
  let prom: PrometheusInstance | undefined;
  let expected: ApiAnswer[] = [];
  let setupError: unknown;

  beforeAll(async () => {
    try {
      prom = await startPrometheus();
      await pushInTimeOrder(prom.url, series);
      const ask = httpAnswerer(prom.url);
      expected = [];
      for (let i = 0; i < cases.length; i += 8) expected.push(...(await Promise.all(cases.slice(i, i + 8).map(ask))));
    } catch (e) {
      setupError = e;
    }
  }, 120_000);

  afterAll(async () => {
    await prom?.stop();
  });

  it(`matches, refuses and expands as Go's regexp does (${PATTERNS.length + LITERALS.length} regexes x ${2 + TEMPLATES.length} queries)`, async () => {
    if (setupError) throw setupError;
    const ours = engineAnswerer(new MemoryStorage(series));
    const failures: string[] = [];
    let errors = 0, matched = 0;
    for (let i = 0; i < cases.length; i++) {
      const started = performance.now();
      const got = await ours(cases[i]);
      const ms = performance.now() - started;
      const exp = expected[i];
      const diffs = compareAnswers(exp, got);
      if (exp.status === "error") {
        errors++;
        const [e, g] = [regexError(exp), regexError(got)];
        if (e !== g) diffs.push(`regex error: expected ${JSON.stringify(e)}, got ${JSON.stringify(g)}`);
      } else if ((exp.data!.result as unknown[]).length) matched++;
      // No runaway: a backtracking engine takes minutes on some of these (the unit tests time them closely).
      if (ms > 5000) diffs.push(`took ${ms.toFixed(0)} ms`);
      if (diffs.length) failures.push(`${cases[i].query.slice(0, 160)}\n    ${diffs.slice(0, 3).join("\n    ")}`);
    }
    console.log(`RE2 differential: ${cases.length - failures.length}/${cases.length} agree; Prometheus: ${errors} errors, ${matched} non-empty answers`);
    if (failures.length) console.log(failures.join("\n"));
    expect(errors).toBeGreaterThan(100);
    expect(matched).toBeGreaterThan(500);
    expect(failures.length, `${failures.length} of ${cases.length} regex cases disagree with Prometheus (listed above)`).toBe(0);
  }, 120_000);
});
