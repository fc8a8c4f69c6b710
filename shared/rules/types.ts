// The contract between rule files, the rule evaluator, the rule store, the cron
// and the notifiers. A rule group is Prometheus's rule-file group; its state is
// what Prometheus keeps in memory between evaluations, kept here as JSON in
// Postgres so any isolate can run the next evaluation.
import type { Labels } from "../labels";

export interface RecordingRuleSpec {
  record: string;
  expr: string;
  labels?: Labels;
}

export interface AlertingRuleSpec {
  alert: string;
  expr: string;
  /** Prometheus duration text ("5m"); absent: 0. */
  for?: string;
  keep_firing_for?: string;
  labels?: Labels;
  annotations?: Labels;
}

export type RuleSpec = RecordingRuleSpec | AlertingRuleSpec;

export interface RuleGroupSpec {
  name: string;
  /** Prometheus duration text; absent: the default evaluation interval (1m). */
  interval?: string;
  /** Series a rule may produce per evaluation (0: no limit). */
  limit?: number;
  rules: RuleSpec[];
}

/** A rule file: what `promtool check rules` reads. */
export interface RuleFileSpec {
  groups: RuleGroupSpec[];
}

export type AlertStateName = "pending" | "firing" | "inactive";

/** One alert of an alerting rule, as Prometheus's rules.Alert. Times are unix ms. */
export interface AlertInstance {
  /** Output labels: the expression's labels (no __name__), the rule's labels, alertname. Sorted keys. */
  labels: Labels;
  /** Templated annotations. */
  annotations: Labels;
  state: AlertStateName;
  value: number;
  activeAt: number;
  firedAt?: number;
  /** Set when the alert stopped firing; kept 15 minutes so the resolve is sent. */
  resolvedAt?: number;
  lastSentAt?: number;
  /** endsAt of the last send (validUntil in Prometheus). */
  validUntil?: number;
  /** keep_firing_for: when the expression first stopped returning it while firing. */
  keepFiringSince?: number;
}

/** What one evaluation of a rule leaves for the next. */
export interface RuleState {
  /** Alerting rules only. */
  alerts: AlertInstance[];
  /** Label-set keys written last evaluation (recording outputs or ALERTS series), for staleness markers. */
  lastSeries: string[];
  health: "ok" | "err" | "unknown";
  lastError: string;
  /** Unix ms of the last evaluation; 0 never. */
  lastEvaluation: number;
  /** Seconds the rule's last evaluation took. */
  evaluationTime: number;
}

export interface GroupState {
  /** One per rule, in the group's order. */
  rules: RuleState[];
  lastEvaluation: number;
  evaluationTime: number;
}

/** An alert as Alertmanager's v2 API takes it (POST /api/v2/alerts). Times are RFC 3339. */
export interface PostableAlert {
  labels: Labels;
  annotations: Labels;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
}

/** A sample series one evaluation writes (recording outputs, ALERTS, ALERTS_FOR_STATE, staleness markers). */
export interface RuleOutputSeries {
  /** All labels including __name__. */
  labels: Labels;
  timestamp: number;
  /** STALE_NAN (shared/staleness) for a series that went away. */
  value: number;
}
