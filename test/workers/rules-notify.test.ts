// End to end through the cron: an alerting rule over ingested data fires and
// resolves, and each reaches a real Alertmanager (which calls its webhook) and
// a direct webhook receiver exactly once, however many cron runs see it.
//
// Times are the last minutes, as the Alertmanager runs on the real clock: the
// firing alert's endsAt is ahead of it and the resolve's endsAt behind it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAlertmanager, type AlertmanagerProcess } from "../helpers/alertmanager";
import { eventually, startTestStack, type TestStack } from "../helpers/stack";
import { startWebhookReceiver, type WebhookReceiver } from "../helpers/webhook-receiver";

const MIN = 60_000;
// Three minutes back: the firing alert's endsAt (4 resend delays on) is still ahead of the real clock.
const BASE = Math.floor(Date.now() / MIN) * MIN - 3 * MIN;

let stack: TestStack;
let hook: WebhookReceiver;
let am: AlertmanagerProcess;
beforeAll(async () => {
  [stack, hook] = await Promise.all([startTestStack(), startWebhookReceiver()]);
  am = await startAlertmanager({ webhookUrl: `${hook.url}/from-alertmanager`, groupWait: "1s", groupInterval: "1s" });
});
afterAll(async () => {
  await am?.stop();
  await hook?.close();
  await stack?.close();
});

interface Notification {
  status: string;
  alerts: { status: string; labels: Record<string, string>; annotations: Record<string, string>; startsAt: string; endsAt: string; generatorURL: string }[];
}

async function cron(at: number) {
  const worker = await stack.queryMf.getWorker("query");
  await worker.scheduled({ cron: "* * * * *", scheduledTime: new Date(at) });
}

describe("an alert through the cron", () => {
  it("fires and resolves once each at an Alertmanager and at a direct webhook", async () => {
    const headers = { authorization: `Bearer ${stack.key}` };
    const samples = Array.from({ length: 20 * 4 }, (_, i) => BASE - 10 * MIN + i * 15_000).map((t) => [t, t <= BASE + 2 * MIN ? 10 : 0]);
    expect((await fetch(`${stack.url}/v1/metrics`, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: JSON.stringify({ series: [{ name: "e2e_errors", labels: { job: "api" }, samples }] }) })).status).toBe(202);
    await eventually(async () => {
      const r = (await (await fetch(`${stack.url}/api/v1/query?query=e2e_errors&time=${(BASE + 5 * MIN) / 1000}`, { headers })).json()) as { data: { result: unknown[] } };
      return r.data.result.length === 1;
    }, 20_000, "data stored");
    const notifiers = {
      alertmanagers: [{ url: am.url, timeout: "5s" }],
      receivers: [{ name: "oncall", type: "webhook", url: `${hook.url}/direct`, group_wait: "0s", group_interval: "1m" }],
    };
    expect((await fetch(`${stack.url}/admin/v1/notifiers`, { method: "PUT", headers: { ...headers, "content-type": "application/json" }, body: JSON.stringify(notifiers) })).status).toBe(200);
    const group = "name: e2e\nrules:\n  - alert: E2EErrors\n    expr: max by (job) (e2e_errors) > 5\n    for: 1m\n    labels:\n      severity: page\n    annotations:\n      summary: \"{{ $labels.job }} has {{ $value }} errors\"\n";
    expect((await fetch(`${stack.url}/admin/v1/rules/e2e`, { method: "POST", headers, body: group })).status).toBe(202);

    const got = (path: string) => hook.received.filter((r) => r.path === path).map((r) => r.body as Notification);
    // Pending, then firing at BASE+1m; firing still at BASE+2m (a resend, deduplicated); resolved at BASE+3m.
    for (let m = 0; m <= 3; m++) await cron(BASE + m * MIN + 5_000);
    await eventually(async () => got("/direct").length >= 2 && got("/from-alertmanager").length >= 2, 20_000, "firing and resolved notifications");
    await new Promise((r) => setTimeout(r, 2_000)); // anything extra would have arrived by now
    for (const path of ["/direct", "/from-alertmanager"]) {
      const sent = got(path);
      expect(sent.map((n) => n.status), path).toEqual(["firing", "resolved"]);
      expect(sent[0].alerts).toHaveLength(1);
      expect(sent[0].alerts[0]).toMatchObject({
        status: "firing",
        labels: { alertname: "E2EErrors", job: "api", severity: "page" },
        annotations: { summary: "api has 10 errors" },
      });
      // Alertmanager writes times its own way (no milliseconds): compared as instants.
      expect(Date.parse(sent[0].alerts[0].startsAt), path).toBe(BASE + MIN);
      expect(sent[0].alerts[0].generatorURL).toMatch(/^http:\/\/localhost:8787\/graph\?g0\.expr=/);
      expect(sent[1].alerts[0].status).toBe("resolved");
      expect(Date.parse(sent[1].alerts[0].endsAt), path).toBe(BASE + 3 * MIN);
    }
  });
});
