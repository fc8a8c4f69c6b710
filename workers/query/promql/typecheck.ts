// Static result type of an expression (Prometheus's Expr.Type()).
import type { Expr, ValueType } from "./ast";
import { FUNCTIONS } from "./functions";

export function valueType(e: Expr): ValueType {
  switch (e.kind) {
    case "NumberLiteral":
      return "scalar";
    case "StringLiteral":
      return "string";
    case "VectorSelector":
    case "AggregateExpr":
      return "vector";
    case "MatrixSelector":
    case "SubqueryExpr":
      return "matrix";
    case "BinaryExpr":
      return valueType(e.lhs) === "scalar" && valueType(e.rhs) === "scalar" ? "scalar" : "vector";
    case "UnaryExpr":
    case "ParenExpr":
    case "StepInvariantExpr":
      return valueType(e.expr);
    case "Call":
      return FUNCTIONS.get(e.func)?.returnType ?? "vector";
  }
}

/** Names used in Prometheus's type error messages. */
export function documentedType(t: ValueType): string {
  switch (t) {
    case "vector":
      return "instant vector";
    case "matrix":
      return "range vector";
    default:
      return t;
  }
}
