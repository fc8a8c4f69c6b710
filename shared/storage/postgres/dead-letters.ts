// The dead_letters table: what the aggregator sent to the dead-letter queue,
// one row per message part, so a tenant's dead letters show as
// inferscope_dead_letter_items_total (workers/query/self-metrics.ts).
// Written only on the dead-letter path, never beside an ordinary write.
import { sql } from "drizzle-orm";
import type { Db } from "../../db";
import { deadLetters } from "../../schema";

export interface DeadLetterEntry {
  tenantId: number;
  /** As the dead-letter message carries it. */
  batchId: string;
  part: number;
  kind: string;
  items: number;
  reason: string;
}

/** Reasons are Postgres messages or ours; capped so a huge one cannot make the record itself fail. */
const MAX_REASON = 1000;

/** Records a dead-lettered part once: a redelivery dead-lettered again keeps the first row (its time and reason). */
export async function recordDeadLetter(db: Db, e: DeadLetterEntry): Promise<void> {
  const reason = e.reason.length > MAX_REASON ? `${e.reason.slice(0, MAX_REASON)}…` : e.reason;
  await db
    .insert(deadLetters)
    // NUL cannot be stored in text; the reason may quote a refused value.
    .values({ tenantId: e.tenantId, batchId: e.batchId.replace(/\u0000/g, "\\0"), part: e.part, kind: e.kind, items: e.items, reason: reason.replace(/\u0000/g, "\\0") })
    .onConflictDoNothing();
}

/** Items dead-lettered so far, per tenant asked for (tenants without any are absent). */
export async function deadLetterTotals(db: Pick<Db, "execute">, tenantIds: number[]): Promise<Map<number, number>> {
  if (tenantIds.length === 0) return new Map();
  const res = await db.execute<{ tenant_id: number; items: string }>(sql`
    SELECT tenant_id, sum(items)::text AS items FROM dead_letters
    WHERE tenant_id = ANY(${sql.param(tenantIds)}::integer[]) GROUP BY tenant_id`);
  return new Map(res.rows.map((r) => [Number(r.tenant_id), Number(r.items)]));
}
