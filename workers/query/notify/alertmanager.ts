// Sending to Alertmanagers, as Prometheus's notifier does: POST /api/v2/alerts
// with a JSON array of alerts, at most 64 a request, within the configured
// timeout. Unlike Prometheus (which drops a failed batch), a batch that failed
// on the network or with a 5xx stays in the outbox and is retried with backoff
// until it is older than GIVE_UP_MS, by when the rule manager has resent every
// alert still firing and every resolve in it. A 4xx is dropped with a logged error.
// The pending rows of one Alertmanager go out together, each alert in its newest
// version: a retried old batch can never overwrite a newer resolve.
import { sql } from "drizzle-orm";
import type { Db } from "../../../shared/db";
import type { PostableAlert } from "../../../shared/rules/types";
import { durationMs, type AlertmanagerConfig } from "./config";
import { fingerprint } from "./fingerprint";
import { authHeaders, backoffMs, logError, postJson, type Fetch } from "./post";

export const MAX_BATCH = 64;
export const GIVE_UP_MS = 15 * 60_000;
const MAX_BACKOFF_MS = 5 * 60_000;

export interface AlertmanagerReport {
  /** POSTs answered 2xx. */
  posts: number;
  /** Alerts in them. */
  alerts: number;
  /** Outbox rows left for a retry. */
  retrying: number;
  /** Outbox rows dropped: a 4xx, too old, or an Alertmanager no longer configured. */
  dropped: number;
  errors: string[];
}

export const emptyAlertmanagerReport = (): AlertmanagerReport => ({ posts: 0, alerts: 0, retrying: 0, dropped: 0, errors: [] });

type OutboxRow = {
  id: number;
  alertmanager: string;
  alerts: PostableAlert[];
  enqueued_at: string | number;
  next_attempt_at: string | number;
  attempts: number;
};

export const alertsEndpoint = (url: string) => (/\/api\/v2\/alerts\/?$/.test(url) ? url : `${url.replace(/\/+$/, "")}/api/v2/alerts`);

async function dropRows(db: Db, ids: number[]): Promise<void> {
  if (ids.length) await db.execute(sql`DELETE FROM notify_outbox WHERE id = ANY(${sql.param(ids)}::bigint[])`);
}

/** Sends a tenant's pending outbox rows; the caller holds the tenant's delivery lease. */
export async function deliverToAlertmanagers(db: Db, tenantId: number, configured: AlertmanagerConfig[], now: number, fetchFn: Fetch, report: AlertmanagerReport, deadline = Infinity): Promise<void> {
  const res = await db.execute<OutboxRow>(sql`
    SELECT id, alertmanager, alerts, enqueued_at, next_attempt_at, attempts FROM notify_outbox WHERE tenant_id = ${tenantId} ORDER BY id`);
  const byUrl = new Map<string, OutboxRow[]>();
  const drop: number[] = [];
  for (const r of res.rows) {
    const am = configured.find((a) => a.url === r.alertmanager);
    const age = now - Number(r.enqueued_at);
    if (!am || age > GIVE_UP_MS) {
      drop.push(Number(r.id));
      const why = !am ? "alertmanager no longer configured" : `undelivered for ${Math.round(age / 60_000)} min`;
      logError("alerts dropped", { tenantId, alertmanager: r.alertmanager, alerts: r.alerts.length, why });
      report.errors.push(`${r.alertmanager}: ${r.alerts.length} alerts dropped: ${why}`);
      continue;
    }
    byUrl.set(r.alertmanager, [...(byUrl.get(r.alertmanager) ?? []), r]);
  }
  await dropRows(db, drop);
  report.dropped += drop.length;

  await Promise.all(
    [...byUrl].map(async ([url, rows]) => {
      // In order: rows behind one waiting for its retry wait with it.
      if (Number(rows[0].next_attempt_at) > now) return;
      const latest = new Map<string, PostableAlert>();
      for (const r of rows) for (const a of r.alerts) latest.set(fingerprint(a.labels), a);
      const alerts = [...latest.values()];
      const am = configured.find((a) => a.url === url)!;
      const ids = rows.map((r) => Number(r.id));
      let retry: string | null = null;
      let dropped: string | null = null;
      let sent = 0;
      for (let i = 0; i < alerts.length && retry === null; i += MAX_BATCH) {
        // Near the lease's end, stop: the whole set goes again on the next run (Alertmanager merges repeats).
        if (Date.now() >= deadline) {
          retry = `${url}: stopped after ${i} of ${alerts.length} alerts, the delivery lease is running out`;
          break;
        }
        const batch = alerts.slice(i, i + MAX_BATCH);
        const out = await postJson(fetchFn, alertsEndpoint(url), batch, { timeoutMs: durationMs(am.timeout) ?? 10_000, headers: authHeaders(am) });
        if (out.kind === "ok") {
          report.posts++;
          report.alerts += batch.length;
          sent += batch.length;
        } else if (out.kind === "retry") retry = out.error;
        else dropped = out.error;
      }
      if (retry !== null) {
        const attempts = Math.max(...rows.map((r) => r.attempts)) + 1;
        await db.execute(sql`
          UPDATE notify_outbox SET attempts = attempts + 1, next_attempt_at = ${now + backoffMs(attempts, MAX_BACKOFF_MS)}, last_error = ${retry}
          WHERE id = ANY(${sql.param(ids)}::bigint[])`);
        report.retrying += ids.length;
        report.errors.push(retry);
        logError("alertmanager send failed, will retry", { tenantId, alertmanager: url, attempts, error: retry });
        return;
      }
      await dropRows(db, ids);
      if (dropped !== null) {
        report.dropped += ids.length;
        report.errors.push(dropped);
        logError("alertmanager refused alerts, dropped", { tenantId, alertmanager: url, alerts: alerts.length - sent, error: dropped });
      }
    }),
  );
}
