import { describe, expect, it } from "vitest";
import { goParseFloat, unquote } from "../../../workers/query/promql/literals";

describe("PromQL string literals: \\x and octal escapes are bytes of UTF-8, as in Go", () => {
  it.each([
    ['"\\xc3\\xa9"', "\u00e9"], ['"\\303\\251"', "\u00e9"], ['"\\xe2\\x84\\xaa"', "\u212a"], ['"\\xf0\\x9f\\x98\\x80"', "\u{1f600}"], ['"\\x41\\x42"', "AB"],
    ['"a\\xc3\\xa9b"', "a\u00e9b"], ['"\\xc3\\n"', "\udcc3\n"],
    // Bytes that are not UTF-8 become lone surrogates U+DC80-U+DCFF: equal to no stored value, refused by the regex compiler.
    ['"\\xff"', "\udcff"], ['"a\\xc3"', "a\udcc3"], ['"\\xc3\\x28"', "\udcc3("], ['"\\xed\\xa0\\x80"', "\udced\udca0\udc80"], ['"\\xc0\\xaf"', "\udcc0\udcaf"],
  ])("%s", (lit, want) => {
    expect(unquote(lit)).toBe(want);
  });

  it("leaves \\u escapes and raw strings alone", () => {
    expect(unquote('"\\u00e9\\U0001f600"')).toBe("\u00e9\u{1f600}");
    expect(unquote("`\\xff`")).toBe("\\xff");
  });
});

describe("goParseFloat (query parameters and histogram le bounds, as Go's strconv.ParseFloat)", () => {
  it.each([
    ["1.5", 1.5], ["-2e3", -2000], ["1_000", 1000], [".5", 0.5], ["0x1p4", 16], ["0x.8p1", 1], ["+Inf", Infinity], ["-infinity", -Infinity],
  ])("%s is %d", (s, v) => expect(goParseFloat(s)).toBe(v));
  it.each(["0x10", "1e400", "", "1__0", "_1", "abc", "1e"])("%j is refused (a bucket with it is skipped)", (s) => expect(goParseFloat(s)).toBeNull());
  it("NaN in any case", () => expect(goParseFloat("nAn")).toBeNaN());
});
