// enqueueAlerts: inside the rule cron's state transaction, what one evaluation
// hands its notifier (Prometheus's sendAlerts) becomes, atomically with the
// state it came from: an outbox row per configured Alertmanager, and the
// alerts of each direct receiver's aggregation groups (created with their
// group_wait), which deliverNotifications flushes after the commit.
import { sql } from "drizzle-orm";
import type { Db, Tx } from "../../../shared/db";
import type { PostableAlert } from "../../../shared/rules/types";
import { receiverTimings, type NotifierConfig } from "./config";
import { fingerprint, groupKeyOf, groupLabelsOf } from "./fingerprint";


/** Alertmanager's resolve_timeout: how long an alert without endsAt stays firing. */
const RESOLVE_TIMEOUT_MS = 5 * 60_000;

/** Unix ms of an RFC 3339 time; NaN when absent or Go's zero time (0001-01-01). */
function ms(t: string | undefined): number {
  if (!t) return NaN;
  const v = Date.parse(t);
  return v > 0 ? v : NaN;
}

const compareKeys = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export async function enqueueAlerts(tx: Tx, tenantId: number, alerts: PostableAlert[], now: number): Promise<void> {
  if (alerts.length === 0) return;
  const res = await tx.execute<{ config: NotifierConfig }>(sql`SELECT config FROM notifier_configs WHERE tenant_id = ${tenantId}`);
  const config = res.rows[0]?.config;
  if (!config) return;

  if (config.alertmanagers.length) {
    await tx.execute(sql`
      INSERT INTO notify_outbox (tenant_id, alertmanager, alerts, enqueued_at, next_attempt_at)
      SELECT ${tenantId}, u, ${JSON.stringify(alerts)}::jsonb, ${now}, ${now} FROM unnest(${sql.param(config.alertmanagers.map((a) => a.url))}::text[]) AS u`);
  }
  if (!config.receivers.length) return;

  // Last one wins when a batch holds the same labels twice (one statement may not update a row twice).
  const alertRows = new Map<string, Record<string, unknown>>();
  const groupRows = new Map<string, { receiver: string; group_key: string; group_labels: Record<string, string>; next_flush_at: number }>();
  for (const r of config.receivers) {
    const { groupWait } = receiverTimings(r);
    for (const a of alerts) {
      const startsAt = Number.isNaN(ms(a.startsAt)) ? now : ms(a.startsAt);
      const endsAt = Number.isNaN(ms(a.endsAt)) ? now + RESOLVE_TIMEOUT_MS : ms(a.endsAt);
      const groupLabels = groupLabelsOf(a.labels, r.group_by);
      const groupKey = groupKeyOf(r.name, groupLabels);
      const fp = fingerprint(a.labels);
      alertRows.set(`${r.name}\u0000${fp}`, {
        receiver: r.name, fingerprint: fp, group_key: groupKey, labels: a.labels, annotations: a.annotations ?? {},
        starts_at: startsAt, ends_at: endsAt, generator_url: a.generatorURL ?? "",
      });
      // As the dispatcher: a new group flushes after group_wait, at once if the alert started longer ago than that.
      const due = startsAt + groupWait < now ? now : now + groupWait;
      const k = `${r.name}\u0000${groupKey}`;
      const g = groupRows.get(k);
      if (!g) groupRows.set(k, { receiver: r.name, group_key: groupKey, group_labels: groupLabels, next_flush_at: due });
      else g.next_flush_at = Math.min(g.next_flush_at, due);
    }
  }
  // In key order, so concurrent evaluations of one tenant lock shared rows in the same order.
  const groups = [...groupRows.entries()].sort(([a], [b]) => compareKeys(a, b)).map(([, g]) => g);
  const rows = [...alertRows.entries()].sort(([a], [b]) => compareKeys(a, b)).map(([, r]) => r);
  await tx.execute(sql`
    INSERT INTO notify_groups (tenant_id, receiver, group_key, group_labels, next_flush_at)
    SELECT ${tenantId}, g.receiver, g.group_key, g.group_labels, g.next_flush_at
    FROM jsonb_to_recordset(${JSON.stringify(groups)}::jsonb) AS g(receiver text, group_key text, group_labels jsonb, next_flush_at bigint)
    ON CONFLICT (tenant_id, receiver, group_key) DO UPDATE SET next_flush_at =
      CASE WHEN NOT notify_groups.flushed AND EXCLUDED.next_flush_at <= ${now} THEN LEAST(notify_groups.next_flush_at, EXCLUDED.next_flush_at)
           ELSE notify_groups.next_flush_at END`);
  // Alertmanager's merge: an update of an alert still active keeps the earliest startsAt; one after it ended starts anew.
  await tx.execute(sql`
    INSERT INTO notify_group_alerts AS a (tenant_id, receiver, fingerprint, group_key, labels, annotations, starts_at, ends_at, generator_url)
    SELECT ${tenantId}, r.receiver, r.fingerprint, r.group_key, r.labels, r.annotations, r.starts_at, r.ends_at, r.generator_url
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
      AS r(receiver text, fingerprint text, group_key text, labels jsonb, annotations jsonb, starts_at bigint, ends_at bigint, generator_url text)
    ON CONFLICT (tenant_id, receiver, fingerprint) DO UPDATE SET
      starts_at = CASE WHEN a.ends_at >= EXCLUDED.starts_at THEN LEAST(a.starts_at, EXCLUDED.starts_at) ELSE EXCLUDED.starts_at END,
      ends_at = EXCLUDED.ends_at, labels = EXCLUDED.labels, annotations = EXCLUDED.annotations,
      generator_url = EXCLUDED.generator_url, group_key = EXCLUDED.group_key, rev = a.rev + 1`);
}
