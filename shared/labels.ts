// The one place that says what a valid metric name, label name and label set is.
// Rules are Prometheus's (model.IsValidMetricName / LabelName), plus our limits.
import { MAX_HELP_LENGTH, MAX_SERIES_LABEL_CHARS, MAX_UNIT_LENGTH, type TenantLimits } from "./limits";

export const METRIC_NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
export const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
export const NAME_LABEL = "__name__";

export type Labels = Record<string, string>;

export interface LabelProblem {
  /** Label name the problem is about, or undefined for the metric name / whole set. */
  label?: string;
  reason: string;
}

/**
 * Why a text cannot be stored as sent, or null. Postgres text and jsonb refuse
 * U+0000, and a lone UTF-16 surrogate (possible in JSON, "\udc00") is not
 * Unicode: jsonb refuses it and text would silently get U+FFFD. Every string
 * field of every protocol is checked with this before it is acknowledged.
 */
export function textProblem(s: string): string | null {
  if (s.includes("\u0000")) return "contains the NUL character (U+0000), which cannot be stored; remove it or escape it";
  if (!s.isWellFormed()) return "contains a lone UTF-16 surrogate, which is not valid Unicode; send valid UTF-8";
  return null;
}

export function checkMetricName(name: string, limits: TenantLimits): string | null {
  if (name.length === 0) return "metric name is empty";
  if (name.length > limits.maxMetricNameLength)
    return `metric name is ${name.length} characters, over the limit of ${limits.maxMetricNameLength}`;
  if (!METRIC_NAME_RE.test(name))
    return `invalid metric name ${JSON.stringify(name)}: must match [a-zA-Z_:][a-zA-Z0-9_:]*`;
  return null;
}

/**
 * Checks label pairs (without __name__) in wire order, so duplicates are visible.
 * Returns the first problem found; empty values are allowed here and dropped by
 * normaliseLabels, as Prometheus treats an empty value as an absent label.
 */
export function checkLabelPairs(pairs: ReadonlyArray<readonly [string, string]>, limits: TenantLimits): LabelProblem | null {
  if (pairs.length > limits.maxLabelNamesPerSeries)
    return { reason: `series has ${pairs.length} labels, over the limit of ${limits.maxLabelNamesPerSeries}` };
  const seen = new Set<string>();
  let chars = 0;
  for (const [name, value] of pairs) {
    chars += name.length + value.length;
    if (name.length > limits.maxLabelNameLength)
      return { label: name.slice(0, 64), reason: `label name is ${name.length} characters, over the limit of ${limits.maxLabelNameLength}` };
    if (!LABEL_NAME_RE.test(name))
      return { label: name, reason: `invalid label name ${JSON.stringify(name)}: must match [a-zA-Z_][a-zA-Z0-9_]*` };
    if (name.startsWith("__"))
      return { label: name, reason: `label name ${JSON.stringify(name)} is reserved: names starting with "__" are for internal use` };
    if (seen.has(name)) return { label: name, reason: `duplicate label name ${JSON.stringify(name)}` };
    seen.add(name);
    if (value.length > limits.maxLabelValueLength)
      return { label: name, reason: `value of label ${JSON.stringify(name)} is ${value.length} characters, over the limit of ${limits.maxLabelValueLength}` };
    const text = textProblem(value);
    if (text) return { label: name, reason: `value of label ${JSON.stringify(name)} ${text}` };
  }
  if (chars > MAX_SERIES_LABEL_CHARS)
    return { reason: `labels of the series are ${chars} characters together, over the limit of ${MAX_SERIES_LABEL_CHARS}` };
  return null;
}

export const METRIC_TYPES = ["counter", "gauge", "histogram", "gaugehistogram", "summary", "info", "stateset", "unknown"] as const;

/** TYPE/HELP/UNIT of a metric family, from any protocol. */
export function checkMetadata(md: { name: string; type: string; help: string; unit: string }, limits: TenantLimits): string | null {
  const nameProblem = checkMetricName(md.name, limits);
  if (nameProblem) return nameProblem;
  if (!(METRIC_TYPES as readonly string[]).includes(md.type)) return `unknown metric type ${JSON.stringify(md.type)}: use one of ${METRIC_TYPES.join(", ")}`;
  if (md.help.length > MAX_HELP_LENGTH) return `help is ${md.help.length} characters, over the limit of ${MAX_HELP_LENGTH}`;
  if (md.unit.length > MAX_UNIT_LENGTH) return `unit is ${md.unit.length} characters, over the limit of ${MAX_UNIT_LENGTH}`;
  const help = textProblem(md.help);
  if (help) return `help ${help}`;
  const unit = textProblem(md.unit);
  if (unit) return `unit ${unit}`;
  return null;
}

/** Sorted by name, empty values dropped: the canonical form series identity is built on. */
export function normaliseLabels(pairs: Iterable<readonly [string, string]>): Labels {
  const entries = [...pairs].filter(([, v]) => v !== "").sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: Labels = {};
  for (const [k, v] of entries) out[k] = v;
  return out;
}

/** Canonical text of a series identity: name plus sorted labels. Input must be normalised. */
export function seriesKey(name: string, labels: Labels): string {
  return JSON.stringify([name, labels]);
}
