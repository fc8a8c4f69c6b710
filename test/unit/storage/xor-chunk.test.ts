// The XOR chunk codec (shared/storage/chunks/xor.ts) against Prometheus's own
// chunk format: a hand-derived example, round trips of every float bit-pattern
// class and of random series through every timestamp bucket, Prometheus's
// ordering rules, corrupt input, and byte-for-byte agreement with the chunks a
// real Prometheus 2.42 writes to chunks_head/ for series we remote-write to it.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { pushInTimeOrder, startPrometheus } from "../../../scripts/lib/prometheus";
import { BitReader, BitStreamError, BitWriter } from "../../../shared/storage/chunks/bitstream";
import { decodeXorChunk, encodeXorChunk, XorChunkError, xorChunkSampleCount } from "../../../shared/storage/chunks/xor";
import { rng } from "../../../scripts/lib/rng";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

/** A float64 from its 64 bits as 16 hex digits (the only way to write NaN payloads). */
function f64(bitsHex: string): number {
  const d = new DataView(new ArrayBuffer(8));
  d.setBigUint64(0, BigInt(`0x${bitsHex}`));
  return d.getFloat64(0);
}

/** The bits of each value, read as words so no NaN is touched. */
function bitsOf(values: Float64Array): string[] {
  const u = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
  return Array.from({ length: values.length }, (_, i) => u[2 * i + 1].toString(16).padStart(8, "0") + u[2 * i].toString(16).padStart(8, "0"));
}

/** Values from bit patterns, put straight into the array's words. */
function fromBits(patterns: string[]): Float64Array {
  const out = new Float64Array(patterns.length);
  const u = new Uint32Array(out.buffer);
  patterns.forEach((p, i) => {
    u[2 * i + 1] = parseInt(p.slice(0, 8), 16);
    u[2 * i] = parseInt(p.slice(8), 16);
  });
  return out;
}


const word = (rnd: () => number) => Math.floor(rnd() * 4294967296).toString(16).padStart(8, "0");

function expectRoundTrip(ts: number[], values: Float64Array): Uint8Array {
  const chunk = encodeXorChunk(ts, values);
  const back = decodeXorChunk(chunk);
  expect(xorChunkSampleCount(chunk)).toBe(ts.length);
  expect([...back.timestamps]).toEqual(ts);
  expect(bitsOf(back.values)).toEqual(bitsOf(values));
  return chunk;
}

const BIT_PATTERNS: Record<string, string> = {
  "staleness marker": "7ff0000000000002",
  "quieted staleness marker": "7ff8000000000002",
  "Go's math.NaN()": "7ff8000000000001",
  "x86 default NaN": "fff8000000000000",
  "signalling NaN, other payload": "7ff4000000000abc",
  "negative NaN, full payload": "ffffffffffffffff",
  "+Inf": "7ff0000000000000",
  "-Inf": "fff0000000000000",
  "+0": "0000000000000000",
  "-0": "8000000000000000",
  "smallest subnormal": "0000000000000001",
  "largest subnormal": "000fffffffffffff",
  "largest finite": "7fefffffffffffff",
  "lowest finite": "ffefffffffffffff",
  "1.0": "3ff0000000000000",
  "0.1": "3fb999999999999a",
};

describe("bit streams", () => {
  it("read back what was written, at every width and alignment, most significant bit first", () => {
    const rnd = rng(3);
    const w = new BitWriter(4);
    const writes: [number, number][] = [];
    for (let i = 0; i < 5000; i++) {
      const n = Math.floor(rnd() * 33);
      const v = Math.floor(rnd() * 4294967296);
      writes.push([n === 0 ? 0 : n === 32 ? v : v % 2 ** n, n]);
      if (n === 1 && rnd() < 0.5) w.writeBit(v & 1);
      else w.writeBits(v, n); // bits above n are ignored
    }
    const total = writes.reduce((a, [, n]) => a + n, 0);
    expect(w.bitLength).toBe(total);
    const bytes = w.bytes();
    expect(bytes.length).toBe(Math.ceil(total / 8));
    const r = new BitReader(bytes);
    for (const [v, n] of writes) expect(n === 1 ? r.readBit() : r.readBits(n)).toBe(v);
    expect(r.bitsLeft).toBe(bytes.length * 8 - total);
    expect(() => r.readBits(r.bitsLeft + 1)).toThrow(BitStreamError);
    const one = new BitWriter();
    one.writeBits(0b101, 3);
    expect([...one.bytes()]).toEqual([0b10100000]);
  });
});

describe("XOR chunk codec", () => {
  it("encodes a hand-derived example byte for byte as xor.go does", () => {
    // (1000, 1) (16000, 1) (31000, 2) (46001, 2), by xor.go's Append:
    //   00 04               count 4, big-endian
    //   d0 0f               sample 0: zig-zag varint of 1000 = uvarint 2000
    //   3ff0000000000000    1.0's 64 bits
    //   98 75               sample 1: uvarint of delta 15000; then the value XOR 0 → bit 0
    //   sample 2: dod 0 → 0; 2.0 ^ 1.0 = 0x7ff0000000000000: leading 1, trailing 52, 11
    //     significant bits, no window yet → 1 1 00001 001011 11111111111
    //   sample 3: dod 1 → 10 00000000000001; the value XOR 0 → 0; padded with zeros
    //   bits 0 0 11 00001 001011 11111111111 10 00000000000001 0 0000000 = 30 97 ff e0 00 40
    const chunk = encodeXorChunk([1000, 16000, 31000, 46001], Float64Array.of(1, 1, 2, 2));
    expect(hex(chunk)).toBe("0004d00f3ff000000000000098753097ffe00040");
    expect(hex(encodeXorChunk([], new Float64Array(0)))).toBe("0000");
    expect(hex(encodeXorChunk([], new Float64Array(0), { prometheus2Padding: true }))).toBe("0000");
  });

  it("reproduces Prometheus 2.x's trailing empty byte on request (bstream.writeByte before prometheus/prometheus#14854)", () => {
    // One sample: two varint bytes and 64 value bits, all through 2.x's writeByte at byte
    // boundaries, each appending a byte that the next one fills: one empty byte stays at the end.
    expect(hex(encodeXorChunk([1000], Float64Array.of(1)))).toBe("0001d00f3ff0000000000000");
    expect(hex(encodeXorChunk([1000], Float64Array.of(1), { prometheus2Padding: true }))).toBe("0001d00f3ff000000000000000");
    // Ending on single bits (the value XOR 0 is one 0 bit): no empty byte in 2.x either.
    expect(hex(encodeXorChunk([1000, 16000], Float64Array.of(1, 1), { prometheus2Padding: true }))).toBe("0002d00f3ff0000000000000987500");
    const padded = encodeXorChunk([1000, 16000], Float64Array.of(1, 1), { prometheus2Padding: true });
    expect(bitsOf(decodeXorChunk(padded).values)).toEqual(["3ff0000000000000", "3ff0000000000000"]);
  });

  it("keeps every float bit pattern class, each after each other one (both XOR window paths)", () => {
    const names = Object.keys(BIT_PATTERNS);
    const patterns: string[] = [];
    for (const a of names) for (const b of names) patterns.push(BIT_PATTERNS[a], BIT_PATTERNS[b], BIT_PATTERNS[b]);
    const ts = patterns.map((_, i) => 1_700_000_000_000 + i * 15_000);
    expectRoundTrip(ts, fromBits(patterns));
    for (const name of names) expectRoundTrip([0], fromBits([BIT_PATTERNS[name]]));
  });

  it("round-trips random series through every delta-of-delta bucket, counter resets and random bits", () => {
    const rnd = rng(9);
    // Gaps chosen to land in each bucket: 0, ±14, ±17, ±20 and 64 bits, at and beyond the edges.
    const gaps = [15_000, 15_000, 15_001, 15_000 + 8192, 15_000, 15_000 - 8191 + 15_000, 80_000, 80_000 + 65_536, 1_000, 700_000, 1, 86_400_000 * 365, 2, 3];
    for (let round = 0; round < 50; round++) {
      const n = 1 + Math.floor(rnd() * 600);
      const ts: number[] = [];
      let t = Math.floor((rnd() - 0.5) * 2 ** 44);
      const kind = round % 4;
      const patterns: string[] = [];
      let counter = 0;
      for (let i = 0; i < n; i++) {
        t += kind === 0 ? gaps[i % gaps.length] : kind === 1 ? 1 + Math.floor(rnd() * 30_000) : 15_000;
        ts.push(t);
        if (kind === 2) {
          counter = rnd() < 0.02 ? 0 : counter + Math.floor(rnd() * 5); // resets to 0 now and then
          patterns.push(bitsOf(Float64Array.of(counter))[0]);
        } else if (kind === 3) patterns.push(word(rnd) + word(rnd));
        else patterns.push(bitsOf(Float64Array.of(Math.round(rnd() * 1000) / 10))[0]);
      }
      expectRoundTrip(ts, fromBits(patterns));
    }
  });

  it("takes timestamps across the whole safe range, negative ones included", () => {
    const ts = [-(2 ** 53 - 1), -(2 ** 52), -1, 0, 1, 2 ** 52, 2 ** 53 - 1];
    expectRoundTrip(ts, Float64Array.from(ts, (_, i) => i));
    expectRoundTrip([2 ** 53 - 1], Float64Array.of(1));
    expect(() => encodeXorChunk([1.5], Float64Array.of(1))).toThrow(/not an integer/);
    expect(() => encodeXorChunk([2 ** 53], Float64Array.of(1))).toThrow(XorChunkError);
  });

  it("orders samples as Prometheus's head does: exact duplicates dropped, other duplicates and earlier samples refused", () => {
    const stale = f64("7ff0000000000002");
    const chunk = encodeXorChunk([1, 2, 2, 3], Float64Array.of(1, stale, stale, 3));
    const back = decodeXorChunk(chunk);
    expect([...back.timestamps]).toEqual([1, 2, 3]);
    expect(bitsOf(back.values)).toEqual(["3ff0000000000000", "7ff0000000000002", "4008000000000000"]);
    expect(() => encodeXorChunk([1, 2, 2], Float64Array.of(1, 2, 3))).toThrow(/sample 2: duplicate sample for timestamp 2/);
    // A value over a staleness marker at one time is a duplicate too: the bits differ.
    expect(() => encodeXorChunk([1, 1], Float64Array.of(stale, 1))).toThrow(/duplicate sample for timestamp 1/);
    expect(() => encodeXorChunk([5, 4], Float64Array.of(1, 1))).toThrow(/out of order sample \(4 after 5\)/);
    expect(() => encodeXorChunk([1, 2], Float64Array.of(1))).toThrow(/2 timestamps but 1 values/);
  });

  it("holds at most 65535 samples, as Prometheus's uint16 count", () => {
    const n = 65_535;
    const ts = Array.from({ length: n }, (_, i) => i * 1000);
    const chunk = expectRoundTrip(ts, new Float64Array(n).fill(7));
    expect(xorChunkSampleCount(chunk)).toBe(65_535);
    expect(() => encodeXorChunk([...ts, n * 1000], new Float64Array(n + 1))).toThrow(/more than 65535 samples/);
  });

  it("refuses truncated and corrupt chunks with a reason", () => {
    const chunk = encodeXorChunk([1000, 16000, 31000, 46001], Float64Array.of(1, 1, 2, 2));
    for (let cut = 0; cut < chunk.length - 1; cut++) expect(() => decodeXorChunk(chunk.subarray(0, cut))).toThrow(XorChunkError);
    const more = Uint8Array.from(chunk);
    more[1] = 9; // claims 9 samples
    expect(() => decodeXorChunk(more)).toThrow(/corrupt chunk: unexpected end of chunk \(header says 9 samples\)/);
  });

  it("agrees byte for byte with the chunks Prometheus 2.42 writes (chunks_head/ after remote write)", async () => {
    const rnd = rng(42);
    const n = 600; // 150 min at 15 s: a few full chunks per series, the head not yet compactable (3 h)
    // Fixed, so the chunk cuts (at 2 h boundaries and ~120 samples) are the same every run; an empty head takes any time.
    const t0 = 1_700_000_000_000;
    const regular = Array.from({ length: n }, (_, i) => t0 + i * 15_000);
    const specials = Object.values(BIT_PATTERNS);
    let irregularT = t0 + 7;
    const irregular = Array.from({ length: n }, (_, i) => (irregularT += i % 197 === 196 ? 600_000 : i % 31 === 30 ? 70_000 + Math.floor(rnd() * 9000) : 5_000 + Math.floor(rnd() * 2_000)));
    let c = 0;
    const series = [
      { name: "kv_cache_usage", ts: regular, values: Float64Array.from(regular, () => Math.round(rnd() * 1000) / 1000) },
      { name: "tokens_total", ts: regular.map((t) => t + 1), values: Float64Array.from(regular, () => (rnd() < 0.01 ? (c = 0) : (c += Math.floor(rnd() * 900)))) },
      { name: "gpu_power", ts: irregular, values: Float64Array.from(irregular, () => 250 + rnd() * 50) },
      { name: "specials", ts: regular.map((t) => t + 2), values: fromBits(regular.map((_, i) => (i % 3 === 2 ? word(rnd) + word(rnd) : specials[i % specials.length]))) },
      { name: "constant", ts: regular.map((t) => t + 3), values: new Float64Array(n).fill(1) },
    ];
    const prom = await startPrometheus();
    try {
      await pushInTimeOrder(prom.url, series.map((s) => ({ labels: { __name__: s.name }, timestamps: s.ts, values: s.values })));
      await prom.halt();
      const dir = join(prom.dataDir, "chunks_head");
      const chunks = readdirSync(dir).sort().flatMap((f) => headChunks(readFileSync(join(dir, f))));
      const covered = new Map<string, number>();
      let padded = 0;
      for (const ch of chunks) {
        expect(ch.encoding).toBe(1); // EncXOR, in order
        const s = series.find((x) => x.ts.includes(ch.mint) && x.ts.includes(ch.maxt) && x.ts.indexOf(ch.mint) <= x.ts.indexOf(ch.maxt));
        expect(s, `a series with samples at ${ch.mint} and ${ch.maxt}`).toBeDefined();
        const from = s!.ts.indexOf(ch.mint);
        const to = s!.ts.indexOf(ch.maxt) + 1;
        const ts = s!.ts.slice(from, to);
        const values = s!.values.slice(from, to);
        const ours = decodeXorChunk(ch.data);
        expect([...ours.timestamps]).toEqual(ts);
        expect(bitsOf(ours.values)).toEqual(bitsOf(values));
        expect(hex(encodeXorChunk(ts, values, { prometheus2Padding: true }))).toBe(hex(ch.data));
        // Prometheus 3's bytes: the same, less 2.x's trailing empty byte where it has one.
        const v3 = encodeXorChunk(ts, values);
        expect(hex(ch.data).startsWith(hex(v3)) && ch.data.length - v3.length <= 1).toBe(true);
        if (ch.data.length > v3.length) padded++;
        covered.set(s!.name, (covered.get(s!.name) ?? 0) + ts.length);
      }
      // Only the open head chunk of each series stays in the WAL: most samples were compared.
      for (const s of series) expect(covered.get(s.name) ?? 0, s.name).toBeGreaterThanOrEqual(n / 2);
      expect(chunks.length).toBeGreaterThanOrEqual(series.length * 2);
      // This data has chunks that 2.42 ends with its empty byte (2 of 20), so both paths of that rule were compared.
      expect(padded).toBeGreaterThan(0);
      expect(padded).toBeLessThan(chunks.length);
    } finally {
      await prom.stop();
    }
  }, 60_000);
});

interface HeadChunk {
  seriesRef: bigint;
  mint: number;
  maxt: number;
  encoding: number;
  data: Uint8Array;
}

/** A chunks_head/ segment (tsdb/docs/format/head_chunks.md): magic 0x0130BC91, version 1, 3 padding bytes, then chunks; the preallocated rest is zeros. */
function headChunks(file: Buffer): HeadChunk[] {
  expect(file.readUInt32BE(0)).toBe(0x0130bc91);
  expect(file[4]).toBe(1);
  const out: HeadChunk[] = [];
  let at = 8;
  while (at + 25 <= file.length) {
    const seriesRef = file.readBigUInt64BE(at);
    if (seriesRef === 0n) break; // series refs start at 1: this is the unwritten tail
    const mint = Number(file.readBigInt64BE(at + 8));
    const maxt = Number(file.readBigInt64BE(at + 16));
    const encoding = file[at + 24];
    at += 25;
    let len = 0;
    for (let shift = 0; ; shift += 7) {
      const b = file[at++];
      len += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) break;
    }
    out.push({ seriesRef, mint, maxt, encoding, data: Uint8Array.from(file.subarray(at, at + len)) });
    at += len + 4; // CRC32
  }
  return out;
}
