// Loads samples once per selector for the whole query (not per step): walks
// the tree, works out the time range each selector can touch (as Prometheus's
// getTimeRangesForSelector), and selects them all up front.
import type { Expr, VectorSelector } from "./ast";
import type { QueryStorage } from "../../../shared/storage/types";
import { isStaleNaN } from "../../../shared/staleness";
import * as L from "./labels";
import { labelsPredicate } from "./matchers";
import type { Points } from "./values";

export interface FetchedSeries {
  metric: L.Lbls;
  ts: Float64Array;
  vs: Float64Array;
  /** Samples without staleness markers, for range functions; built on first use. */
  clean?: Points;
}

export type SelectorData = Map<VectorSelector, FetchedSeries[]>;

interface Need {
  vs: VectorSelector;
  start: number;
  end: number;
  range: number;
  func?: string;
}

function atTime(at: VectorSelector["at"]): number | null {
  return at && "time" in at ? at.time : null;
}

function collect(e: Expr, start: number, end: number, lookback: number, out: Need[], func?: string): void {
  switch (e.kind) {
    case "VectorSelector":
    case "MatrixSelector": {
      const vs = e.kind === "VectorSelector" ? e : e.vs;
      const at = atTime(vs.at);
      const back = e.kind === "VectorSelector" ? lookback : e.range;
      const [s, en] = at !== null ? [at, at] : [start, end];
      out.push({ vs, start: s - vs.offset - back, end: en - vs.offset, range: e.kind === "MatrixSelector" ? e.range : 0, func });
      return;
    }
    case "SubqueryExpr": {
      const at = atTime(e.at);
      const [s, en] = at !== null ? [at, at] : [start, end];
      // The function nearest the selector, through the subquery, as Prometheus's extractFuncFromPath.
      collect(e.expr, s - e.offset - e.range, en - e.offset, lookback, out, func);
      return;
    }
    case "AggregateExpr":
      if (e.param) collect(e.param, start, end, lookback, out, e.op);
      collect(e.expr, start, end, lookback, out, e.op);
      return;
    case "BinaryExpr":
      collect(e.lhs, start, end, lookback, out);
      collect(e.rhs, start, end, lookback, out);
      return;
    case "Call":
      for (const a of e.args) collect(a, start, end, lookback, out, e.func);
      return;
    case "ParenExpr":
    case "UnaryExpr":
    case "StepInvariantExpr":
      collect(e.expr, start, end, lookback, out, func);
      return;
    default:
      return;
  }
}

export async function fetchSelectors(storage: QueryStorage, expr: Expr, start: number, end: number, step: number, lookback: number): Promise<SelectorData> {
  const needs: Need[] = [];
  collect(expr, start, end, lookback, needs);
  const data: SelectorData = new Map();
  await Promise.all(
    needs.map(async (n) => {
      const raw = await storage.select(n.vs.matchers, { start: n.start, end: n.end }, { step, func: n.func, range: n.range, start: n.start, end: n.end });
      // Re-check matchers: a store may translate regexes approximately; ours are exact.
      const ok = labelsPredicate(n.vs.matchers);
      const series: FetchedSeries[] = [];
      for (const s of raw) {
        if (!ok(s.labels)) continue;
        series.push({ metric: L.fromRecord(s.labels), ts: s.timestamps, vs: s.values });
      }
      // Prometheus's storage returns series sorted by labels; tie-breaking (topk, sort) depends on it.
      series.sort((a, b) => L.compare(a.metric, b.metric));
      data.set(n.vs, series);
    }),
  );
  return data;
}

/** Non-stale samples of a series. */
export function cleanPoints(s: FetchedSeries): Points {
  if (!s.clean) {
    let n = 0;
    for (let i = 0; i < s.ts.length; i++) if (!isStaleNaN(s.vs[i])) n++;
    const ts = new Float64Array(n);
    const vs = new Float64Array(n);
    for (let i = 0, k = 0; i < s.ts.length; i++) {
      if (isStaleNaN(s.vs[i])) continue;
      ts[k] = s.ts[i];
      vs[k++] = s.vs[i];
    }
    s.clean = { ts, vs };
  }
  return s.clean;
}
