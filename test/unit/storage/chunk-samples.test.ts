// The pieces of a read over chunks and head rows (shared/storage/chunks/samples.ts,
// shared/storage/postgres/chunk-read.ts): merging keeps every bit of every value
// (staleness markers, NaN payloads, ±Inf, −0), the first stored sample at an
// equal timestamp, and the time order; trimming and the chunk list framing.
import { describe, expect, it } from "vitest";
import { STALE_NAN } from "../../../shared/staleness";
import { concatSamples, mergeSamples, trimSamples, type SampleArrays } from "../../../shared/storage/chunks/samples";
import { encodeXorChunk } from "../../../shared/storage/chunks/xor";
import { decodeChunkList, withChunks } from "../../../shared/storage/postgres/chunk-read";

/** A value from its raw bits (hi, lo words), never through a float literal. */
function fromBits(hi: number, lo: number): Float64Array {
  const v = new Float64Array(1);
  const w = new Uint32Array(v.buffer);
  w[1] = hi;
  w[0] = lo;
  return v;
}

function samples(ts: number[], values: Array<Float64Array | number>): SampleArrays {
  const out = new Float64Array(ts.length);
  values.forEach((v, i) => {
    if (v instanceof Float64Array) out.set(v, i);
    else out[i] = v;
  });
  return { timestamps: Float64Array.from(ts), values: out };
}

const bitsOf = (s: SampleArrays) => {
  const w = new Uint32Array(s.values.buffer, s.values.byteOffset, s.values.length * 2);
  return [...s.timestamps].map((t, i) => `${t}:${w[2 * i + 1].toString(16)}:${w[2 * i].toString(16)}`);
};

const stale = fromBits(0x7ff00000, 2);
const payloadNaN = fromBits(0x7ff80000, 0xdead);
const negZero = fromBits(0x80000000, 0);

describe("merging chunk samples with head rows", () => {
  it("interleaves by time, keeps the first list's sample at an equal time, every bit kept", () => {
    const a = samples([10, 20, 30, 40], [stale, 1, payloadNaN, Infinity]);
    const b = samples([5, 20, 25, 40, 50], [negZero, 99, -Infinity, 98, stale]);
    const m = mergeSamples(a, b);
    expect([...m.timestamps]).toEqual([5, 10, 20, 25, 30, 40, 50]);
    expect(bitsOf(m)).toEqual([
      "5:80000000:0", "10:7ff00000:2", "20:3ff00000:0", "25:fff00000:0", "30:7ff80000:dead", "40:7ff00000:0", "50:7ff00000:2",
    ]);
  });

  it("appends without a merge when one list is wholly after the other, either way round", () => {
    const a = samples([1, 2], [1, 2]);
    const b = samples([3, 4], [stale, 4]);
    expect(bitsOf(mergeSamples(a, b))).toEqual(bitsOf(mergeSamples(b, a)));
    expect([...mergeSamples(b, a).timestamps]).toEqual([1, 2, 3, 4]);
    expect(mergeSamples(a, samples([], []))).toBe(a);
  });

  it("trims to a closed range by views", () => {
    const s = concatSamples([samples([1, 2, 3], [1, 2, 3]), samples([], []), samples([4, 5], [stale, 5])]);
    expect([...trimSamples(s, 2, 4).timestamps]).toEqual([2, 3, 4]);
    expect(bitsOf(trimSamples(s, 4, 4))).toEqual(["4:7ff00000:2"]);
    expect(trimSamples(s, 6, 9).timestamps.length).toBe(0);
    expect(trimSamples(s, 0, 9)).toBe(s);
  });
});

describe("the chunk list of a select row", () => {
  const frame = (chunks: Uint8Array[]) => {
    const out: number[] = [];
    for (const c of chunks) out.push((c.length >>> 24) & 255, (c.length >>> 16) & 255, (c.length >>> 8) & 255, c.length & 255, ...c);
    // As chunksOf sends it: base64 text.
    return btoa(String.fromCharCode(...out));
  };

  it("decodes length-prefixed chunks and merges them, trimmed, with the head", () => {
    const c1 = samples([100, 200, 300], [1, stale, payloadNaN]);
    const c2 = samples([400, 500], [negZero, 7]);
    const raw = frame([encodeXorChunk(c1.timestamps, c1.values), encodeXorChunk(c2.timestamps, c2.values)]);
    expect(decodeChunkList(raw).map(bitsOf)).toEqual([bitsOf(c1), bitsOf(c2)]);
    // A head row at a chunk's time loses to the chunk (stored first); one later is appended.
    const head = samples([500, 600], [-1, 8]);
    expect(bitsOf(withChunks(head, raw, { start: 200, end: 1000 }))).toEqual([
      "200:7ff00000:2", "300:7ff80000:dead", "400:80000000:0", "500:401c0000:0", "600:40200000:0",
    ]);
    expect(withChunks(head, null, { start: 0, end: 1000 })).toBe(head);
  });

  it("refuses a truncated list with where it broke", () => {
    const c = samples([1, 2], [1, 2]);
    const raw = frame([encodeXorChunk(c.timestamps, c.values)]);
    const bytes = Uint8Array.from(atob(raw), (c) => c.charCodeAt(0));
    expect(() => decodeChunkList(bytes.subarray(0, bytes.length - 1))).toThrow(/corrupt chunk list: a \d+-byte chunk at 4 runs past its \d+ bytes/);
  });
});
