// Time-ordered sample arrays as chunks and head rows hand them over: merged,
// trimmed, concatenated. Values move as raw 32-bit words or by same-type
// TypedArray copies (bit-exact by spec), never through a float load, so the
// staleness marker (a signalling NaN) and other NaN payloads keep their bits.

export interface SampleArrays {
  /** Unix ms, strictly ascending. */
  timestamps: Float64Array;
  values: Float64Array;
}

const EMPTY: SampleArrays = { timestamps: new Float64Array(0), values: new Float64Array(0) };

const words = (v: Float64Array) => new Uint32Array(v.buffer, v.byteOffset, v.length * 2);

/**
 * Two strictly ascending sample lists as one. At an equal timestamp `first`'s
 * sample is kept: the one stored first, as the head's ON CONFLICT DO NOTHING
 * keeps the first row (Prometheus refuses such a second sample outright).
 */
export function mergeSamples(first: SampleArrays, second: SampleArrays): SampleArrays {
  if (second.timestamps.length === 0) return first;
  if (first.timestamps.length === 0) return second;
  const a = first.timestamps, b = second.timestamps;
  // The common case: one list entirely after the other.
  if (a[a.length - 1] < b[0]) return concatSamples([first, second]);
  if (b[b.length - 1] < a[0]) return concatSamples([second, first]);
  const ts = new Float64Array(a.length + b.length);
  const vs = new Float64Array(a.length + b.length);
  const aw = words(first.values), bw = words(second.values), ow = words(vs);
  let i = 0, j = 0, k = 0;
  while (i < a.length || j < b.length) {
    let fromA: boolean;
    if (j >= b.length) fromA = true;
    else if (i >= a.length) fromA = false;
    else if (a[i] === b[j]) {
      j++; // the same instant in both: the first list's sample stays
      fromA = true;
    } else fromA = a[i] < b[j];
    if (fromA) {
      ts[k] = a[i];
      ow[2 * k] = aw[2 * i];
      ow[2 * k + 1] = aw[2 * i + 1];
      i++;
    } else {
      ts[k] = b[j];
      ow[2 * k] = bw[2 * j];
      ow[2 * k + 1] = bw[2 * j + 1];
      j++;
    }
    k++;
  }
  return { timestamps: ts.subarray(0, k), values: vs.subarray(0, k) };
}

/** Lists in time order, each after the one before, as one. */
export function concatSamples(parts: SampleArrays[]): SampleArrays {
  const nonEmpty = parts.filter((p) => p.timestamps.length > 0);
  if (nonEmpty.length === 0) return EMPTY;
  if (nonEmpty.length === 1) return nonEmpty[0];
  const n = nonEmpty.reduce((s, p) => s + p.timestamps.length, 0);
  const ts = new Float64Array(n);
  const vs = new Float64Array(n);
  let at = 0;
  for (const p of nonEmpty) {
    ts.set(p.timestamps, at);
    vs.set(p.values, at); // same element type: a byte copy
    at += p.timestamps.length;
  }
  return { timestamps: ts, values: vs };
}

/** The samples with start ≤ t ≤ end (views, no copy). */
export function trimSamples(s: SampleArrays, start: number, end: number): SampleArrays {
  const t = s.timestamps;
  let lo = 0, hi = t.length;
  if (t.length === 0 || (t[0] >= start && t[t.length - 1] <= end)) return s;
  while (lo < t.length && t[lo] < start) lo++;
  while (hi > lo && t[hi - 1] > end) hi--;
  return { timestamps: t.subarray(lo, hi), values: s.values.subarray(lo, hi) };
}
