// Fuzz test of both wire formats and the query API against the local stack
// on real Postgres, loopback only. Bounded and seeded:
//   FUZZ_CASES  number of cases (default 500: 10-25 s of requests here)
//   FUZZ_SEED   the seed (default: a fixed one, so CI is reproducible; `random` picks one, printed)
//   FUZZ_ONLY   comma-separated case ids to run alone (with the seed of the failing run)
//   FUZZ_BOUND_MS  the time bound of one answer (default 10000)
// Asserts: no 5xx (but a query's own 503 timeout), every answer within the
// bound, no SQL in any error body, error bodies that say something, /healthz
// healthy every 50 cases and at the end, and every valid marker item that an
// answer accepted readable at the end.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStack, type TestStack } from "../helpers/stack";
import { buildCase } from "./lib/cases";
import { acceptedCompanions, judge, type FuzzCase } from "./lib/fuzz-case";
import { healthProblems, Markers } from "./lib/health";
import { call, show } from "./lib/http";
import { loadProbeData, probeData } from "./lib/probe-data";

const CASES = Number(process.env.FUZZ_CASES ?? 500);
/** A fixed default keeps CI deterministic; explore new inputs locally with FUZZ_SEED=random. */
const DEFAULT_SEED = 20261201;
const SEED = process.env.FUZZ_SEED === "random" ? Math.floor(Math.random() * 2 ** 31) : Number(process.env.FUZZ_SEED ?? DEFAULT_SEED);
const ONLY = process.env.FUZZ_ONLY ? new Set(process.env.FUZZ_ONLY.split(",").map(Number)) : undefined;
const BOUND_MS = Number(process.env.FUZZ_BOUND_MS ?? 10_000);
const HEALTH_EVERY = 50;
const CONCURRENCY = 4;
/** Stop early once this many cases failed, or at the first unhealthy check: the rest would only wait. */
const MAX_FAILURES = 25;

const reproduce = (ids?: number[]) => `FUZZ_SEED=${SEED} FUZZ_CASES=${CASES}${ids?.length ? ` FUZZ_ONLY=${ids.slice(0, 10).join(",")}` : ""} npx vitest run test/fuzz`;

let stack: TestStack;
const data = probeData();
beforeAll(async () => {
  stack = await startTestStack();
  await loadProbeData(stack, data);
});
afterAll(async () => {
  await stack?.close();
});

describe(`fuzz (seed ${SEED}, ${CASES} cases)`, () => {
  it("no 5xx, no hang, no SQL in errors, healthy throughout, every accepted marker readable", async () => {
    console.log(`fuzz: seed ${SEED}, ${CASES} cases; reproduce with: ${reproduce()}`);
    const markers = new Markers(`fz${SEED.toString(36)}`);
    const ctx = { key: stack.key, prefix: markers.prefix, window: { start: data.start / 1000, end: data.at / 1000 }, now: Date.now() };
    const ids = Array.from({ length: CASES }, (_, i) => i).filter((i) => !ONLY || ONLY.has(i));
    const failures: { c: FuzzCase; problems: string[]; answer: string }[] = [];
    const kinds = new Map<string, Map<number, number>>();
    const slowest: { ms: number; c: FuzzCase }[] = [];
    const started = Date.now();
    let stopped = "";
    for (let from = 0; from < ids.length && !stopped; from += HEALTH_EVERY) {
      const chunk = ids.slice(from, from + HEALTH_EVERY).map((id) => buildCase(SEED, id, ctx));
      let next = 0;
      await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
        while (next < chunk.length && failures.length < MAX_FAILURES) {
          const c = chunk[next++];
          const a = await call(stack.url + c.path, { method: c.method, headers: c.headers, body: c.body, timeoutMs: BOUND_MS + 5_000 });
          const k = c.kind.split(":").slice(0, 2).join(":");
          const byStatus = kinds.get(k) ?? new Map<number, number>();
          byStatus.set(a.status, (byStatus.get(a.status) ?? 0) + 1);
          kinds.set(k, byStatus);
          slowest.push({ ms: a.ms, c });
          const problems = judge(c, a, BOUND_MS);
          if (problems.length) failures.push({ c, problems, answer: show(a) });
          for (const m of acceptedCompanions(c, a)) (m.kind === "series" ? markers.expectSeries(m.id) : markers.expectLog(m.id));
        }
      }));
      const health = await healthProblems(stack, markers);
      if (health.length) stopped = `unhealthy after case ${chunk[chunk.length - 1].id}: ${health.join("; ")}`;
      else if (failures.length >= MAX_FAILURES) stopped = `stopped after ${MAX_FAILURES} failures`;
    }
    const missing = stopped ? { series: [], logs: [] } : await markers.waitAllReadable(stack, 30_000);
    const endHealth = stopped ? [] : await healthProblems(stack);
    const summary = [...kinds].sort().map(([k, m]) => `${k} ${[...m].sort().map(([s, n]) => `${s}×${n}`).join(" ")}`).join("; ");
    const slow = slowest.sort((x, y) => y.ms - x.ms).slice(0, 3).map((x) => `#${x.c.id} ${Math.round(x.ms)} ms [${x.c.kind}]`).join(", ");
    console.log(`fuzz: slowest ${slow}`);
    console.log(`fuzz: ${ids.length} cases in ${((Date.now() - started) / 1000).toFixed(1)} s; markers expected: ${markers.series.size} series, ${markers.logs.size} logs; answers: ${summary}`);

    const report: string[] = failures.map((f) => `case ${f.c.id} [${f.c.kind}] ${f.c.what}\n    ${f.problems.join("; ")}\n    answer: ${f.answer}`);
    if (stopped) report.push(stopped);
    if (missing.series.length || missing.logs.length) report.push(`accepted markers never readable: series ${missing.series.slice(0, 10).join(", ")}${missing.series.length > 10 ? "…" : ""}; logs ${missing.logs.slice(0, 10).join(", ")} (${missing.series.length + missing.logs.length} in all; the case id is the marker's suffix)`);
    if (endHealth.length) report.push(`unhealthy at the end: ${endHealth.join("; ")}`);
    if (report.length) report.push(`reproduce: ${reproduce(failures.map((f) => f.c.id))}`);
    expect(report, `fuzz seed ${SEED}:\n${report.join("\n")}`).toEqual([]);
    // Sanity of the generator itself: the run exercised both formats, the query API and the marker path.
    if (!ONLY && CASES >= 200) {
      expect(markers.series.size + markers.logs.size).toBeGreaterThan(20);
      expect([...kinds.keys()].some((k) => k.startsWith("query:"))).toBe(true);
    }
  });
});
