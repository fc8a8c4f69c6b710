// Rule evaluation by the query worker's cron (scheduled() in workerd, real
// Postgres): recording outputs and ALERTS written as samples and read back
// through /api/v1/query; pending -> firing -> resolved over cron runs; missed
// slots caught up (at most 10 a run); /api/v1/rules and /api/v1/alerts as
// Prometheus answers; a slot committed once under concurrent runs; tenants apart.
//
// The file has a database of its own: its cron runs, two days ahead of the
// clock (the tenants may write that far ahead), must not evaluate other files'
// groups, nor theirs these groups.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setTenantLimits } from "../../shared/admin";
import { commitRuleEvaluation, getRuleGroup } from "../../shared/storage/postgres/rule-groups";
import { runRuleEvaluation } from "../../workers/query/rules/cron";
import { createOwnDatabase, type OwnDatabase } from "../helpers/own-database";
import { eventually, startTestStack, type TestStack } from "../helpers/stack";

const MIN = 60_000;
const BASE = Math.floor(Date.now() / MIN) * MIN + 2 * 86_400_000;
const AHEAD = { maxFutureMs: 3 * 86_400_000 };

let own: OwnDatabase;
let stack: TestStack;
let a: { tenantId: number; key: string };

const GROUP = `name: errors
interval: 1m
rules:
  - record: job:rt_errors:max
    expr: max by (job) (rt_errors)
  - alert: RtErrors
    expr: max by (job) (rt_errors) > 5
    for: 2m
    labels:
      severity: page
    annotations:
      summary: errors are high
`;

async function ingest(key: string, series: unknown[]) {
  const res = await fetch(`${stack.url}/v1/metrics`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify({ series }) });
  expect(res.status, await res.clone().text()).toBe(202);
}

async function api(key: string, path: string) {
  const res = await fetch(`${stack.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return (await res.json()) as { status: string; data: any };
}

const query = async (key: string, expr: string, at: number) =>
  (await api(key, `/api/v1/query?query=${encodeURIComponent(expr)}&time=${at / 1000}`)).data.result as { metric: Record<string, string>; value: [number, string] }[];

async function postGroup(key: string, namespace: string, body: string) {
  const res = await fetch(`${stack.url}/admin/v1/rules/${namespace}`, { method: "POST", headers: { authorization: `Bearer ${key}` }, body });
  expect(res.status, await res.clone().text()).toBe(202);
}

/** One cron run at `at`, as the trigger would start it. */
async function cron(at: number) {
  const worker = await stack.queryMf.getWorker("query");
  await worker.scheduled({ cron: "* * * * *", scheduledTime: new Date(at) });
}

const goTime = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");

beforeAll(async () => {
  own = await createOwnDatabase("rules_cron");
  stack = await startTestStack({ databaseUrl: own.url });
  a = await stack.tenantWithKey(`rules-cron-a-${Date.now().toString(36)}`);
  await setTenantLimits(stack.db.db, a.tenantId, AHEAD);
  // 10 errors up to BASE+4m, none after; two series of rt_dup for a rule that fails.
  const samples = Array.from({ length: 70 * 4 }, (_, i) => BASE - 10 * MIN + i * 15_000).map((t) => [t, t <= BASE + 4 * MIN ? 10 : 0]);
  await ingest(a.key, [
    { name: "rt_errors", labels: { job: "api" }, samples },
    { name: "rt_dup", labels: { i: "1" }, samples: samples.map(([t]) => [t, 1]) },
    { name: "rt_dup", labels: { i: "2" }, samples: samples.map(([t]) => [t, 1]) },
  ]);
  await eventually(async () => (await query(a.key, "count(rt_dup)", BASE)).length === 1 && (await query(a.key, "rt_errors", BASE + 55 * MIN)).length === 1, 20_000, "data stored");
});
afterAll(async () => {
  await stack?.close();
  await own?.drop();
});

describe("an alerting rule over cron runs", () => {
  it("goes pending, firing, resolved, writing ALERTS, ALERTS_FOR_STATE and recording outputs", async () => {
    await postGroup(a.key, "svc", GROUP);
    const alertLabels = { __name__: "ALERTS", alertname: "RtErrors", alertstate: "pending", job: "api", severity: "page" };

    await cron(BASE + 5_000);
    expect(await query(a.key, "job:rt_errors:max", BASE)).toEqual([{ metric: { __name__: "job:rt_errors:max", job: "api" }, value: [BASE / 1000, "10"] }]);
    expect(await query(a.key, "ALERTS", BASE)).toEqual([{ metric: alertLabels, value: [BASE / 1000, "1"] }]);
    const pending = await api(a.key, "/api/v1/alerts");
    expect(pending).toEqual({
      status: "success",
      data: { alerts: [{ labels: { alertname: "RtErrors", job: "api", severity: "page" }, annotations: { summary: "errors are high" }, state: "pending", activeAt: goTime(BASE), value: "1e+01" }] },
    });

    await cron(BASE + MIN + 5_000);
    expect((await query(a.key, "ALERTS", BASE + MIN))[0].metric.alertstate).toBe("pending");

    // Two slots missed: both evaluated, the second firing (2m held).
    await cron(BASE + 3 * MIN + 5_000);
    expect((await query(a.key, "ALERTS", BASE + 2 * MIN))[0].metric.alertstate).toBe("firing");
    expect(await query(a.key, "ALERTS_FOR_STATE", BASE + 3 * MIN)).toEqual([
      { metric: { __name__: "ALERTS_FOR_STATE", alertname: "RtErrors", job: "api", severity: "page" }, value: [(BASE + 3 * MIN) / 1000, String(BASE / 1000)] },
    ]);
    const rules = await api(a.key, "/api/v1/rules");
    const group = rules.data.groups[0];
    expect(group).toMatchObject({ name: "errors", file: "svc", interval: 60, limit: 0, lastEvaluation: goTime(BASE + 3 * MIN) });
    expect(typeof group.evaluationTime).toBe("number");
    expect(group.rules[0]).toMatchObject({ name: "job:rt_errors:max", health: "ok", lastEvaluation: goTime(BASE + 3 * MIN), type: "recording" });
    expect(group.rules[0]).not.toHaveProperty("lastError");
    expect(group.rules[1]).toMatchObject({
      state: "firing",
      name: "RtErrors",
      duration: 120,
      health: "ok",
      type: "alerting",
      alerts: [{ labels: { alertname: "RtErrors", job: "api", severity: "page" }, annotations: { summary: "errors are high" }, state: "firing", activeAt: goTime(BASE), value: "1e+01" }],
    });

    // The errors stop after BASE+4m: resolved at BASE+5m, ALERTS goes stale.
    await cron(BASE + 5 * MIN + 5_000);
    expect((await query(a.key, "ALERTS", BASE + 4 * MIN))[0].metric.alertstate).toBe("firing");
    expect(await query(a.key, "ALERTS", BASE + 5 * MIN)).toEqual([]);
    expect(await api(a.key, "/api/v1/alerts")).toEqual({ status: "success", data: { alerts: [] } });
    const after = (await api(a.key, "/api/v1/rules")).data.groups[0].rules[1];
    expect(after.state).toBe("inactive");
    expect(after.alerts).toEqual([]);
    expect(await query(a.key, 'inferscope_rule_group_last_evaluation_timestamp_seconds{rule_group="svc;errors"}', BASE + 5 * MIN)).toEqual([
      { metric: { __name__: "inferscope_rule_group_last_evaluation_timestamp_seconds", rule_group: "svc;errors" }, value: [(BASE + 5 * MIN) / 1000, String((BASE + 5 * MIN) / 1000)] },
    ]);
    expect((await query(a.key, 'inferscope_rule_evaluation_failures_total{rule_group="svc;errors"}', BASE + 5 * MIN))[0].value[1]).toBe("0");
  });

  it("catches up at most 10 missed slots, skipping older ones", async () => {
    await cron(BASE + 30 * MIN + 5_000);
    const g = await getRuleGroup(stack.db.db, a.tenantId, "svc", "errors");
    expect(g?.lastEvalMs).toBe(BASE + 30 * MIN);
    // Evaluated in [BASE, BASE+30m] (2.42's ranges include both ends): BASE..BASE+5m, then BASE+21m..30m.
    const n = await query(a.key, 'count_over_time(inferscope_rule_group_last_evaluation_timestamp_seconds{rule_group="svc;errors"}[30m])', BASE + 30 * MIN);
    expect(n[0].value[1]).toBe("16");
    // A run at the same time again has nothing to do.
    await cron(BASE + 30 * MIN + 20_000);
    expect((await getRuleGroup(stack.db.db, a.tenantId, "svc", "errors"))?.lastEvalMs).toBe(BASE + 30 * MIN);
  });
});

describe("concurrency and failures", () => {
  it("commits a slot once when two runs race, counting a failing rule once", async () => {
    await postGroup(a.key, "race", "name: dup\nrules:\n  - record: rt:dup\n    expr: rt_dup * on() rt_dup\n  - record: rt:one\n    expr: vector(1)\n");
    await Promise.all([cron(BASE + 40 * MIN + 1_000), cron(BASE + 40 * MIN + 1_000)]);
    const g = (await getRuleGroup(stack.db.db, a.tenantId, "race", "dup"))!;
    expect(g.lastEvalMs).toBe(BASE + 40 * MIN);
    expect(g.failuresTotal).toBe(1);
    const rules = (await api(a.key, "/api/v1/rules")).data.groups.find((x: { file: string }) => x.file === "race").rules;
    expect(rules[0].health).toBe("err");
    expect(rules[0].lastError).toMatch(/many-to-many|duplicate/);
    expect(rules[1].health).toBe("ok");
    expect(await query(a.key, "rt:one", BASE + 40 * MIN)).toEqual([{ metric: { __name__: "rt:one" }, value: [(BASE + 40 * MIN) / 1000, "1"] }]);
    expect((await query(a.key, 'inferscope_rule_evaluation_failures_total{rule_group="race;dup"}', BASE + 40 * MIN))[0].value[1]).toBe("1");

    // The commit itself: two transactions from the same starting point, one wins.
    const base = { id: g.id, version: g.version, lastEvalMs: g.lastEvalMs };
    const slot = BASE + 41 * MIN;
    const results = await Promise.all([0, 1].map(() => stack.db.db.transaction((tx) => commitRuleEvaluation(tx, base, slot, g.state, 1))));
    expect(results.filter(Boolean)).toHaveLength(1);
    const row = await stack.db.db.execute<{ failures_total: string; last_eval_ms: string }>(sql`SELECT failures_total, last_eval_ms FROM rule_groups WHERE id = ${g.id}`);
    expect(row.rows[0]).toEqual({ failures_total: "2", last_eval_ms: String(slot) });
    // An edited group (new version) refuses a commit built on the old one.
    expect(await stack.db.db.transaction((tx) => commitRuleEvaluation(tx, { ...base, lastEvalMs: slot }, slot + MIN, g.state, 0))).toBe(true);
    await postGroup(a.key, "race", "name: dup\nrules:\n  - record: rt:one\n    expr: vector(1)\n");
    expect(await stack.db.db.transaction((tx) => commitRuleEvaluation(tx, { ...base, lastEvalMs: slot + MIN }, slot + 2 * MIN, g.state, 0))).toBe(false);
  });

  it("stops starting groups when its time is up, leaving them to the next run", async () => {
    await postGroup(a.key, "budget", "name: b\nrules:\n  - record: rt:budget\n    expr: vector(2)\n");
    const at = BASE + 42 * MIN;
    const late = await runRuleEvaluation(stack.db.db, at + 1_000, { budgetMs: 0, log: () => {} });
    expect(late).toMatchObject({ committed: 0, outOfTime: true });
    expect((await getRuleGroup(stack.db.db, a.tenantId, "budget", "b"))?.lastEvalMs).toBe(0);
    const next = await runRuleEvaluation(stack.db.db, at + 1_000, { log: () => {} });
    expect(next.outOfTime).toBe(false);
    expect((await getRuleGroup(stack.db.db, a.tenantId, "budget", "b"))?.lastEvalMs).toBe(at);
    expect(await query(a.key, "rt:budget", at)).toEqual([{ metric: { __name__: "rt:budget" }, value: [at / 1000, "2"] }]);
  });

  it("keeps one broken group from stopping the others", async () => {
    // A row no API would write (rules: null): its evaluation throws; the group after it still runs.
    await stack.db.db.execute(sql`
      INSERT INTO rule_groups (tenant_id, namespace, name, spec, source, interval_ms, state)
      VALUES (${a.tenantId}, 'aaa-broken', 'broken', '{"name":"broken","rules":null}', '', 60000, '{"rules":[],"lastEvaluation":0,"evaluationTime":0}')`);
    await cron(BASE + 45 * MIN + 1_000);
    expect((await getRuleGroup(stack.db.db, a.tenantId, "svc", "errors"))?.lastEvalMs).toBe(BASE + 45 * MIN);
    expect((await getRuleGroup(stack.db.db, a.tenantId, "aaa-broken", "broken"))?.lastEvalMs).toBe(0);
    await stack.db.db.execute(sql`DELETE FROM rule_groups WHERE tenant_id = ${a.tenantId} AND namespace = 'aaa-broken'`);
  });
});

describe("edits and deletes", () => {
  it("mark the series of removed rules and deleted groups stale, as Prometheus does", async () => {
    const at = BASE + 46 * MIN;
    expect(await query(a.key, "job:rt_errors:max", at - MIN)).toEqual([{ metric: { __name__: "job:rt_errors:max", job: "api" }, value: [(at - MIN) / 1000, "0"] }]);
    // The recording rule removed: its series ends at the next evaluation instead of lingering for the lookback.
    await postGroup(a.key, "svc", GROUP.replace("  - record: job:rt_errors:max\n    expr: max by (job) (rt_errors)\n", ""));
    await cron(at + 1_000);
    expect(await query(a.key, "job:rt_errors:max", at)).toEqual([]);
    expect((await getRuleGroup(stack.db.db, a.tenantId, "svc", "errors"))?.staleSeries).toEqual([]);
    // A deleted group's series get their marker when it is deleted.
    const res = await fetch(`${stack.url}/admin/v1/rules/race`, { method: "DELETE", headers: { authorization: `Bearer ${a.key}` } });
    expect(res.status).toBe(202);
    const markers = await stack.db.db.execute<{ n: string }>(sql`
      SELECT count(*) AS n FROM samples s JOIN series r ON r.id = s.series_id
      WHERE r.tenant_id = ${a.tenantId} AND r.metric_name = 'rt:one' AND s.value IS NULL`);
    expect(markers.rows[0].n).toBe("1");
  });
});

describe("tenants", () => {
  it("evaluate their own rules on their own data, and see only their own alerts", async () => {
    const b = await stack.tenantWithKey(`rules-cron-b-${Date.now().toString(36)}`);
    await setTenantLimits(stack.db.db, b.tenantId, AHEAD);
    await postGroup(b.key, "svc", GROUP.replace("name: errors", "name: errors-b").replace("- record: job:rt_errors:max", "- record: b:marker\n    expr: vector(1)\n  - record: job:rt_errors:max"));
    await cron(BASE + 50 * MIN + 1_000);
    const at = BASE + 50 * MIN;
    expect(await query(b.key, "b:marker", at)).toEqual([{ metric: { __name__: "b:marker" }, value: [at / 1000, "1"] }]);
    expect(await query(a.key, "b:marker", at)).toEqual([]);
    // b has no rt_errors: nothing recorded, nothing firing; a's ALERTS are not b's.
    expect(await query(b.key, "job:rt_errors:max", at)).toEqual([]);
    expect(await query(b.key, "ALERTS", BASE + 3 * MIN)).toEqual([]);
    expect((await api(b.key, "/api/v1/alerts")).data.alerts).toEqual([]);
    expect((await api(b.key, "/api/v1/rules")).data.groups.map((g: { name: string }) => g.name)).toEqual(["errors-b"]);
  });
});
