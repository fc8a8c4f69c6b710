// Protobuf writer into one growable buffer, for the agent's encoders.
// Nested messages reserve a one-byte length prefix and shift their body in the
// rare case it needs more, so nothing is encoded twice and sizes are never
// computed ahead.
import { fieldKey, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT } from "./wire";

const utf8 = new TextEncoder();

export class ProtoWriter {
  private buf: Uint8Array;
  private view: DataView;
  private pos = 0;

  constructor(initialSize = 64 * 1024) {
    this.buf = new Uint8Array(initialSize);
    this.view = new DataView(this.buf.buffer);
  }

  /** The bytes written so far (a view, not a copy). */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  private varint(v: number): void {
    this.ensure(10);
    const buf = this.buf;
    let pos = this.pos;
    if (v < 0) {
      // Negative int64: ten bytes of two's complement; rare enough for BigInt.
      let u = BigInt.asUintN(64, BigInt(Math.trunc(v)));
      for (let i = 0; i < 9; i++, u >>= 7n) buf[pos++] = Number(u & 0x7fn) | 0x80;
      buf[pos++] = Number(u);
    } else {
      while (v >= 0x80) {
        buf[pos++] = (v % 0x80) | 0x80;
        v = Math.floor(v / 0x80);
      }
      buf[pos++] = v;
    }
    this.pos = pos;
  }

  /** A varint field (int32, int64, uint64, enum); integral values only. */
  int64(field: number, v: number): void {
    this.varint(fieldKey(field, WIRE_VARINT));
    this.varint(v);
  }

  /** A double field; the float64 bits are copied as they are (staleness NaNs). */
  double(field: number, v: number): void {
    this.varint(fieldKey(field, WIRE_FIXED64));
    this.ensure(8);
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
  }

  string(field: number, s: string): void {
    this.varint(fieldKey(field, WIRE_LEN));
    // UTF-8 takes at most 3 bytes per UTF-16 unit: reserve that, then close up the prefix.
    const max = s.length * 3;
    const prefix = varintSize(max);
    this.ensure(prefix + max);
    const { written } = utf8.encodeInto(s, this.buf.subarray(this.pos + prefix));
    this.closeLength(this.pos, prefix, written);
  }

  /** Starts a nested message field; returns the mark to pass to endMessage. */
  beginMessage(field: number): number {
    this.varint(fieldKey(field, WIRE_LEN));
    this.ensure(1);
    return this.pos++;
  }

  endMessage(mark: number): void {
    this.closeLength(mark, 1, this.pos - mark - 1);
  }

  /** Writes the length `len` at `at`, where `reserved` bytes were kept for it before the body. */
  private closeLength(at: number, reserved: number, len: number): void {
    const need = varintSize(len);
    if (need !== reserved) {
      this.ensure(need - reserved);
      this.buf.copyWithin(at + need, at + reserved, at + reserved + len);
    }
    this.pos = at;
    this.varint(len);
    this.pos = at + need + len;
  }
}

export function varintSize(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 0x80);
    n++;
  }
  return n;
}
