// What the notify tests share: a tenant with a notifier config, alerts as the
// rule manager hands them, and enqueueing them in a transaction as the cron does.
import { ensureTenant } from "../../shared/admin";
import type { Db } from "../../shared/db";
import type { PostableAlert } from "../../shared/rules/types";
import { validateNotifierConfig } from "../../workers/query/notify/config";
import { enqueueAlerts } from "../../workers/query/notify";
import { putNotifierConfig } from "../../workers/query/notify/store";

let n = 0;

export async function tenantWithNotifiers(db: Db, config: unknown): Promise<number> {
  const t = await ensureTenant(db, `notify-${process.pid}-${Date.now().toString(36)}-${n++}`);
  await putNotifierConfig(db, t.id, validateNotifierConfig(config));
  return t.id;
}

export const iso = (ms: number) => new Date(ms).toISOString();

export function alert(labels: Record<string, string>, startsAt: number, endsAt: number, annotations: Record<string, string> = {}): PostableAlert {
  return { labels, annotations, startsAt: iso(startsAt), endsAt: iso(endsAt), generatorURL: `http://inferscope.test/graph?g0.expr=up&g0.tab=1` };
}

export const enqueue = (db: Db, tenantId: number, alerts: PostableAlert[], now: number) => db.transaction((tx) => enqueueAlerts(tx, tenantId, alerts, now));
