import { describe, expect, it } from "vitest";
import { formatValue } from "../../../workers/query/promql/index";
import { formatFixed } from "../../../workers/query/promql/format";

// Prometheus 2.42's jsonutil.MarshalFloat: 'f' form, 'e' form outside [1e-6, 1e21).
describe("formatValue spells floats as Prometheus's JSON does", () => {
  it.each([
    [0, "0"], [-0, "-0"], [1, "1"], [-2.5, "-2.5"], [0.1, "0.1"], [1 / 3, "0.3333333333333333"], [NaN, "NaN"], [Infinity, "+Inf"], [-Infinity, "-Inf"],
    [1e-6, "0.000001"], [-1.25e-5, "-0.0000125"], [123456789012345680000, "123456789012345680000"], [999999999999999900000, "999999999999999900000"],
    [1e21, "1e+21"], [1.5e22, "1.5e+22"], [1e-7, "1e-07"], [-1.25e-9, "-1.25e-09"],
    [5e-324, "5e-324"], [1.7976931348623157e308, "1.7976931348623157e+308"], [-2.2250738585072014e-308, "-2.2250738585072014e-308"],
  ])("%s -> %s", (v, want) => {
    expect(formatValue(v)).toBe(want);
  });
});

describe("formatFixed spells count_values labels as Go's FormatFloat(v, 'f', -1, 64)", () => {
  it.each([
    [1e21, "1000000000000000000000"], [1e-7, "0.0000001"], [5e-324, "0." + "0".repeat(323) + "5"], [-0, "-0"], [Infinity, "+Inf"], [NaN, "NaN"], [0.1, "0.1"],
  ])("%s -> %s", (v, want) => {
    expect(formatFixed(v)).toBe(want);
  });
});
