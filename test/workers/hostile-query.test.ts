// Reproducers D1, D4 and D5 of the reliability probe: queries that froze the
// whole local stack or held it for tens of seconds. Each must now get a fast,
// precise answer, ingest must not wait behind it, and the stack must be
// healthy after. On the old code these freeze workerd: the guard then kills
// and restarts the stack so that each reproducer fails on its own.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { pushInTimeOrder, startPrometheus, type PrometheusInstance } from "../../scripts/lib/prometheus";
import { eventually } from "../helpers/stack";
import { GuardedStack } from "../fuzz/lib/guarded-stack";
import { call, show, sqlLeak, type Answer } from "../fuzz/lib/http";
import { loadProbeData, probeData } from "../fuzz/lib/probe-data";
import { compareWithPrometheus, params, type ParityCase } from "../fuzz/lib/prom-compare";

const data = probeData();
const at = String(data.at / 1000);
const guard = new GuardedStack((s) => loadProbeData(s, data));
let prom: PrometheusInstance;

beforeAll(async () => {
  const [, p] = await Promise.all([guard.start(), startPrometheus()]);
  prom = p;
  await pushInTimeOrder(prom.url, data.series);
});
afterAll(async () => {
  await Promise.all([guard.close(), prom?.stop()]);
});

const ours = () => ({ url: guard.stack.url, headers: { authorization: `Bearer ${guard.stack.key}` } });
const theirs = () => ({ url: prom.url, headers: {} });

/** Prometheus answers each of these in milliseconds. */
const REGEX_BOUND_MS = 2_000;

describe("D1: catastrophic regexes against a 2,048-character value", () => {
  // The patterns that froze the stack; each through =~, !~, match[] and label_replace.
  const patterns: [string, string][] = [
    ["(a+)+$", "(a+)+$"],
    ["(a|a)*!", "(a|a)*!"],
    ["(.*)*!", "(.*)*!"],
    ["(.*a){20}", "(.*a){20}"],
    ["(a*a*… ×300)!", "a*".repeat(300) + "!"],
    ["a.*a.*… ×30!", "a.*".repeat(30) + "!"],
  ];
  for (const [name, re] of patterns) {
    it(`${name}: the same answer as Prometheus within ${REGEX_BOUND_MS} ms, stack healthy after`, async () => {
      const lit = JSON.stringify(re); // a PromQL string literal (JSON escapes are PromQL escapes here)
      const cases: ParityCase[] = [
        { what: "count(=~)", path: `/api/v1/query?${params({ query: `count(qprobe_special{v=~${lit}})`, time: at })}`, data: true },
        { what: "count(!~)", path: `/api/v1/query?${params({ query: `count(qprobe_special{v!~${lit}})`, time: at })}`, data: true },
        { what: "labels?match[]", path: `/api/v1/labels?${params({ "match[]": `qprobe_special{v=~${lit}}`, start: String(data.start / 1000) })}`, data: true },
        { what: "label_replace", path: `/api/v1/query?${params({ query: `count(label_replace(qprobe_special, "d", "$1", "v", ${lit}))`, time: at })}`, data: true },
      ];
      const failures: string[] = [];
      for (const c of cases) {
        const r = await compareWithPrometheus(ours(), theirs(), c, 5_000);
        const problems = [...r.diffs];
        if (r.ours.ms > REGEX_BOUND_MS) problems.push(`took ${Math.round(r.ours.ms)} ms`);
        if (problems.length) failures.push(`${c.what}: ${problems.join("; ")}`);
        if (r.ours.status === 0) break; // frozen: the rest would only wait
      }
      const health = await guard.checkAndRecover();
      expect(failures, failures.join("\n")).toEqual([]);
      expect(health).toEqual([]);
    });
  }
});

/** Sends the query, and 300 ms into it a small ingest: the ingest must not wait behind the query. */
async function queryBesideIngest(path: string, boundMs: number): Promise<{ query: Answer; ingest: Answer }> {
  const s = guard.stack;
  const query = call(`${s.url}${path}`, { headers: { authorization: `Bearer ${s.key}` }, timeoutMs: boundMs + 5_000 });
  await new Promise((r) => setTimeout(r, 300));
  const ingest = await call(`${s.url}/v1/metrics`, {
    headers: { authorization: `Bearer ${s.key}`, "content-type": "application/json" },
    body: JSON.stringify({ series: [{ name: "beside_slow_query", samples: [[Date.now() - 1000, 1]] }] }),
    timeoutMs: 5_000,
  });
  return { query: await query, ingest };
}

// Prometheus has no answer to compare with here (it dies of OOM on [1y:1ms]):
// what counts is a quick answer, a refusal (400/422) or a result computed
// without walking every step, and ingest untouched meanwhile.
describe("D4: subqueries with tiny steps are bounded", () => {
  const BOUND_MS = 3_000;
  const cases: [string, string][] = [
    ["rate(x[1y:1ms])", `/api/v1/query?${params({ query: "rate(qprobe_counter_total[1y:1ms])", time: at })}`],
    ["rate(x[1d:1ms])", `/api/v1/query?${params({ query: "rate(qprobe_counter_total[1d:1ms])", time: at })}`],
    ["max_over_time(x[1d:1ms]) over 50 series", `/api/v1/query?${params({ query: "max_over_time(qprobe_series[1d:1ms])", time: at })}`],
    ["rate(x[1h:1ms]), 3.6 M steps", `/api/v1/query?${params({ query: "rate(qprobe_counter_total[1h:1ms])", time: at })}`],
    ["range query of rate(x[1h:1ms]), 41 steps", `/api/v1/query_range?${params({ query: "rate(qprobe_counter_total[1h:1ms])", start: String(data.start / 1000), end: String(data.start / 1000 + 600), step: "15" })}`],
    ["nested subqueries [1d:1s] of [1h:1ms]", `/api/v1/query?${params({ query: "max_over_time(rate(qprobe_counter_total[1h:1ms])[1d:1s])", time: at })}`],
  ];
  for (const [name, path] of cases) {
    it(`${name}: answered (200, 400 or 422) within ${BOUND_MS} ms, ingest beside it within 1 s`, async () => {
      const { query, ingest } = await queryBesideIngest(path, BOUND_MS);
      const health = await guard.checkAndRecover();
      expect([200, 400, 422], show(query)).toContain(query.status);
      if (query.status !== 200) expect(query.json.errorType).toBe(query.status === 400 ? "bad_data" : "execution");
      expect(sqlLeak(query.text)).toBeUndefined();
      expect(query.ms, show(query)).toBeLessThan(BOUND_MS);
      expect(ingest.status, show(ingest)).toBe(202);
      expect(ingest.ms, show(ingest)).toBeLessThan(1_000);
      expect(health).toEqual([]);
    });
  }

});

describe("D5: label_join building an absurd output", () => {
  it("a 100,000-character separator over 5,000 series: 422 within 10 s, stack healthy after", async () => {
    const s = guard.stack;
    const t = Date.now() - 5_000;
    const series = Array.from({ length: 5_000 }, (_, i) => ({ name: "ljoin_series", labels: { i: String(i), job: `j${i % 7}`, grp: `g${i % 11}` }, samples: [[t, i]] }));
    const load = await call(`${s.url}/v1/metrics`, { headers: { authorization: `Bearer ${s.key}`, "content-type": "application/json" }, body: JSON.stringify({ series }), timeoutMs: 30_000 });
    expect(load.status, show(load)).toBe(202);
    // Samples, not just series rows: the aggregator writes the series first.
    await eventually(async () => {
      const { rows } = await s.db.db.execute<{ n: number }>(sql`
        SELECT count(*)::int AS n FROM samples x JOIN series r ON r.id = x.series_id WHERE r.tenant_id = ${s.tenantId} AND r.metric_name = 'ljoin_series'`);
      return rows[0].n === 5_000;
    }, 30_000, "5,000 samples stored");
    const count = await call(`${s.url}/api/v1/query?${params({ query: "count(ljoin_series)", time: String(t / 1000) })}`, { headers: { authorization: `Bearer ${s.key}` } });
    expect(count.json?.data?.result?.[0]?.value?.[1], show(count)).toBe("5000");
    // The query is over 100 KB: form POST, as the probe sent it.
    const query = `label_join(ljoin_series, "dst", "${"x".repeat(100_000)}", "i", "job", "grp")`;
    const a = await call(`${s.url}/api/v1/query`, {
      headers: { authorization: `Bearer ${s.key}`, "content-type": "application/x-www-form-urlencoded" },
      body: params({ query, time: String(t / 1000) }),
      timeoutMs: 20_000,
    });
    const health = await guard.checkAndRecover();
    expect(a.status, show(a)).toBe(422);
    expect(a.json.errorType).toBe("execution");
    expect(a.ms, show(a)).toBeLessThan(10_000);
    expect(health).toEqual([]);
  });
});
