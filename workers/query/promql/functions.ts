// The one function table, like Prometheus's parser/functions.go (signatures)
// joined with promql/functions.go (implementations). Range-vector functions
// live in functions-range.ts, label and histogram functions in
// functions-labels.ts; this file holds the table and the per-sample ones.
import type { Expr, ValueType } from "./ast";
import { RANGE_FUNCTIONS, type RangeFn } from "./functions-range";
import { funcHistogramQuantile, funcLabelJoin, funcLabelReplace } from "./functions-labels";
import * as L from "./labels";
import type { QueryContext } from "./limits";
import type { Sample, Vector } from "./values";

/** Per-node state that survives across steps (compiled regexes, label caches), and the query's limits. */
export type FnState = Record<string, unknown> & { readonly ctx?: QueryContext };

export type VectorFn = (vals: Vector[], args: Expr[], ts: number, state: FnState) => Vector;

export interface FunctionDef {
  name: string;
  argTypes: ValueType[];
  /** 0: exactly argTypes; n > 0: up to n trailing optional args; -1: any number of the last type. */
  variadic: number;
  returnType: ValueType;
  /** Set for functions taking a range vector: called per series per step. */
  range?: RangeFn;
  /** Set for all other functions: called per step with instant vectors (scalars as 1-sample vectors). */
  vector?: VectorFn;
}

function simple(f: (v: number) => number): VectorFn {
  return (vals) => vals[0].map((s) => ({ metric: L.dropName(s.metric), t: s.t, v: f(s.v) }));
}

/** Date functions: from the argument's values, or from the step time without one. */
function dateFn(f: (d: Date) => number): VectorFn {
  const at = (secs: number) => new Date(Math.trunc(secs) * 1000);
  return (vals, _args, ts) => {
    if (vals.length === 0) return [{ metric: L.EMPTY, t: ts, v: f(at(Math.trunc(ts / 1000))) }];
    return vals[0].map((s) => ({ metric: L.dropName(s.metric), t: s.t, v: f(at(s.v)) }));
  };
}

const byValueAsc = (a: Sample, b: Sample) => (Number.isNaN(a.v) ? (Number.isNaN(b.v) ? 0 : 1) : Number.isNaN(b.v) ? -1 : a.v - b.v || 0);
const byValueDesc = (a: Sample, b: Sample) => (Number.isNaN(a.v) ? (Number.isNaN(b.v) ? 0 : 1) : Number.isNaN(b.v) ? -1 : b.v - a.v || 0);

function clampOp(min: number, max: number, v: number): number {
  return Math.max(min, Math.min(max, v));
}

/** Labels absent() gives: equality matchers' labels, minus any label matched more than once or otherwise. */
export function absentLabels(expr: Expr): L.Lbls {
  let e = expr;
  while (e.kind === "ParenExpr") e = e.expr;
  const vs = e.kind === "VectorSelector" ? e : e.kind === "MatrixSelector" ? e.vs : null;
  if (!vs) return L.EMPTY;
  let m: L.Lbls = L.EMPTY;
  const empty: string[] = [];
  for (const lm of vs.matchers) {
    if (lm.name === L.NAME) continue;
    if (lm.type === "=" && !L.has(m, lm.name)) m = L.set(m, lm.name, lm.value);
    else empty.push(lm.name);
  }
  return L.del(m, empty);
}

type Def = Omit<FunctionDef, "name">;
const V: ValueType = "vector";
const S: ValueType = "scalar";
const M: ValueType = "matrix";
const STR: ValueType = "string";

const math1 = (f: (v: number) => number): Def => ({ argTypes: [V], variadic: 0, returnType: V, vector: simple(f) });
const range1 = (name: string, extra: ValueType[] = []): Def => ({ argTypes: [M, ...extra], variadic: 0, returnType: V, range: RANGE_FUNCTIONS[name] });
const date = (f: (d: Date) => number): Def => ({ argTypes: [V], variadic: 1, returnType: V, vector: dateFn(f) });

const defs: Record<string, Def> = {
  abs: math1(Math.abs),
  ceil: math1(Math.ceil),
  floor: math1(Math.floor),
  sqrt: math1(Math.sqrt),
  exp: math1(Math.exp),
  ln: math1(Math.log),
  log2: math1(Math.log2),
  log10: math1(Math.log10),
  sgn: math1((v) => (v < 0 ? -1 : v > 0 ? 1 : v)),
  acos: math1(Math.acos),
  acosh: math1(Math.acosh),
  asin: math1(Math.asin),
  asinh: math1(Math.asinh),
  atan: math1(Math.atan),
  atanh: math1(Math.atanh),
  cos: math1(Math.cos),
  cosh: math1(Math.cosh),
  sin: math1(Math.sin),
  sinh: math1(Math.sinh),
  tan: math1(Math.tan),
  tanh: math1(Math.tanh),
  deg: math1((v) => (v * 180) / Math.PI),
  rad: math1((v) => (v * Math.PI) / 180),
  pi: { argTypes: [], variadic: 0, returnType: S, vector: (_v, _a, ts) => [{ metric: L.EMPTY, t: ts, v: Math.PI }] },
  time: { argTypes: [], variadic: 0, returnType: S, vector: (_v, _a, ts) => [{ metric: L.EMPTY, t: ts, v: ts / 1000 }] },
  round: {
    argTypes: [V, S],
    variadic: 1,
    returnType: V,
    vector: (vals) => {
      const toNearest = vals.length >= 2 ? vals[1][0].v : 1;
      // Prometheus inverts first: fewer floating point surprises.
      const inv = 1 / toNearest;
      return vals[0].map((s) => ({ metric: L.dropName(s.metric), t: s.t, v: Math.floor(s.v * inv + 0.5) / inv }));
    },
  },
  clamp: {
    argTypes: [V, S, S],
    variadic: 0,
    returnType: V,
    vector: (vals) => {
      const min = vals[1][0].v, max = vals[2][0].v;
      if (max < min) return [];
      return vals[0].map((s) => ({ metric: L.dropName(s.metric), t: s.t, v: clampOp(min, max, s.v) }));
    },
  },
  clamp_max: {
    argTypes: [V, S],
    variadic: 0,
    returnType: V,
    vector: (vals) => vals[0].map((s) => ({ metric: L.dropName(s.metric), t: s.t, v: Math.min(vals[1][0].v, s.v) })),
  },
  clamp_min: {
    argTypes: [V, S],
    variadic: 0,
    returnType: V,
    vector: (vals) => vals[0].map((s) => ({ metric: L.dropName(s.metric), t: s.t, v: Math.max(vals[1][0].v, s.v) })),
  },
  scalar: {
    argTypes: [V],
    variadic: 0,
    returnType: S,
    vector: (vals, _a, ts) => [{ metric: L.EMPTY, t: ts, v: vals[0].length === 1 ? vals[0][0].v : NaN }],
  },
  vector: { argTypes: [S], variadic: 0, returnType: V, vector: (vals, _a, ts) => [{ metric: L.EMPTY, t: ts, v: vals[0][0].v }] },
  // The engine hands timestamp() the samples' own times when its argument is a selector.
  timestamp: { argTypes: [V], variadic: 0, returnType: V, vector: (vals) => vals[0].map((s) => ({ metric: L.dropName(s.metric), t: s.t, v: s.t / 1000 })) },
  absent: {
    argTypes: [V],
    variadic: 0,
    returnType: V,
    vector: (vals, args, ts) => (vals[0].length > 0 ? [] : [{ metric: absentLabels(args[0]), t: ts, v: 1 }]),
  },
  sort: { argTypes: [V], variadic: 0, returnType: V, vector: (vals) => vals[0].slice().sort(byValueAsc) },
  sort_desc: { argTypes: [V], variadic: 0, returnType: V, vector: (vals) => vals[0].slice().sort(byValueDesc) },
  day_of_month: date((d) => d.getUTCDate()),
  day_of_week: date((d) => d.getUTCDay()),
  day_of_year: date((d) => Math.round((Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - Date.UTC(d.getUTCFullYear(), 0, 1)) / 864e5) + 1),
  days_in_month: date((d) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate()),
  hour: date((d) => d.getUTCHours()),
  minute: date((d) => d.getUTCMinutes()),
  month: date((d) => d.getUTCMonth() + 1),
  year: date((d) => d.getUTCFullYear()),
  label_replace: { argTypes: [V, STR, STR, STR, STR], variadic: 0, returnType: V, vector: funcLabelReplace },
  label_join: { argTypes: [V, STR, STR, STR], variadic: -1, returnType: V, vector: funcLabelJoin },
  histogram_quantile: { argTypes: [S, V], variadic: 0, returnType: V, vector: funcHistogramQuantile },
  // Native-histogram functions exist in 2.42; with float samples only they return nothing.
  histogram_count: { argTypes: [V], variadic: 0, returnType: V, vector: () => [] },
  histogram_sum: { argTypes: [V], variadic: 0, returnType: V, vector: () => [] },
  histogram_fraction: { argTypes: [S, S, V], variadic: 0, returnType: V, vector: () => [] },
  rate: range1("rate"),
  irate: range1("irate"),
  increase: range1("increase"),
  delta: range1("delta"),
  idelta: range1("idelta"),
  deriv: range1("deriv"),
  predict_linear: range1("predict_linear", [S]),
  resets: range1("resets"),
  changes: range1("changes"),
  holt_winters: range1("holt_winters", [S, S]),
  avg_over_time: range1("avg_over_time"),
  min_over_time: range1("min_over_time"),
  max_over_time: range1("max_over_time"),
  sum_over_time: range1("sum_over_time"),
  count_over_time: range1("count_over_time"),
  last_over_time: range1("last_over_time"),
  present_over_time: range1("present_over_time"),
  absent_over_time: range1("absent_over_time"),
  stddev_over_time: range1("stddev_over_time"),
  stdvar_over_time: range1("stdvar_over_time"),
  quantile_over_time: { argTypes: [S, M], variadic: 0, returnType: V, range: RANGE_FUNCTIONS.quantile_over_time },
};

export const FUNCTIONS: ReadonlyMap<string, FunctionDef> = new Map(Object.entries(defs).map(([name, d]) => [name, { name, ...d }]));

/** Functions whose result depends on the step time even when their input does not (Prometheus's AtModifierUnsafeFunctions). */
export const AT_MODIFIER_UNSAFE = new Set([
  "days_in_month", "day_of_month", "day_of_week", "day_of_year", "hour", "minute", "month", "year", "predict_linear", "time", "timestamp",
]);
