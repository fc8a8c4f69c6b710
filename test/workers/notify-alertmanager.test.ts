// Sending to Alertmanagers through their v2 API: a real Alertmanager process
// (prometheus-alertmanager 0.25) that then calls a webhook receiver on loopback,
// and a loopback stand-in that answers with chosen statuses for the failure cases.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { deliverNotifications } from "../../workers/query/notify";
import { fingerprint } from "../../workers/query/notify/fingerprint";
import { putNotifierConfig } from "../../workers/query/notify/store";
import { validateNotifierConfig } from "../../workers/query/notify/config";
import { startAlertmanager, type AlertmanagerProcess } from "../helpers/alertmanager";
import { startWebhookReceiver, type WebhookReceiver } from "../helpers/webhook-receiver";
import { alert, enqueue, tenantWithNotifiers } from "../support/notify";
import { useOwnNodeDb } from "../helpers/own-database";

const S = 1000;
const M = 60 * S;

// A database of its own: a rule cron run of another file delivers for every tenant of its database.
const testDb = useOwnNodeDb("notify_am");
let hook: WebhookReceiver;
let am: AlertmanagerProcess;
beforeAll(async () => {
  hook = await startWebhookReceiver();
  am = await startAlertmanager({ webhookUrl: `${hook.url}/from-alertmanager`, groupWait: "1s", groupInterval: "1s" });
});
afterAll(async () => {
  await am?.stop();
  await hook?.close();
});

interface AmWebhook {
  status: string;
  receiver: string;
  alerts: { status: string; labels: Record<string, string>; annotations: Record<string, string>; fingerprint: string; startsAt: string; endsAt: string; generatorURL: string }[];
  groupLabels: Record<string, string>;
  version: string;
}

const outboxRows = async (tenantId: number) =>
  (await testDb().execute<{ attempts: number; next_attempt_at: string; last_error: string | null }>(sql`SELECT attempts, next_attempt_at, last_error FROM notify_outbox WHERE tenant_id = ${tenantId} ORDER BY id`)).rows;

describe("a real Alertmanager", () => {
  it("gets a firing alert, notifies its webhook, then gets the resolve and notifies that", async () => {
    const tenantId = await tenantWithNotifiers(testDb(), { alertmanagers: [{ url: am.url, timeout: "5s" }] });
    const fromAm = () => hook.received.filter((r) => r.path === "/from-alertmanager").map((r) => r.body as AmWebhook).filter((b) => b.groupLabels.alertname === "InferscopeE2E");
    const labels = { alertname: "InferscopeE2E", severity: "critical", model: "gpt-4o" };
    const annotations = { summary: "error rate 12%" };
    const firedAt = Date.now();
    // As Prometheus sends a firing alert: endsAt = validUntil, 4 resend delays ahead.
    await enqueue(testDb(), tenantId, [alert(labels, firedAt, firedAt + 4 * M, annotations)], firedAt);
    const sent = await deliverNotifications(testDb(), Date.now(), { tenantId });
    expect(sent.alertmanagers).toMatchObject({ posts: 1, alerts: 1, retrying: 0, dropped: 0 });
    expect(await outboxRows(tenantId)).toHaveLength(0);

    await hook.waitFor(1, 15_000).then(() => eventuallyTrue(() => fromAm().length >= 1));
    const [firing] = fromAm();
    expect(firing.status).toBe("firing");
    expect(firing.receiver).toBe("hook");
    expect(firing.version).toBe("4");
    expect(firing.alerts).toHaveLength(1);
    expect(firing.alerts[0]).toMatchObject({ status: "firing", labels, annotations, generatorURL: "http://inferscope.test/graph?g0.expr=up&g0.tab=1" });
    // Our fingerprint is Alertmanager's.
    expect(firing.alerts[0].fingerprint).toBe(fingerprint(labels));
    expect(Date.parse(firing.alerts[0].startsAt)).toBe(firedAt);

    const resolvedAt = Date.now();
    await enqueue(testDb(), tenantId, [alert(labels, firedAt, resolvedAt, annotations)], resolvedAt);
    expect((await deliverNotifications(testDb(), Date.now(), { tenantId })).alertmanagers.posts).toBe(1);
    await eventuallyTrue(() => fromAm().some((b) => b.status === "resolved"));
    const resolved = fromAm().find((b) => b.status === "resolved")!;
    expect(resolved.alerts[0]).toMatchObject({ status: "resolved", labels });
    // Go's RFC 3339 trims trailing zeros of the fraction (".47Z"): compare instants.
    expect(Date.parse(resolved.alerts[0].endsAt)).toBe(resolvedAt);
    expect(fromAm().filter((b) => b.status === "firing")).toHaveLength(1);
  });
});

async function eventuallyTrue(check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms; alertmanager said:\n${am.output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("the Alertmanager sender against a stand-in", () => {
  const T0 = Date.UTC(2026, 11, 1, 12, 0, 0);
  /** A tenant sending to the loopback receiver under its own path, as if that were an Alertmanager. */
  async function standIn(extra: Record<string, unknown> = {}) {
    const base = `${hook.url}/am${Math.random().toString(36).slice(2)}`;
    const tenantId = await tenantWithNotifiers(testDb(), { alertmanagers: [{ url: base, ...extra }] });
    const posts = () => hook.received.filter((r) => r.path === `${new URL(base).pathname}/api/v2/alerts`);
    return { tenantId, base, posts, deliver: (now: number) => deliverNotifications(testDb(), now, { tenantId }) };
  }

  it("posts a JSON array of alerts to /api/v2/alerts with the configured credentials, 64 alerts a request", async () => {
    const { tenantId, posts, deliver } = await standIn({ bearer_token: "s3cret" });
    const alerts = Array.from({ length: 70 }, (_, i) => alert({ alertname: "Many", i: String(i) }, T0, T0 + 4 * M));
    await enqueue(testDb(), tenantId, alerts, T0);
    const r = await deliver(T0);
    expect(r.alertmanagers).toMatchObject({ posts: 2, alerts: 70 });
    expect(posts().map((p) => (p.body as unknown[]).length)).toEqual([64, 6]);
    expect(posts()[0].headers.authorization).toBe("Bearer s3cret");
    expect(posts()[0].headers["content-type"]).toBe("application/json");
    expect((posts()[0].body as unknown[])[0]).toEqual(alerts[0]);

    const basic = await standIn({ basic_auth: { username: "am", password: "pw" } });
    await enqueue(testDb(), basic.tenantId, [alerts[0]], T0);
    await basic.deliver(T0);
    expect(basic.posts()[0].headers.authorization).toBe(`Basic ${Buffer.from("am:pw").toString("base64")}`);
  });

  it("retries after a 500 with backoff, sending each alert in its newest version, and never twice at once", async () => {
    const { tenantId, posts, deliver } = await standIn();
    const labels = { alertname: "Flaky" };
    await enqueue(testDb(), tenantId, [alert(labels, T0, T0 + 4 * M)], T0);
    hook.respondWith(500);
    const first = await deliver(T0);
    expect(first.alertmanagers).toMatchObject({ posts: 0, retrying: 1 });
    expect(first.alertmanagers.errors[0]).toMatch(/HTTP 500/);
    expect(await outboxRows(tenantId)).toEqual([expect.objectContaining({ attempts: 1, last_error: expect.stringMatching(/HTTP 500/) })]);

    // The resolve comes while the first batch waits: both go in one POST, the resolve winning.
    await enqueue(testDb(), tenantId, [alert(labels, T0, T0 + 5 * S)], T0 + 5 * S);
    expect((await deliver(T0 + 5 * S)).alertmanagers.posts).toBe(0);
    expect(posts()).toHaveLength(1);
    const reports = await Promise.all([deliver(T0 + 10 * S), deliver(T0 + 10 * S), deliver(T0 + 10 * S)]);
    expect(reports.reduce((n, r) => n + r.alertmanagers.posts, 0)).toBe(1);
    expect(posts()).toHaveLength(2);
    expect(posts()[1].body).toEqual([alert(labels, T0, T0 + 5 * S)]);
    expect(await outboxRows(tenantId)).toHaveLength(0);
  });

  it("drops a batch refused with a 400 and does not retry it", async () => {
    const { tenantId, posts, deliver } = await standIn();
    await enqueue(testDb(), tenantId, [alert({ alertname: "Bad" }, T0, T0 + 4 * M)], T0);
    hook.respondWith(400);
    const r = await deliver(T0);
    expect(r.alertmanagers).toMatchObject({ posts: 0, retrying: 0, dropped: 1 });
    expect(r.alertmanagers.errors[0]).toMatch(/HTTP 400: answered 400/);
    expect(await outboxRows(tenantId)).toHaveLength(0);
    await deliver(T0 + M);
    expect(posts()).toHaveLength(1);
  });

  it("gives up on a batch after 15 minutes of failures, and on an Alertmanager no longer configured", async () => {
    const { tenantId, posts, deliver } = await standIn();
    await enqueue(testDb(), tenantId, [alert({ alertname: "Unlucky" }, T0, T0 + 4 * M)], T0);
    hook.respondWith(500, 502, 503, 500, 500, 500);
    let now = T0;
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      await deliver(now);
      const [row] = await outboxRows(tenantId);
      waits.push(Number(row.next_attempt_at) - now);
      now = Number(row.next_attempt_at);
    }
    expect(waits).toEqual([10 * S, 20 * S, 40 * S, 80 * S, 160 * S, 300 * S]);
    expect(posts()).toHaveLength(6);
    const gaveUp = await deliver(T0 + 16 * M);
    expect(gaveUp.alertmanagers.dropped).toBe(1);
    expect(gaveUp.alertmanagers.errors[0]).toMatch(/dropped: undelivered for 16 min/);
    expect(posts()).toHaveLength(6);

    await enqueue(testDb(), tenantId, [alert({ alertname: "Orphan" }, T0, T0 + 4 * M)], T0 + 20 * M);
    await putNotifierConfig(testDb(), tenantId, validateNotifierConfig({ alertmanagers: [] }));
    const orphaned = await deliver(T0 + 20 * M);
    expect(orphaned.alertmanagers.dropped).toBe(1);
    expect(orphaned.alertmanagers.errors[0]).toMatch(/no longer configured/);
    expect(await outboxRows(tenantId)).toHaveLength(0);
  });
});
