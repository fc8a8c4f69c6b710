// The "done when" for alerting, driven over HTTP as a user would: a
// notifier config with a real Alertmanager (routing to a loopback webhook) and
// a direct webhook, a rule group through the admin API, a metric pushed with
// POST /v1/metrics; then the query worker's cron fires the alert (seen in
// /api/v1/alerts and ALERTS) and, once the value drops, resolves it: each
// destination gets one firing and one resolved notification, the resend of the
// firing alert a minute on and further cron runs send nothing more.
//
// Real time throughout: Alertmanager judges firing and resolved by its own
// clock. The stack has a database of its own: the cron evaluates and delivers
// for every tenant of a database, so other files' cron runs (some at times
// days ahead) would otherwise evaluate this group too, and this file's runs
// theirs.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAlertmanager, type AlertmanagerProcess } from "../helpers/alertmanager";
import { createOwnDatabase, type OwnDatabase } from "../helpers/own-database";
import { eventually, startTestStack, type TestStack } from "../helpers/stack";
import { startWebhookReceiver, type ReceivedRequest, type WebhookReceiver } from "../helpers/webhook-receiver";

const INTERVAL_MS = 10_000; // the shortest rule-group interval the admin API takes
const GROUP = `name: queues
interval: 10s
rules:
  - alert: QueueTooDeep
    expr: e2e_queue_depth > 10
    for: 0s
    labels:
      severity: page
    annotations:
      summary: "queue {{ $labels.queue }} holds {{ $value }} items"
`;

interface WebhookAlert {
  status: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}
interface WebhookPayload {
  version: string;
  status: "firing" | "resolved";
  receiver: string;
  groupKey: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  externalURL: string;
  truncatedAlerts: number;
  alerts: WebhookAlert[];
}

let db: OwnDatabase;
let stack: TestStack;
let am: AlertmanagerProcess;
let amHook: WebhookReceiver; // where Alertmanager sends
let direct: WebhookReceiver; // the direct webhook receiver
let firingSlot = 0;

const payloads = (r: WebhookReceiver) => r.received.map((q: ReceivedRequest) => q.body as WebhookPayload);
const withStatus = (r: WebhookReceiver, status: string) => payloads(r).filter((p) => p.status === status);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");

async function call(method: string, path: string, body?: string, contentType?: string) {
  const res = await fetch(`${stack.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${stack.key}`, ...(contentType ? { "content-type": contentType } : {}) },
    body,
  });
  return { status: res.status, text: await res.text() };
}

async function api<T>(path: string): Promise<T> {
  const res = await call("GET", path);
  expect(res.status, res.text).toBe(200);
  return (JSON.parse(res.text) as { data: T }).data;
}

async function push(value: number, ts: number) {
  const series = [{ name: "e2e_queue_depth", labels: { job: "worker", queue: "jobs" }, samples: [[ts, value]], type: "gauge" }];
  const res = await call("POST", "/v1/metrics", JSON.stringify({ series }), "application/json");
  expect(res.status, res.text).toBe(202);
  // Stored once the query API sees it at its own timestamp.
  await eventually(async () => {
    const r = await api<{ result: { value: [number, string] }[] }>(`/api/v1/query?query=e2e_queue_depth&time=${ts / 1000}`);
    return r.result.length === 1 && Number(r.result[0].value[1]) === value;
  }, 20_000, `e2e_queue_depth = ${value} stored`);
}

/** Waits for an evaluation slot after `ts` (the first, unless it passed already), runs the cron once in it; returns the slot. */
async function cronAfter(ts: number): Promise<number> {
  let slot = Math.max((Math.floor(ts / INTERVAL_MS) + 1) * INTERVAL_MS, Math.floor(Date.now() / INTERVAL_MS) * INTERVAL_MS);
  // Not at the edge of the next one: the run must evaluate exactly `slot`.
  if (Date.now() > slot + INTERVAL_MS - 500) slot += INTERVAL_MS;
  if (Date.now() < slot) await sleep(slot - Date.now() + 50);
  await stack.runCron();
  return slot;
}

const alertsNow = async () => (await api<{ alerts: { labels: Record<string, string>; state: string; activeAt: string; value: string }[] }>("/api/v1/alerts")).alerts;
const firingSeries = async (at: number) =>
  (await api<{ result: { metric: Record<string, string> }[] }>(`/api/v1/query?query=${encodeURIComponent('ALERTS{alertstate="firing"}')}&time=${at / 1000}`)).result;

beforeAll(async () => {
  [db, amHook, direct] = await Promise.all([createOwnDatabase("alerts_e2e"), startWebhookReceiver(), startWebhookReceiver()]);
  [stack, am] = await Promise.all([
    startTestStack({ databaseUrl: db.url }),
    startAlertmanager({ webhookUrl: `${amHook.url}/alertmanager`, groupWait: "1s", groupInterval: "1s", repeatInterval: "1h" }),
  ]);
}, 120_000);
afterAll(async () => {
  await Promise.all([stack?.close(), am?.stop(), amHook?.close(), direct?.close()]);
  await db?.drop();
});

describe("an alert fires and resolves end to end through the cron", () => {
  it("is configured through the admin API: notifiers (JSON) and a rule group (YAML, as Mimir's ruler)", async () => {
    const config = {
      alertmanagers: [{ url: am.url, timeout: "5s" }],
      receivers: [{ name: "direct", type: "webhook", url: `${direct.url}/hook`, group_wait: "0s", group_interval: "1s", repeat_interval: "1h" }],
    };
    const put = await call("PUT", "/admin/v1/notifiers", JSON.stringify(config), "application/json");
    expect(put.status, put.text).toBe(200);
    const post = await call("POST", "/admin/v1/rules/e2e", GROUP, "application/yaml");
    expect(post.status, post.text).toBe(202);
    const rules = await api<{ groups: { name: string; file: string; rules: { name: string; type: string }[] }[] }>("/api/v1/rules?type=alert");
    expect(rules.groups).toMatchObject([{ name: "queues", file: "e2e", rules: [{ name: "QueueTooDeep", type: "alerting" }] }]);
  });

  it("fires: /api/v1/alerts and ALERTS say firing; one firing notification at the direct webhook, the alert at Alertmanager's receiver", async () => {
    // Below the threshold first: an evaluation that finds nothing to send.
    const quiet = Date.now();
    await push(3, quiet);
    await cronAfter(quiet);
    expect(await alertsNow()).toEqual([]);
    expect(direct.received).toHaveLength(0);

    const high = Date.now();
    await push(42, high);
    firingSlot = await cronAfter(high);
    const alerts = await alertsNow();
    expect(alerts).toMatchObject([{ labels: { alertname: "QueueTooDeep", job: "worker", queue: "jobs", severity: "page" }, state: "firing", activeAt: rfc3339(firingSlot), value: "4.2e+01" }]);
    expect((await firingSeries(firingSlot)).map((s) => s.metric)).toEqual([
      { __name__: "ALERTS", alertname: "QueueTooDeep", alertstate: "firing", job: "worker", queue: "jobs", severity: "page" },
    ]);

    // The direct webhook: sent by that same cron run (group_wait 0s), in Alertmanager's format.
    const [hook] = await direct.waitFor(1, 5_000);
    expect(hook.path).toBe("/hook");
    const sent = hook.body as WebhookPayload;
    expect(sent).toMatchObject({
      version: "4",
      status: "firing",
      receiver: "direct",
      groupLabels: { alertname: "QueueTooDeep" },
      commonLabels: { alertname: "QueueTooDeep", job: "worker", queue: "jobs", severity: "page" },
      externalURL: stack.url,
      truncatedAlerts: 0,
    });
    expect(sent.groupKey).toContain('alertname="QueueTooDeep"');
    expect(sent.alerts).toHaveLength(1);
    const [a] = sent.alerts;
    expect(a).toMatchObject({ status: "firing", annotations: { summary: "queue jobs holds 42 items" }, startsAt: new Date(firingSlot).toISOString() });
    expect(a.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(a.generatorURL.startsWith(`${stack.url}/graph?g0.expr=`)).toBe(true);
    expect(new URL(a.generatorURL).searchParams.get("g0.expr")).toBe("e2e_queue_depth > 10");

    // Alertmanager got it through its v2 API and notified its webhook after its group_wait.
    const [fromAm] = await amHook.waitFor(1, 10_000);
    const amSent = fromAm.body as WebhookPayload;
    expect(amSent).toMatchObject({ version: "4", status: "firing", receiver: "hook", groupLabels: { alertname: "QueueTooDeep" } });
    expect(amSent.alerts).toHaveLength(1);
    expect(amSent.alerts[0]).toMatchObject({
      status: "firing",
      labels: { alertname: "QueueTooDeep", job: "worker", queue: "jobs", severity: "page" },
      annotations: { summary: "queue jobs holds 42 items" },
      generatorURL: a.generatorURL,
      // Alertmanager and the built-in grouping agree on the alert's identity.
      fingerprint: a.fingerprint,
    });
    expect(Date.parse(amSent.alerts[0].startsAt)).toBe(firingSlot);
  });

  it("stays firing over a minute: the resend reaches both, neither notifies again", async () => {
    expect(firingSlot).toBeGreaterThan(0);
    // Prometheus resends a firing alert once its last send is over a minute old: here at firingSlot + 70 s.
    let slot = firingSlot;
    while (slot < firingSlot + 70_000) slot = await cronAfter(slot);
    // The resend reached the direct receiver's group (the alert row was updated) and Alertmanager (its endsAt moved on).
    const rows = await stack.db.db.execute<{ rev: string | number }>(sql`SELECT rev FROM notify_group_alerts WHERE tenant_id = ${stack.tenantId}`);
    expect(rows.rows.map((r) => Number(r.rev))).toEqual([2]);
    const inAm = (await (await fetch(`${am.url}/api/v2/alerts`)).json()) as { labels: Record<string, string>; endsAt: string }[];
    expect(inAm.map((x) => x.labels.alertname)).toEqual(["QueueTooDeep"]);
    // First sent with endsAt = firingSlot + 4 min (four times the 1 min resend delay); the resend's is later.
    expect(Date.parse(inAm[0].endsAt)).toBe(slot + 4 * 60_000);
    expect((await alertsNow()).map((x) => x.state)).toEqual(["firing"]);
    await sleep(2_000);
    expect(direct.received).toHaveLength(1);
    expect(amHook.received).toHaveLength(1);
  }, 120_000);

  it("resolves: one resolved notification at each, nothing left firing", async () => {
    expect(firingSlot).toBeGreaterThan(0);
    const low = Date.now();
    await push(1, low);
    const resolvedSlot = await cronAfter(low);
    expect(await alertsNow()).toEqual([]);
    expect(await firingSeries(resolvedSlot)).toEqual([]);

    const [, hook] = await direct.waitFor(2, 5_000);
    const sent = hook.body as WebhookPayload;
    expect(sent).toMatchObject({ version: "4", status: "resolved", receiver: "direct", groupLabels: { alertname: "QueueTooDeep" }, externalURL: stack.url });
    expect(sent.alerts).toHaveLength(1);
    expect(sent.alerts[0]).toMatchObject({ status: "resolved", labels: { alertname: "QueueTooDeep", queue: "jobs" }, startsAt: new Date(firingSlot).toISOString() });
    expect(Date.parse(sent.alerts[0].endsAt)).toBe(resolvedSlot);

    const [, fromAm] = await amHook.waitFor(2, 10_000);
    const amSent = fromAm.body as WebhookPayload;
    expect(amSent).toMatchObject({ status: "resolved", receiver: "hook" });
    expect(amSent.alerts).toMatchObject([{ status: "resolved", labels: { alertname: "QueueTooDeep", queue: "jobs" } }]);
    expect(Date.parse(amSent.alerts[0].endsAt)).toBe(resolvedSlot);
  });

  it("sends nothing more over further cron runs: one firing and one resolved at each destination", async () => {
    let last = Date.now();
    for (let i = 0; i < 2; i++) {
      await stack.runCron(); // within a slot already evaluated: nothing due
      last = await cronAfter(last); // a new slot: evaluated, the alert stays resolved
    }
    // Alertmanager's group_interval is 1s: time for anything it would still send.
    await sleep(3_000);
    for (const r of [direct, amHook]) {
      expect(withStatus(r, "firing")).toHaveLength(1);
      expect(withStatus(r, "resolved")).toHaveLength(1);
      expect(r.received).toHaveLength(2);
    }
    expect(await alertsNow()).toEqual([]);
  });
});
