// Aggregation operators over one step's vector, ported from Prometheus 2.42's
// evaluator.aggregation. topk/bottomk use a port of Go's container/heap so
// that ties pick the same series as Prometheus does.
import type { AggregateOp } from "./ast";
import { execError } from "./errors";
import { formatFixed, formatValue } from "./format";
import { LABEL_NAME_RE } from "../../../shared/labels";
import * as L from "./labels";
import { convertibleToInt64, quantile } from "./mathutil";
import type { Sample, Vector } from "./values";

type Less = (a: Sample, b: Sample) => boolean;

// vectorByValueHeap: NaN sorts lowest. vectorByReverseValueHeap: the opposite order.
const lessByValue: Less = (a, b) => Number.isNaN(a.v) || a.v < b.v;
const lessByReverse: Less = (a, b) => Number.isNaN(a.v) || a.v > b.v;

/** Go container/heap over a slice, with the same sift order. */
class GoHeap {
  constructor(readonly h: Sample[], private readonly less: Less) {}
  private up(j: number): void {
    while (true) {
      const i = Math.floor((j - 1) / 2);
      if (i === j || j <= 0 || !this.less(this.h[j], this.h[i])) break;
      [this.h[i], this.h[j]] = [this.h[j], this.h[i]];
      j = i;
    }
  }
  private down(i0: number, n: number): void {
    let i = i0;
    while (true) {
      const j1 = 2 * i + 1;
      if (j1 >= n || j1 < 0) break;
      let j = j1;
      const j2 = j1 + 1;
      if (j2 < n && this.less(this.h[j2], this.h[j1])) j = j2;
      if (!this.less(this.h[j], this.h[i])) break;
      [this.h[i], this.h[j]] = [this.h[j], this.h[i]];
      i = j;
    }
  }
  push(s: Sample): void {
    this.h.push(s);
    this.up(this.h.length - 1);
  }
  pop(): Sample {
    const n = this.h.length - 1;
    [this.h[0], this.h[n]] = [this.h[n], this.h[0]];
    this.down(0, n);
    return this.h.pop()!;
  }
}

interface Group {
  labels: L.Lbls;
  value: number;
  mean: number;
  count: number;
  /** topk/bottomk only. */
  heap: Sample[] | null;
  /** quantile only. */
  values: number[] | null;
}

function isInf(v: number): boolean {
  return v === Infinity || v === -Infinity;
}

/** Labels of the output group for a series. */
function groupLabels(metric: L.Lbls, grouping: string[], without: boolean): L.Lbls {
  if (without) return L.del(metric, [...grouping, L.NAME]);
  return L.keep(metric, grouping);
}

function groupKey(metric: L.Lbls, grouping: string[], without: boolean): string {
  return L.signature(metric, !without, grouping);
}

// A series' group key and labels are the same at every step of a range query:
// computed once per label set and grouping (label sets are never mutated).
const groupCache = new WeakMap<L.Lbls, Map<string, { key: string; labels: L.Lbls }>>();

function groupOf(metric: L.Lbls, grouping: string[], without: boolean, sig: string): { key: string; labels: L.Lbls } {
  let byGrouping = groupCache.get(metric);
  if (!byGrouping) {
    byGrouping = new Map();
    groupCache.set(metric, byGrouping);
  }
  let g = byGrouping.get(sig);
  if (!g) {
    g = { key: groupKey(metric, grouping, without), labels: groupLabels(metric, grouping, without) };
    byGrouping.set(sig, g);
  }
  return g;
}

export function aggregate(op: AggregateOp, groupingIn: string[], without: boolean, param: number | string | null, vec: Vector, ts: number): Vector {
  let grouping = groupingIn;
  let k = 0;
  if (op === "topk" || op === "bottomk") {
    const f = param as number;
    if (!convertibleToInt64(f)) throw execError(`Scalar value ${formatValue(f)} overflows int64`);
    k = Math.trunc(f);
    if (k < 1) return [];
  }
  const q = op === "quantile" ? (param as number) : 0;
  let valueLabel = "";
  if (op === "count_values") {
    valueLabel = param as string;
    if (!LABEL_NAME_RE.test(valueLabel)) throw execError(`invalid label name ${JSON.stringify(valueLabel)}`);
    if (!without) grouping = [...grouping, valueLabel].sort();
  }

  const groups = new Map<string, Group>();
  const ordered: Group[] = [];
  const sig = `${without ? "w" : "b"}\u0000${grouping.join("\u0000")}`;
  for (const s0 of vec) {
    let s = s0;
    if (op === "count_values") s = { metric: L.set(s.metric, valueLabel, formatFixed(s.v)), t: s.t, v: s.v };
    const { key: gk, labels } = op === "count_values" ? { key: groupKey(s.metric, grouping, without), labels: null } : groupOf(s.metric, grouping, without, sig);
    const g = groups.get(gk);
    if (!g) {
      const ng: Group = { labels: labels ?? groupLabels(s.metric, grouping, without), value: s.v, mean: s.v, count: 1, heap: null, values: null };
      if (op === "stddev" || op === "stdvar") ng.value = 0;
      else if (op === "topk" || op === "bottomk") ng.heap = [{ metric: s.metric, t: ts, v: s.v }];
      else if (op === "quantile") ng.values = [s.v];
      else if (op === "group") ng.value = 1;
      groups.set(gk, ng);
      ordered.push(ng);
      continue;
    }
    switch (op) {
      case "sum":
        g.value += s.v;
        break;
      case "avg": {
        g.count++;
        if (isInf(g.mean)) {
          if (isInf(s.v) && g.mean > 0 === s.v > 0) break;
          if (!isInf(s.v) && !Number.isNaN(s.v)) break;
        }
        g.mean += s.v / g.count - g.mean / g.count;
        break;
      }
      case "group":
        break;
      case "max":
        if (g.value < s.v || Number.isNaN(g.value)) g.value = s.v;
        break;
      case "min":
        if (g.value > s.v || Number.isNaN(g.value)) g.value = s.v;
        break;
      case "count":
      case "count_values":
        g.count++;
        break;
      case "stddev":
      case "stdvar": {
        g.count++;
        const delta = s.v - g.mean;
        g.mean += delta / g.count;
        g.value += delta * (s.v - g.mean);
        break;
      }
      case "topk":
      case "bottomk": {
        const less = op === "topk" ? lessByValue : lessByReverse;
        const heap = g.heap!;
        const top = heap[0];
        const better = op === "topk" ? top.v < s.v : top.v > s.v;
        if (heap.length < k || better || Number.isNaN(top.v)) {
          const sample = { metric: s.metric, t: ts, v: s.v };
          if (heap.length === k) {
            if (k === 1) {
              heap[0] = sample;
              break;
            }
            new GoHeap(heap, less).pop();
          }
          new GoHeap(heap, less).push(sample);
        }
        break;
      }
      case "quantile":
        g.values!.push(s.v);
        break;
    }
  }

  const out: Vector = [];
  for (const g of ordered) {
    let v = g.value;
    switch (op) {
      case "avg":
        v = g.mean;
        break;
      case "count":
      case "count_values":
        v = g.count;
        break;
      case "stdvar":
        v = g.value / g.count;
        break;
      case "stddev":
        v = Math.sqrt(g.value / g.count);
        break;
      case "quantile":
        v = quantile(q, g.values!);
        break;
      case "topk":
      case "bottomk": {
        // Output order: best first (Prometheus sorts the heap in reverse).
        const less = op === "topk" ? lessByValue : lessByReverse;
        const sorted = g.heap!.slice().sort((a, b) => (less(b, a) ? -1 : less(a, b) ? 1 : 0));
        for (const s of sorted) out.push({ metric: s.metric, t: ts, v: s.v });
        continue;
      }
    }
    out.push({ metric: g.labels, t: ts, v });
  }
  return out;
}
