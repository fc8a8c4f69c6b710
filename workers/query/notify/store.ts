// The notifier config in Postgres: read, and replace (forgetting the grouping
// state of receivers that went away or group differently now: their group
// keys no longer mean anything; firing alerts come back with the next resend).
import { sql } from "drizzle-orm";
import type { Db } from "../../../shared/db";
import { EMPTY_CONFIG, type NotifierConfig } from "./config";

export interface StoredNotifierConfig {
  config: NotifierConfig;
  updatedAt: string | null;
}

export async function getNotifierConfig(db: Db, tenantId: number): Promise<StoredNotifierConfig> {
  const res = await db.execute<{ config: NotifierConfig; updated_at: string | Date }>(sql`SELECT config, updated_at FROM notifier_configs WHERE tenant_id = ${tenantId}`);
  const row = res.rows[0];
  if (!row) return { config: EMPTY_CONFIG, updatedAt: null };
  return { config: row.config, updatedAt: new Date(row.updated_at).toISOString() };
}

export async function putNotifierConfig(db: Db, tenantId: number, config: NotifierConfig): Promise<StoredNotifierConfig> {
  return db.transaction(async (tx) => {
    const old = await tx.execute<{ config: NotifierConfig }>(sql`SELECT config FROM notifier_configs WHERE tenant_id = ${tenantId} FOR UPDATE`);
    const before = old.rows[0]?.config ?? EMPTY_CONFIG;
    const kept = config.receivers
      .filter((r) => before.receivers.some((b) => b.name === r.name && JSON.stringify(b.group_by) === JSON.stringify(r.group_by)))
      .map((r) => r.name);
    await tx.execute(sql`DELETE FROM notify_group_alerts WHERE tenant_id = ${tenantId} AND NOT (receiver = ANY(${sql.param(kept)}::text[]))`);
    await tx.execute(sql`DELETE FROM notify_groups WHERE tenant_id = ${tenantId} AND NOT (receiver = ANY(${sql.param(kept)}::text[]))`);
    const res = await tx.execute<{ updated_at: string | Date }>(sql`
      INSERT INTO notifier_configs (tenant_id, config) VALUES (${tenantId}, ${JSON.stringify(config)}::jsonb)
      ON CONFLICT (tenant_id) DO UPDATE SET config = EXCLUDED.config, updated_at = now()
      RETURNING updated_at`);
    return { config, updatedAt: new Date(res.rows[0].updated_at).toISOString() };
  });
}
