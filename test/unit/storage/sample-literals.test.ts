// The metrics write's array literals, built a series at a time: every float
// class printed as Postgres float8 reads it (staleness markers as NULL, other
// NaNs as NaN), ids repeated per sample, and spans merged per series id.
import { describe, expect, it } from "vitest";
import { STALE_NAN } from "../../../shared/staleness";
import { SampleLiterals } from "../../../shared/storage/postgres/sample-literals";

describe("sample literals", () => {
  it("prints ids, times and every value class, and merges spans per series", () => {
    const r = new SampleLiterals();
    r.add(7, Float64Array.from([1_795_000_015_000, 1_795_000_000_000, 1_795_000_030_000]), Float64Array.from([1.5, -0, 1e-300]));
    r.add(3, Float64Array.from([5]), Float64Array.from([NaN]));
    r.add(7, Float64Array.from([1_794_999_985_000, 1_795_000_045_000]), Float64Array.from([STALE_NAN, Infinity]));
    r.add(3, new Float64Array(0), new Float64Array(0));
    r.add(9, Float64Array.from([1, 2]), Float64Array.from([-Infinity, 2 ** 53 + 2]));
    expect(r.rows).toBe(8);
    expect(r.literals()).toEqual({
      ids: "{7,7,7,3,7,7,9,9}",
      ts: "{1795000015000,1795000000000,1795000030000,5,1794999985000,1795000045000,1,2}",
      vals: "{1.5,0,1e-300,NaN,NULL,Infinity,-Infinity,9007199254740994}",
    });
    expect(r.spans()).toEqual([
      { id: 3, lo: 5, hi: 5 },
      { id: 7, lo: 1_794_999_985_000, hi: 1_795_000_045_000 },
      { id: 9, lo: 1, hi: 2 },
    ]);
  });
});
