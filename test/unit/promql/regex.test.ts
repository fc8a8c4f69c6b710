import { describe, expect, it } from "vitest";
import { compileAnchored, compileMatcherPattern, MAX_PROGRAM, RegexSyntaxError } from "../../../workers/query/promql/regex";
import { fastMatcher } from "../../../workers/query/promql/regex-fastpath";
import { expandTemplate } from "../../../workers/query/promql/functions-labels";
import { instantQuery } from "../../../workers/query/promql/index";
import { series, store, T0 } from "./helpers";

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

describe("RE2 as Go 1.19 has it (Prometheus 2.42)", () => {
  it("treats an astral-plane character as one character, as one rune in Go", () => {
    expect(compileAnchored(".").test("\u{1f600}")).toBe(true);
    expect(compileAnchored("..").test("\u{1f600}")).toBe(false);
    expect(compileAnchored("a.b").test("a\u{1f600}b")).toBe(true);
    expect(compileAnchored("[^a]").test("\u{1d400}")).toBe(true);
    expect(compileAnchored("\\x{1f600}+").test("\u{1f600}\u{1f600}")).toBe(true);
    expect(compileAnchored("\\pL").test("\u{1d400}")).toBe(true);
  });

  it("folds case as Go does: (?i)k matches the Kelvin sign, (?i)s the long s", () => {
    expect(compileAnchored("(?i)k").test("\u212a")).toBe(true);
    expect(compileAnchored("(?i)s").test("\u017f")).toBe(true);
    expect(compileAnchored("(?i)\u00df").test("\u1e9e")).toBe(true);
    expect(compileAnchored("(?i)i").test("\u0130")).toBe(false);
  });

  it("refuses what Go 1.19 refuses, with Go's words", () => {
    const msg = (p: string, compile = compileAnchored) => {
      try {
        compile(p);
      } catch (e) {
        expect(e).toBeInstanceOf(RegexSyntaxError);
        return (e as Error).message;
      }
      return "compiled";
    };
    expect(msg("(a{1000}){1000}")).toBe("invalid repeat count: `{1000}`");
    expect(msg("(?<n>a)")).toBe("invalid or unsupported Perl syntax: `(?<`");
    expect(msg("(?<=a)")).toBe("invalid or unsupported Perl syntax: `(?<`");
    // Unicode names from after Go 1.19 (re2js follows a newer Go), also inside a class.
    expect(msg("\\p{Emoji}")).toBe("invalid character class range: `\\p{Emoji}`");
    expect(msg("[a\\P{^Kawi}]")).toBe("invalid character class range: `\\P{^Kawi}`");
    expect(msg("\\p{Greek}\\pL\\Q\\p{Emoji}\\E")).toBe("compiled");
    expect(msg("a\\")).toBe("missing closing ): `^(?:a\\)$`");
    expect(msg("\\Qabc")).toBe("missing closing ): `^(?:\\Qabc)$`"); // \Q quotes the wrapping's ")$" too
    expect(msg("(".repeat(5000) + "a" + ")".repeat(5000))).toBe("expression nests too deeply");
    expect(msg("(".repeat(998) + "a" + ")".repeat(998))).toBe("compiled");
    expect(msg("(".repeat(999) + "a" + ")".repeat(999))).toBe("expression nests too deeply");
    // The parser's stand-in for the byte of "\xff" (see unquote): invalid UTF-8, as Go says.
    expect(msg("\udcff")).toBe("invalid UTF-8: `\ufffd)$`");
    // "(?<" inside a class or \Q…\E is a literal.
    expect(msg("[(?<]\\Q(?<\\E")).toBe("compiled");
    // A matcher value must also parse alone; label_replace only checks "^(?:" + re + ")$".
    expect(msg("a)|(b", compileMatcherPattern)).toBe("unexpected ): `a)|(b`");
    expect(msg("a)|(b")).toBe("compiled");
    expect(msg("(?i)a)|(b", compileMatcherPattern)).toBe("unexpected ): `(?i)a)|(b`");
    expect(msg("[)](a)", compileMatcherPattern)).toBe("compiled");
  });

  it(`refuses programs over ${MAX_PROGRAM} instructions up front, in milliseconds (re2js would take seconds and hundreds of MB)`, () => {
    const started = performance.now();
    expect(() => compileMatcherPattern("x{1000}".repeat(60))).toThrow(/^expression too large: about 60\d{3} instructions/);
    expect(() => compileAnchored("(?:a*){20}".repeat(3000))).toThrow(/^expression too large/);
    // Compiling them would take seconds (22 s for a 10 KB one); a loaded CI machine still answers in milliseconds.
    expect(performance.now() - started).toBeLessThan(1000);
    // Nested counts over 1000 stay Go's error, whatever their size.
    expect(() => compileMatcherPattern("((a{1000}){1000}){1000}")).toThrow(/^invalid repeat count/);
    expect(compileMatcherPattern("x{1000}".repeat(20)).test("x".repeat(20_000))).toBe(true);
  });

  it("searches like Go's MatchString and FindStringSubmatchIndex when the pattern undoes the wrapping", () => {
    expect(compileAnchored("a)|(b").exec("axb")?.[0]).toBe("a");
    expect(compileAnchored("a)|(b").test("xxb")).toBe(true);
    expect(compileAnchored("a)|(b").test("xbx")).toBe(false);
  });

  it("keeps duplicate group names (Go allows them): a name is the first such group that matched", () => {
    const re = compileAnchored("(?P<n>a)|(?P<n>b)");
    expect(expandTemplate("$n/${n}/$1/$2", re.exec("b")!)).toBe("b/b//b");
    expect(expandTemplate("$n/$1/$2", re.exec("a")!)).toBe("a/a/");
  });
});

describe("label_replace templates: Go's Regexp.Expand", () => {
  const m = compileAnchored("(?P<first>a)(b)?(?P<1x>c)?").exec("ac")!;
  it.each([
    ["$1", "a"], ["${1}", "a"], ["$first", "a"], ["${first}", "a"], ["$2", ""], ["$1x", "c"], ["${1}x", "ax"], ["$$1", "$1"], ["$", "$"], ["${", "${"],
    ["${1", "${1"], ["$01", ""], ["$0", "ac"], ["$9", ""], ["$first_", ""], ["$first-", "a-"], ["$\u00e9", ""], ["x$", "x$"], ["$ $", "$ $"], ["${first}${3}", "ac"],
  ])("%s -> %j", (t, want) => {
    expect(expandTemplate(t, m)).toBe(want);
  });
});

// Each froze the whole stack with the translated backtracking RegExp (reliability probe, D1).
const RUNAWAY = ["(a+)+$", "(a|a)*!", "(.*)*!", "(.*a){20}", "(" + "a*".repeat(300) + ")!", "a.*".repeat(30) + "!"];

describe("linear time: runaway patterns against a 2,048-character value", () => {
  const long = "a".repeat(2047) + "!";
  const db = store(series({ __name__: "redos", v: long }, [1]), series({ __name__: "redos", v: "b" }, [2]));
  const timed = async <T>(f: () => Promise<T> | T): Promise<[T, number]> => {
    const started = performance.now();
    const r = await f();
    return [r, performance.now() - started];
  };
  const count = (r: Awaited<ReturnType<typeof instantQuery>>) => (r.result as Array<{ v: number }>).map((s) => s.v);

  it.each(RUNAWAY.map((p) => [p.length > 30 ? p.slice(0, 30) + "…" : p, p]))("%s: =~ and !~ in well under a second (the old backtracking never ended)", async (_, p) => {
    const [eq, tEq] = await timed(() => instantQuery(db, `count(redos{v=~${JSON.stringify(p)}})`, T0));
    const [ne, tNe] = await timed(() => instantQuery(db, `count(redos{v!~${JSON.stringify(p)}})`, T0));
    expect(count(eq).concat(count(ne)).reduce((a, b) => a + b, 0)).toBe(2);
    expect(Math.max(tEq, tNe)).toBeLessThan(1000);
  });

  it.each(RUNAWAY.map((p) => [p.length > 30 ? p.slice(0, 30) + "…" : p, p]))("%s: label_replace with groups, linear", async (_, p) => {
    const [r, ms] = await timed(() => instantQuery(db, `label_replace(redos, "x", "$1", "v", ${JSON.stringify(p)})`, T0));
    expect((r.result as unknown[]).length).toBe(2);
    // Go takes ~150 ms for the 300-star pattern here (it tracks 600 NFA states per character too).
    expect(ms).toBeLessThan(p.length > 300 ? 3000 : 1000);
  });

  it('"\\xff" (a byte of invalid UTF-8) equals no value, as in Go; as a regex it is refused', async () => {
    expect(count(await instantQuery(db, 'count(redos{v="\\xff"})', T0))).toEqual([]);
    expect(count(await instantQuery(db, 'count(redos{v!="\\xff"})', T0))).toEqual([2]);
    await expect(instantQuery(db, 'redos{v=~"\\xff"}', T0)).rejects.toThrow("error parsing regexp: invalid UTF-8: `\ufffd)$`");
    expect(count(await instantQuery(db, 'count(redos{v=~"\\\\xff"})', T0))).toEqual([]); // the regex \xff is U+00FF
  });

  it("4 times the input takes about 4 times as long, not 16 (or 2^n) times", () => {
    const re = compileMatcherPattern("(a|a)*!");
    const per = (n: number) => {
      const v = "a".repeat(n) + "!";
      re.test(v);
      const started = performance.now();
      for (let i = 0; i < 20; i++) re.test(v.slice(0, -1) + (i % 2 ? "!" : "?"));
      return performance.now() - started;
    };
    per(20_000);
    expect(per(80_000)).toBeLessThan(per(20_000) * 12 + 20);
  });
});

describe("the fast path for literal shapes equals re2js", () => {
  it("on 3,000 seeded random patterns x 40 values", () => {
    let seed = 11;
    const pick = <T>(xs: readonly T[]) => xs[(seed = (seed * 1103515245 + 12345) % 2 ** 31) % xs.length];
    const pieces = [".*", ".+", "a", "b", "ab", "-", "\n", "\u00e9", "|", "|", ".", "*", "x", ":", " ", "\\.", "(?i)", "\\|", "\\\\", "\\d", "\\"];
    const chars = ["a", "b", "-", "\n", "\u00e9", "x", ":", " ", "A", ".", "*", "|", "\\", "1"];
    const vals = Array.from({ length: 40 }, (_, i) => Array.from({ length: i % 7 }, () => pick(chars)).join(""));
    let fastOnes = 0;
    for (let n = 0; n < 3000; n++) {
      const body = Array.from({ length: 1 + (n % 5) }, () => pick(pieces)).join("");
      const p = n % 3 === 0 ? `(${body})` : n % 3 === 1 ? `(?:${body})` : body;
      const fast = fastMatcher(p);
      let re: ReturnType<typeof compileAnchored>;
      try {
        re = compileAnchored(p);
      } catch {
        expect(fast, p).toBeNull();
        continue;
      }
      if (!fast) continue;
      fastOnes++;
      for (const v of vals) expect(fast(v), `${JSON.stringify(p)} on ${JSON.stringify(v)}`).toBe(re.test(v));
    }
    expect(fastOnes).toBeGreaterThan(500);
  });

  it.each(["llama.*", "a|b|c", ".*", ".+", "", "a|", ".*-3.*", "llama.*|mistral.*|x", "(a|b)", "(?:host-1\\.example\\.com|x)", "a\\|b"])("takes %j", (p) => expect(fastMatcher(p)).not.toBeNull());
  it.each(["(?i)a", "a.b", "a+", "[a]", "\u{1f600}", "\udcff", ".*\n", "(a)|(b)", "(?i:a)", "\\d", "\\Qa\\E", "a\\.*"])("leaves %j to re2js", (p) => expect(fastMatcher(p)).toBeNull());
});
