import { describe, expect, it } from "vitest";
import { formatValue } from "../../../workers/query/promql/index";

describe("formatValue spells floats like Go's FormatFloat(v, 'f', -1, 64)", () => {
  it.each([
    [0, "0"], [-0, "-0"], [1, "1"], [-2.5, "-2.5"], [0.1, "0.1"], [1 / 3, "0.3333333333333333"], [NaN, "NaN"], [Infinity, "+Inf"], [-Infinity, "-Inf"],
    [1e21, "1000000000000000000000"], [1.5e22, "15000000000000000000000"], [1e-7, "0.0000001"], [-1.25e-9, "-0.00000000125"],
    [123456789012345680000, "123456789012345680000"], [5e-324, "0." + "0".repeat(323) + "5"], [1.7976931348623157e308, "17976931348623157" + "0".repeat(292)],
  ])("%s -> %s", (v, want) => {
    expect(formatValue(v)).toBe(want);
  });
});
