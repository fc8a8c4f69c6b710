// Hand-written protobuf reader over a Uint8Array: the decode hot path of every
// binary ingest protocol. Methods are small and monomorphic so V8 inlines them;
// every read is bounds-checked and fails with the byte offset.
import { ProtobufDecodeError } from "./errors";
import { WIRE_FIXED32, WIRE_FIXED64, WIRE_LEN, WIRE_TYPE_NAMES, WIRE_VARINT } from "./wire";

const TWO_32 = 4294967296;

export class ProtoReader {
  readonly buf: Uint8Array;
  readonly view: DataView;
  pos = 0;

  constructor(buf: Uint8Array) {
    this.buf = buf;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /** A varint that must fit in 32 bits unsigned: field keys and lengths. */
  uint32(end: number): number {
    const buf = this.buf;
    let pos = this.pos;
    if (pos >= end) throw truncated("varint", pos);
    let b = buf[pos++];
    if (b < 0x80) {
      this.pos = pos;
      return b;
    }
    let v = b & 0x7f;
    for (let shift = 7; shift < 35; shift += 7) {
      if (pos >= end) throw truncated("varint", this.pos);
      b = buf[pos++];
      v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) {
        if (v >= TWO_32) break;
        this.pos = pos;
        return v;
      }
    }
    throw new ProtobufDecodeError(`varint at byte ${this.pos} does not fit in 32 bits`, this.pos);
  }

  /** An int64 varint as a number: exact within ±2^53 (any realistic timestamp). */
  int64(end: number): number {
    const buf = this.buf;
    const start = this.pos;
    let pos = start;
    let v = 0;
    let mul = 1;
    // Up to 7 bytes (49 bits) the value is non-negative and float math is exact.
    for (let i = 0; i < 7; i++) {
      if (pos >= end) throw truncated("varint", start);
      const b = buf[pos++];
      v += (b & 0x7f) * mul;
      if (b < 0x80) {
        this.pos = pos;
        return v;
      }
      mul *= 128;
    }
    return this.int64Long(start, end);
  }

  /** Longer varints (negative numbers take 10 bytes): exact 32-bit halves, two's complement. */
  private int64Long(start: number, end: number): number {
    const buf = this.buf;
    let pos = start;
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (pos >= end) throw truncated("varint", start);
      const b = buf[pos++] & 0x7f;
      const shift = 7 * i;
      if (shift < 28) lo |= b << shift;
      else if (shift === 28) {
        lo |= b << 28;
        hi = b >>> 4;
      } else hi |= b << (shift - 32);
      if (buf[pos - 1] < 0x80) {
        this.pos = pos;
        return hi * TWO_32 + (lo >>> 0);
      }
    }
    throw new ProtobufDecodeError(`varint at byte ${start} is longer than 10 bytes`, start);
  }

  /** A little-endian float64, bits untouched (staleness NaNs survive). */
  double(end: number): number {
    const pos = this.pos;
    if (pos + 8 > end) throw truncated("fixed64", pos);
    this.pos = pos + 8;
    return this.view.getFloat64(pos, true);
  }

  /** Reads a length prefix and returns the end offset of the bytes it covers. */
  lenEnd(end: number, field: number): number {
    const at = this.pos;
    const len = this.uint32(end);
    const stop = this.pos + len;
    if (stop > end) {
      throw new ProtobufDecodeError(
        `field ${field} at byte ${at} declares ${len} bytes but only ${end - this.pos} remain`, at);
    }
    return stop;
  }

  /** Skips one field of the given wire type (unknown or ignored fields). */
  skip(wireType: number, field: number, end: number): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.int64(end);
        return;
      case WIRE_FIXED64:
        if (this.pos + 8 > end) throw truncated("fixed64", this.pos);
        this.pos += 8;
        return;
      case WIRE_LEN:
        this.pos = this.lenEnd(end, field);
        return;
      case WIRE_FIXED32:
        if (this.pos + 4 > end) throw truncated("fixed32", this.pos);
        this.pos += 4;
        return;
      default:
        // Groups (3, 4) are proto2-only and never appear in proto3 messages.
        throw new ProtobufDecodeError(
          `field ${field} at byte ${this.pos} has unsupported wire type ${wireType}` +
            (WIRE_TYPE_NAMES[wireType] ? ` (${WIRE_TYPE_NAMES[wireType]})` : ""), this.pos);
    }
  }
}

function truncated(what: string, pos: number): ProtobufDecodeError {
  return new ProtobufDecodeError(`truncated ${what} at byte ${pos}`, pos);
}

/** Error for a known field sent with the wrong wire type. */
export function wrongWireType(message: string, field: number, got: number, want: number, pos: number): ProtobufDecodeError {
  return new ProtobufDecodeError(
    `${message} field ${field} at byte ${pos} has wire type ${got} (${WIRE_TYPE_NAMES[got] ?? "invalid"}), ` +
      `expected ${want} (${WIRE_TYPE_NAMES[want]})`, pos);
}
