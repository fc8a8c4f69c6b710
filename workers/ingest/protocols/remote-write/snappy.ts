// Snappy *block* format decompressor (remote_write bodies are not framed).
// Format: https://github.com/google/snappy/blob/main/format_description.txt
// Hand-written rather than snappyjs because snappyjs does not bounds-check its
// output (a corrupt body can decode to silent garbage) and sniffs Node's Buffer
// at run time; parse.bench.ts compares the two for speed.

export class SnappyError extends Error {
  override name = "SnappyError";
}

function readPreamble(src: Uint8Array): [length: number, pos: number] {
  let v = 0;
  for (let i = 0, shift = 0; i < 5; i++, shift += 7) {
    if (i >= src.length) throw new SnappyError("snappy: truncated length preamble");
    const b = src[i];
    v += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) {
      if (v > 0xffffffff) break;
      return [v, i + 1];
    }
  }
  throw new SnappyError("snappy: length preamble does not fit in 32 bits");
}

/** Decompresses a snappy block; refuses outputs larger than maxLength bytes. */
export function snappyDecompress(src: Uint8Array, maxLength: number): Uint8Array {
  const [length, start] = readPreamble(src);
  if (length > maxLength) {
    throw new SnappyError(`snappy: uncompressed length ${length} exceeds the limit of ${maxLength} bytes`);
  }
  const out = new Uint8Array(length);
  const n = src.length;
  let pos = start;
  let op = 0;
  while (pos < n) {
    const tag = src[pos++];
    const kind = tag & 3;
    let len: number;
    if (kind === 0) {
      // Literal: length-1 in the tag, or in the 1-4 bytes after it.
      len = (tag >>> 2) + 1;
      if (len > 60) {
        const extra = len - 60;
        if (pos + extra > n) throw corrupt("truncated literal length", pos);
        len = 0;
        for (let i = extra - 1; i >= 0; i--) len = len * 256 + src[pos + i];
        len += 1;
        pos += extra;
      }
      if (pos + len > n) throw corrupt(`literal of ${len} bytes runs past the input`, pos);
      if (op + len > length) throw corrupt("literal runs past the declared length", pos);
      if (len < 16) {
        for (let i = 0; i < len; i++) out[op + i] = src[pos + i];
      } else {
        out.set(src.subarray(pos, pos + len), op);
      }
      pos += len;
      op += len;
      continue;
    }
    let offset: number;
    if (kind === 1) {
      if (pos >= n) throw corrupt("truncated copy", pos);
      len = ((tag >>> 2) & 7) + 4;
      offset = ((tag >>> 5) << 8) | src[pos++];
    } else if (kind === 2) {
      if (pos + 2 > n) throw corrupt("truncated copy", pos);
      len = (tag >>> 2) + 1;
      offset = src[pos] | (src[pos + 1] << 8);
      pos += 2;
    } else {
      if (pos + 4 > n) throw corrupt("truncated copy", pos);
      len = (tag >>> 2) + 1;
      offset = (src[pos] | (src[pos + 1] << 8) | (src[pos + 2] << 16) | (src[pos + 3] << 24)) >>> 0;
      pos += 4;
    }
    if (offset === 0 || offset > op) throw corrupt(`copy offset ${offset} at output byte ${op} is out of range`, pos);
    if (op + len > length) throw corrupt("copy runs past the declared length", pos);
    const from = op - offset;
    if (offset >= len && len >= 16) {
      out.copyWithin(op, from, from + len);
    } else {
      // Short or overlapping copy: byte by byte, which also repeats a short pattern.
      for (let i = 0; i < len; i++) out[op + i] = out[from + i];
    }
    op += len;
  }
  if (op !== length) throw corrupt(`decompressed ${op} bytes but the preamble declared ${length}`, pos);
  return out;
}

function corrupt(what: string, pos: number): SnappyError {
  return new SnappyError(`snappy: corrupt input: ${what} (input byte ${pos})`);
}
