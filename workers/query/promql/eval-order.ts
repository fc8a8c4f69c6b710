// Which children an Evaluator evaluates with itself, for evaluating deep trees
// bottom-up (engine.ts: 1,000-term chains would overflow workerd's stack).
import type { Expr } from "./ast";
import { valueType } from "./typecheck";

/** Levels of eval() recursion before a subtree is evaluated bottom-up. */
export const MAX_RECURSION = 64;

export function unwrap(e: Expr): Expr {
  while (e.kind === "ParenExpr" || e.kind === "StepInvariantExpr") e = e.expr;
  return e;
}

const isRangeArg = (a: Expr) => {
  const u = unwrap(a);
  return u.kind === "MatrixSelector" || u.kind === "SubqueryExpr";
};

/**
 * The children an Evaluator evaluates with itself: not those a child evaluator
 * takes (subqueries, step-invariant parts) nor those read directly (range and
 * timestamp() selectors, string arguments). Must mirror engine.ts exactly.
 */
export function sameEvaluatorChildren(e: Expr): Expr[] {
  switch (e.kind) {
    case "ParenExpr":
    case "UnaryExpr":
      return [e.expr];
    case "BinaryExpr":
      return [e.lhs, e.rhs];
    case "AggregateExpr":
      return e.param && unwrap(e.param).kind !== "StringLiteral" ? [e.param, e.expr] : [e.expr];
    case "Call": {
      if (e.func === "timestamp" && unwrap(e.args[0]).kind === "VectorSelector") return [];
      const ranged = e.args.some(isRangeArg);
      return e.args.filter((a) => !(ranged ? isRangeArg(a) : valueType(a) === "string"));
    }
    default:
      return [];
  }
}
