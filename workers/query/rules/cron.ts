// Rule evaluation by the query worker's cron. Each run claims the groups with
// a slot due (every tenant), evaluates each missed slot in (last, now] aligned
// to the group's interval (the newest MAX_SLOTS_PER_RUN; older ones are skipped,
// as Prometheus skips missed iterations), writes the outputs as samples under a
// batch id fixed by group, version and slot (a replay is a no-op), then commits
// the state in one transaction with the alerts to send, only if no other run
// committed that slot first. Notifications are delivered after every group.
import type { Db } from "../../../shared/db";
import { QUEUE_MESSAGE_VERSION, type MetricsMessage, type QueueSeries } from "../../../shared/contracts/queue";
import { NAME_LABEL, normaliseLabels, type Labels } from "../../../shared/labels";
import { isStaleNaN, STALE_NAN } from "../../../shared/staleness";
import type { GroupState, RuleOutputSeries } from "../../../shared/rules/types";
import { postgresQueryStorage } from "../../../shared/storage/postgres/read";
import type { QueryStorage } from "../../../shared/storage/types";
import {
  claimDueRuleGroups,
  commitRuleEvaluation,
  releaseRuleGroup,
  type StoredRuleGroup,
} from "../../../shared/storage/postgres/rule-groups";
import { postgresWriteStorage } from "../../../shared/storage/postgres/write";
import { labelsPredicate } from "../promql";
import { deliverNotifications, enqueueAlerts } from "../notify/index";
import { evaluateGroup, type EvalOptions } from "./evaluate-group";

export const MAX_SLOTS_PER_RUN = 10;
/** Workers cron invocations are bounded; a run stops starting new slots past this. */
export const RUN_BUDGET_MS = 20_000;
/** Longer than a run, so a crashed run's groups come back on the next minute or so. */
const LEASE_MS = 60_000;
const CLAIM_BATCH = 50;
export const DEFAULT_EXTERNAL_URL = "http://localhost:8787";

export interface RuleCronOptions {
  externalURL?: string;
  derivedTtlMs?: number;
  budgetMs?: number;
  /** Notifications: for tests (a loopback fetch). */
  fetch?: typeof fetch;
  log?: (entry: Record<string, unknown>) => void;
}

export interface RuleCronReport {
  groups: number;
  /** Slots committed by this run. */
  committed: number;
  /** Slots another run committed first. */
  lost: number;
  /** Missed slots not evaluated (over MAX_SLOTS_PER_RUN). */
  skipped: number;
  failedGroups: number;
  outOfTime: boolean;
}

/** Slots in (last, now], aligned to the interval; the newest `max` of them, and how many older ones were skipped. */
export function dueSlots(lastEvalMs: number, now: number, intervalMs: number, max = MAX_SLOTS_PER_RUN): { slots: number[]; skipped: number } {
  const newest = Math.floor(now / intervalMs) * intervalMs;
  if (newest <= lastEvalMs) return { slots: [], skipped: 0 };
  // A group never evaluated starts at the current slot: there is no state to catch up.
  const first = lastEvalMs <= 0 ? newest : (Math.floor(lastEvalMs / intervalMs) + 1) * intervalMs;
  const count = (newest - first) / intervalMs + 1;
  const take = Math.min(count, max);
  const slots: number[] = [];
  for (let i = take - 1; i >= 0; i--) slots.push(newest - i * intervalMs);
  return { slots, skipped: count - take };
}

/** Prometheus's rule_group label of its rule metrics: "<file>;<group>". */
export const ruleGroupLabel = (g: { namespace: string; name: string }) => `${g.namespace};${g.name}`;

function toQueueSeries(out: RuleOutputSeries[]): QueueSeries[] {
  // One sample per label set and timestamp: the first, as Prometheus's TSDB keeps it, except that a value wins over a staleness marker.
  const byKey = new Map<string, { name: string; labels: Labels; ts: number; value: number }>();
  for (const s of out) {
    const { [NAME_LABEL]: name, ...rest } = s.labels;
    if (!name) continue;
    const labels = normaliseLabels(Object.entries(rest));
    const key = JSON.stringify([name, labels, s.timestamp]);
    const had = byKey.get(key);
    if (!had || (isStaleNaN(had.value) && !isStaleNaN(s.value))) byKey.set(key, { name, labels, ts: s.timestamp, value: s.value });
  }
  return [...byKey.values()].map((s) => ({ name: s.name, labels: s.labels, timestamps: Float64Array.of(s.ts), values: Float64Array.of(s.value) }));
}

/** Staleness markers at `ts` for series keys of RuleState.lastSeries (JSON of the sorted label set); a key that does not parse is dropped. */
export function staleMarkers(keys: string[], ts: number): RuleOutputSeries[] {
  const out: RuleOutputSeries[] = [];
  for (const k of keys) {
    try {
      const labels = JSON.parse(k) as Labels;
      if (labels && typeof labels === "object") out.push({ labels, timestamp: ts, value: STALE_NAN });
    } catch {
      // not a label set: nothing to mark
    }
  }
  return out;
}

/** A rule group's outputs as a queue message part, written directly (the batch id makes a rerun a no-op). */
const outputMessage = (tenantId: number, batchId: string, out: RuleOutputSeries[]): MetricsMessage => ({
  v: QUEUE_MESSAGE_VERSION,
  kind: "metrics",
  tenantId,
  batchId,
  part: 0,
  series: toQueueSeries(out),
  metadata: [],
});

/** Marks a deleted group's series stale at `ts`, as Prometheus does for the groups a reload removes. */
export async function markDeletedStale(db: Db, tenantId: number, deleted: { id: number; series: string[] }[], ts: number): Promise<void> {
  const msgs: MetricsMessage[] = deleted
    .filter((d) => d.series.length)
    .map((d) => outputMessage(tenantId, `rules/${d.id}/deleted`, staleMarkers(d.series, ts)));
  if (msgs.length) await postgresWriteStorage(db).writeMetrics(msgs);
}

/** Rules whose evaluation at `slot` failed. */
const failuresAt = (state: GroupState, slot: number) => state.rules.filter((r) => r.health === "err" && r.lastEvaluation === slot).length;

async function evaluateOne(db: Db, storage: QueryStorage, g: StoredRuleGroup, now: number, deadline: number, opts: RuleCronOptions, report: RuleCronReport): Promise<void> {
  const evalOpts: EvalOptions = { externalURL: opts.externalURL ?? DEFAULT_EXTERNAL_URL, timeoutMs: Math.max(1000, Math.min(10_000, deadline - Date.now())) };
  const { slots, skipped } = dueSlots(g.lastEvalMs, now, g.intervalMs);
  report.skipped += skipped;
  let base = { id: g.id, version: g.version, lastEvalMs: g.lastEvalMs };
  let state = g.state;
  let failuresTotal = g.failuresTotal;
  const writer = postgresWriteStorage(db);
  const rg = ruleGroupLabel(g);
  let stale = g.staleSeries;
  for (const slot of slots) {
    if (Date.now() >= deadline) {
      report.outOfTime = true;
      return;
    }
    const ev = await evaluateGroup(storage, g.spec, slot, state, evalOpts);
    const failures = failuresAt(ev.state, slot);
    failuresTotal += failures;
    const own: RuleOutputSeries[] = [
      { labels: { [NAME_LABEL]: "inferscope_rule_evaluation_failures_total", rule_group: rg }, timestamp: slot, value: failuresTotal },
      { labels: { [NAME_LABEL]: "inferscope_rule_group_last_evaluation_timestamp_seconds", rule_group: rg }, timestamp: slot, value: slot / 1000 },
    ];
    // A series a new rule writes at this slot keeps its value over the removed rule's marker.
    await writer.writeMetrics([outputMessage(g.tenantId, `rules/${g.id}/v${g.version}/${slot}`, [...staleMarkers(stale, slot), ...ev.series, ...own])]);
    const committed = await db.transaction(async (tx) => {
      if (!(await commitRuleEvaluation(tx, base, slot, ev.state, failures, stale.length > 0))) return false;
      if (ev.toSend.length) await enqueueAlerts(tx, g.tenantId, ev.toSend, now);
      return true;
    });
    if (!committed) {
      // Another run got there first (or the group was edited): its state is the one to build on.
      report.lost++;
      return;
    }
    report.committed++;
    stale = [];
    base = { ...base, lastEvalMs: slot };
    state = ev.state;
  }
}

/** One cron run over every tenant's due groups; a failing group is logged and the rest go on. */
export async function runRuleEvaluation(db: Db, now: number, opts: RuleCronOptions = {}): Promise<RuleCronReport> {
  const started = Date.now();
  const deadline = started + (opts.budgetMs ?? RUN_BUDGET_MS);
  const log = opts.log ?? ((e) => console.log(JSON.stringify({ worker: "query", job: "rules", ...e })));
  const report: RuleCronReport = { groups: 0, committed: 0, lost: 0, skipped: 0, failedGroups: 0, outOfTime: false };
  const seen = new Set<number>();
  // One storage per tenant per run: it reads the tenant's log dims once, not once per group.
  const storages = new Map<number, QueryStorage>();
  const storageOf = (tenantId: number) => {
    let s = storages.get(tenantId);
    if (!s) storages.set(tenantId, (s = postgresQueryStorage(db, tenantId, labelsPredicate, { derivedTtlMs: opts.derivedTtlMs })));
    return s;
  };
  for (;;) {
    const batch = await claimDueRuleGroups(db, now, LEASE_MS, CLAIM_BATCH);
    let fresh = 0;
    for (const g of batch) {
      // Still due after this run's try (lost or failed): leave it to the next run.
      if (seen.has(g.id) || Date.now() >= deadline) {
        await releaseRuleGroup(db, g.id).catch(() => {});
        continue;
      }
      seen.add(g.id);
      fresh++;
      report.groups++;
      try {
        await evaluateOne(db, storageOf(g.tenantId), g, now, deadline, opts, report);
      } catch (err) {
        report.failedGroups++;
        log({ level: "error", msg: "rule group evaluation failed", tenant: g.tenantId, namespace: g.namespace, group: g.name, error: (err as Error).message });
      } finally {
        await releaseRuleGroup(db, g.id).catch(() => {});
      }
    }
    if (batch.length < CLAIM_BATCH || fresh === 0 || Date.now() >= deadline) break;
  }
  if (Date.now() >= deadline) report.outOfTime = true;
  try {
    await deliverNotifications(db, now, { externalURL: opts.externalURL ?? DEFAULT_EXTERNAL_URL, ...(opts.fetch ? { fetch: opts.fetch } : {}) });
  } catch (err) {
    log({ level: "error", msg: "notification delivery failed", error: (err as Error).message });
  }
  if (report.groups || report.failedGroups) log({ level: report.failedGroups ? "warn" : "info", msg: "rules evaluated", ...report, ms: Date.now() - started });
  return report;
}
