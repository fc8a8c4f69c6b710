// Before evaluation, as Prometheus's PreprocessExpr: resolve @ start()/end()
// to times and wrap step-invariant subtrees (everything pinned by @, literals)
// in StepInvariantExpr so they are evaluated once and repeated per step.
// Returns a new tree; the parsed tree stays reusable.
import type { AtModifier, Expr, StepInvariantExpr } from "./ast";
import { AT_MODIFIER_UNSAFE } from "./functions";

function resolveAt(at: AtModifier, start: number, end: number): AtModifier {
  if (at && "preprocessor" in at) return { time: at.preprocessor === "start" ? start : end };
  return at;
}

function wrap(e: Expr): StepInvariantExpr {
  return { kind: "StepInvariantExpr", expr: e, start: e.start, end: e.end };
}

export function preprocess(expr: Expr, start: number, end: number): Expr {
  const [e, invariant] = helper(expr, start, end);
  return invariant ? wrap(e) : e;
}

function helper(e: Expr, start: number, end: number): [Expr, boolean] {
  switch (e.kind) {
    case "VectorSelector": {
      const at = resolveAt(e.at, start, end);
      return [{ ...e, at }, at !== null];
    }
    case "MatrixSelector": {
      const at = resolveAt(e.vs.at, start, end);
      return [{ ...e, vs: { ...e.vs, at } }, at !== null];
    }
    case "SubqueryExpr": {
      const [inner, inv] = helper(e.expr, start, end);
      const at = resolveAt(e.at, start, end);
      return [{ ...e, expr: inv ? wrap(inner) : inner, at }, at !== null];
    }
    case "AggregateExpr": {
      // Like Prometheus, only the aggregated expression decides invariance.
      const [inner, inv] = helper(e.expr, start, end);
      let param = e.param;
      if (param) {
        const [p, pinv] = helper(param, start, end);
        param = pinv && !inv ? wrap(p) : p;
      }
      return [{ ...e, expr: inner, param }, inv];
    }
    case "BinaryExpr": {
      const [l, li] = helper(e.lhs, start, end);
      const [r, ri] = helper(e.rhs, start, end);
      if (li && ri) return [{ ...e, lhs: l, rhs: r }, true];
      return [{ ...e, lhs: li ? wrap(l) : l, rhs: ri ? wrap(r) : r }, false];
    }
    case "Call": {
      const parts = e.args.map((a) => helper(a, start, end));
      const inv = !AT_MODIFIER_UNSAFE.has(e.func) && parts.every(([, i]) => i);
      if (inv) return [{ ...e, args: parts.map(([a]) => a) }, true];
      return [{ ...e, args: parts.map(([a, i]) => (i ? wrap(a) : a)) }, false];
    }
    case "ParenExpr":
    case "UnaryExpr": {
      const [inner, inv] = helper(e.expr, start, end);
      return [{ ...e, expr: inner }, inv];
    }
    case "StepInvariantExpr":
      return helper(e.expr, start, end);
    case "StringLiteral":
    case "NumberLiteral":
      return [e, true];
  }
}
