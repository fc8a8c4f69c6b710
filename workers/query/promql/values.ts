// Evaluation values, as in Prometheus's promql/value.go: every expression
// evaluates to a Matrix over the evaluation steps (a scalar is one series with
// no labels and a point per step), or to a string.
import type { Lbls } from "./labels";

export interface Sample {
  metric: Lbls;
  /** Sample time (ms); for computed samples the evaluation step. */
  t: number;
  v: number;
}

export type Vector = Sample[];

export interface Series {
  metric: Lbls;
  ts: number[];
  vs: number[];
}

export type Matrix = Series[];

export interface StringValue {
  kind: "string";
  value: string;
}

export type EvalValue = Matrix | StringValue;

export function isString(v: EvalValue): v is StringValue {
  return !Array.isArray(v);
}

/**
 * A window of raw samples handed to range-vector functions. Typed arrays, so a
 * window is a view (subarray) of its series, not a copy made at every step.
 */
export interface Points {
  ts: Float64Array;
  vs: Float64Array;
}
