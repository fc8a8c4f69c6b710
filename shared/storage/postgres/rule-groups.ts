// All SQL of the rule store (table rule_groups): a tenant's rule groups by
// namespace, their evaluation state, and the claim / commit of evaluation
// slots. A slot is committed only where the row still holds the state the
// evaluation started from (same version, same last_eval_ms), so two isolates
// evaluating the same group never both commit a slot.
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Db, Tx } from "../../db";
import type { GroupState, RuleGroupSpec } from "../../rules/types";
import { canonical } from "../../rules/group-shape";
import { ruleGroups } from "../../schema";


export interface StoredRuleGroup {
  id: number;
  tenantId: number;
  namespace: string;
  name: string;
  spec: RuleGroupSpec;
  source: string;
  intervalMs: number;
  state: GroupState;
  lastEvalMs: number;
  failuresTotal: number;
  /** Series of removed rules to mark stale at the next evaluation. */
  staleSeries: string[];
  version: number;
  updatedAt: Date;
}

/** JSON has no NaN or ±Inf (JSON.stringify writes null): an alert's value that is not finite is stored as Go spells it. */
const NON_FINITE: Record<string, number> = { NaN: NaN, "+Inf": Infinity, "-Inf": -Infinity };
const mapAlerts = (s: GroupState, f: (v: unknown) => unknown): GroupState => ({
  ...s,
  rules: s.rules.map((r) => (r?.alerts?.length ? { ...r, alerts: r.alerts.map((a) => ({ ...a, value: f(a.value) as number })) } : r)),
});
export const encodeState = (s: GroupState) => mapAlerts(s, (v) => (typeof v !== "number" || Number.isFinite(v) ? v : Number.isNaN(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf"));
export const decodeState = (s: GroupState) => mapAlerts(s, (v) => (typeof v === "string" ? (NON_FINITE[v] ?? NaN) : v));

/** Every series key a group's state says it wrote last. */
export const seriesOfState = (state: GroupState): string[] => [...new Set(state.rules.flatMap((r) => r.lastSeries ?? []))];

const columns = {
  id: ruleGroups.id,
  tenantId: ruleGroups.tenantId,
  namespace: ruleGroups.namespace,
  name: ruleGroups.name,
  spec: ruleGroups.spec,
  source: ruleGroups.source,
  intervalMs: ruleGroups.intervalMs,
  state: ruleGroups.state,
  lastEvalMs: ruleGroups.lastEvalMs,
  failuresTotal: ruleGroups.failuresTotal,
  staleSeries: ruleGroups.staleSeries,
  version: ruleGroups.version,
  updatedAt: ruleGroups.updatedAt,
};

/** A tenant's groups (of one namespace), ordered by namespace then name in byte order (COLLATE "C", whatever the database's), as Prometheus orders file then group. */
export async function listRuleGroups(db: Db, tenantId: number, namespace?: string): Promise<StoredRuleGroup[]> {
  const where = namespace === undefined ? eq(ruleGroups.tenantId, tenantId) : and(eq(ruleGroups.tenantId, tenantId), eq(ruleGroups.namespace, namespace));
  const rows = await db.select(columns).from(ruleGroups).where(where).orderBy(sql`${ruleGroups.namespace} COLLATE "C"`, sql`${ruleGroups.name} COLLATE "C"`);
  return rows.map((r) => ({ ...r, state: decodeState(r.state) }));
}

export async function getRuleGroup(db: Db, tenantId: number, namespace: string, name: string): Promise<StoredRuleGroup | undefined> {
  const rows = await db
    .select(columns)
    .from(ruleGroups)
    .where(and(eq(ruleGroups.tenantId, tenantId), eq(ruleGroups.namespace, namespace), eq(ruleGroups.name, name)));
  return rows[0] && { ...rows[0], state: decodeState(rows[0].state) };
}

/** Groups and rules a tenant has, leaving out one group (the one about to be replaced). */
export async function ruleCounts(db: Db, tenantId: number, except?: { namespace: string; name: string }): Promise<{ groups: number; rules: number }> {
  const res = await db.execute<{ groups: string; rules: string | null }>(sql`
    SELECT count(*) AS groups, sum(jsonb_array_length(spec->'rules')) AS rules FROM rule_groups
    WHERE tenant_id = ${tenantId} ${except ? sql`AND NOT (namespace = ${except.namespace} AND name = ${except.name})` : sql``}`);
  return { groups: Number(res.rows[0]?.groups ?? 0), rules: Number(res.rows[0]?.rules ?? 0) };
}

export type InitialState = (previous?: { group: RuleGroupSpec; state: GroupState }) => GroupState;

/**
 * Creates or replaces a group. The state of rules that did not change is kept
 * (initialState, given the previous spec and state); an identical spec changes
 * nothing, so re-syncing the same files does not restart `for` timers.
 */
export async function upsertRuleGroup(
  db: Db,
  tenantId: number,
  namespace: string,
  group: { spec: RuleGroupSpec; source: string; intervalMs: number },
  initialState: InitialState,
): Promise<"created" | "updated" | "unchanged"> {
  return db.transaction(async (tx) => {
    const prev = (
      await tx
        .select({ id: ruleGroups.id, spec: ruleGroups.spec, state: ruleGroups.state, intervalMs: ruleGroups.intervalMs, staleSeries: ruleGroups.staleSeries })
        .from(ruleGroups)
        .where(and(eq(ruleGroups.tenantId, tenantId), eq(ruleGroups.namespace, namespace), eq(ruleGroups.name, group.spec.name)))
        .for("update")
    )[0];
    if (!prev) {
      // Two creates at once: the unique index lets one in; the other updates on its next try.
      const inserted = await tx
        .insert(ruleGroups)
        .values({ tenantId, namespace, name: group.spec.name, spec: group.spec, source: group.source, intervalMs: group.intervalMs, state: encodeState(initialState()) })
        .onConflictDoNothing()
        .returning({ id: ruleGroups.id });
      if (inserted.length === 0) throw new Error(`rule group ${namespace}/${group.spec.name} was created concurrently; send it again`);
      return "created";
    }
    if (canonical(prev.spec) === canonical(group.spec) && prev.intervalMs === group.intervalMs) {
      await tx.update(ruleGroups).set({ source: group.source }).where(eq(ruleGroups.id, prev.id));
      return "unchanged";
    }
    const state = initialState({ group: prev.spec, state: decodeState(prev.state) });
    // What the removed (or changed) rules wrote goes stale at the next evaluation, as in Prometheus.
    const kept = new Set(seriesOfState(state));
    const stale = [...new Set([...prev.staleSeries, ...seriesOfState(prev.state)])].filter((k) => !kept.has(k));
    await tx
      .update(ruleGroups)
      .set({
        spec: group.spec,
        source: group.source,
        intervalMs: group.intervalMs,
        state: encodeState(state),
        staleSeries: stale,
        version: sql`${ruleGroups.version} + 1`,
        updatedAt: new Date(),
      })
      .where(eq(ruleGroups.id, prev.id));
    return "updated";
  });
}

export interface DeletedRuleGroup {
  id: number;
  /** Series the group wrote last (and had still to mark stale): for the caller to mark stale now. */
  series: string[];
}

const deletedOf = (rows: { id: number; state: GroupState; staleSeries: string[] }[]): DeletedRuleGroup[] =>
  rows.map((r) => ({ id: r.id, series: [...new Set([...r.staleSeries, ...seriesOfState(r.state)])] }));

export async function deleteRuleGroup(db: Db, tenantId: number, namespace: string, name: string): Promise<DeletedRuleGroup | null> {
  const res = await db
    .delete(ruleGroups)
    .where(and(eq(ruleGroups.tenantId, tenantId), eq(ruleGroups.namespace, namespace), eq(ruleGroups.name, name)))
    .returning({ id: ruleGroups.id, state: ruleGroups.state, staleSeries: ruleGroups.staleSeries });
  return deletedOf(res)[0] ?? null;
}

/** Deletes every group of a namespace; returns them. */
export async function deleteRuleNamespace(db: Db, tenantId: number, namespace: string): Promise<DeletedRuleGroup[]> {
  const res = await db
    .delete(ruleGroups)
    .where(and(eq(ruleGroups.tenantId, tenantId), eq(ruleGroups.namespace, namespace)))
    .returning({ id: ruleGroups.id, state: ruleGroups.state, staleSeries: ruleGroups.staleSeries });
  return deletedOf(res);
}

/**
 * Claims up to `limit` groups (of every tenant) that have a slot due at `now`
 * (a multiple of their interval later than the slot committed last) and no
 * live lease, leasing them until now + leaseMs. Oldest first, so a backlog
 * moves on fairly; SKIP LOCKED so concurrent runs split the work.
 */
export async function claimDueRuleGroups(db: Db, now: number, leaseMs: number, limit: number): Promise<StoredRuleGroup[]> {
  const due = db
    .select({ id: ruleGroups.id })
    .from(ruleGroups)
    .where(sql`(${now}::bigint / ${ruleGroups.intervalMs}) * ${ruleGroups.intervalMs} > ${ruleGroups.lastEvalMs} AND ${ruleGroups.leaseUntilMs} <= ${now}`)
    .orderBy(ruleGroups.lastEvalMs, ruleGroups.id)
    .limit(limit)
    .for("update", { skipLocked: true });
  const rows = await db.update(ruleGroups).set({ leaseUntilMs: now + leaseMs }).where(inArray(ruleGroups.id, due)).returning(columns);
  return rows.map((r) => ({ ...r, state: decodeState(r.state) })).sort((a, b) => a.lastEvalMs - b.lastEvalMs || a.id - b.id);
}

/** Ends a lease early (the run is done with the group). */
export async function releaseRuleGroup(db: Db, id: number): Promise<void> {
  await db.update(ruleGroups).set({ leaseUntilMs: 0 }).where(eq(ruleGroups.id, id));
}

/**
 * Commits the evaluation of `slot`, inside the caller's transaction: only if
 * the row is still at the version and last slot the evaluation started from.
 * False: another run committed first (or the spec changed), nothing written.
 */
export async function commitRuleEvaluation(
  tx: Tx,
  g: { id: number; version: number; lastEvalMs: number },
  slot: number,
  state: GroupState,
  failures: number,
  clearStale = false,
): Promise<boolean> {
  const res = await tx
    .update(ruleGroups)
    .set({ state: encodeState(state), lastEvalMs: slot, failuresTotal: sql`${ruleGroups.failuresTotal} + ${failures}`, ...(clearStale ? { staleSeries: [] } : {}) })
    .where(and(eq(ruleGroups.id, g.id), eq(ruleGroups.version, g.version), eq(ruleGroups.lastEvalMs, g.lastEvalMs), sql`${ruleGroups.lastEvalMs} < ${slot}`))
    .returning({ id: ruleGroups.id });
  return res.length > 0;
}
