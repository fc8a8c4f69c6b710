// Numeric helpers that must behave like Go's math package and Prometheus's
// helpers (quantile, Kahan summation) so results match bit for bit where possible.

/** Go math.Pow special cases differ from JS ** for 1^NaN, (-1)^±Inf. */
export function goPow(x: number, y: number): number {
  if (y === 0 || x === 1) return 1;
  if ((x === -1) && (y === Infinity || y === -Infinity)) return 1;
  return Math.pow(x, y);
}

/** Go math.Mod: result has the sign of x; same as JS % including special cases. */
export function goMod(x: number, y: number): number {
  return x % y;
}

export function kahanSumInc(inc: number, sum: number, c: number): [number, number] {
  const t = sum + inc;
  // Using Neumaier improvement, swap if next term larger than sum.
  if (Math.abs(sum) >= Math.abs(inc)) c += sum - t + inc;
  else c += inc - t + sum;
  return [t, c];
}

/** Prometheus's quantile over plain values (sorts its input, NaN first). */
export function quantile(q: number, values: number[]): number {
  if (values.length === 0) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  values.sort((a, b) => (Number.isNaN(a) ? (Number.isNaN(b) ? 0 : -1) : Number.isNaN(b) ? 1 : a - b));
  const n = values.length;
  const rank = q * (n - 1);
  const lower = Math.max(0, Math.floor(rank));
  const upper = Math.min(n - 1, lower + 1);
  const weight = rank - Math.floor(rank);
  return values[lower] * (1 - weight) + values[upper] * weight;
}

/** Go int64(f) conversion check used for topk/bottomk's k. */
export function convertibleToInt64(v: number): boolean {
  return v <= 9223372036854775807 && v >= -9223372036854775808;
}
