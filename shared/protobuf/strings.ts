// UTF-8 string decoding for protobuf string fields, with a per-message cache.
// Remote-write bodies repeat the same label names and values in every series
// (job, instance, model_name, ...): hashing the bytes and returning the string
// decoded last time saves the TextDecoder call and the allocation, and equal
// labels come out as one shared string, which is cheaper for everything after.
import { ProtobufDecodeError } from "./errors";

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Only short strings are cached: long ones (HELP texts) rarely repeat. */
const MAX_CACHED_LEN = 128;
const SLOTS = 4096; // power of two; a slot holds the last string that hashed to it

export class StringCache {
  // Each slot remembers where its string's bytes lie in `buf`, so a hit is
  // confirmed by comparing bytes, never by trusting the hash alone.
  private readonly starts = new Int32Array(SLOTS);
  private readonly lens = new Int32Array(SLOTS).fill(-1);
  private readonly strs: string[] = new Array<string>(SLOTS).fill("");

  constructor(private readonly buf: Uint8Array) {}

  /** Decodes buf[start, end) as UTF-8; throws ProtobufDecodeError when invalid. */
  get(start: number, end: number): string {
    const len = end - start;
    if (len === 0) return "";
    if (len > MAX_CACHED_LEN) return decodeUtf8(this.buf, start, end);
    const buf = this.buf;
    let h = 0x811c9dc5 ^ len;
    let high = 0;
    for (let i = start; i < end; i++) {
      const b = buf[i];
      high |= b;
      h = Math.imul(h ^ b, 0x01000193);
    }
    const slot = (h ^ (h >>> 15)) & (SLOTS - 1);
    if (this.lens[slot] === len) {
      const s = this.starts[slot];
      let i = 0;
      while (i < len && buf[s + i] === buf[start + i]) i++;
      if (i === len) return this.strs[slot];
    }
    // ASCII (no byte >= 0x80) needs no validation and is built faster by hand.
    const str = high < 0x80 ? ascii(buf, start, end) : decodeUtf8(buf, start, end);
    this.starts[slot] = start;
    this.lens[slot] = len;
    this.strs[slot] = str;
    return str;
  }
}

function ascii(buf: Uint8Array, start: number, end: number): string {
  return String.fromCharCode.apply(null, buf.subarray(start, end) as unknown as number[]);
}

export function decodeUtf8(buf: Uint8Array, start: number, end: number): string {
  try {
    return utf8.decode(buf.subarray(start, end));
  } catch {
    throw new ProtobufDecodeError(`invalid UTF-8 in string field at byte ${start}`, start);
  }
}
