// Cumulative ingest counters per tenant (ingest_counters), advanced from
// ingested_batches, which retention empties after 7 days: what
// inferscope_ingest_rows_total and inferscope_ingest_last_write_timestamp_seconds
// are read from (workers/query/self-metrics.ts).
//
// The watermark. A part's ingested_at is now() of the transaction that wrote
// it, i.e. its start, and it becomes visible only at commit: a watermark at
// "the newest ingested_at seen" would skip a part whose transaction started
// before it and committed after. So each tenant's watermark only moves to
// now() - settle: a part older than that is committed or never will be,
// because a write transaction cannot outlive the aggregator's invocation (a
// queue consumer runs at most 15 minutes; SETTLE_MS is 20). Parts below the
// watermark are in ingest_counters, each counted once (the range
// [old watermark, new watermark) is added under the row lock, in one
// snapshot); parts above it are added to what is reported ("provisional")
// but not stored, so the reported value is exact now and can never go back:
// a part only ever moves from provisional to stored, and never disappears
// before it is stored (retention is days behind the watermark).
import { sql } from "drizzle-orm";
import type { Db, Tx } from "../../db";
import { deadLetterTotals } from "./dead-letters";
import { sqlState } from "./errors";

/** Batch ids of the self-metrics job itself: never counted, or an idle tenant's counter would climb by its own samples. */
export const SELF_BATCH_PREFIX = "self/";
/** Batch ids of rule outputs (the rule cron): counted apart as kind "rules", so "samples" is what senders sent. */
export const RULES_BATCH_PREFIX = "rules/";
/** How old a part must be before it is stored in the counters (see above). */
export const SETTLE_MS = 20 * 60_000;

export type IngestKind = "samples" | "logs" | "rules";

export interface TenantIngest {
  tenantId: number;
  /** Rows ingested so far per kind; kinds never seen are absent. */
  rows: Partial<Record<IngestKind, number>>;
  /** Unix seconds of the newest part written, per kind. */
  lastWrite: Partial<Record<IngestKind, number>>;
  deadLetterItems: number;
}

export interface AdvanceOptions {
  /** Unix ms of the minute being reported: a tenant already reported for it (or a later one) is skipped. */
  minute: number;
  settleMs?: number;
  /** Only these tenants (tests); default every tenant. */
  tenantIds?: number[];
}


const KIND = sql.raw(`CASE WHEN b.batch_id LIKE '${RULES_BATCH_PREFIX}%' THEN 'rules' WHEN b.kind = 'logs' THEN 'logs' ELSE 'samples' END`);
const NOT_SELF = sql.raw(`b.batch_id NOT LIKE '${SELF_BATCH_PREFIX}%'`);

async function advance(tx: Tx, opts: AdvanceOptions): Promise<TenantIngest[]> {
  const only = opts.tenantIds ? sql`AND id = ANY(${sql.param(opts.tenantIds)}::integer[])` : sql``;
  // A tenant has no parts before it existed: its watermark starts there, not at -infinity (no scan of every part).
  await tx.execute(sql`
    INSERT INTO self_metrics_state (tenant_id, watermark) SELECT id, created_at FROM tenants WHERE true ${only}
    ON CONFLICT DO NOTHING`);
  const dueRows = await tx.execute<{ tenant_id: number }>(sql`
    SELECT tenant_id FROM self_metrics_state WHERE last_minute < ${opts.minute}
      ${opts.tenantIds ? sql`AND tenant_id = ANY(${sql.param(opts.tenantIds)}::integer[])` : sql``}
    ORDER BY tenant_id FOR UPDATE`);
  const due = dueRows.rows.map((r) => Number(r.tenant_id));
  if (due.length === 0) return [];
  const dueParam = sql`${sql.param(due)}::integer[]`;
  const cut = sql`(now() - make_interval(secs => ${(opts.settleMs ?? SETTLE_MS) / 1000}))`;
  // Parts of due tenants from their watermark on; the min() bound lets the ingested_at index serve the scan.
  const partsSince = sql`ingested_batches b JOIN self_metrics_state s ON s.tenant_id = b.tenant_id
    WHERE s.tenant_id = ANY(${dueParam}) AND b.ingested_at >= s.watermark AND ${NOT_SELF}
      AND b.ingested_at >= (SELECT min(watermark) FROM self_metrics_state WHERE tenant_id = ANY(${dueParam}))`;
  await tx.execute(sql`
    INSERT INTO ingest_counters (tenant_id, kind, rows, last_write_at)
    SELECT b.tenant_id, ${KIND}, sum(b.rows), max(b.ingested_at) FROM ${partsSince} AND b.ingested_at < ${cut}
    GROUP BY 1, 2
    ON CONFLICT (tenant_id, kind) DO UPDATE SET rows = ingest_counters.rows + excluded.rows,
      last_write_at = greatest(ingest_counters.last_write_at, excluded.last_write_at)`);
  await tx.execute(sql`
    UPDATE self_metrics_state SET watermark = greatest(watermark, ${cut}), last_minute = ${opts.minute}
    WHERE tenant_id = ANY(${dueParam})`);
  // Stored plus provisional (above the watermark just moved), in the same snapshot.
  const totals = await tx.execute<{ tenant_id: number; kind: IngestKind; rows: string; last: number | null }>(sql`
    SELECT tenant_id, kind, sum(rows)::text AS rows, extract(epoch FROM max(at))::float8 AS last FROM (
      SELECT tenant_id, kind, rows, last_write_at AS at FROM ingest_counters WHERE tenant_id = ANY(${dueParam})
      UNION ALL
      SELECT b.tenant_id, ${KIND}, b.rows, b.ingested_at FROM ${partsSince}
    ) x GROUP BY 1, 2`);
  const dead = await deadLetterTotals(tx, due);
  const byTenant = new Map<number, TenantIngest>(due.map((t) => [t, { tenantId: t, rows: {}, lastWrite: {}, deadLetterItems: dead.get(t) ?? 0 }]));
  for (const r of totals.rows) {
    const t = byTenant.get(Number(r.tenant_id))!;
    t.rows[r.kind] = Number(r.rows);
    if (r.last !== null) t.lastWrite[r.kind] = Number(r.last);
  }
  return [...byTenant.values()];
}

/**
 * Advances the counters of every tenant not yet reported for opts.minute and
 * returns their totals (empty when another run already reported the minute).
 * Repeatable read: every statement sees one snapshot, so a part committing in
 * between is neither added twice nor missed; a concurrent run that locked the
 * same tenants first makes this one fail to serialize, and the retry finds
 * them reported.
 */
export async function advanceIngestCounters(db: Db, opts: AdvanceOptions): Promise<TenantIngest[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction((tx) => advance(tx, opts), { isolationLevel: "repeatable read" });
    } catch (err) {
      const state = sqlState(err);
      if (attempt >= 3 || (state !== "40001" && state !== "40P01")) throw err;
    }
  }
}
