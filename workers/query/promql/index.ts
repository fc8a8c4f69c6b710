/**
 * Inferscope's PromQL engine: Prometheus 2.42 semantics as a pure TypeScript
 * library. It reads samples only through QueryStorage (shared/storage/types.ts),
 * once per selector for the whole query.
 *
 * Public API
 *
 *   instantQuery(storage, query, timeMs, opts?): Promise<QueryResult>
 *     Evaluates `query` at one time (unix ms). Result is a scalar, string,
 *     vector (instant vector expressions) or matrix (range-vector expressions,
 *     e.g. `x[5m]`).
 *
 *   rangeQuery(storage, query, startMs, endMs, stepMs, opts?): Promise<QueryResult>
 *     Evaluates at start, start+step, ... <= end. Always a matrix, series sorted
 *     by labels. Rejects step <= 0, end < start, and more than 11,000 points per
 *     series (bad_data), as Prometheus's API does.
 *
 *   parseExpr(query): Expr                     parse only (typed AST, ./ast)
 *   parseSeriesSelector(selector): LabelMatcher[]   for match[] parameters
 *   formatValue(v): string                     float spelling of Prometheus JSON
 *   toPrometheusData(result): object           the `data` member of /api/v1/query(_range)
 *   matchesAll(labels, matchers), labelsPredicate(matchers)
 *                                              exact matcher semantics for stores
 *
 * Options (QueryOptions): lookbackDeltaMs (5m), maxSamples (50M), timeoutMs
 * (2m), signal (AbortSignal), noStepSubqueryIntervalMs (1m), maxSteps (20 x
 * maxSamples: series x evaluation times plus range-window samples, charged
 * before each loop, since workerd's clock stands still while JS runs),
 * maxLabelChars (16 Mi characters built by label_join / label_replace).
 * Expressions nest at most 1,000 levels (./nesting; 400 past it).
 *
 * Errors: every failure is a PromQLError with errorType
 *   "bad_data"  -> HTTP 400 (parse errors: ParseError, with position; bad range params)
 *   "execution" -> HTTP 422 (runtime errors such as many-to-many matching, too many samples)
 *   "timeout"   -> HTTP 503
 *   "canceled"  -> the signal was aborted (Prometheus answers 503 too)
 * Storage errors are passed through unchanged.
 */
import type { Labels } from "../../../shared/labels";
import type { QueryStorage } from "../../../shared/storage/types";
import type { Expr } from "./ast";
import { Evaluator } from "./engine";
import { badData, PromQLError } from "./errors";
import { fetchSelectors } from "./fetch";
import { formatValue } from "./format";
import * as L from "./labels";
import { MAX_POINTS_PER_SERIES, QueryContext, type QueryOptions } from "./limits";
import { parseExpr } from "./parse";
import { preprocess } from "./preprocess";
import { documentedType, valueType } from "./typecheck";
import type { Matrix } from "./values";

export type { Expr } from "./ast";
export type { QueryOptions } from "./limits";
export { PromQLError, ParseError, type ErrorType } from "./errors";
export { formatValue } from "./format";
export { parseExpr, parseSeriesSelector } from "./parse";
export { matchesAll, labelsPredicate } from "./matchers";

export interface ScalarResult {
  resultType: "scalar";
  result: { t: number; v: number };
}
export interface StringResult {
  resultType: "string";
  result: { t: number; v: string };
}
export interface VectorSample {
  metric: Labels;
  t: number;
  v: number;
}
export interface VectorResult {
  resultType: "vector";
  result: VectorSample[];
}
export interface MatrixSeries {
  metric: Labels;
  /** Unix ms, ascending; same length as values. */
  timestamps: number[];
  values: number[];
}
export interface MatrixResult {
  resultType: "matrix";
  result: MatrixSeries[];
}
export type QueryResult = ScalarResult | StringResult | VectorResult | MatrixResult;

async function run(storage: QueryStorage, query: string | Expr, start: number, end: number, interval: number, opts: QueryOptions, instant: boolean): Promise<{ expr: Expr; value: ReturnType<Evaluator["eval"]> }> {
  const parsed = typeof query === "string" ? parseExpr(query) : query;
  if (!instant) {
    const t = valueType(parsed);
    if (t !== "vector" && t !== "scalar") throw badData(`invalid expression type "${documentedType(t)}" for range query, must be Scalar or instant Vector`);
  }
  const ctx = new QueryContext(opts);
  const expr = preprocess(parsed, start, end);
  ctx.check("query preparation");
  const data = await fetchSelectors(storage, expr, start, end, instant ? 0 : interval, ctx.lookback);
  ctx.check("query preparation");
  const value = new Evaluator(ctx, data, start, end, interval).eval(expr);
  return { expr: parsed, value };
}

function toSeries(m: Matrix): MatrixSeries[] {
  return m.map((s) => ({ metric: L.toRecord(s.metric), timestamps: s.ts, values: s.vs }));
}

/** Evaluates a query at one instant (unix ms). Accepts query text or a parsed Expr. */
export async function instantQuery(storage: QueryStorage, query: string | Expr, timeMs: number, opts: QueryOptions = {}): Promise<QueryResult> {
  const { expr, value } = await run(storage, query, timeMs, timeMs, 1, opts, true);
  if (!Array.isArray(value)) return { resultType: "string", result: { t: timeMs, v: value.value } };
  switch (valueType(expr)) {
    case "scalar":
      return { resultType: "scalar", result: { t: timeMs, v: value[0].vs[0] } };
    case "matrix":
      return { resultType: "matrix", result: toSeries(value) };
    default:
      return { resultType: "vector", result: value.map((s) => ({ metric: L.toRecord(s.metric), t: timeMs, v: s.vs[0] })) };
  }
}

/** Evaluates a query over [startMs, endMs] every stepMs. */
export async function rangeQuery(storage: QueryStorage, query: string | Expr, startMs: number, endMs: number, stepMs: number, opts: QueryOptions = {}): Promise<QueryResult> {
  if (!(stepMs > 0)) throw badData("zero or negative query resolution step widths are not accepted. Try a positive integer");
  if (endMs < startMs) throw badData("end timestamp must not be before start time");
  if (Math.floor((endMs - startMs) / stepMs) > MAX_POINTS_PER_SERIES)
    throw badData("exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)");
  const { value } = await run(storage, query, startMs, endMs, stepMs, opts, false);
  if (!Array.isArray(value)) throw new PromQLError("execution", "unexpected string result in range query");
  const sorted = value.slice().sort((a, b) => L.compare(a.metric, b.metric));
  return { resultType: "matrix", result: toSeries(sorted) };
}

/** The `data` object of Prometheus's /api/v1/query and /api/v1/query_range responses. */
export function toPrometheusData(r: QueryResult): { resultType: string; result: unknown } {
  switch (r.resultType) {
    case "scalar":
      return { resultType: "scalar", result: [r.result.t / 1000, formatValue(r.result.v)] };
    case "string":
      return { resultType: "string", result: [r.result.t / 1000, r.result.v] };
    case "vector":
      return { resultType: "vector", result: r.result.map((s) => ({ metric: s.metric, value: [s.t / 1000, formatValue(s.v)] })) };
    case "matrix":
      return {
        resultType: "matrix",
        result: r.result.map((s) => ({ metric: s.metric, values: s.timestamps.map((t, i) => [t / 1000, formatValue(s.values[i])]) })),
      };
  }
}
