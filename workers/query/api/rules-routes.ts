// /api/v1/rules and /api/v1/alerts as Prometheus 2.42 answers them
// (web/api/v1/api.go): groups ordered by file (our namespace) then name, rules
// in the group's order, times as Go's RFC 3339 with nanoseconds (trailing zeros
// dropped, zero time "0001-01-01T00:00:00Z"), durations in seconds, an alert's
// value as strconv.FormatFloat(v, 'e', -1, 64). Alerts listed are the active
// ones (not yet resolved), as Prometheus's ActiveAlerts().
import type { Context, Hono } from "hono";
import { useDb } from "../../../shared/http/context";
import type { Labels } from "../../../shared/labels";
import type { AlertInstance, AlertingRuleSpec, RuleState } from "../../../shared/rules/types";
import { listRuleGroups, type StoredRuleGroup } from "../../../shared/storage/postgres/rule-groups";
import { canonicalExpr } from "../rules/expr-string";
import { ApiError, success } from "./envelope";
import { rfc3339 } from "../rules/alerting";
import { formatE } from "../rules/go-format";
import { ruleDurationMs } from "../rules/rule-file";

const ZERO_TIME = "0001-01-01T00:00:00Z";

/** Go's time.Time JSON (RFC3339Nano) of unix ms in UTC; 0 is Go's zero time, as a rule never evaluated. */
export const goTime = (ms: number | undefined): string => (ms ? rfc3339(ms) : ZERO_TIME);

/** strconv.FormatFloat(v, 'e', -1, 64): how Prometheus writes an alert's value. */
export const goExpFloat = (v: number): string => formatE(v, -1);


const seconds = (d: string | undefined) => (d ? (ruleDurationMs(d) ?? 0) / 1000 : 0);

/** Labels as Go's labels.Labels marshals them: keys sorted. */
function sorted(l: Labels | undefined): Labels {
  const out: Labels = {};
  for (const k of Object.keys(l ?? {}).sort()) out[k] = l![k];
  return out;
}

const STATE_RANK = { inactive: 0, pending: 1, firing: 2 } as const;

export function apiAlert(a: AlertInstance) {
  return {
    labels: sorted(a.labels),
    annotations: sorted(a.annotations),
    state: a.state,
    activeAt: goTime(a.activeAt),
    ...(a.keepFiringSince ? { keepFiringSince: goTime(a.keepFiringSince) } : {}),
    value: goExpFloat(a.value),
  };
}

// Stored in label order already (alerting.ts); Prometheus itself promises no order.
const activeAlerts = (st: RuleState | undefined) => (st?.alerts ?? []).filter((a) => a.resolvedAt === undefined);

function apiRule(g: StoredRuleGroup, i: number, types: { alert: boolean; record: boolean }) {
  const spec = g.spec.rules[i];
  const st = g.state.rules[i] as RuleState | undefined;
  const common = {
    health: st?.health ?? "unknown",
    ...(st?.lastError ? { lastError: st.lastError } : {}),
    evaluationTime: st?.evaluationTime ?? 0,
    lastEvaluation: goTime(st?.lastEvaluation),
  };
  if ("alert" in spec) {
    if (!types.alert) return null;
    const a = spec as AlertingRuleSpec;
    // The rule's state is the highest of its alerts', resolved ones (inactive) included.
    let rank = 0;
    for (const al of st?.alerts ?? []) rank = Math.max(rank, STATE_RANK[al.state]);
    return {
      state: (["inactive", "pending", "firing"] as const)[rank],
      name: a.alert,
      query: canonicalExpr(a.expr),
      duration: seconds(a.for),
      keepFiringFor: seconds(a.keep_firing_for),
      labels: sorted(a.labels),
      annotations: sorted(a.annotations),
      alerts: activeAlerts(st).map(apiAlert),
      ...common,
      type: "alerting",
    };
  }
  if (!types.record) return null;
  const labels = sorted(spec.labels);
  return {
    name: spec.record,
    query: canonicalExpr(spec.expr),
    // omitempty on Go's labels.Labels: absent when there are none.
    ...(Object.keys(labels).length ? { labels } : {}),
    ...common,
    type: "recording",
  };
}

export async function rulesRoute(c: Context, groups: StoredRuleGroup[]) {
  const typ = (c.req.query("type") ?? "").toLowerCase();
  if (typ !== "" && typ !== "alert" && typ !== "record") throw new ApiError("bad_data", `invalid parameter "type": not supported value ${JSON.stringify(typ)}`);
  const types = { alert: typ !== "record", record: typ !== "alert" };
  return success(c, {
    groups: groups.map((g) => ({
      name: g.name,
      file: g.namespace,
      rules: g.spec.rules.map((_, i) => apiRule(g, i, types)).filter((r) => r !== null),
      interval: g.intervalMs / 1000,
      limit: g.spec.limit ?? 0,
      evaluationTime: g.state.evaluationTime ?? 0,
      lastEvaluation: goTime(g.state.lastEvaluation),
    })),
  });
}

export async function alertsRoute(c: Context, groups: StoredRuleGroup[]) {
  const alerts = groups.flatMap((g) => g.spec.rules.flatMap((r, i) => ("alert" in r ? activeAlerts(g.state.rules[i]).map(apiAlert) : [])));
  return success(c, { alerts });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function mountRulesRoutes(app: Hono<any>): void {
  const groups = (c: Context) => listRuleGroups(useDb(c), c.get("principal").tenantId!);
  app.get("/api/v1/rules", async (c) => rulesRoute(c, await groups(c)));
  app.get("/api/v1/alerts", async (c) => alertsRoute(c, await groups(c)));
  // Prometheus registers both for GET only; its router answers other methods so.
  for (const path of ["/api/v1/rules", "/api/v1/alerts"])
    app.on(["POST", "PUT", "PATCH", "DELETE"], path, (c) => c.text("Method Not Allowed\n", 405, { allow: "GET, OPTIONS" }));
}
