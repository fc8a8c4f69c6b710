// Daily partitions must exist before rows land in them. Each isolate remembers
// the days it has ensured, so this costs a round trip once per new day.
import { sql } from "drizzle-orm";
import type { Db } from "../../db";

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

/** After the retention job drops partitions, forget them so they are re-created if written again. */
export function forgetDaysBefore(day: number): void {
  for (const d of ensured) if (d < day) ensured.delete(d);
}
