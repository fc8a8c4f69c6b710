// The cron_runs table: when each cron job last finished, for GET /admin/v1/status.
import { sql } from "drizzle-orm";
import type { Db } from "../../db";
import { cronRuns } from "../../schema";

export async function recordCronRun(db: Db, job: string, startedAtMs: number, now = Date.now()): Promise<void> {
  const finishedAt = new Date(now);
  const durationMs = Math.max(0, Math.round(now - startedAtMs));
  await db.insert(cronRuns).values({ job, finishedAt, durationMs }).onConflictDoUpdate({ target: cronRuns.job, set: { finishedAt, durationMs } });
}

export async function lastCronRun(db: Db, job: string): Promise<{ finishedAt: string; durationMs: number } | null> {
  const rows = await db.select().from(cronRuns).where(sql`${cronRuns.job} = ${job}`).limit(1);
  return rows[0] ? { finishedAt: rows[0].finishedAt.toISOString(), durationMs: rows[0].durationMs } : null;
}
