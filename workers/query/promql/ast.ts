// Our typed PromQL AST, shaped like Prometheus's promql/parser AST. Times are
// unix ms, durations ms. Offsets and @ live on selectors and subqueries.
import type { LabelMatcher } from "../../../shared/storage/types";

export type ValueType = "scalar" | "vector" | "matrix" | "string";

export interface PosRange {
  start: number;
  end: number;
}

export type Expr =
  | NumberLiteral
  | StringLiteral
  | VectorSelector
  | MatrixSelector
  | SubqueryExpr
  | AggregateExpr
  | BinaryExpr
  | UnaryExpr
  | Call
  | ParenExpr
  | StepInvariantExpr;

export interface NumberLiteral extends PosRange {
  kind: "NumberLiteral";
  value: number;
}

export interface StringLiteral extends PosRange {
  kind: "StringLiteral";
  value: string;
}

/** @ modifier: a fixed time, or start()/end() resolved per query. */
export type AtModifier = { time: number } | { preprocessor: "start" | "end" } | null;

export interface VectorSelector extends PosRange {
  kind: "VectorSelector";
  name: string | null;
  matchers: LabelMatcher[];
  offset: number;
  at: AtModifier;
}

export interface MatrixSelector extends PosRange {
  kind: "MatrixSelector";
  vs: VectorSelector;
  range: number;
}

export interface SubqueryExpr extends PosRange {
  kind: "SubqueryExpr";
  expr: Expr;
  range: number;
  /** 0 means the default (the engine's no-step subquery interval). */
  step: number;
  offset: number;
  at: AtModifier;
}

export type AggregateOp =
  | "sum" | "avg" | "min" | "max" | "count" | "group" | "stddev" | "stdvar"
  | "topk" | "bottomk" | "quantile" | "count_values";

export interface AggregateExpr extends PosRange {
  kind: "AggregateExpr";
  op: AggregateOp;
  expr: Expr;
  param: Expr | null;
  grouping: string[];
  without: boolean;
}

export type ArithOp = "+" | "-" | "*" | "/" | "%" | "^" | "atan2";
export type CompareOp = "==" | "!=" | ">" | "<" | ">=" | "<=";
export type SetOp = "and" | "or" | "unless";
export type BinaryOp = ArithOp | CompareOp | SetOp;

export type Cardinality = "one-to-one" | "many-to-one" | "one-to-many" | "many-to-many";

export interface VectorMatching {
  card: Cardinality;
  /** Labels of on(...) / ignoring(...). */
  matchingLabels: string[];
  on: boolean;
  /** Labels of group_left(...) / group_right(...). */
  include: string[];
}

export interface BinaryExpr extends PosRange {
  kind: "BinaryExpr";
  op: BinaryOp;
  lhs: Expr;
  rhs: Expr;
  returnBool: boolean;
  /** null unless both sides are instant vectors. */
  matching: VectorMatching | null;
}

export interface UnaryExpr extends PosRange {
  kind: "UnaryExpr";
  op: "-" | "+";
  expr: Expr;
}

export interface Call extends PosRange {
  kind: "Call";
  func: string;
  args: Expr[];
}

export interface ParenExpr extends PosRange {
  kind: "ParenExpr";
  expr: Expr;
}

/** Inserted by the engine (as Prometheus's PreprocessExpr does): evaluate once, repeat for every step. */
export interface StepInvariantExpr extends PosRange {
  kind: "StepInvariantExpr";
  expr: Expr;
}

export const COMPARISON_OPS: readonly string[] = ["==", "!=", ">", "<", ">=", "<="];
export const SET_OPS: readonly string[] = ["and", "or", "unless"];

export function isComparison(op: BinaryOp): op is CompareOp {
  return COMPARISON_OPS.includes(op);
}

export function isSetOp(op: BinaryOp): op is SetOp {
  return SET_OPS.includes(op);
}
