// The cron's retention job: create the coming days' partitions, drop whole
// daily partitions older than the retention, delete the per-minute log rollups
// of those days, and forget idempotency records older than any redelivery. A
// partition is detached CONCURRENTLY and then dropped, each its own statement
// outside a transaction, so ingest and queries are never blocked behind an
// exclusive lock on samples or request_logs. The per-day rollups stay: they
// are small, and derived counters count from them over all time. Compacted
// samples (sample_chunks, never partitioned) go by the same cutoff: chunk
// windows divide a day, so a chunk lies wholly before or after it, and
// compaction never writes a day older than the retention.
import { sql } from "drizzle-orm";
import type { Db } from "../../shared/db";
import { DAY_MS } from "../../shared/logs/rollup-spec";
import { dayOf, ensureDays } from "../../shared/storage/postgres/partitions";

export async function runRetention(db: Db, retentionDays: number, now = Date.now()): Promise<string[]> {
  const today = dayOf(now);
  await ensureDays(db, [today, today + 1]);
  const due = await db.execute<{ parent: string; name: string; detach_pending: boolean }>(
    sql`SELECT parent, name, detach_pending FROM inferscope_partitions_before(${today - retentionDays})`,
  );
  const dropped: string[] = [];
  for (const p of due.rows) {
    // A detach interrupted earlier is completed with FINALIZE.
    const mode = p.detach_pending ? sql`FINALIZE` : sql`CONCURRENTLY`;
    await db.execute(sql`ALTER TABLE ${sql.identifier(p.parent)} DETACH PARTITION ${sql.identifier(p.name)} ${mode}`);
    await db.execute(sql`DROP TABLE IF EXISTS ${sql.identifier(p.name)}`);
    dropped.push(p.name);
  }
  // Minutes of the days whose logs are gone (the same cutoff as the partitions).
  const cutoff = (today - retentionDays) * DAY_MS;
  await db.execute(sql`DELETE FROM sample_chunks WHERE max_t < ${cutoff}`);
  await db.execute(sql`DELETE FROM compaction_days WHERE day < ${today - retentionDays}`);
  await db.execute(sql`DELETE FROM log_rollups WHERE minute < ${cutoff}`);
  // Hours go with their minutes; older ranges are read from the per-day rows.
  await db.execute(sql`DELETE FROM log_rollups_hour WHERE hour < ${cutoff}`);
  await db.execute(sql`DELETE FROM log_rollup_buckets WHERE minute < ${cutoff}`);
  await db.execute(sql`DELETE FROM ingested_batches WHERE ingested_at < now() - interval '7 days'`);
  return dropped;
}
