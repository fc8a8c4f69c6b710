// Prometheus marks a series as gone with one particular NaN (value.StaleNaN).
// We keep its exact bits in memory and on the queue; Postgres stores it as NULL.
const buf = new DataView(new ArrayBuffer(8));
buf.setUint32(0, 0x7ff00000);
buf.setUint32(4, 0x00000002);
export const STALE_NAN: number = buf.getFloat64(0);

export function isStaleNaN(v: number): boolean {
  if (v === v) return false; // not NaN at all: the common, fast case
  buf.setFloat64(0, v);
  return buf.getUint32(0) === 0x7ff00000 && buf.getUint32(4) === 0x00000002;
}
