// The cron's retention job: drop whole daily partitions older than the
// retention, and forget idempotency records older than any redelivery.
import { sql } from "drizzle-orm";
import type { Db } from "../../shared/db";
import { DEFAULT_LIMITS } from "../../shared/limits";
import { dayOf, ensureDays } from "../../shared/storage/postgres/partitions";

export async function runRetention(db: Db, retentionDays: number = DEFAULT_LIMITS.retentionDays, now = Date.now()): Promise<string[]> {
  const today = dayOf(now);
  // Create today's and tomorrow's partitions ahead of the writers.
  await ensureDays(db, [today, today + 1]);
  const res = await db.execute<{ dropped: string }>(sql`SELECT inferscope_drop_partitions_before(${today - retentionDays}) AS dropped`);
  await db.execute(sql`DELETE FROM ingested_batches WHERE ingested_at < now() - interval '7 days'`);
  return res.rows.map((r) => r.dropped);
}
