// The SQL behind GET /admin/v1/status (workers/query/admin-status.ts): the
// migrations applied, the daily partitions that exist from today on, rule
// group health and recent dead letters. Rule groups and dead letters are read
// for one tenant, or for all when tenantId is null (the bootstrap key).
import { sql } from "drizzle-orm";
import type { Db } from "../../db";

export interface AppliedMigrations {
  count: number;
  /** created_at of the newest row: drizzle stores the journal entry's `when` there. */
  lastWhen: number | null;
  lastHash: string | null;
}

export async function appliedMigrations(db: Db): Promise<AppliedMigrations> {
  const res = await db.execute<{ count: string; last_when: string | null; last_hash: string | null }>(sql`
    SELECT count(*)::text AS count,
      (SELECT created_at::text FROM drizzle.__drizzle_migrations ORDER BY created_at DESC LIMIT 1) AS last_when,
      (SELECT hash FROM drizzle.__drizzle_migrations ORDER BY created_at DESC LIMIT 1) AS last_hash
    FROM drizzle.__drizzle_migrations`);
  const r = res.rows[0];
  return { count: Number(r?.count ?? 0), lastWhen: r?.last_when ? Number(r.last_when) : null, lastHash: r?.last_hash ?? null };
}

/** Days (YYYYMMDD) of the partitions of samples and request_logs from `fromDay` on, and the oldest of each. */
export async function partitionDays(db: Db, fromDay: string): Promise<Record<"samples" | "request_logs", { days: string[]; oldest: string | null }>> {
  const res = await db.execute<{ parent: string; day: string; attached: boolean }>(sql`
    SELECT p.relname::text AS parent, right(c.relname, 8) AS day
    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
    WHERE p.relname IN ('samples', 'request_logs') AND c.relname ~ '_p[0-9]{8}$' AND NOT i.inhdetachpending
    ORDER BY 1, 2`);
  const out = { samples: { days: [] as string[], oldest: null as string | null }, request_logs: { days: [] as string[], oldest: null as string | null } };
  for (const r of res.rows) {
    const p = out[r.parent as "samples" | "request_logs"];
    if (!p) continue;
    p.oldest ??= r.day;
    if (r.day >= fromDay) p.days.push(r.day);
  }
  return out;
}

export interface RuleGroupHealth {
  groups: number;
  rules: number;
  /** Groups with a rule whose last evaluation failed. */
  failing: { namespace: string; name: string; lastError: string }[];
  /** Newest committed evaluation slot (unix ms); null when no group was evaluated yet. */
  lastEvaluationMs: number | null;
  /** Groups whose last slot is more than 3 intervals old (never evaluated: loaded or changed more than 3 intervals ago). */
  overdue: number;
}

export async function ruleGroupHealth(db: Db, tenantId: number | null, now: number): Promise<RuleGroupHealth> {
  const tenant = tenantId === null ? sql`TRUE` : sql`tenant_id = ${tenantId}`;
  const totals = await db.execute<{ groups: string; rules: string | null; last_eval: string | null; overdue: string }>(sql`
    SELECT count(*)::text AS groups, sum(jsonb_array_length(spec->'rules'))::text AS rules,
      nullif(max(last_eval_ms), 0)::text AS last_eval,
      count(*) FILTER (WHERE last_eval_ms < ${now}::bigint - 3 * interval_ms AND extract(epoch FROM updated_at) * 1000 < ${now}::bigint - 3 * interval_ms)::text AS overdue
    FROM rule_groups WHERE ${tenant}`);
  const failing = await db.execute<{ namespace: string; name: string; last_error: string }>(sql`
    SELECT namespace, name, (SELECT r->>'lastError' FROM jsonb_array_elements(state->'rules') r WHERE r->>'health' = 'err' LIMIT 1) AS last_error
    FROM rule_groups
    WHERE ${tenant} AND EXISTS (SELECT 1 FROM jsonb_array_elements(state->'rules') r WHERE r->>'health' = 'err')
    ORDER BY namespace COLLATE "C", name COLLATE "C" LIMIT 20`);
  const t = totals.rows[0];
  return {
    groups: Number(t?.groups ?? 0),
    rules: Number(t?.rules ?? 0),
    failing: failing.rows.map((r) => ({ namespace: r.namespace, name: r.name, lastError: r.last_error ?? "" })),
    lastEvaluationMs: t?.last_eval ? Number(t.last_eval) : null,
    overdue: Number(t?.overdue ?? 0),
  };
}

export async function recentDeadLetters(db: Db, tenantId: number | null): Promise<{ parts: number; items: number; lastReason: string | null; lastAt: string | null }> {
  const tenant = tenantId === null ? sql`TRUE` : sql`tenant_id = ${tenantId}`;
  const res = await db.execute<{ parts: string; items: string | null; last_reason: string | null; last_at: string | null }>(sql`
    SELECT count(*)::text AS parts, sum(items)::text AS items,
      (array_agg(reason ORDER BY at DESC))[1] AS last_reason, max(at)::text AS last_at
    FROM dead_letters WHERE ${tenant} AND at > now() - interval '1 day'`);
  const r = res.rows[0];
  return { parts: Number(r?.parts ?? 0), items: Number(r?.items ?? 0), lastReason: r?.last_reason ?? null, lastAt: r?.last_at ? new Date(r.last_at).toISOString() : null };
}
