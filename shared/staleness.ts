// Prometheus marks a series as gone with one particular NaN (value.StaleNaN).
// We keep its exact bits in memory and on the queue; Postgres stores it as NULL.
const buf = new DataView(new ArrayBuffer(8));
buf.setUint32(0, 0x7ff00000);
buf.setUint32(4, 0x00000002);
export const STALE_NAN: number = buf.getFloat64(0);

/**
 * StaleNaN is a signalling NaN, and optimised code in workerd's V8 quiets it
 * (sets bit 51, keeps the payload) when it reads one out of a Float64Array, so
 * 0x7ff8000000000002 counts as stale too. No arithmetic or parser makes that
 * pattern; only the marker itself does.
 */
export function isStaleNaN(v: number): boolean {
  if (v === v) return false; // not NaN at all: the common, fast case
  buf.setFloat64(0, v);
  return (buf.getUint32(0) & 0xfff7ffff) === 0x7ff00000 && buf.getUint32(4) === 0x00000002;
}
