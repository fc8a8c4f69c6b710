// One evaluation of a rule group at one time: Prometheus 2.42's Group.Eval
// (rules/manager.go). Rules run in order; each sees the outputs of the rules
// before it at the same time (an overlay over the storage); a failing rule
// records its error and the group goes on; series a rule wrote last time and
// not this time get a staleness marker.
import type { Labels } from "../../../shared/labels";
import type { AlertingRuleSpec, GroupState, PostableAlert, RuleGroupSpec, RuleOutputSeries, RuleSpec, RuleState } from "../../../shared/rules/types";
import { STALE_NAN } from "../../../shared/staleness";
import type { QueryStorage } from "../../../shared/storage/types";
import { instantQuery, parseExpr, type Expr, type QueryOptions } from "../promql/index";
import { alertsToSend, evalAlertingRule, labelsKey, type OutputSample, type ResultSample } from "./alerting";
import { OverlayStorage } from "./overlay-storage";
import { evalRecordingRule } from "./recording";
import { groupIntervalMs, isAlertingRule } from "./rule-file";

export interface EvalOptions {
  /** For generatorURL: `${externalURL}/graph?g0.expr=...&g0.tab=1`, as Prometheus. */
  externalURL: string;
  externalLabels?: Labels;
  /** 60_000, as Prometheus's --rules.alert.resend-delay. */
  resendDelayMs?: number;
  timeoutMs?: number;
  /** Step of subqueries written without one (x[1h:]): Prometheus's global evaluation_interval, 1m by default. */
  noStepSubqueryIntervalMs?: number;
}

export interface GroupEvaluation {
  /** The state after this evaluation. */
  state: GroupState;
  /** To write as samples at ts: recording outputs, ALERTS, ALERTS_FOR_STATE, staleness markers. */
  series: RuleOutputSeries[];
  /** Prometheus's sendAlerts() choice for this evaluation (firing due for resend, resolved). */
  toSend: PostableAlert[];
}

export const DEFAULT_RESEND_DELAY_MS = 60_000;

function emptyRuleState(): RuleState {
  return { alerts: [], lastSeries: [], health: "unknown", lastError: "", lastEvaluation: 0, evaluationTime: 0 };
}

/** Prometheus's nameAndLabels: what identifies a rule across reloads in group.CopyState. */
function ruleIdentity(r: RuleSpec): string {
  const name = isAlertingRule(r) ? r.alert : r.record;
  return name + labelsKey(r.labels ?? {});
}

/**
 * The state to start from: empty, or (with `previous`) the state of each rule
 * that is still there, matched by name and labels in order as Prometheus's
 * group.CopyState does on a reload.
 */
export function initialGroupState(group: RuleGroupSpec, previous?: { group: RuleGroupSpec; state: GroupState }): GroupState {
  const state: GroupState = { rules: group.rules.map(emptyRuleState), lastEvaluation: 0, evaluationTime: 0 };
  if (!previous) return state;
  state.lastEvaluation = previous.state.lastEvaluation;
  state.evaluationTime = previous.state.evaluationTime;
  const byIdentity = new Map<string, number[]>();
  previous.group.rules.forEach((r, i) => {
    const k = ruleIdentity(r);
    byIdentity.set(k, [...(byIdentity.get(k) ?? []), i]);
  });
  group.rules.forEach((r, i) => {
    const idx = byIdentity.get(ruleIdentity(r));
    if (!idx || idx.length === 0) return;
    const from = idx.shift()!;
    const old = previous.state.rules[from];
    if (!old) return;
    const sameKind = isAlertingRule(r) === isAlertingRule(previous.group.rules[from]);
    state.rules[i] = { ...emptyRuleState(), lastSeries: [...old.lastSeries], alerts: sameKind && isAlertingRule(r) ? old.alerts.map((a) => ({ ...a })) : [] };
  });
  return state;
}

const parsedExprs = new Map<string, Expr>();

function parsed(expr: string): Expr {
  let e = parsedExprs.get(expr);
  // Templates' queries are parsed here too: cached like the rules' own.
  if (!e) {
    e = parseExpr(expr);
    if (parsedExprs.size > 5000) parsedExprs.clear();
    parsedExprs.set(expr, e);
  }
  return e;
}

/** EngineQueryFunc: an instant query whose result must be a vector or a scalar (one sample, no labels). */
async function queryRule(storage: QueryStorage, expr: string, ts: number, opts: EvalOptions): Promise<ResultSample[]> {
  const q: QueryOptions = {};
  if (opts.timeoutMs) q.timeoutMs = opts.timeoutMs;
  if (opts.noStepSubqueryIntervalMs) q.noStepSubqueryIntervalMs = opts.noStepSubqueryIntervalMs;
  const r = await instantQuery(storage, parsed(expr), ts, q);
  if (r.resultType === "vector") return r.result.map((s) => ({ metric: s.metric, v: s.v }));
  if (r.resultType === "scalar") return [{ metric: {}, v: r.result.v }];
  throw new Error("rule result is not a vector or scalar");
}

function labelsFromKey(key: string): Labels {
  return JSON.parse(key) as Labels;
}

export async function evaluateGroup(storage: QueryStorage, group: RuleGroupSpec, ts: number, state: GroupState, opts: EvalOptions): Promise<GroupEvaluation> {
  const overlay = new OverlayStorage(storage);
  /** Values written at ts by the rules so far, by series. */
  const written = new Map<string, number>();
  const series: RuleOutputSeries[] = [];
  const toSend: PostableAlert[] = [];
  const externalLabels = opts.externalLabels ?? {};
  const intervalMs = groupIntervalMs(group);
  const limit = group.limit ?? 0;
  const groupStart = Date.now();
  const rules: RuleState[] = group.rules.map((_, i) => {
    const s = state.rules[i] ?? emptyRuleState();
    return { ...s, alerts: s.alerts.map((a) => ({ ...a })), lastSeries: [...s.lastSeries] };
  });

  for (let i = 0; i < group.rules.length; i++) {
    const rule = group.rules[i];
    const rs = rules[i];
    const started = Date.now();
    try {
      const result = await queryRule(overlay, rule.expr, ts, opts);
      let samples: OutputSample[];
      if (isAlertingRule(rule)) {
        const query = async (q: string) => (await queryRule(overlay, q, ts, opts)).map((s) => ({ labels: s.metric, value: s.v }));
        const r = await evalAlertingRule(rule, result, ts, rs.alerts, { externalLabels, externalURL: opts.externalURL, limit, query });
        rs.alerts = r.alerts;
        samples = r.samples;
        toSend.push(...alertsToSend(rule as AlertingRuleSpec, rs.alerts, ts, { resendDelayMs: opts.resendDelayMs ?? DEFAULT_RESEND_DELAY_MS, intervalMs, externalURL: opts.externalURL, externalLabels }));
      } else samples = evalRecordingRule(rule, result, limit);
      rs.health = "ok";
      rs.lastError = "";
      const returned = new Set<string>();
      for (const s of samples) {
        const key = labelsKey(s.labels);
        const before = written.get(key);
        if (before !== undefined) {
          // An earlier rule wrote this series at this time: the TSDB takes the same value again and refuses another.
          if (!Object.is(before, s.value)) {
            rs.health = "err";
            rs.lastError = "duplicate sample for timestamp";
            continue;
          }
        } else {
          written.set(key, s.value);
          series.push({ labels: s.labels, timestamp: ts, value: s.value });
          overlay.add(s.labels, ts, s.value);
        }
        returned.add(key);
      }
      for (const key of rs.lastSeries) {
        // No marker for a series another rule wrote at this time (Prometheus ignores that append error).
        if (returned.has(key) || written.has(key)) continue;
        const labels = labelsFromKey(key);
        written.set(key, STALE_NAN);
        series.push({ labels, timestamp: ts, value: STALE_NAN });
        overlay.add(labels, ts, STALE_NAN);
      }
      rs.lastSeries = [...returned];
    } catch (e) {
      rs.health = "err";
      rs.lastError = e instanceof Error ? e.message : String(e);
      const reset = (e as { alerts?: unknown }).alerts;
      if (Array.isArray(reset)) rs.alerts = [];
    }
    rs.lastEvaluation = ts;
    rs.evaluationTime = (Date.now() - started) / 1000;
  }
  return { state: { rules, lastEvaluation: ts, evaluationTime: (Date.now() - groupStart) / 1000 }, series, toSend };
}
