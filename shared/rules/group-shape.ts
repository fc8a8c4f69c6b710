// A rule group in the shape Prometheus writes it (key order name, interval,
// limit, rules; record/alert, expr, for, keep_firing_for, labels, annotations;
// empty maps left out), and a canonical JSON to compare two groups: the admin
// API answers with the first, the store and `rules sync` compare with the second.
import type { RuleGroupSpec, RuleSpec } from "./types";

function orderedRule(r: RuleSpec): Record<string, unknown> {
  const o: Record<string, unknown> = "alert" in r ? { alert: r.alert } : { record: r.record };
  o.expr = r.expr;
  if ("alert" in r) {
    if (r.for !== undefined) o.for = r.for;
    if (r.keep_firing_for !== undefined) o.keep_firing_for = r.keep_firing_for;
  }
  if (r.labels && Object.keys(r.labels).length) o.labels = r.labels;
  if ("alert" in r && r.annotations && Object.keys(r.annotations).length) o.annotations = r.annotations;
  return o;
}

export function orderedGroup(g: RuleGroupSpec): Record<string, unknown> {
  return {
    name: g.name,
    ...(g.interval !== undefined ? { interval: g.interval } : {}),
    ...(g.limit ? { limit: g.limit } : {}),
    rules: g.rules.map(orderedRule),
  };
}

/** JSON with sorted keys and no undefined members: jsonb gives objects back in its own key order. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v && typeof v === "object")
    return `{${Object.keys(v)
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  return JSON.stringify(v);
}
