// Daily partitions must exist before rows land in them. Each isolate remembers
// the days it has ensured, so this costs a round trip once per new day.
import { sql } from "drizzle-orm";
import type { Db } from "../../db";
import { sqlState } from "./errors";

const DAY_MS = 86_400_000;
const ensured = new Set<number>();

export function dayOf(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

export async function ensureDays(db: Db, days: Iterable<number>): Promise<void> {
  const missing = [...new Set(days)].filter((d) => !ensured.has(d));
  if (missing.length === 0) return;
  await db.execute(sql`SELECT inferscope_ensure_day_partitions(${sql.param(missing)}::integer[])`);
  for (const d of missing) ensured.add(d);
}

/**
 * Postgres's "no partition of relation found for row" (23514): the retention job
 * dropped a day this isolate thought it had. Forget, so the retry re-creates it.
 */
export function forgetIfPartitionMissing(err: unknown): void {
  // drizzle wraps the driver's error: the SQLSTATE is on its cause.
  if (sqlState(err) === "23514") ensured.clear();
}
