// Direct receivers (no Alertmanager): the built-in grouping on real Postgres,
// sending to webhook and Slack receivers on loopback. Time is driven through
// `now`; the timings are Alertmanager's (group_wait, group_interval, repeat_interval).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { deliverNotifications } from "../../workers/query/notify";
import { enqueueAlerts } from "../../workers/query/notify";
import { validateNotifierConfig } from "../../workers/query/notify/config";
import { fingerprint } from "../../workers/query/notify/fingerprint";
import { putNotifierConfig } from "../../workers/query/notify/store";
import { startWebhookReceiver, type WebhookReceiver } from "../helpers/webhook-receiver";
import { alert, enqueue, tenantWithNotifiers } from "../support/notify";
import { useOwnNodeDb } from "../helpers/own-database";

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const T0 = Date.UTC(2026, 11, 1, 12, 0, 0);
const FAR = T0 + 24 * H; // endsAt of alerts that stay firing throughout a test

// A database of its own: a rule cron run of another file delivers for every tenant of its database.
const testDb = useOwnNodeDb("notify_direct");
let hook: WebhookReceiver;
beforeAll(async () => {
  hook = await startWebhookReceiver();
});
afterAll(async () => {
  await hook?.close();
});

interface WebhookBody {
  receiver: string;
  status: string;
  alerts: { status: string; labels: Record<string, string>; annotations: Record<string, string>; startsAt: string; endsAt: string; generatorURL: string; fingerprint: string }[];
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  version: string;
  groupKey: string;
  truncatedAlerts: number;
}

/** A tenant whose one receiver posts to the loopback hook under its own path; returns what arrived there. */
async function setup(receiver: Record<string, unknown> = {}) {
  const path = `/r${Math.random().toString(36).slice(2)}`;
  const tenantId = await tenantWithNotifiers(testDb(), { receivers: [{ name: "oncall", type: "webhook", url: `${hook.url}${path}`, ...receiver }] });
  const got = () => hook.received.filter((r) => r.path === path).map((r) => r.body as WebhookBody);
  const deliver = (now: number) => deliverNotifications(testDb(), now, { tenantId, externalURL: "http://inferscope.test" });
  return { tenantId, got, deliver, path };
}

describe("built-in grouping for a webhook receiver", () => {
  it("groups alerts by alertname and sends one notification per group after group_wait, in Alertmanager's webhook format", async () => {
    const { tenantId, got, deliver } = await setup();
    const a = alert({ alertname: "HighErrors", model: "gpt-4o", severity: "warning" }, T0, FAR, { summary: "errors on gpt-4o", runbook: "r" });
    const b = alert({ alertname: "HighErrors", model: "llama3", severity: "warning" }, T0, FAR, { summary: "errors on llama3", runbook: "r" });
    const c = alert({ alertname: "GpuHot", gpu: "0", severity: "critical" }, T0, FAR);
    await enqueue(testDb(), tenantId, [a, b, c], T0);

    expect((await deliver(T0 + 29 * S)).receivers.sent).toBe(0);
    expect(got()).toHaveLength(0);
    const report = await deliver(T0 + 30 * S);
    expect(report.receivers.sent).toBe(2);
    expect(report.tenants).toEqual([tenantId]);

    const byName = new Map(got().map((g) => [g.groupLabels.alertname, g]));
    expect([...byName.keys()].sort()).toEqual(["GpuHot", "HighErrors"]);
    const high = byName.get("HighErrors")!;
    expect(high).toEqual({
      receiver: "oncall",
      status: "firing",
      alerts: [
        { status: "firing", labels: a.labels, annotations: a.annotations, startsAt: a.startsAt, endsAt: a.endsAt, generatorURL: a.generatorURL, fingerprint: fingerprint(a.labels) },
        { status: "firing", labels: b.labels, annotations: b.annotations, startsAt: b.startsAt, endsAt: b.endsAt, generatorURL: b.generatorURL, fingerprint: fingerprint(b.labels) },
      ],
      groupLabels: { alertname: "HighErrors" },
      commonLabels: { alertname: "HighErrors", severity: "warning" },
      commonAnnotations: { runbook: "r" },
      externalURL: "http://inferscope.test",
      version: "4",
      groupKey: '{}/{receiver="oncall"}:{alertname="HighErrors"}',
      truncatedAlerts: 0,
    });
    expect(high.alerts[0].fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(byName.get("GpuHot")!.alerts.map((x) => x.labels.gpu)).toEqual(["0"]);
  });

  it("sends a change after group_interval, nothing while unchanged, and repeats after repeat_interval", async () => {
    const { tenantId, got, deliver } = await setup({ group_wait: "30s", group_interval: "5m", repeat_interval: "4h" });
    const a = alert({ alertname: "Slow", model: "a" }, T0, FAR);
    await enqueue(testDb(), tenantId, [a], T0);
    await deliver(T0 + 30 * S);
    expect(got()).toHaveLength(1);

    // A new alert in the group one minute later waits for the group's next tick, 5 min after the first flush.
    await enqueue(testDb(), tenantId, [a, alert({ alertname: "Slow", model: "b" }, T0 + M, FAR)], T0 + M);
    await deliver(T0 + 2 * M);
    await deliver(T0 + 30 * S + 5 * M - S);
    expect(got()).toHaveLength(1);
    await deliver(T0 + 30 * S + 5 * M);
    expect(got()).toHaveLength(2);
    expect(got()[1].alerts.map((x) => x.labels.model)).toEqual(["a", "b"]);

    // Unchanged: every tick passes without a notification until four hours after the last one.
    let now = T0 + 30 * S + 5 * M;
    for (let tick = 0; tick < 3; tick++) {
      now += 5 * M;
      const r = await deliver(now);
      expect(r.receivers.unchanged).toBe(1);
    }
    expect(got()).toHaveLength(2);
    const lastSent = T0 + 30 * S + 5 * M;
    await deliver(lastSent + 4 * H);
    expect(got()).toHaveLength(2);
    await deliver(lastSent + 4 * H + 5 * M);
    expect(got()).toHaveLength(3);
    expect(got()[2].alerts).toHaveLength(2);
  });

  it("flushes a new group at once when its alert started longer than group_wait ago", async () => {
    const { tenantId, got, deliver } = await setup({ group_wait: "30s" });
    await enqueue(testDb(), tenantId, [alert({ alertname: "Old" }, T0 - H, FAR)], T0);
    await deliver(T0);
    expect(got()).toHaveLength(1);
  });

  it("sends a resolve once, then forgets the alert (a resent resolve sends nothing)", async () => {
    const { tenantId, got, deliver } = await setup({ group_wait: "0s", group_interval: "1m" });
    const labels = { alertname: "Down", job: "vllm" };
    await enqueue(testDb(), tenantId, [alert(labels, T0, T0 + 4 * M)], T0);
    await deliver(T0);
    expect(got().map((g) => g.status)).toEqual(["firing"]);

    const resolvedAt = T0 + 2 * M;
    const resolve = alert(labels, T0, resolvedAt);
    await enqueue(testDb(), tenantId, [resolve], resolvedAt);
    await deliver(resolvedAt);
    expect(got().map((g) => g.status)).toEqual(["firing", "resolved"]);
    expect(got()[1].alerts).toEqual([expect.objectContaining({ status: "resolved", endsAt: resolve.endsAt, startsAt: resolve.startsAt })]);
    const left = await testDb().execute(sql`SELECT count(*)::int AS n FROM notify_group_alerts WHERE tenant_id = ${tenantId}`);
    expect(left.rows[0].n).toBe(0);

    // Prometheus resends the resolve every minute for 15 minutes: nothing more goes out.
    for (let i = 1; i <= 3; i++) {
      await enqueue(testDb(), tenantId, [resolve], resolvedAt + i * M);
      await deliver(resolvedAt + i * M);
    }
    await deliver(resolvedAt + 10 * M);
    expect(got()).toHaveLength(2);
  });

  it("counts an alert whose endsAt passed without a resolve as resolved", async () => {
    const { tenantId, got, deliver } = await setup({ group_wait: "0s", group_interval: "1m" });
    await enqueue(testDb(), tenantId, [alert({ alertname: "Vanished" }, T0, T0 + 4 * M)], T0);
    await deliver(T0);
    await deliver(T0 + 3 * M);
    expect(got().map((g) => g.status)).toEqual(["firing"]);
    await deliver(T0 + 4 * M);
    expect(got().map((g) => g.status)).toEqual(["firing", "resolved"]);
    expect(got()[1].alerts[0].status).toBe("resolved");
  });

  it("without send_resolved, sends no resolve but notifies the alert again if it fires anew", async () => {
    const { tenantId, got, deliver } = await setup({ group_wait: "0s", group_interval: "1m", send_resolved: false });
    const labels = { alertname: "Flappy" };
    await enqueue(testDb(), tenantId, [alert(labels, T0, FAR)], T0);
    await deliver(T0);
    await enqueue(testDb(), tenantId, [alert(labels, T0, T0 + M)], T0 + M);
    await deliver(T0 + M);
    await deliver(T0 + 2 * M);
    expect(got().map((g) => g.status)).toEqual(["firing"]);
    await enqueue(testDb(), tenantId, [alert(labels, T0 + 3 * M, FAR)], T0 + 3 * M);
    await deliver(T0 + 3 * M);
    expect(got().map((g) => g.status)).toEqual(["firing", "firing"]);
    expect(got()[1].alerts[0].startsAt).toBe(new Date(T0 + 3 * M).toISOString());
  });

  it("group_by [\"...\"] makes a group of every label set; max_alerts truncates", async () => {
    const all = await setup({ group_by: ["..."], group_wait: "0s" });
    await enqueue(testDb(), all.tenantId, [alert({ alertname: "X", a: "1" }, T0, FAR), alert({ alertname: "X", a: "2" }, T0, FAR)], T0);
    await all.deliver(T0);
    expect(all.got().map((g) => g.groupLabels).sort((x, y) => x.a.localeCompare(y.a))).toEqual([{ alertname: "X", a: "1" }, { alertname: "X", a: "2" }]);

    const few = await setup({ group_wait: "0s", max_alerts: 2 });
    await enqueue(testDb(), few.tenantId, [1, 2, 3].map((i) => alert({ alertname: "Many", i: String(i) }, T0, FAR)), T0);
    await few.deliver(T0);
    expect(few.got()[0].alerts.map((a) => a.labels.i)).toEqual(["1", "2"]);
    expect(few.got()[0].truncatedAlerts).toBe(1);
  });

  it("concurrent deliveries (two isolates, overlapping cron runs) send each notification once", async () => {
    const { tenantId, got, deliver } = await setup({ group_wait: "0s" });
    await enqueue(testDb(), tenantId, [alert({ alertname: "Once", i: "1" }, T0, FAR), alert({ alertname: "Twice?", i: "2" }, T0, FAR)], T0);
    const reports = await Promise.all(Array.from({ length: 6 }, () => deliver(T0)));
    expect(reports.reduce((n, r) => n + r.receivers.sent, 0)).toBe(2);
    expect(reports.filter((r) => r.tenants.includes(tenantId))).toHaveLength(1);
    await Promise.all(Array.from({ length: 6 }, () => deliver(T0 + S)));
    expect(got()).toHaveLength(2);
  });
});

describe("state", () => {
  const count = async (table: "notify_groups" | "notify_group_alerts" | "notify_outbox", tenantId: number) =>
    (await testDb().execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM ${sql.identifier(table)} WHERE tenant_id = ${tenantId}`)).rows[0].n;

  it("enqueues nothing when the cron's transaction rolls back", async () => {
    const tenantId = await tenantWithNotifiers(testDb(), { alertmanagers: [{ url: `${hook.url}/am` }], receivers: [{ name: "r", type: "webhook", url: hook.url }] });
    await expect(testDb().transaction(async (tx) => {
      await enqueueAlerts(tx, tenantId, [alert({ alertname: "Lost" }, T0, FAR)], T0);
      throw new Error("the state update lost its race");
    })).rejects.toThrow(/lost its race/);
    expect([await count("notify_outbox", tenantId), await count("notify_groups", tenantId), await count("notify_group_alerts", tenantId)]).toEqual([0, 0, 0]);
    await enqueue(testDb(), tenantId, [alert({ alertname: "Kept" }, T0, FAR)], T0);
    expect([await count("notify_outbox", tenantId), await count("notify_groups", tenantId), await count("notify_group_alerts", tenantId)]).toEqual([1, 1, 1]);
  });

  it("gives each receiver its own groups, and forgets those of a receiver removed or grouping differently", async () => {
    const url = (p: string) => `${hook.url}/${p}${Math.random().toString(36).slice(2)}`;
    const receivers = [
      { name: "a", type: "webhook", url: url("a"), group_wait: "0s" },
      { name: "b", type: "webhook", url: url("b"), group_wait: "0s", group_by: ["severity"] },
      { name: "c", type: "webhook", url: url("c"), group_wait: "0s" },
    ];
    const tenantId = await tenantWithNotifiers(testDb(), { receivers });
    await enqueue(testDb(), tenantId, [alert({ alertname: "X", severity: "page" }, T0, FAR), alert({ alertname: "Y", severity: "page" }, T0, FAR)], T0);
    const groups = await testDb().execute<{ receiver: string; group_key: string }>(sql`SELECT receiver, group_key FROM notify_groups WHERE tenant_id = ${tenantId} ORDER BY 1, 2`);
    expect(groups.rows).toEqual([
      { receiver: "a", group_key: '{}/{receiver="a"}:{alertname="X"}' },
      { receiver: "a", group_key: '{}/{receiver="a"}:{alertname="Y"}' },
      { receiver: "b", group_key: '{}/{receiver="b"}:{severity="page"}' },
      { receiver: "c", group_key: '{}/{receiver="c"}:{alertname="X"}' },
      { receiver: "c", group_key: '{}/{receiver="c"}:{alertname="Y"}' },
    ]);
    // b groups by alertname now, c is gone: both forget; a keeps its groups.
    await putNotifierConfig(testDb(), tenantId, validateNotifierConfig({ receivers: [receivers[0], { ...receivers[1], group_by: ["alertname"] }] }));
    const left = await testDb().execute<{ receiver: string }>(sql`SELECT DISTINCT receiver FROM notify_group_alerts WHERE tenant_id = ${tenantId}`);
    expect(left.rows.map((r) => r.receiver)).toEqual(["a"]);
    expect(await count("notify_groups", tenantId)).toBe(2);
    const r = await deliverNotifications(testDb(), T0, { tenantId });
    expect(r.receivers.sent).toBe(2);
    expect(hook.received.filter((x) => x.path.startsWith(new URL(receivers[0].url).pathname))).toHaveLength(2);
  });
});

describe("receiver failures", () => {
  it("retries after a 500 with backoff and sends once it succeeds", async () => {
    const { tenantId, got, deliver } = await setup({ group_wait: "0s", group_interval: "5m" });
    await enqueue(testDb(), tenantId, [alert({ alertname: "Retry" }, T0, FAR)], T0);
    hook.respondWith(500);
    const first = await deliver(T0);
    expect(first.receivers).toMatchObject({ sent: 0, retrying: 1 });
    expect(first.receivers.errors[0]).toMatch(/HTTP 500/);
    expect((await deliver(T0 + 5 * S)).receivers.retrying).toBe(0); // waiting out the 10 s backoff
    const second = await deliver(T0 + 10 * S);
    expect(second.receivers.sent).toBe(1);
    expect(got()).toHaveLength(2); // the refused one and the delivered one
    await deliver(T0 + 20 * S);
    expect(got()).toHaveLength(2);
  });

  it("drops a notification refused with a 400, without retrying it", async () => {
    const { tenantId, got, deliver } = await setup({ group_wait: "0s", group_interval: "1m" });
    await enqueue(testDb(), tenantId, [alert({ alertname: "Refused" }, T0, FAR)], T0);
    hook.respondWith(400);
    const r = await deliver(T0);
    expect(r.receivers).toMatchObject({ sent: 0, dropped: 1, retrying: 0 });
    for (let i = 1; i <= 3; i++) await deliver(T0 + i * M);
    expect(got()).toHaveLength(1);
  });
});

interface SlackBody {
  text: string;
  blocks: { type: string; text?: { type: string; text: string }; elements?: unknown[] }[];
}

describe("Slack receiver", () => {
  it("posts an incoming-webhook message: text and blocks for firing, then for resolved", async () => {
    const path = `/slack${Math.random().toString(36).slice(2)}`;
    const tenantId = await tenantWithNotifiers(testDb(), { receivers: [{ name: "slack", type: "slack", url: `${hook.url}${path}`, group_wait: "0s", group_interval: "1m" }] });
    const deliver = (now: number) => deliverNotifications(testDb(), now, { tenantId });
    const got = () => hook.received.filter((r) => r.path === path).map((r) => r.body as SlackBody);
    const labels = { alertname: "GpuTemperatureHigh", severity: "critical", Hostname: "gpu-1", gpu: "0" };
    const annotations = { summary: "GPU 0 on gpu-1 at 91 °C", description: "Above 85 °C for 20 minutes <throttling>", runbook_url: "https://runbooks.test/gpu" };
    await enqueue(testDb(), tenantId, [alert(labels, T0, FAR, annotations)], T0);
    await deliver(T0);
    const [firing] = got();
    expect(firing.text).toBe("[FIRING:1] GpuTemperatureHigh\nGPU 0 on gpu-1 at 91 °C");
    expect(firing.blocks[0]).toEqual({ type: "header", text: { type: "plain_text", text: "🔥 [FIRING:1] GpuTemperatureHigh", emoji: true } });
    expect(firing.blocks).toHaveLength(2);
    const section = firing.blocks[1];
    expect(section.type).toBe("section");
    expect(section.text!.type).toBe("mrkdwn");
    expect(section.text!.text).toContain("*GpuTemperatureHigh* (firing, critical)");
    expect(section.text!.text).toContain("GPU 0 on gpu-1 at 91 °C");
    expect(section.text!.text).toContain("Above 85 °C for 20 minutes &lt;throttling&gt;");
    expect(section.text!.text).toContain("`Hostname=gpu-1` `gpu=0` `severity=critical`");
    expect(section.text!.text).toContain("<https://runbooks.test/gpu|runbook>");

    await enqueue(testDb(), tenantId, [alert(labels, T0, T0 + 2 * M, annotations)], T0 + 2 * M);
    await deliver(T0 + 2 * M);
    const resolved = got()[1];
    expect(resolved.text.split("\n")[0]).toBe("[RESOLVED] GpuTemperatureHigh");
    expect(resolved.blocks[0].text!.text).toBe("✅ [RESOLVED] GpuTemperatureHigh");
    expect(resolved.blocks[1].text!.text).toContain("(resolved, critical)");
  });
});
