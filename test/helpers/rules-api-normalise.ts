// Normalising Prometheus-shaped /api/v1/rules and /api/v1/alerts answers for a
// comparison between two servers: what cannot be equal (times, durations of
// evaluation, the rule file's name, the detail of an error) becomes a
// placeholder once checked; alerts are sorted by labels (Prometheus lists a
// rule's alerts in map order).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = any;

export const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)$/;
/** Go's zero time.Time: a rule or group never evaluated. */
export const ZERO_TIME = "0001-01-01T00:00:00Z";

/** An error message without the label sets and series lists it quotes (which side, which series first: not deterministic). */
export const looseError = (s: string) => s.replace(/\{[^{}]*\}/g, "{…}").replace(/\[[^[\]]*\]/g, "[…]").replace(/\s+/g, " ").trim();

/** Orders objects with a `labels` map by their sorted label pairs. */
export const byLabels = (x: Doc, y: Doc) => {
  const kx = JSON.stringify(Object.entries(x.labels ?? {}).sort()), ky = JSON.stringify(Object.entries(y.labels ?? {}).sort());
  return kx < ky ? -1 : kx > ky ? 1 : 0;
};

export interface NormaliseOptions {
  /** The rule file's name on this side (a path on Prometheus, the namespace here). */
  fileName: string;
  /** Times must fall in [from, to] (unix ms), or they are a problem. */
  from: number;
  to: () => number;
  /** Where each time that is not RFC 3339, or not in the window, is reported. */
  problems: string[];
}

/** The document with what cannot be equal replaced by placeholders. */
export function normaliseRulesApi(v: Doc, o: NormaliseOptions, path = "$"): Doc {
  if (Array.isArray(v)) {
    const items = v.map((x, i) => normaliseRulesApi(x, o, `${path}[${i}]`));
    return path.endsWith(".alerts") ? items.sort(byLabels) : items;
  }
  if (v === null || typeof v !== "object") return v;
  const out: Doc = {};
  for (const [k, x] of Object.entries(v)) {
    const at = `${path}.${k}`;
    if ((k === "lastEvaluation" || k === "activeAt" || k === "keepFiringSince") && typeof x === "string") {
      const ms = Date.parse(x);
      if (x === ZERO_TIME) out[k] = "<zero time>";
      else if (!RFC3339.test(x)) (o.problems.push(`${at}: ${JSON.stringify(x)} is not RFC 3339`), (out[k] = x));
      else if (!(ms >= o.from && ms <= o.to())) (o.problems.push(`${at}: ${x} is not a time of this run`), (out[k] = x));
      else out[k] = "<time>";
    } else if (k === "evaluationTime" && typeof x === "number") out[k] = "<seconds>";
    else if (k === "file" && x === o.fileName) out[k] = "<file>";
    else if (k === "lastError" && typeof x === "string") out[k] = looseError(x);
    else out[k] = normaliseRulesApi(x, o, at);
  }
  return out;
}
