// Big-endian bit streams as Prometheus's tsdb/chunkenc/bstream.go lays them out:
// bits are written from the most significant bit of each byte down, and the
// last byte is zero-padded. Words are at most 32 bits so that everything stays
// in V8's 32-bit integer operations (no BigInt on the hot path); 64-bit words go
// through as (hi, lo) pairs.

export class BitStreamError extends Error {}

export class BitWriter {
  private buf: Uint8Array;
  /** Bits written so far. */
  private pos = 0;
  /**
   * Whether Prometheus 2.x's bstream would hold one more, empty byte here: its
   * writeByte at a byte boundary appended two bytes (count = 8), until a later
   * writeBit used it (fixed in 3.0, prometheus/prometheus#14854). Its writeBits
   * writes whole bytes first, then single bits, so this is true after a write
   * of a multiple of 8 bits that ends on a byte boundary, false after any other.
   */
  private v2Pad = false;

  constructor(initialBytes = 256) {
    this.buf = new Uint8Array(Math.max(8, initialBytes));
  }

  get bitLength(): number {
    return this.pos;
  }

  private ensure(bits: number): void {
    const need = (this.pos + bits + 7) >>> 3;
    if (need <= this.buf.length) return;
    // New bytes start zeroed, which the OR-ing writes below rely on.
    const next = new Uint8Array(Math.max(need, this.buf.length * 2));
    next.set(this.buf);
    this.buf = next;
  }

  writeBit(bit: number): void {
    this.ensure(1);
    if (bit) this.buf[this.pos >>> 3] |= 0x80 >>> (this.pos & 7);
    this.pos++;
    this.v2Pad = false;
  }

  /** The low `n` bits of `v` (0 ≤ n ≤ 32), most significant first. */
  writeBits(v: number, n: number): void {
    if (n <= 0) return;
    const bits = n;
    this.ensure(n);
    const buf = this.buf;
    let pos = this.pos;
    while (n > 0) {
      const free = 8 - (pos & 7);
      const take = n < free ? n : free;
      buf[pos >>> 3] |= ((v >>> (n - take)) & ((1 << take) - 1)) << (free - take);
      pos += take;
      n -= take;
    }
    this.pos = pos;
    this.v2Pad = (pos & 7) === 0 && (bits & 7) === 0;
  }

  /** The low `n` bits (0 ≤ n ≤ 64) of the 64-bit word hi:lo. */
  writeBits64(hi: number, lo: number, n: number): void {
    if (n > 32) {
      this.writeBits(hi, n - 32);
      this.writeBits(lo, 32);
      // One Go writeBits call of n bits: ends on bits, not bytes, unless n is a multiple of 8.
      this.v2Pad = (this.pos & 7) === 0 && (n & 7) === 0;
    } else this.writeBits(lo, n);
  }

  /** Overwrites the 16-bit big-endian word at byte `at` (a header written before its value is known). */
  setUint16(at: number, v: number): void {
    this.buf[at] = (v >>> 8) & 0xff;
    this.buf[at + 1] = v & 0xff;
  }

  /** The stream so far, padded to a byte (a copy); `v2Padding`: with Prometheus 2.x's extra empty byte where it has one. */
  bytes(v2Padding = false): Uint8Array {
    const n = ((this.pos + 7) >>> 3) + (v2Padding && this.v2Pad ? 1 : 0);
    this.ensure(8);
    return this.buf.slice(0, n);
  }
}

export class BitReader {
  private readonly buf: Uint8Array;
  private readonly end: number;
  /** Next bit to read. */
  pos: number;

  constructor(buf: Uint8Array, startByte = 0) {
    this.buf = buf;
    this.end = buf.length * 8;
    this.pos = startByte * 8;
  }

  get bitsLeft(): number {
    return this.end - this.pos;
  }

  readBit(): number {
    const pos = this.pos;
    if (pos >= this.end) throw new BitStreamError("unexpected end of chunk");
    this.pos = pos + 1;
    return (this.buf[pos >>> 3] >>> (7 - (pos & 7))) & 1;
  }

  /** `n` bits (0 ≤ n ≤ 32) as an unsigned 32-bit number. */
  readBits(n: number): number {
    if (n <= 0) return 0;
    let pos = this.pos;
    if (pos + n > this.end) throw new BitStreamError("unexpected end of chunk");
    const buf = this.buf;
    if (n > 25) return ((this.readBits(n - 16) * 0x10000 + this.readBits(16)) >>> 0);
    const i = pos >>> 3;
    if (i + 4 <= buf.length) {
      // Fast path: one 32-bit big-endian load; its first (pos & 7) bits are already read, n ≤ 25 fit after them.
      const w = (buf[i] << 24) | (buf[i + 1] << 16) | (buf[i + 2] << 8) | buf[i + 3];
      this.pos = pos + n;
      return (w << (pos & 7)) >>> (32 - n);
    }
    let v = 0;
    while (n > 0) {
      const avail = 8 - (pos & 7);
      const take = n < avail ? n : avail;
      v = (v << take) | ((buf[pos >>> 3] >>> (avail - take)) & ((1 << take) - 1));
      pos += take;
      n -= take;
    }
    this.pos = pos;
    return v >>> 0;
  }
}
