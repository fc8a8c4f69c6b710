// The built-in grouping for direct receivers: Alertmanager's aggregation group
// flush and its dedup stage (notify.DedupStage.needsUpdate), on state kept in
// Postgres. A due group is flushed: it notifies when it has firing alerts it
// has not notified, when a resolve is new (send_resolved), when everything it
// notified resolved, or when repeat_interval passed; then it forgets its
// resolved alerts (those unchanged since it read them), and goes when empty.
import { sql } from "drizzle-orm";
import type { Db } from "../../../shared/db";
import { receiverTimings, type ReceiverConfig } from "./config";
import { slackPayload, webhookPayload, type GroupAlert } from "./payloads";
import { backoffMs, logError, postJson, type Fetch } from "./post";

const RECEIVER_TIMEOUT_MS = 10_000;
const PARALLEL_FLUSHES = 8;

export interface ReceiverReport {
  /** Notifications answered 2xx. */
  sent: number;
  /** Notifications to be retried. */
  retrying: number;
  /** Notifications refused with a 4xx (logged, not retried). */
  dropped: number;
  /** Groups flushed with nothing new to say. */
  unchanged: number;
  errors: string[];
}

export const emptyReceiverReport = (): ReceiverReport => ({ sent: 0, retrying: 0, dropped: 0, unchanged: 0, errors: [] });

type GroupRow = {
  receiver: string;
  group_key: string;
  group_labels: Record<string, string>;
  flushed: boolean;
  last_notify_at: string | number | null;
  last_firing: string[];
  last_resolved: string[];
  failures: number;
};

type AlertRow = {
  fingerprint: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  starts_at: string | number;
  ends_at: string | number;
  generator_url: string;
  rev: string | number;
};

const subset = (xs: Iterable<string>, of: Set<string>) => [...xs].every((x) => of.has(x));

/** Alertmanager's DedupStage.needsUpdate. */
export function needsUpdate(last: { at: number; firing: string[]; resolved: string[] } | null, firing: string[], resolved: string[], sendResolved: boolean, repeatMs: number, now: number): boolean {
  if (!last) return firing.length > 0;
  if (!subset(firing, new Set(last.firing))) return true;
  // All resolved: notify (even without send_resolved: the log must forget the firing ones).
  if (firing.length === 0) return last.firing.length > 0;
  if (sendResolved && !subset(resolved, new Set(last.resolved))) return true;
  return last.at < now - repeatMs;
}

async function flushGroup(db: Db, tenantId: number, r: ReceiverConfig, g: GroupRow, now: number, fetchFn: Fetch, externalURL: string, report: ReceiverReport): Promise<void> {
  const where = sql`tenant_id = ${tenantId} AND receiver = ${g.receiver} AND group_key = ${g.group_key}`;
  const { groupInterval, repeatInterval } = receiverTimings(r);
  const rows = (await db.execute<AlertRow>(sql`SELECT fingerprint, labels, annotations, starts_at, ends_at, generator_url, rev FROM notify_group_alerts WHERE ${where}`)).rows;
  const alerts: GroupAlert[] = rows.map((a) => ({
    fingerprint: a.fingerprint, labels: a.labels, annotations: a.annotations, startsAt: Number(a.starts_at), endsAt: Number(a.ends_at), generatorURL: a.generator_url,
  }));
  // An alert whose endsAt passed counts as resolved, whether or not a resolve came.
  const firing = alerts.filter((a) => a.endsAt > now).map((a) => a.fingerprint);
  const resolvedRows = rows.filter((a) => Number(a.ends_at) <= now);
  const resolved = resolvedRows.map((a) => a.fingerprint);
  const last = g.last_notify_at === null ? null : { at: Number(g.last_notify_at), firing: g.last_firing, resolved: g.last_resolved };

  let logged = false;
  if (alerts.length && needsUpdate(last, firing, resolved, r.send_resolved, repeatInterval, now)) {
    const toSend = r.send_resolved ? alerts : alerts.filter((a) => a.endsAt > now);
    // Nothing to say without send_resolved when all resolved: logged as notified all the same.
    const out = toSend.length === 0
      ? ({ kind: "ok", status: 0 } as const)
      : await postJson(fetchFn, r.url, (r.type === "slack" ? slackPayload : webhookPayload)({
          receiver: r.name, groupKey: g.group_key, groupLabels: g.group_labels, alerts: toSend, now, externalURL, maxAlerts: r.max_alerts,
        }), { timeoutMs: RECEIVER_TIMEOUT_MS });
    if (out.kind === "retry") {
      // The group is not marked notified, so the next flush (soon, with backoff) tries again.
      const failures = g.failures + 1;
      await db.execute(sql`UPDATE notify_groups SET flushed = true, failures = ${failures}, next_flush_at = ${now + backoffMs(failures, groupInterval)} WHERE ${where}`);
      report.retrying++;
      report.errors.push(out.error);
      logError("receiver notification failed, will retry", { tenantId, receiver: r.name, groupKey: g.group_key, failures, error: out.error });
      return;
    }
    if (out.kind === "drop") {
      report.dropped++;
      report.errors.push(out.error);
      logError("receiver refused notification, dropped", { tenantId, receiver: r.name, groupKey: g.group_key, error: out.error });
    } else if (toSend.length) report.sent++;
    logged = true;
  } else report.unchanged++;

  await db.transaction(async (tx) => {
    const notified = logged
      ? sql`, last_notify_at = ${now}, last_firing = ${sql.param(firing)}::text[], last_resolved = ${sql.param(resolved)}::text[]`
      : sql``;
    await tx.execute(sql`UPDATE notify_groups SET flushed = true, failures = 0, next_flush_at = ${now + groupInterval}${notified} WHERE ${where}`);
    // Forget the resolved alerts this flush covered, unless an update came meanwhile (Alertmanager's DeleteIfNotModified).
    if (resolvedRows.length)
      await tx.execute(sql`
        DELETE FROM notify_group_alerts a USING unnest(${sql.param(resolved)}::text[], ${sql.param(resolvedRows.map((x) => String(x.rev)))}::bigint[]) AS d(fp, rev)
        WHERE a.tenant_id = ${tenantId} AND a.receiver = ${g.receiver} AND a.fingerprint = d.fp AND a.rev = d.rev`);
    await tx.execute(sql`DELETE FROM notify_groups g WHERE ${where} AND NOT EXISTS (
      SELECT 1 FROM notify_group_alerts a WHERE a.tenant_id = g.tenant_id AND a.receiver = g.receiver AND a.group_key = g.group_key)`);
  });
}

/** Flushes a tenant's due groups; the caller holds the tenant's delivery lease. */
export async function flushDueGroups(db: Db, tenantId: number, receivers: ReceiverConfig[], now: number, fetchFn: Fetch, externalURL: string, report: ReceiverReport, deadline = Infinity): Promise<void> {
  const names = receivers.map((r) => r.name);
  // Receivers removed since their alerts were enqueued: their state means nothing now.
  await db.execute(sql`DELETE FROM notify_group_alerts WHERE tenant_id = ${tenantId} AND NOT (receiver = ANY(${sql.param(names)}::text[]))`);
  await db.execute(sql`DELETE FROM notify_groups WHERE tenant_id = ${tenantId} AND NOT (receiver = ANY(${sql.param(names)}::text[]))`);
  const due = (await db.execute<GroupRow>(sql`
    SELECT receiver, group_key, group_labels, flushed, last_notify_at, last_firing, last_resolved, failures
    FROM notify_groups WHERE tenant_id = ${tenantId} AND next_flush_at <= ${now} ORDER BY next_flush_at, receiver, group_key`)).rows;
  // Past the deadline (the lease nearing its end) the rest stay due for the next run.
  for (let i = 0; i < due.length && Date.now() < deadline; i += PARALLEL_FLUSHES)
    await Promise.all(due.slice(i, i + PARALLEL_FLUSHES).map((g) => flushGroup(db, tenantId, receivers.find((r) => r.name === g.receiver)!, g, now, fetchFn, externalURL, report)));
}
