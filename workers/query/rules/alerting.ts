// One evaluation of an alerting rule: Prometheus 2.42's AlertingRule.Eval and
// sendAlerts (rules/alerting.go), over state kept as JSON between evaluations.
import type { Labels } from "../../../shared/labels";
import type { AlertingRuleSpec, AlertInstance, PostableAlert } from "../../../shared/rules/types";
import { canonicalExpr } from "./expr-string";
import { queryEscape } from "./go-format";
import { ruleDurationMs } from "./rule-file";
import { expandTemplate, type TemplateQuery } from "./template";

/** How long a resolved alert is kept (and resent as resolved), as Prometheus's resolvedRetention. */
export const RESOLVED_RETENTION_MS = 15 * 60_000;

export interface ResultSample {
  metric: Labels;
  v: number;
}

export interface OutputSample {
  labels: Labels;
  value: number;
}

export function sortedLabels(l: Labels): Labels {
  const out: Labels = {};
  for (const k of Object.keys(l).sort()) if (l[k] !== "") out[k] = l[k];
  return out;
}

/** The identity of a label set; also parseable back (JSON of sorted keys), so staleness markers can be written from it. */
export function labelsKey(l: Labels): string {
  return JSON.stringify(sortedLabels(l));
}

export interface AlertingEvalOptions {
  externalLabels: Labels;
  externalURL: string;
  limit: number;
  /** For templates' `query`: an instant query at the evaluation time. */
  query?: TemplateQuery;
}

/**
 * Evaluates the rule on its query result at ts. Returns the alerts to keep and
 * the ALERTS / ALERTS_FOR_STATE samples; throws on duplicate label sets (alerts
 * unchanged) and on the limit (alerts reset, as Prometheus does: the thrown
 * error carries `alerts: []`).
 */
export async function evalAlertingRule(rule: AlertingRuleSpec, result: ResultSample[], ts: number, previous: AlertInstance[], opts: AlertingEvalOptions): Promise<{ alerts: AlertInstance[]; samples: OutputSample[] }> {
  const holdMs = rule.for ? ruleDurationMs(rule.for) ?? 0 : 0;
  const keepMs = rule.keep_firing_for ? ruleDurationMs(rule.keep_firing_for) ?? 0 : 0;
  const fresh = new Map<string, AlertInstance>();
  for (const s of result) {
    const data = { labels: s.metric, externalLabels: opts.externalLabels, externalURL: opts.externalURL, value: s.v };
    const expand = (text: string) => expandTemplate(text, rule.alert, data, opts.query);
    const lb: Labels = { ...s.metric };
    delete lb.__name__;
    for (const [k, v] of Object.entries(rule.labels ?? {})) {
      const x = await expand(v);
      if (x === "") delete lb[k];
      else lb[k] = x;
    }
    lb.alertname = rule.alert;
    const annotations: Labels = {};
    for (const k of Object.keys(rule.annotations ?? {}).sort()) {
      // Kept even when empty: Prometheus's annotations keep empty values.
      annotations[k] = await expand(rule.annotations![k]);
    }
    const labels = sortedLabels(lb);
    const key = labelsKey(labels);
    if (fresh.has(key)) throw new Error("vector contains metrics with the same labelset after applying alert labels");
    fresh.set(key, { labels, annotations, state: "pending", value: s.v, activeAt: ts });
  }

  const active = new Map<string, AlertInstance>();
  for (const a of previous) active.set(labelsKey(a.labels), { ...a });
  for (const [key, a] of fresh) {
    const old = active.get(key);
    if (old && old.state !== "inactive") {
      old.value = a.value;
      old.annotations = a.annotations;
      continue;
    }
    active.set(key, a);
  }

  const samples: OutputSample[] = [];
  let numActive = 0;
  for (const [key, a] of [...active]) {
    let keepFiring = false;
    if (!fresh.has(key)) {
      if (a.state === "firing" && keepMs > 0) {
        if (a.keepFiringSince === undefined) a.keepFiringSince = ts;
        if (ts - a.keepFiringSince < keepMs) keepFiring = true;
      }
      // Pending alerts go at once; resolved ones after the retention, so the resolve is resent meanwhile.
      if (a.state === "pending" || (a.resolvedAt !== undefined && ts - a.resolvedAt > RESOLVED_RETENTION_MS)) active.delete(key);
      if (a.state !== "inactive" && !keepFiring) {
        a.state = "inactive";
        a.resolvedAt = ts;
      }
      if (!keepFiring) continue;
    } else delete a.keepFiringSince;
    numActive++;
    if (a.state === "pending" && ts - a.activeAt >= holdMs) {
      a.state = "firing";
      a.firedAt = ts;
    }
    const base: Labels = { ...(rule.labels ?? {}), ...a.labels, alertname: rule.alert };
    samples.push({ labels: sortedLabels({ ...base, __name__: "ALERTS", alertstate: a.state }), value: 1 });
    samples.push({ labels: sortedLabels({ ...base, __name__: "ALERTS_FOR_STATE" }), value: Math.floor(a.activeAt / 1000) });
  }
  if (opts.limit > 0 && numActive > opts.limit) throw Object.assign(new Error(`exceeded limit of ${opts.limit} with ${numActive} alerts`), { alerts: [] as AlertInstance[] });
  const alerts = [...active.values()].sort((x, y) => (labelsKey(x.labels) < labelsKey(y.labels) ? -1 : 1));
  return { alerts, samples };
}

/** Go's time.Time JSON (RFC 3339 with nanoseconds, trailing zeros dropped) in UTC. */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.000Z$/, "Z").replace(/(\.\d*?)0+Z$/, "$1Z");
}

export interface SendOptions {
  resendDelayMs: number;
  intervalMs: number;
  externalURL: string;
  externalLabels: Labels;
}

/** Prometheus's Alert.needsSending. */
export function needsSending(a: AlertInstance, ts: number, resendDelayMs: number): boolean {
  if (a.state === "pending") return false;
  if (a.resolvedAt !== undefined && a.resolvedAt > (a.lastSentAt ?? -Infinity)) return true;
  return (a.lastSentAt ?? -Infinity) + resendDelayMs < ts;
}

/** sendAlerts: marks what is due as sent (lastSentAt, validUntil) and returns it as Alertmanager takes it. */
export function alertsToSend(rule: AlertingRuleSpec, alerts: AlertInstance[], ts: number, opts: SendOptions): PostableAlert[] {
  const out: PostableAlert[] = [];
  const delta = Math.max(opts.resendDelayMs, opts.intervalMs);
  // Prometheus links the expression as it prints it (r.vector.String()).
  const generatorURL = `${opts.externalURL}/graph?g0.expr=${queryEscape(canonicalExpr(rule.expr))}&g0.tab=1`;
  for (const a of alerts) {
    if (!needsSending(a, ts, opts.resendDelayMs)) continue;
    a.lastSentAt = ts;
    a.validUntil = ts + 4 * delta;
    // The notifier adds external labels the alert does not have.
    const labels = sortedLabels({ ...opts.externalLabels, ...a.labels });
    out.push({
      labels,
      annotations: { ...a.annotations },
      startsAt: rfc3339(a.firedAt ?? a.activeAt),
      endsAt: rfc3339(a.resolvedAt !== undefined ? a.resolvedAt : a.validUntil),
      generatorURL,
    });
  }
  return out;
}
