// Random PromQL from a small grammar: selectors with all matcher kinds
// (regexes included, some of them catastrophic for a backtracking engine),
// range selectors, subqueries, offset and @, functions, aggregations, binary
// operators with matching modifiers, odd numbers and durations; and now and
// then a corrupted text for the parser.
import type { Rand } from "./rand";

const METRICS = ["qprobe_series", "qprobe_counter_total", "qprobe_special", "no_such_metric", "vllm:num_requests_running"];
const LABELS = ["i", "job", "grp", "v", "nope", "__name__"];
const VALUES = ["j0", "g1", "x", "", "1", "a b", "é", "\\x00", "\\u0000", "' OR 1=1 --", "$$", "%", "_", "\\\\"];
const REGEXES = [
  ".*", ".+", "j[0-2]", "g.", "\\\\d+", "(?i)J0", "x|y|", "a{2,3}", "[a-z]+", "^j0$", "(a+)+$", "(a|a)*!", "(.*)*!", "(.*a){20}", "a.*a.*a.*a.*a.*!",
  "[", "(", "a{1001}", "(a{1000}){1000}", "\\\\xff", "\\\\p{Greek}", "\\\\C", "(?P<n>j)0", "\\\\b", "\\\\Q.*\\\\E", "x\\\\x00y",
];
const DURATIONS = ["1m", "5m", "30s", "1h", "1d", "1ms", "0s", "1y", "1h30m", "90s", "99999999999999999999y", "1.5m", "-1m", "2w", "1m1m"];
const STEPS = ["", "1m", "10s", "1ms", "0s", "1h", "5s"];
const NUMBERS = ["1", "0", "-1", "2.5", "1e308", "-1e308", "NaN", "Inf", "-Inf", "0x1f", "1e400", "1e-400", "0.5", "100000"];
const RANGE_FUNCS = ["rate", "increase", "delta", "irate", "idelta", "changes", "resets", "deriv", "avg_over_time", "sum_over_time", "count_over_time", "max_over_time", "min_over_time", "stddev_over_time", "last_over_time", "present_over_time", "absent_over_time"];
const INSTANT_FUNCS = ["abs", "ceil", "floor", "exp", "ln", "log2", "log10", "sqrt", "sgn", "sort", "sort_desc", "timestamp", "absent", "-", "round", "day_of_week", "hour"];
const AGGS = ["sum", "avg", "min", "max", "count", "stddev", "stdvar", "group"];
const PARAM_AGGS = ["topk", "bottomk", "quantile", "count_values"];
const BIN_OPS = ["+", "-", "*", "/", "%", "^", "==", "!=", ">", "<", ">=", "<=", "and", "or", "unless", "atan2"];

function str(s: string): string {
  return `"${s}"`;
}

function matcher(r: Rand): string {
  const op = r.pick(["=", "!=", "=~", "!~"]);
  return `${r.pick(LABELS)}${op}${str(op.includes("~") ? r.pick(REGEXES) : r.pick(VALUES))}`;
}

function selector(r: Rand): string {
  const ms = Array.from({ length: r.int(0, 3) }, () => matcher(r));
  if (r.chance(0.15)) return `{${["__name__=~" + str(r.pick(REGEXES)), ...ms].join(",")}}`;
  const name = r.pick(METRICS);
  return ms.length || r.chance(0.2) ? `${name}{${ms.join(",")}}` : name;
}

function modifiers(r: Rand, e: string): string {
  let out = e;
  if (r.chance(0.15)) out += ` offset ${r.pick(DURATIONS)}`;
  if (r.chance(0.1)) out += ` @ ${r.pick(["start()", "end()", "1e20", "-1e20", "NaN", "0", "1700000000", "Inf"])}`;
  return out;
}

function rangeExpr(r: Rand, depth: number): string {
  if (depth > 1 && r.chance(0.3)) return `${instant(r, depth - 1)}[${r.pick(DURATIONS)}:${r.pick(STEPS)}]`;
  return modifiers(r, `${selector(r)}[${r.pick(DURATIONS)}]`);
}

export function instant(r: Rand, depth: number): string {
  if (depth <= 0) return r.chance(0.8) ? modifiers(r, selector(r)) : r.pick(NUMBERS);
  const d = depth - 1;
  return r.weighted<() => string>([
    [3, () => modifiers(r, selector(r))],
    [1, () => r.pick(NUMBERS)],
    [3, () => `${r.pick(RANGE_FUNCS)}(${rangeExpr(r, depth)})`],
    [2, () => `${r.pick(INSTANT_FUNCS)}(${instant(r, d)})`],
    [1, () => `quantile_over_time(${r.pick(NUMBERS)}, ${rangeExpr(r, depth)})`],
    [1, () => `histogram_quantile(${r.pick(NUMBERS)}, ${instant(r, d)})`],
    [1, () => `clamp(${instant(r, d)}, ${r.pick(NUMBERS)}, ${r.pick(NUMBERS)})`],
    [1, () => `label_replace(${instant(r, d)}, ${str(r.pick(LABELS))}, ${str(r.pick(["$1", "${1}x", "", "$name"]))}, ${str(r.pick(LABELS))}, ${str(r.pick(REGEXES))})`],
    [1, () => `label_join(${instant(r, d)}, "dst", ${str(r.pick(["-", "", "x".repeat(r.pick([10, 1000]))]))}, ${str(r.pick(LABELS))}, ${str(r.pick(LABELS))})`],
    [1, () => r.pick(["time()", "vector(1)", "scalar(qprobe_counter_total)", "pi()"])],
    [3, () => `${r.pick(AGGS)}${grouping(r)}(${instant(r, d)})`],
    [1, () => `${r.pick(PARAM_AGGS)}(${r.pick(PARAM_AGGS) === "count_values" ? str("v") : r.pick(NUMBERS)}, ${instant(r, d)})`],
    [3, () => `${instant(r, d)} ${r.pick(BIN_OPS)}${r.chance(0.2) ? " bool" : ""}${vectorMatching(r)} ${instant(r, d)}`],
    [1, () => `(${instant(r, d)})`],
  ])();
}

function grouping(r: Rand): string {
  if (r.chance(0.5)) return "";
  return ` ${r.pick(["by", "without"])} (${Array.from({ length: r.int(0, 2) }, () => r.pick(LABELS)).join(", ")}) `;
}

function vectorMatching(r: Rand): string {
  if (r.chance(0.7)) return "";
  const on = ` ${r.pick(["on", "ignoring"])}(${r.pick(LABELS)})`;
  return r.chance(0.5) ? on : `${on} ${r.pick(["group_left", "group_right"])}(${r.chance(0.5) ? r.pick(LABELS) : ""})`;
}

/** A query text: mostly grammatical, sometimes corrupted. */
export function promql(r: Rand): string {
  const q = instant(r, r.int(0, 4));
  if (!r.chance(0.1)) return q;
  const at = r.int(0, q.length);
  return r.chance(0.5) ? q.slice(0, at) + q.slice(at + 1) : q.slice(0, at) + r.pick(["(", ")", "{", "[", '"', ",", "@", "\u0000", "~", "5m]"]) + q.slice(at);
}
