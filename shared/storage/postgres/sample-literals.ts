// The three array literals of a metrics write (series ids, timestamps,
// values), built a queue series at a time rather than a sample at a time:
// Float64Array.join prints each series' timestamps and values in one native
// call, and an id repeats with String.repeat, so a group of 100k samples makes
// a few thousand strings instead of 300k (the aggregator spent more time in GC
// than in any of its own code). The spans of the series bounds (series-bounds.ts) come from
// the same pass, per series rather than per sample.
import { isStaleNaN } from "../../staleness";
import type { Span } from "./series-bounds";

/** A series' values as float8 literals: NULL for a staleness marker (every other NaN stays "NaN"). */
function valuesLiteral(values: Float64Array): string {
  let stale = false;
  for (let i = 0; i < values.length && !stale; i++) stale = isStaleNaN(values[i]);
  if (!stale) return values.join(",");
  const out = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) out[i] = isStaleNaN(values[i]) ? "NULL" : String(values[i]);
  return out.join(",");
}

export class SampleLiterals {
  #ids: string[] = [];
  #ts: string[] = [];
  #vals: string[] = [];
  #spans = new Map<number, Span>();
  rows = 0;

  add(id: number, timestamps: Float64Array, values: Float64Array): void {
    const n = timestamps.length;
    if (n === 0) return;
    this.#ids.push(n === 1 ? String(id) : `${id},`.repeat(n - 1) + id);
    this.#ts.push(timestamps.join(","));
    this.#vals.push(valuesLiteral(values));
    this.rows += n;
    let lo = timestamps[0];
    let hi = timestamps[0];
    for (let i = 1; i < n; i++) {
      const t = timestamps[i];
      if (t < lo) lo = t;
      else if (t > hi) hi = t;
    }
    const s = this.#spans.get(id);
    if (!s) this.#spans.set(id, { id, lo, hi });
    else {
      if (lo < s.lo) s.lo = lo;
      if (hi > s.hi) s.hi = hi;
    }
  }

  /** The literals: '{1,1,2}', '{t1,t2,t3}', '{v1,NULL,v3}'. */
  literals(): { ids: string; ts: string; vals: string } {
    return { ids: `{${this.#ids.join(",")}}`, ts: `{${this.#ts.join(",")}}`, vals: `{${this.#vals.join(",")}}` };
  }

  /** Each series' span over the samples added, by id (the order writers lock bounds rows in). */
  spans(): Span[] {
    return [...this.#spans.values()].sort((a, b) => a.id - b.id);
  }
}
