// Samples as Postgres returns them (two bytea columns, rows in scan order):
// sorted by time here, with every value's bits kept, staleness marker included.
import { describe, expect, it } from "vitest";
import { decodeSamples } from "../../../shared/storage/postgres/read";
import { isStaleNaN, STALE_NAN } from "../../../shared/staleness";

function columns(rows: [number, number][]): [Uint8Array, Uint8Array] {
  const ts = new DataView(new ArrayBuffer(8 * rows.length));
  const vs = new DataView(new ArrayBuffer(8 * rows.length));
  rows.forEach(([t, v], i) => {
    ts.setBigInt64(8 * i, BigInt(t));
    vs.setFloat64(8 * i, v);
  });
  return [new Uint8Array(ts.buffer), new Uint8Array(vs.buffer)];
}

describe("decodeSamples", () => {
  it("returns rows in time order, moving values with their timestamps", () => {
    const [t, v] = columns([[1_795_000_060_000, 4], [1_795_000_030_000, STALE_NAN], [1_795_000_000_000, -0.5], [-1_000, Infinity]]);
    const out = decodeSamples(t, v);
    expect([...out.timestamps]).toEqual([-1_000, 1_795_000_000_000, 1_795_000_030_000, 1_795_000_060_000]);
    expect(out.values[0]).toBe(Infinity);
    expect(out.values[1]).toBe(-0.5);
    expect(isStaleNaN(out.values[2])).toBe(true);
    expect(out.values[3]).toBe(4);
  });

  it("keeps sorted input as it is", () => {
    const [t, v] = columns([[1, 1], [2, NaN], [3, 3]]);
    const out = decodeSamples(t, v);
    expect([...out.timestamps]).toEqual([1, 2, 3]);
    expect(Number.isNaN(out.values[1]) && !isStaleNaN(out.values[1])).toBe(true);
  });

  it("counts a quieted staleness marker as stale (workerd's V8 sets the quiet bit)", () => {
    const b = new DataView(new ArrayBuffer(8));
    b.setUint32(0, 0x7ff80000);
    b.setUint32(4, 0x00000002);
    expect(isStaleNaN(b.getFloat64(0))).toBe(true);
    expect(isStaleNaN(NaN)).toBe(false);
  });
});
