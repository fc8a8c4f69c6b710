// Prometheus's XOR chunk (tsdb/chunkenc/xor.go, EncXOR = 1), bit for bit:
//   2-byte big-endian sample count;
//   sample 0: timestamp as a signed (zig-zag) varint, value as its 64 raw bits;
//   sample 1: timestamp delta as an unsigned varint, value XOR-coded;
//   then: delta-of-delta of the timestamp in buckets `0` | `10`+14 bits |
//   `110`+17 | `1110`+20 | `1111`+64 (two's complement), value XOR-coded.
// XOR coding of v against the previous value: `0` if equal; else `1`, then `0` +
// the meaningful bits inside the previous leading/trailing-zero window when the
// new XOR fits in it, or `1` + 5 bits of leading zeros (clamped to 31) + 6 bits
// of meaningful-bit count (64 written as 0) + those bits.
//
// Values travel as raw 32-bit words (never as JS numbers), so every float bit
// pattern survives: StaleNaN 0x7ff0000000000002, other NaN payloads, ±Inf, -0.
// Timestamps are integer milliseconds within ±(2^53 − 1).
//
// Ordering follows Prometheus's head appender (tsdb/head_append.go): timestamps
// must increase; a sample with the previous timestamp and identical value bits
// is an exact duplicate and is dropped (Prometheus accepts and ignores it); one
// with the same timestamp and other bits is refused ("duplicate sample for
// timestamp"), an earlier one too ("out of order sample").
import { BitReader, BitStreamError, BitWriter } from "./bitstream";

/** The chunk's count is a uint16; Prometheus panics at 65535 appends + 1. */
export const XOR_MAX_SAMPLES = 0xffff;

export class XorChunkError extends Error {}

export interface XorSamples {
  timestamps: Float64Array;
  values: Float64Array;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
/** Index of the high / low 32-bit word of a float64 in a Uint32Array view. */
const HI = LITTLE_ENDIAN ? 1 : 0;
const LO = LITTLE_ENDIAN ? 0 : 1;
const TWO32 = 4294967296;

const clz64 = (hi: number, lo: number) => (hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(lo));
const ctz32 = (x: number) => 31 - Math.clz32(x & -x);
const ctz64 = (hi: number, lo: number) => (lo !== 0 ? ctz32(lo) : 32 + ctz32(hi));

function words(values: Float64Array): Uint32Array {
  return new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
}

function writeUvarint(w: BitWriter, u: number): void {
  // u is a non-negative integer ≤ 2^54, exact in a double; / 128 stays exact.
  while (u >= 0x80) {
    w.writeBits((u % 0x80) | 0x80, 8);
    u = Math.floor(u / 0x80);
  }
  w.writeBits(u, 8);
}

function writeVarint(w: BitWriter, x: number): void {
  // Go's zig-zag: x ≥ 0 → 2x, x < 0 → −2x − 1. The latter can pass 2^53; BigInt there only.
  if (x >= 0) writeUvarint(w, x * 2);
  else if (x > -(2 ** 52)) writeUvarint(w, -2 * x - 1);
  else {
    let u = (BigInt(-x) << 1n) - 1n;
    while (u >= 0x80n) {
      w.writeBits(Number(u & 0x7fn) | 0x80, 8);
      u >>= 7n;
    }
    w.writeBits(Number(u), 8);
  }
}

/** An unsigned varint below 2^49 (7 bytes) as a number, or NaN with the reader left where it was. */
function readShortUvarint(r: BitReader): number {
  const start = r.pos;
  let x = 0;
  let mul = 1;
  for (let i = 0; i < 7; i++) {
    const b = r.readBits(8);
    if (b < 0x80) return x + b * mul;
    x += (b & 0x7f) * mul;
    mul *= 0x80;
  }
  r.pos = start;
  return NaN;
}

/** An unsigned varint as a BigInt (up to 10 bytes, as Go's binary.ReadUvarint). */
function readUvarint(r: BitReader): bigint {
  let x = 0n;
  let shift = 0n;
  for (let i = 0; i < 10; i++) {
    const b = r.readBits(8);
    if (b < 0x80) return x | (BigInt(b) << shift);
    x |= BigInt(b & 0x7f) << shift;
    shift += 7n;
  }
  throw new XorChunkError("corrupt chunk: varint overflows 64 bits");
}

function safeTimestamp(t: number | bigint, what: string): number {
  const n = Number(t);
  if (!Number.isSafeInteger(n)) throw new XorChunkError(`${what} ${t} is outside ±(2^53 − 1) ms`);
  return n;
}

export interface XorEncodeOptions {
  /**
   * Prometheus 2.x (2.42 included) ends some chunks with one more zero byte
   * (its bstream.writeByte, fixed in 3.0 by prometheus/prometheus#14854); the
   * samples are the same and every decoder ignores it. Set to reproduce 2.x's
   * bytes exactly; by default the chunk is as Prometheus 3 writes it.
   */
  prometheus2Padding?: boolean;
}

/**
 * Encodes samples as one Prometheus XOR chunk. `values` must be a Float64Array
 * (its bits are read as words, so NaN payloads are kept). Exact duplicates are
 * dropped; the chunk's count says how many samples it holds.
 */
export function encodeXorChunk(timestamps: ArrayLike<number>, values: Float64Array, opts: XorEncodeOptions = {}): Uint8Array {
  const n = timestamps.length;
  if (values.length !== n) throw new XorChunkError(`${n} timestamps but ${values.length} values`);
  const vw = words(values);
  const w = new BitWriter(2 + n * 2 + 16);
  w.writeBits(0, 16); // the count, set at the end
  let count = 0;
  let prevT = 0;
  let prevDelta = 0;
  let prevHi = 0;
  let prevLo = 0;
  // 0xff: no window yet (Prometheus's initial leading = 0xff).
  let leading = 0xff;
  let trailing = 0;
  for (let i = 0; i < n; i++) {
    const t = timestamps[i];
    const hi = vw[2 * i + HI];
    const lo = vw[2 * i + LO];
    if (!Number.isSafeInteger(t)) throw new XorChunkError(`sample ${i}: timestamp ${t} is not an integer within ±(2^53 − 1) ms`);
    if (count > 0 && t <= prevT) {
      if (t === prevT && hi === prevHi && lo === prevLo) continue; // exact duplicate: ignored, as the head does
      throw new XorChunkError(t === prevT ? `sample ${i}: duplicate sample for timestamp ${t}` : `sample ${i}: out of order sample (${t} after ${prevT})`);
    }
    if (count === XOR_MAX_SAMPLES) throw new XorChunkError(`more than ${XOR_MAX_SAMPLES} samples in one chunk`);
    if (count === 0) {
      writeVarint(w, t);
      w.writeBits(hi, 32);
      w.writeBits(lo, 32);
    } else {
      const delta = t - prevT;
      if (!Number.isSafeInteger(delta)) throw new XorChunkError(`sample ${i}: ${delta} ms after the previous sample is too far apart`);
      if (count === 1) writeUvarint(w, delta);
      else {
        const dod = delta - prevDelta;
        // Prometheus's bitRange(dod, n): −(2^(n−1) − 1) ≤ dod ≤ 2^(n−1).
        if (dod === 0) w.writeBit(0);
        else if (dod >= -8191 && dod <= 8192) {
          w.writeBits(0b10, 2);
          w.writeBits(dod & 0x3fff, 14);
        } else if (dod >= -65535 && dod <= 65536) {
          w.writeBits(0b110, 3);
          w.writeBits(dod & 0x1ffff, 17);
        } else if (dod >= -524287 && dod <= 524288) {
          w.writeBits(0b1110, 4);
          w.writeBits(dod & 0xfffff, 20);
        } else {
          w.writeBits(0b1111, 4);
          const dHi = Math.floor(dod / TWO32);
          w.writeBits(dHi >>> 0, 32);
          w.writeBits(dod - dHi * TWO32, 32);
        }
      }
      prevDelta = delta;
      // XOR with the previous value.
      const xh = (hi ^ prevHi) >>> 0;
      const xl = (lo ^ prevLo) >>> 0;
      if (xh === 0 && xl === 0) w.writeBit(0);
      else {
        let lead = clz64(xh, xl);
        const trail = ctz64(xh, xl);
        if (lead >= 32) lead = 31;
        if (leading !== 0xff && lead >= leading && trail >= trailing) {
          w.writeBits(0b10, 2);
          writeShifted(w, xh, xl, trailing, 64 - leading - trailing);
        } else {
          leading = lead;
          trailing = trail;
          const sig = 64 - lead - trail;
          w.writeBits(0b11, 2);
          w.writeBits(lead, 5);
          w.writeBits(sig & 0x3f, 6); // 64 does not fit: written as 0
          writeShifted(w, xh, xl, trail, sig);
        }
      }
    }
    prevT = t;
    prevHi = hi;
    prevLo = lo;
    count++;
  }
  // An empty chunk is its zero header alone, in 2.x too (its stream starts as those 2 bytes).
  if (count === 0) return new Uint8Array(2);
  w.setUint16(0, count);
  return w.bytes(opts.prometheus2Padding === true);
}

/** Writes the `n` bits of (hi:lo) >> shift. */
function writeShifted(w: BitWriter, hi: number, lo: number, shift: number, n: number): void {
  if (shift === 0) w.writeBits64(hi, lo, n);
  else if (shift < 32) w.writeBits64(hi >>> shift, ((lo >>> shift) | (hi << (32 - shift))) >>> 0, n);
  else w.writeBits64(0, hi >>> (shift - 32), n);
}

/** The number of samples a chunk holds, from its header. */
export function xorChunkSampleCount(chunk: Uint8Array): number {
  if (chunk.length < 2) throw new XorChunkError("corrupt chunk: shorter than its 2-byte header");
  return (chunk[0] << 8) | chunk[1];
}

/** Decodes a Prometheus XOR chunk; throws XorChunkError on a truncated or corrupt one. */
export function decodeXorChunk(chunk: Uint8Array): XorSamples {
  const n = xorChunkSampleCount(chunk);
  const timestamps = new Float64Array(n);
  const values = new Float64Array(n);
  if (n === 0) return { timestamps, values };
  const vw = words(values);
  const r = new BitReader(chunk, 2);
  try {
    // Varints through numbers when short (every timestamp after 1970 and before 2^48 ms), BigInt otherwise.
    const u = readShortUvarint(r);
    let t: number;
    if (u === u) t = u % 2 === 1 ? -(u + 1) / 2 : u / 2;
    else {
      const zz = readUvarint(r);
      t = safeTimestamp(zz & 1n ? -(zz >> 1n) - 1n : zz >> 1n, "timestamp");
    }
    let hi = r.readBits(32);
    let lo = r.readBits(32);
    timestamps[0] = t;
    vw[HI] = hi;
    vw[LO] = lo;
    let delta = 0;
    let leading = 0;
    let trailing = 0;
    for (let i = 1; i < n; i++) {
      if (i === 1) {
        // Go adds the uint64 delta to an int64: a wrapped (negative) delta comes back negative.
        const d = readShortUvarint(r);
        delta = d === d ? d : safeTimestamp(BigInt.asIntN(64, readUvarint(r)), "timestamp delta");
        t = safeTimestamp(t + delta, "timestamp");
      } else if (r.readBit() === 0) t += delta;
      else {
        let dod: number;
        if (r.readBit() === 0) {
          dod = r.readBits(14);
          if (dod > 8192) dod -= 16384;
        } else if (r.readBit() === 0) {
          dod = r.readBits(17);
          if (dod > 65536) dod -= 131072;
        } else if (r.readBit() === 0) {
          dod = r.readBits(20);
          if (dod > 524288) dod -= 1048576;
        } else {
          const dHi = r.readBits(32) | 0;
          dod = dHi * TWO32 + r.readBits(32);
        }
        delta = safeTimestamp(delta + dod, "timestamp delta");
        t = safeTimestamp(t + delta, "timestamp");
      }
      timestamps[i] = t;
      if (r.readBit() === 1) {
        let sig: number;
        // Before any window, Go's iterator reuses leading = trailing = 0 (64 bits); its encoder never writes that.
        if (r.readBit() === 0) sig = 64 - leading - trailing;
        else {
          leading = r.readBits(5);
          sig = r.readBits(6) || 64;
          if (leading + sig > 64) throw new XorChunkError(`corrupt chunk: ${leading} leading zeros and ${sig} significant bits`);
          trailing = 64 - leading - sig;
        }
        let xh = sig > 32 ? r.readBits(sig - 32) : 0;
        let xl = r.readBits(sig > 32 ? 32 : sig);
        // Shift the meaningful bits back into place.
        if (trailing >= 32) {
          xh = xl << (trailing - 32);
          xl = 0;
        } else if (trailing > 0) {
          xh = (xh << trailing) | (xl >>> (32 - trailing));
          xl = xl << trailing;
        }
        hi = (hi ^ xh) >>> 0;
        lo = (lo ^ xl) >>> 0;
      }
      vw[2 * i + HI] = hi;
      vw[2 * i + LO] = lo;
    }
  } catch (e) {
    if (e instanceof BitStreamError) throw new XorChunkError(`corrupt chunk: ${e.message} (header says ${n} samples)`);
    throw e;
  }
  return { timestamps, values };
}
