// Binary operators for one step, ported from Prometheus 2.42 (VectorAnd/Or/Unless,
// VectorBinop, VectorscalarBinop, scalarBinop, resultMetric).
import { isComparison, type BinaryOp, type VectorMatching } from "./ast";
import { execError } from "./errors";
import * as L from "./labels";
import { goMod, goPow } from "./mathutil";
import type { Vector } from "./values";

/** Value and keep-flag of `lhs op rhs` for vector elements (comparisons filter). */
export function vectorElemBinop(op: BinaryOp, lhs: number, rhs: number): [number, boolean] {
  switch (op) {
    case "+": return [lhs + rhs, true];
    case "-": return [lhs - rhs, true];
    case "*": return [lhs * rhs, true];
    case "/": return [lhs / rhs, true];
    case "^": return [goPow(lhs, rhs), true];
    case "%": return [goMod(lhs, rhs), true];
    case "atan2": return [Math.atan2(lhs, rhs), true];
    case "==": return [lhs, lhs === rhs];
    case "!=": return [lhs, lhs !== rhs];
    case ">": return [lhs, lhs > rhs];
    case "<": return [lhs, lhs < rhs];
    case ">=": return [lhs, lhs >= rhs];
    case "<=": return [lhs, lhs <= rhs];
  }
  throw execError(`operator "${op}" not allowed here`);
}

export function scalarBinop(op: BinaryOp, lhs: number, rhs: number): number {
  if (isComparison(op)) return vectorElemBinop(op, lhs, rhs)[1] ? 1 : 0;
  return vectorElemBinop(op, lhs, rhs)[0];
}

/** Arithmetic drops the metric name; comparisons without bool keep it, and so (in 2.42) does atan2. */
function dropsName(op: BinaryOp): boolean {
  return op === "+" || op === "-" || op === "*" || op === "/" || op === "%" || op === "^";
}

const sig = (m: VectorMatching, l: L.Lbls) => L.signature(l, m.on, m.matchingLabels);

export function vectorAnd(lhs: Vector, rhs: Vector, m: VectorMatching): Vector {
  if (lhs.length === 0 || rhs.length === 0) return [];
  const right = new Set(rhs.map((s) => sig(m, s.metric)));
  return lhs.filter((s) => right.has(sig(m, s.metric)));
}

export function vectorOr(lhs: Vector, rhs: Vector, m: VectorMatching): Vector {
  if (lhs.length === 0) return rhs.slice();
  if (rhs.length === 0) return lhs.slice();
  const left = new Set(lhs.map((s) => sig(m, s.metric)));
  return [...lhs, ...rhs.filter((s) => !left.has(sig(m, s.metric)))];
}

export function vectorUnless(lhs: Vector, rhs: Vector, m: VectorMatching): Vector {
  if (lhs.length === 0 || rhs.length === 0) return lhs.slice();
  const right = new Set(rhs.map((s) => sig(m, s.metric)));
  return lhs.filter((s) => !right.has(sig(m, s.metric)));
}

function resultMetric(lhs: L.Lbls, rhs: L.Lbls, op: BinaryOp, m: VectorMatching): L.Lbls {
  let out = lhs;
  if (dropsName(op)) out = L.dropName(out);
  if (m.card === "one-to-one") out = m.on ? L.keep(out, m.matchingLabels) : L.del(out, m.matchingLabels);
  // group_x labels come from the "one" side.
  for (const ln of m.include) out = L.set(out, ln, L.get(rhs, ln));
  return out;
}

export function vectorBinop(op: BinaryOp, lhsIn: Vector, rhsIn: Vector, m: VectorMatching, returnBool: boolean): Vector {
  if (lhsIn.length === 0 || rhsIn.length === 0) return [];
  const swap = m.card === "one-to-many";
  const [lhs, rhs] = swap ? [rhsIn, lhsIn] : [lhsIn, rhsIn];
  const rightSigs = new Map<string, (typeof rhs)[number]>();
  for (const rs of rhs) {
    const s = sig(m, rs.metric);
    const dup = rightSigs.get(s);
    if (dup) {
      const matched = m.on ? L.keep(rs.metric, m.matchingLabels) : L.del(rs.metric, [...m.matchingLabels, L.NAME]);
      throw execError(
        `found duplicate series for the match group ${L.toString(matched)} on the ${swap ? "left" : "right"} hand-side of the operation: ` +
          `[${L.toString(rs.metric)}, ${L.toString(dup.metric)}];many-to-many matching not allowed: matching labels must be unique on one side`,
      );
    }
    rightSigs.set(s, rs);
  }
  const matched = new Map<string, Set<string> | null>();
  const out: Vector = [];
  for (const ls of lhs) {
    const s = sig(m, ls.metric);
    const rs = rightSigs.get(s);
    if (!rs) continue;
    const [fl, fr] = swap ? [rs.v, ls.v] : [ls.v, rs.v];
    let [value, keep] = vectorElemBinop(op, fl, fr);
    if (returnBool) value = keep ? 1 : 0;
    else if (!keep) continue;
    let metric = resultMetric(ls.metric, rs.metric, op, m);
    if (returnBool) metric = L.dropName(metric);
    const seen = matched.get(s);
    if (m.card === "one-to-one") {
      if (seen !== undefined) throw execError("multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)");
      matched.set(s, null);
    } else {
      const mk = L.key(metric);
      if (seen === undefined) matched.set(s, new Set([mk]));
      else if (seen!.has(mk)) throw execError("multiple matches for labels: grouping labels must ensure unique matches");
      else seen!.add(mk);
    }
    out.push({ metric, t: ls.t, v: value });
  }
  return out;
}

/** Vector op scalar; swap when the scalar was on the left. */
export function vectorScalarBinop(op: BinaryOp, vec: Vector, scalar: number, swap: boolean, returnBool: boolean): Vector {
  const out: Vector = [];
  for (const s of vec) {
    const [lv, rv] = swap ? [scalar, s.v] : [s.v, scalar];
    let [value, keep] = vectorElemBinop(op, lv, rv);
    // Comparisons keep the vector element's value even when it is on the right.
    if (isComparison(op) && swap) value = rv;
    if (returnBool) {
      value = keep ? 1 : 0;
      keep = true;
    }
    if (!keep) continue;
    out.push({ metric: dropsName(op) || returnBool ? L.dropName(s.metric) : s.metric, t: s.t, v: value });
  }
  return out;
}
