// Hostile regexes through the real query API (workerd, Postgres): the patterns
// that froze the whole stack with a backtracking engine answer in milliseconds
// through /api/v1/query (=~, !~), /api/v1/labels?match[]= and label_replace, and
// invalid RE2 is a 400 bad_data as in Prometheus; /healthz answers after each.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startTestStack, type TestStack } from "../helpers/stack";

let stack: TestStack;
const T0 = Math.floor((Date.now() - 600_000) / 60_000) * 60_000;
const LONG = "a".repeat(2047) + "!";
// Each froze workerd for minutes with the translated JS RegExp (reliability probe, D1).
const RUNAWAY = ["(a+)+$", "(a|a)*!", "(.*)*!", "(.*a){20}", "(" + "a*".repeat(300) + ")!", "a.*".repeat(30) + "!"];
// Whether each matches LONG in full (Go's answers).
const MATCHES_LONG = [false, true, true, false, true, true];

beforeAll(async () => {
  stack = await startTestStack();
  const res = await fetch(`${stack.url}/v1/metrics`, {
    method: "POST",
    headers: { authorization: `Bearer ${stack.key}`, "content-type": "application/json" },
    body: JSON.stringify({
      series: [
        { name: "redos", labels: { v: LONG }, samples: [[T0, 1]] },
        { name: "redos", labels: { v: "b" }, samples: [[T0, 2]] },
      ],
    }),
  });
  expect(res.status).toBe(202);
  await eventually(async () => (await get(`/api/v1/query?query=count(redos)&time=${T0 / 1000}`)).body.data?.result?.[0]?.value[1] === "2", 20_000, "data stored");
}, 60_000);
const timings: number[] = [];
afterAll(async () => {
  if (timings.length) console.log(`query-regex: ${timings.length} API answers, slowest ${Math.max(...timings).toFixed(0)} ms, median ${timings.sort((a, b) => a - b)[timings.length >> 1].toFixed(0)} ms`);
  await stack?.close();
});

async function get(path: string) {
  const started = performance.now();
  const res = await fetch(`${stack.url}${path}`, { headers: { authorization: `Bearer ${stack.key}` }, signal: AbortSignal.timeout(20_000) });
  const body = (await res.json()) as { status: string; data: any; errorType?: string; error?: string };
  const ms = performance.now() - started;
  timings.push(ms);
  return { status: res.status, body, ms };
}

const query = (expr: string) => get(`/api/v1/query?query=${encodeURIComponent(expr)}&time=${T0 / 1000}`);
const lit = (re: string) => JSON.stringify(re);

async function healthy() {
  const res = await fetch(`${stack.url}/healthz`, { signal: AbortSignal.timeout(5_000) });
  expect(res.status).toBe(200);
}

// Generous for a shared 2-core machine and a Postgres round trip; the backtracking engine took minutes.
const FAST_MS = 3_000;

describe("runaway regexes answer fast through the query API", () => {
  it.each(RUNAWAY.map((p, i) => [p.length > 30 ? p.slice(0, 30) + "…" : p, i] as const))("%s via /api/v1/query (=~ and !~)", async (_, i) => {
    const p = RUNAWAY[i];
    const eq = await query(`count(redos{v=~${lit(p)}})`);
    expect(eq.status).toBe(200);
    expect(eq.body.data.result.map((r: { value: [number, string] }) => r.value[1])).toEqual(MATCHES_LONG[i] ? ["1"] : []);
    const ne = await query(`count(redos{v!~${lit(p)}})`);
    expect(ne.status).toBe(200);
    expect(ne.body.data.result[0].value[1]).toBe(MATCHES_LONG[i] ? "1" : "2");
    expect(Math.max(eq.ms, ne.ms)).toBeLessThan(FAST_MS);
    await healthy();
  });

  // Shapes the Postgres planner hands to SQL's own regex engine (then re-checked by the engine).
  it.each([
    ["(a+)+", 0], ["(a|a)*", 0], ["(.*)*", 2], ["(a|aa)+", 0], ["(.*a)+", 0], ["(a*)*", 0], ["(a|b|ab)*", 1],
  ] as const)("%s as SQL sees it", async (p, n) => {
    const r = await query(`count(redos{v=~${lit(p)}})`);
    expect(r.status).toBe(200);
    expect(r.body.data.result.map((x: { value: [number, string] }) => x.value[1])).toEqual(n ? [String(n)] : []);
    expect(r.ms).toBeLessThan(FAST_MS);
    await healthy();
  });

  it("(a+)+$ via /api/v1/labels?match[]= and label_replace", async () => {
    const labels = await get(`/api/v1/labels?match[]=${encodeURIComponent('redos{v=~"(a|a)*!"}')}`);
    expect(labels.status).toBe(200);
    expect(labels.body.data).toEqual(["__name__", "v"]);
    const none = await get(`/api/v1/labels?match[]=${encodeURIComponent('redos{v=~"(a+)+$"}')}`);
    expect(none.body.data).toEqual([]);
    const lr = await query(`label_replace(redos, "head", "$1", "v", "(a+)+(.)$")`);
    expect(lr.status).toBe(200);
    const heads = lr.body.data.result.map((r: { metric: Record<string, string> }) => r.metric.head ?? null).sort();
    expect(heads).toEqual(["a".repeat(2047), null]); // leftmost-first: the first a+ takes every "a"; "b" does not match
    const runaway = await query(`count(label_replace(redos, "x", "$1", "v", ${lit(RUNAWAY[0])}))`);
    expect(runaway.body.data.result[0].value[1]).toBe("2");
    expect(Math.max(labels.ms, none.ms, lr.ms, runaway.ms)).toBeLessThan(FAST_MS);
    await healthy();
  });
});

describe("invalid RE2 is 400 bad_data, as in Prometheus", () => {
  it.each([
    ['"(a{1000}){1000}"', "invalid repeat count: `{1000}`"],
    ['"\\xff"', "invalid UTF-8"],
    ['"(?=a)"', "invalid or unsupported Perl syntax: `(?=`"],
    ['"(a)\\\\1"', "invalid escape sequence: `\\1`"],
    [lit("(".repeat(5000) + "a" + ")".repeat(5000)), "expression nests too deeply"],
  ])("%s", async (l, message) => {
    const r = await query(`redos{v=~${l}}`);
    expect(r.status).toBe(400);
    expect(r.body.errorType).toBe("bad_data");
    expect(r.body.error).toContain(`error parsing regexp: ${message}`);
    const s = await get(`/api/v1/series?match[]=${encodeURIComponent(`redos{v!~${l}}`)}`);
    expect(s.status).toBe(400);
    expect(s.body.errorType).toBe("bad_data");
    await healthy();
  });
});
