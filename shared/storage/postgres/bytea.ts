// Arrays of numbers as Postgres sends them packed in one bytea (string_agg of
// int8send / float8send / int2send): one value per row of a series, exact bits,
// cheap to decode, far fewer rows than one per sample.

/** Hex digit values by char code (-1: not a digit). */
const HEX = (() => {
  const t = new Int8Array(128).fill(-1);
  for (let i = 0; i < 10; i++) t[48 + i] = i;
  for (let i = 0; i < 6; i++) t[65 + i] = t[97 + i] = 10 + i;
  return t;
})();

export function asBytes(v: unknown): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (typeof v === "string" && v.startsWith("\\x")) {
    // A table lookup per digit: parseInt(substr) per byte took ~80 ns, 9x this, and chunks come by the megabyte.
    const out = new Uint8Array((v.length - 2) >> 1);
    for (let i = 0, p = 2; i < out.length; i++, p += 2) {
      const hi = HEX[v.charCodeAt(p)], lo = HEX[v.charCodeAt(p + 1)];
      if ((hi | lo) < 0) throw new Error(`unexpected bytea text: ${JSON.stringify(v.slice(p, p + 2))} at ${p}`);
      out[i] = (hi << 4) | lo;
    }
    return out;
  }
  throw new Error(`unexpected bytea value of type ${typeof v}`);
}

// Values are copied as raw 32-bit words into the Float64Array's memory, never
// through a float load: optimised code may quiet a signalling NaN, and the
// staleness marker (0x7ff0000000000002) is one. Words land little-endian.
if (new Uint8Array(Uint32Array.of(1).buffer)[0] !== 1) throw new Error("big-endian hosts are not supported");

/** Big-endian int8s (int8send), as exact doubles (times are far inside 2^53). */
export function readInt8s(b: Uint8Array): Float64Array {
  const n = b.byteLength >>> 3;
  const out = new Float64Array(n);
  for (let i = 0, p = 0; i < n; i++, p += 8) {
    const hi = (b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]; // signed
    const lo = ((b[p + 4] << 24) | (b[p + 5] << 16) | (b[p + 6] << 8) | b[p + 7]) >>> 0;
    out[i] = hi * 4294967296 + lo;
  }
  return out;
}

/** Big-endian float8s (float8send), every bit kept. */
export function readFloat8s(b: Uint8Array): Float64Array {
  const n = b.byteLength >>> 3;
  const out = new Float64Array(n);
  const words = new Uint32Array(out.buffer);
  for (let i = 0, p = 0; i < n; i++, p += 8) {
    words[2 * i + 1] = ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
    words[2 * i] = ((b[p + 4] << 24) | (b[p + 5] << 16) | (b[p + 6] << 8) | b[p + 7]) >>> 0;
  }
  return out;
}

/** Big-endian int4s (int4send). */
export function readInt4s(b: Uint8Array): Int32Array {
  const n = b.byteLength >>> 2;
  const out = new Int32Array(n);
  for (let i = 0, p = 0; i < n; i++, p += 4) out[i] = (b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3];
  return out;
}

/** Big-endian int2s (int2send). */
export function readInt2s(b: Uint8Array): Int16Array {
  const n = b.byteLength >>> 1;
  const out = new Int16Array(n);
  for (let i = 0, p = 0; i < n; i++, p += 2) out[i] = (b[p] << 8) | b[p + 1];
  return out;
}

/** Moves 8-byte values (doubles, raw words) into the given order. */
export function permuteFloat64(values: Float64Array, order: readonly number[]): Float64Array {
  const out = new Float64Array(order.length);
  const from = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
  const to = new Uint32Array(out.buffer);
  order.forEach((j, i) => {
    to[2 * i] = from[2 * j];
    to[2 * i + 1] = from[2 * j + 1];
  });
  return out;
}
