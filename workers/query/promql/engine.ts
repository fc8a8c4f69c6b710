// The evaluator: Prometheus 2.42's evaluator (promql/engine.go) in TypeScript.
// Every expression is evaluated over all steps at once into a Matrix; functions,
// operators and aggregations are applied per step by rangeEval, exactly as
// Prometheus does, so per-step errors and series identity match.
import { isSetOp, type AggregateExpr, type BinaryExpr, type Call, type Expr, type MatrixSelector, type SubqueryExpr, type VectorSelector } from "./ast";
import { aggregate } from "./aggregations";
import { scalarBinop, vectorAnd, vectorBinop, vectorOr, vectorScalarBinop, vectorUnless } from "./binary";
import { execError } from "./errors";
import { cleanPoints, type SelectorData } from "./fetch";
import { absentLabels, FUNCTIONS, type FnState } from "./functions";
import * as L from "./labels";
import type { QueryContext } from "./limits";
import { valueType } from "./typecheck";
import { isStaleNaN } from "../../../shared/staleness";
import { MAX_RECURSION, sameEvaluatorChildren, unwrap } from "./eval-order";
import { instantSelector, lastAtOrBefore, type StepGrid } from "./selector";
import type { EvalValue, Matrix, Points, Series, Vector } from "./values";

type StepFn = (vals: Vector[], ts: number) => Vector;

/** Index of the first timestamp >= t. */
function firstAtOrAfter(ts: ArrayLike<number>, t: number): number {
  let lo = 0, hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function window(p: Points, mint: number, maxt: number): Points {
  const a = firstAtOrAfter(p.ts, mint);
  const b = lastAtOrBefore(p.ts, maxt) + 1;
  return { ts: p.ts.subarray(a, b), vs: p.vs.subarray(a, b) };
}

function hasDuplicateLabelsets(metrics: L.Lbls[]): boolean {
  if (metrics.length < 2) return false;
  const seen = new Set<string>();
  for (const m of metrics) {
    const k = L.key(m);
    if (seen.has(k)) return true;
    seen.add(k);
  }
  return false;
}

const atTime = (vs: { at: VectorSelector["at"] }): number | null => (vs.at && "time" in vs.at ? vs.at.time : null);

export class Evaluator implements StepGrid {
  readonly numSteps: number;
  constructor(
    private readonly q: QueryContext,
    private readonly data: SelectorData,
    readonly start: number,
    readonly end: number,
    readonly interval: number,
  ) {
    this.numSteps = Math.max(0, Math.floor((end - start) / interval) + 1);
  }

  private child(start: number, end: number, interval: number): Evaluator {
    return new Evaluator(this.q, this.data, start, end, interval);
  }

  /**
   * Deep trees (1,000-term chains, 1,000 nested calls) would overflow the stack,
   * workerd's sooner than Node's: past MAX_RECURSION levels a subtree is
   * evaluated bottom-up from an explicit list, its children's values waiting
   * here until their parent takes them.
   */
  private readonly memo = new Map<Expr, EvalValue>();
  private level = 0;

  eval(e: Expr): EvalValue {
    const done = this.memo.get(e);
    if (done !== undefined) {
      this.memo.delete(e);
      return done;
    }
    if (this.level >= MAX_RECURSION) return this.evalBottomUp(e);
    this.level++;
    try {
      return this.evalNode(e);
    } finally {
      this.level--;
    }
  }

  private evalBottomUp(root: Expr): EvalValue {
    const order: Expr[] = [];
    const todo = [root];
    while (todo.length) {
      const n = todo.pop()!;
      order.push(n);
      todo.push(...sameEvaluatorChildren(n));
    }
    // Reversed, every node comes after the children it evaluates.
    for (let i = order.length - 1; i > 0; i--) this.memo.set(order[i], this.evalNode(order[i]));
    return this.evalNode(root);
  }

  private evalNode(e: Expr): EvalValue {
    this.q.check();
    switch (e.kind) {
      case "NumberLiteral":
        return this.rangeEval(() => [{ metric: L.EMPTY, t: 0, v: e.value }], []);
      case "StringLiteral":
        return { kind: "string", value: e.value };
      case "ParenExpr":
        return this.eval(e.expr);
      case "UnaryExpr": {
        const mat = this.evalMatrix(e.expr);
        if (e.op === "+") return mat;
        const out = mat.map((s) => ({ metric: L.dropName(s.metric), ts: s.ts, vs: s.vs.map((v) => -v) }));
        if (hasDuplicateLabelsets(out.map((s) => s.metric))) throw execError("vector cannot contain metrics with the same labelset");
        return out;
      }
      case "StepInvariantExpr":
        return this.evalStepInvariant(e.expr);
      case "VectorSelector":
        return this.evalVectorSelector(e);
      case "MatrixSelector":
        return this.evalMatrixSelector(e);
      case "SubqueryExpr":
        return this.evalSubquery(e);
      case "AggregateExpr":
        return this.evalAggregate(e);
      case "BinaryExpr":
        return this.evalBinary(e);
      case "Call":
        return this.evalCall(e);
    }
  }

  private evalMatrix(e: Expr): Matrix {
    const v = this.eval(e);
    if (!Array.isArray(v)) throw execError("unexpected string value");
    return v;
  }

  private evalStepInvariant(inner: Expr): EvalValue {
    if (inner.kind === "StringLiteral" || inner.kind === "NumberLiteral") return this.eval(inner);
    const res = this.child(this.start, this.start, this.interval).eval(inner);
    const u = unwrap(inner);
    // Range results keep their own sample times; instant results repeat per step.
    if (!Array.isArray(res) || u.kind === "MatrixSelector" || u.kind === "SubqueryExpr" || this.numSteps === 1) return res;
    this.q.addSamples(res.length * this.numSteps);
    return res.map((s) => {
      const ts: number[] = [];
      const vs: number[] = [];
      for (let k = 0; k < this.numSteps; k++) {
        ts.push(this.stepTime(k));
        vs.push(s.vs[0]);
      }
      return { metric: s.metric, ts, vs };
    });
  }

  /**
   * Time of step k. Prometheus's loops add the interval; for integer ms below 2^53
   * this is the same, and past 2^53 (an @ 1e15) a loop by index still ends.
   */
  stepTime(k: number): number {
    return this.start + k * this.interval;
  }

  private evalVectorSelector(e: VectorSelector): Matrix {
    return instantSelector(this, this.q, e, this.data.get(e) ?? []);
  }

  /** A range vector at one time (instant queries only): raw samples in [t - range, t]. */
  private evalMatrixSelector(e: MatrixSelector): Matrix {
    const maxt = (atTime(e.vs) ?? this.start) - e.vs.offset;
    const out: Matrix = [];
    for (const s of this.data.get(e.vs) ?? []) {
      const w = window(cleanPoints(s), maxt - e.range, maxt);
      if (w.ts.length === 0) continue;
      this.q.addSamples(w.ts.length);
      out.push({ metric: s.metric, ts: Array.from(w.ts), vs: Array.from(w.vs) });
    }
    return out;
  }

  private evalSubquery(e: SubqueryExpr): Matrix {
    const interval = e.step || this.q.noStepSubqueryInterval;
    const at = atTime(e);
    const base0 = at ?? this.start;
    const base1 = at ?? this.end;
    const lo = base0 - e.offset - e.range;
    // First step-aligned time at or after lo (Go integer division truncates).
    let start = interval * Math.trunc(lo / interval);
    if (start < lo) start += interval;
    return this.child(start, base1 - e.offset, interval).evalMatrix(e.expr);
  }

  /** Evaluates args over all steps, then calls fn per step with instant vectors (Prometheus rangeEval). */
  rangeEval(fn: StepFn, args: Array<Expr | null>): Matrix {
    const mats = args.map((a) => (a === null || valueType(a) === "string" ? null : this.evalMatrix(a)));
    // Each step visits every input series once.
    this.q.addSteps(this.numSteps * (1 + mats.reduce((n, m) => n + (m ? m.length : 0), 0)));
    const cursors = mats.map((m) => (m ? new Array<number>(m.length).fill(0) : []));
    const bySeries = new Map<string, Series>();
    const order: Series[] = [];
    for (let k = 0; k < this.numSteps; k++) {
      const t = this.stepTime(k);
      this.q.check();
      const vals: Vector[] = mats.map((m, i) => {
        if (!m) return [];
        const vec: Vector = [];
        const cur = cursors[i];
        for (let si = 0; si < m.length; si++) {
          const s = m[si];
          if (s.ts[cur[si]] === t) {
            vec.push({ metric: s.metric, t, v: s.vs[cur[si]] });
            cur[si]++;
          }
        }
        return vec;
      });
      const result = fn(vals, t);
      if (hasDuplicateLabelsets(result.map((s) => s.metric))) throw execError("vector cannot contain metrics with the same labelset");
      this.q.addSamples(result.length);
      for (const s of result) {
        const k = L.key(s.metric);
        let ser = bySeries.get(k);
        if (!ser) {
          ser = { metric: s.metric, ts: [], vs: [] };
          bySeries.set(k, ser);
          order.push(ser);
        }
        ser.ts.push(t);
        ser.vs.push(s.v);
      }
    }
    return order;
  }

  private evalAggregate(e: AggregateExpr): Matrix {
    const grouping = [...e.grouping].sort();
    const param = e.param ? unwrap(e.param) : null;
    if (param && param.kind === "StringLiteral") {
      return this.rangeEval((vals, t) => aggregate(e.op, grouping, e.without, param.value, vals[0], t), [e.expr]);
    }
    return this.rangeEval(
      (vals, t) => aggregate(e.op, grouping, e.without, e.param ? vals[0][0].v : null, vals[1], t),
      [e.param, e.expr],
    );
  }

  private evalBinary(e: BinaryExpr): Matrix {
    const lt = valueType(e.lhs), rt = valueType(e.rhs);
    if (lt === "scalar" && rt === "scalar") {
      return this.rangeEval((v) => [{ metric: L.EMPTY, t: 0, v: scalarBinop(e.op, v[0][0].v, v[1][0].v) }], [e.lhs, e.rhs]);
    }
    if (lt === "vector" && rt === "vector") {
      const m = e.matching!;
      switch (e.op) {
        case "and":
          return this.rangeEval((v) => vectorAnd(v[0], v[1], m), [e.lhs, e.rhs]);
        case "or":
          return this.rangeEval((v) => vectorOr(v[0], v[1], m), [e.lhs, e.rhs]);
        case "unless":
          return this.rangeEval((v) => vectorUnless(v[0], v[1], m), [e.lhs, e.rhs]);
        default:
          return this.rangeEval((v) => vectorBinop(e.op, v[0], v[1], m, e.returnBool), [e.lhs, e.rhs]);
      }
    }
    if (isSetOp(e.op)) throw execError(`set operator "${e.op}" not allowed in binary scalar expression`);
    if (lt === "vector") return this.rangeEval((v) => vectorScalarBinop(e.op, v[0], v[1][0].v, false, e.returnBool), [e.lhs, e.rhs]);
    return this.rangeEval((v) => vectorScalarBinop(e.op, v[1], v[0][0].v, true, e.returnBool), [e.lhs, e.rhs]);
  }

  private evalCall(e: Call): Matrix {
    const def = FUNCTIONS.get(e.func)!;
    const state: FnState = { ctx: this.q };
    if (e.func === "timestamp") {
      const a = unwrap(e.args[0]);
      if (a.kind === "VectorSelector") return this.evalTimestamp(a, e, state);
    }
    const matrixIdx = e.args.findIndex((a) => {
      const u = unwrap(a);
      return u.kind === "MatrixSelector" || u.kind === "SubqueryExpr";
    });
    if (matrixIdx < 0) {
      return this.rangeEval((vals, t) => def.vector!(vals, e.args, t, state), e.args);
    }
    return this.evalRangeCall(e, matrixIdx);
  }

  /** timestamp(selector) reports the samples' own times, not the step times. */
  private evalTimestamp(vs: VectorSelector, e: Call, state: FnState): Matrix {
    const at = atTime(vs);
    const series = this.data.get(vs) ?? [];
    const def = FUNCTIONS.get("timestamp")!;
    this.q.addSteps(this.numSteps * series.length);
    return this.rangeEval((_vals, t) => {
      // Prometheus 2.42 replaces the offset with (t - @time) here, so with @ the offset is ignored.
      const ref = at !== null ? at : t - vs.offset;
      const vec: Vector = [];
      for (const s of series) {
        const i = lastAtOrBefore(s.ts, ref);
        if (i < 0 || s.ts[i] < ref - this.q.lookback || isStaleNaN(s.vs[i])) continue;
        vec.push({ metric: s.metric, t: s.ts[i], v: s.vs[i] });
      }
      return def.vector!([vec], e.args, t, state);
    }, []);
  }

  /** Functions over a range vector: per series, per step, over the raw samples in the window. */
  private evalRangeCall(e: Call, matrixIdx: number): Matrix {
    const def = FUNCTIONS.get(e.func)!;
    const arg = unwrap(e.args[matrixIdx]) as MatrixSelector | SubqueryExpr;
    const scalarMats = e.args.map((a, i) => (i === matrixIdx ? null : this.evalMatrix(a)));
    let inputs: Array<{ metric: L.Lbls; points: Points }>;
    let range: number, offset: number, at: number | null;
    if (arg.kind === "MatrixSelector") {
      range = arg.range;
      offset = arg.vs.offset;
      at = atTime(arg.vs);
      inputs = (this.data.get(arg.vs) ?? []).map((s) => ({ metric: s.metric, points: cleanPoints(s) }));
    } else {
      range = arg.range;
      offset = arg.offset;
      at = atTime(arg);
      inputs = this.evalSubquery(arg).map((s) => ({ metric: s.metric, points: { ts: Float64Array.from(s.ts), vs: Float64Array.from(s.vs) } }));
    }
    this.q.addSteps(inputs.length * this.numSteps);
    const out: Matrix = [];
    const scalars: number[] = new Array(e.args.length).fill(0);
    for (const input of inputs) {
      this.q.check();
      const metric = e.func === "last_over_time" ? input.metric : L.dropName(input.metric);
      const ts: number[] = [];
      const vs: number[] = [];
      for (let step = 0; step < this.numSteps; step++) {
        const t = this.stepTime(step);
        for (let j = 0; j < scalarMats.length; j++) if (scalarMats[j]) scalars[j] = scalarMats[j]![0].vs[step];
        const maxt = (at ?? t) - offset;
        const mint = maxt - range;
        const w = window(input.points, mint, maxt);
        if (w.ts.length === 0) continue;
        this.q.peekSamples(w.ts.length);
        this.q.addSteps(w.ts.length);
        const v = def.range!(w, scalars, { ts: t, rangeStart: mint, rangeEnd: maxt, range });
        if (v === null) continue;
        ts.push(t);
        vs.push(v);
      }
      if (ts.length > 0) {
        this.q.addSamples(ts.length);
        out.push({ metric, ts, vs });
      }
    }
    if (e.func === "absent_over_time") return this.absentOverTime(out, e.args[matrixIdx]);
    if (hasDuplicateLabelsets(out.map((s) => s.metric))) throw execError("vector cannot contain metrics with the same labelset");
    return out;
  }

  private absentOverTime(mat: Matrix, arg: Expr): Matrix {
    this.q.addSteps(this.numSteps);
    if (mat.some((s) => s.ts.length === this.numSteps)) return [];
    const found = new Set<number>();
    for (const s of mat) for (const t of s.ts) found.add(t);
    if (found.size === this.numSteps) return [];
    const ts: number[] = [];
    for (let k = 0; k < this.numSteps; k++) if (!found.has(this.stepTime(k))) ts.push(this.stepTime(k));
    return [{ metric: absentLabels(unwrap(arg)), ts, vs: ts.map(() => 1) }];
  }
}
