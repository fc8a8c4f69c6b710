import { describe, expect, it } from "vitest";
import { compileAnchored, RegexSyntaxError } from "../../../workers/query/promql/regex";

describe("RE2 regexes, fully anchored", () => {
  it.each([
    ["a.*", "abc", true], ["a.*", "xabc", false], ["b", "abc", false], ["(?i)abc", "ABC", true], ["x(?i:AB)c", "xabc", true], ["x(?i:AB)c", "xabC", false],
    ["foo|bar", "foobar", false], ["[[:alpha:]]+", "abC", true], ["\\d{2,3}", "1234", false], ["a{", "a{", true], ["\\.", ".", true], ["host-[0-2]", "host-1", true],
    ["(?P<x>a)b", "ab", true], ["[]a]", "]", true], ["\\s", "\u00a0", false], [".", "\n", false], ["(?s).", "\n", true], ["\\x41\\x{42}", "AB", true],
    ["\\_", "_", true], ["", "", true], ["a|", "", true], ["\\pL+", "été", true], ["\\p{Greek}", "α", true], ["\\Qa.b\\E", "a.b", true], ["\\Qa.b\\E", "axb", false],
    ["(?U)a+", "aaa", true], ["^a$", "a", true], ["\\Aa\\z", "a", true], ["[^a-c]", "d", true], ["[\\-a]", "-", true],
  ])("%s vs %j -> %s", (p, s, want) => {
    expect(compileAnchored(p).test(s)).toBe(want);
  });

  it.each(["(?=a)", "(?!a)", "(?<=a)", "\\1", "a**", "(a", "a)", "[a", "\\8", "(?<n>a)", "a{2,1}", "x{1001}", "\\C"])("rejects %s", (p) => {
    expect(() => compileAnchored(p)).toThrow(RegexSyntaxError);
  });
});
