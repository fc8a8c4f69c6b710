// deliverNotifications: after the rule cron committed its evaluations, sends
// what is due: Alertmanager outbox rows and direct receivers' due groups. Each
// tenant's sends are claimed with a lease on its notifier_configs row (taken
// with FOR UPDATE SKIP LOCKED in one short statement, on the database clock),
// so two isolates or two overlapping cron runs never send the same thing; no
// transaction stays open across an HTTP call. A lease left by a crashed isolate
// expires after LEASE_SECONDS (its sends may then be repeated: at least once).
import { sql } from "drizzle-orm";
import type { Db } from "../../../shared/db";
import type { NotifierConfig } from "./config";
import { deliverToAlertmanagers, emptyAlertmanagerReport, type AlertmanagerReport } from "./alertmanager";
import { emptyReceiverReport, flushDueGroups, type ReceiverReport } from "./grouping";
import { logError, type Fetch } from "./post";

/** Longer than a tenant's sends can take: Alertmanagers and groups go in parallel, each POST within its timeout (at most 60 s). */
export const LEASE_SECONDS = 300;

export interface DeliveryOptions {
  /** Only this tenant's notifications. */
  tenantId?: number;
  fetch?: Fetch;
  /** Alertmanager's externalURL field of webhook payloads: where the alerts can be seen (default ""). */
  externalURL?: string;
}

export interface DeliveryReport {
  /** Tenants whose notifications this call claimed and sent. */
  tenants: number[];
  alertmanagers: AlertmanagerReport;
  receivers: ReceiverReport;
}

export async function deliverNotifications(db: Db, now: number, opts: DeliveryOptions = {}): Promise<DeliveryReport> {
  const report: DeliveryReport = { tenants: [], alertmanagers: emptyAlertmanagerReport(), receivers: emptyReceiverReport() };
  // Called through a wrapper: a bare reference to the global fetch may lose its receiver.
  const fetchFn: Fetch = opts.fetch ?? ((input, init) => fetch(input, init));
  const token = crypto.randomUUID();
  const claimed = await db.execute<{ tenant_id: number; config: NotifierConfig }>(sql`
    WITH due AS (
      SELECT c.tenant_id FROM notifier_configs c
      WHERE (${opts.tenantId ?? null}::integer IS NULL OR c.tenant_id = ${opts.tenantId ?? null}::integer)
        AND (c.lease_until IS NULL OR c.lease_until < clock_timestamp())
        AND (EXISTS (SELECT 1 FROM notify_outbox o WHERE o.tenant_id = c.tenant_id AND o.next_attempt_at <= ${now})
          OR EXISTS (SELECT 1 FROM notify_groups g WHERE g.tenant_id = c.tenant_id AND g.next_flush_at <= ${now}))
      ORDER BY c.tenant_id
      FOR UPDATE OF c SKIP LOCKED)
    UPDATE notifier_configs c SET lease_until = clock_timestamp() + make_interval(secs => ${LEASE_SECONDS}), lease_token = ${token}
    FROM due WHERE c.tenant_id = due.tenant_id
    RETURNING c.tenant_id, c.config`);

  // Sends start only while well inside the lease, so none outlives it (each POST is bounded by its timeout, at most 60 s).
  const deadline = Date.now() + (LEASE_SECONDS - 90) * 1000;
  for (const { tenant_id: tenantId, config } of claimed.rows) {
    try {
      // Claimed but not reached in time: released below, its work stays due.
      if (Date.now() >= deadline) continue;
      report.tenants.push(tenantId);
      await Promise.all([
        deliverToAlertmanagers(db, tenantId, config.alertmanagers, now, fetchFn, report.alertmanagers, deadline),
        flushDueGroups(db, tenantId, config.receivers, now, fetchFn, opts.externalURL ?? "", report.receivers, deadline),
      ]);
    } catch (err) {
      // One tenant's failure (the database, most likely) must not keep the others' notifications.
      logError("notification delivery failed", { tenantId, error: (err as Error).message });
      report.receivers.errors.push(`tenant ${tenantId}: ${(err as Error).message}`);
    } finally {
      await db.execute(sql`UPDATE notifier_configs SET lease_until = NULL, lease_token = NULL WHERE tenant_id = ${tenantId} AND lease_token = ${token}`);
    }
  }
  return report;
}
