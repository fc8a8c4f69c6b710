// Regex corpus for the RE2 differential test: label values that tell dialects
// apart (newline, astral characters, case-folding oddities, a long "aaa…!") and
// patterns covering Go's syntax, its errors and its limits.

/** Values of the label `v` of the metric `rx`, one series each. */
export const VALUES: readonly string[] = [
  "", "a", "A", "aa", "aaa", "ab", "abc", "ABC", "aBc", "a.b", "axb", "a\nb", "\n", "a\n", "\r", "\t", " ", "\u00a0", "\u2028",
  "k", "K", "\u212a", "s", "S", "\u017f", "\u00df", "\u1e9e", "i", "I", "\u0130", "\u0131", "\u00e5", "\u00c5", "\u212b", "\u01c4", "\u01c5", "\u01c6",
  "\u00e9", "\u00c9", "e\u0301", "\u00ff", "\u03b1", "\u03a9", "\u03c9", "\u2126", "\u65e5\u672c", "\u{1f600}", "\u{1f600}\u{1f600}", "a\u{1f600}b", "\u{1d400}", "\u{10ffff}", "\ufffd",
  "1234", "12", "\u0663", "_", "-", "]", "[", "{", "a{", "a{1}", "\\", "$", "^", "abc)$", "abc)$x", "a)$", "b", "xb", "x".repeat(50),
  "host-1:9100", "host-12:9100", "llama-3-70b", "Llama-3", "mistral-7b", "api", "web", "GET", "get", "cpu0", "gpu1",
  "a".repeat(2047) + "!", "a".repeat(2048),
];

/** Regexes as Go source text (escaped into a PromQL string literal by the test). */
export const PATTERNS: readonly string[] = [
  // Literals, anchoring, alternation.
  "", "a", "abc", "a|b", "abc|a", "a|", "|a", "foo|bar", "a.b", "a\\.b", "^a$", "a^", "$a", "^", "$", "^$", "\\Aa\\z", "a\\z", "\\Aabc", "(a)", "()", "(|a)",
  // Dot and newlines, DOTALL, multiline.
  ".", "..", ".*", ".+", ".?", "a.*", ".*b", "(?s).", "(?s).*", "(?s:.)b", "a(?s).b", "(?m)^a$", "(?m)a$", "(?m)^$", "(?m)^b", "\\n", "a\\nb", "(?s)a.b", "[^a]", "[^a]*", "\\C",
  // Repetition.
  "a*", "a+", "a?", "a{2}", "a{2,}", "a{,2}", "a{2,3}", "a{0}", "x{1000}", "x{1001}", "a{2,1}", "a**", "a*?", "a+?", "(?U)a+", "(?U)a+?", "(?U)(a+)(a*)", "a{", "a{1", "a{1,", "a{x}", "{", "*", "a|*", "(*)", "a{1000}{2}",
  "(a{1000}){1000}", "((a{100}){100}){100}", "(a{2}){1000}", "(?:a{1000}){2}", "x{1000}y{1000}z{1000}",
  // Case folding.
  "(?i)a", "(?i)abc", "(?i)k", "(?i)K", "(?i)s", "(?i)\u00df", "(?i)\u1e9e", "(?i)i", "(?i)\u0131", "(?i)\u00e5", "(?i)\u212b", "(?i)\u01c5", "(?i)\u03c9", "(?i)\u2126", "(?i)[a-z]+", "(?i)[k]", "(?i)[^k]",
  "x(?i:AB)c", "(?i)a(?-i)b", "(?i-s:a.)", "(?i)llama.*", "(?i)API", "(?i)get|post", "(?i)\u00e9",
  // Classes.
  "[abc]", "[a-c]+", "[]a]", "[^]a]", "[]", "[^]", "[a", "[z-a]", "[a-\\d]", "[\\-a]", "[a-]", "[-a]", "[[]", "[\\]]", "[\\\\]", "[.]", "[\\n]", "[^\\n]",
  "[[:alpha:]]+", "[[:^alpha:]]", "[^[:alpha:]]", "[[:digit:][:upper:]]+", "[[:word:]]+", "[[:space:]]", "[[:foo:]]", "[[:alpha:]", "[:alpha:]", "[[:ALPHA:]]", "[[:punct:]]",
  "\\d+", "\\D", "\\w+", "\\W", "\\s", "\\S", "[\\s]", "[\\S]", "[^\\S]", "[\\d\\s]", "\\b", "a\\b", "\\Ba", "\\pL", "\\pL+", "\\PL", "\\p{L}", "\\p{Lu}", "\\p{Greek}", "\\p{^Greek}", "\\P{Greek}",
  "\\p{Han}+", "\\pN", "\\p{Nd}", "\\pX", "\\p{Foo}", "\\p{Any}", "\\P{Any}", "[\\p{Lu}]", "[^\\pL]", "\\p{Cs}", "\\p{Co}", "[\\p{Any}]", "\\p{So}",
  // Names re2js knows from a newer Go, unknown to Go 1.19 (Prometheus 2.42), and some it knows.
  "\\p{Cn}", "\\p{Kawi}", "\\p{Emoji}", "\\p{White_Space}", "\\p{Assigned}", "\\p{Lc}", "\\p{LC}", "\\p{Ascii}", "[\\p{Emoji}a]", "\\P{^Kawi}", "\\pA",
  "\\p{Latin}+", "\\p{Common}", "\\p{Zs}", "[^\\p{Cyrillic}]", "\\p{^Lu}", "\\PN",
  // Escapes.
  "\\x41", "\\x{42}", "\\x{1f600}", "\\x{10ffff}", "\\x{110000}", "\\x4", "\\xg", "\\x{}", "\\0", "\\01", "\\141", "\\8", "\\1", "(a)\\1", "\\a", "\\f", "\\t", "\\v", "\\r", "\\e", "\\_", "\\-",
  "\\.", "\\\\", "\\$", "\\^", "\\{", "\\]", "\\[", "\\Z", "\\G", "\\K", "\\N", "\\y", "\\", "a\\", "\\Qa.b\\E", "\\Qa.b", "\\Qabc", "\\Qa)$", "\\Q\\E", "\\Qa\\E+", "\\Q\\", "[\\Q]\\E]",
  // Groups and flags.
  "(?P<n>a)", "(?P<n>a)(?P<n>b)", "(?P<>a)", "(?P<1a>x)", "(?P<a-b>x)", "(?P<\u00e9>x)", "(?<n>a)", "(?'n'a)", "(?=a)", "(?!a)", "(?<=a)", "(?<!a)", "(?>a)", "(?#c)", "(?x)a", "(?)", "(?-)", "(?i",
  "(?i:", "(?:a", "(a", "a)", ")", "a)|(b", "(a))((b", "(?:)", "(?s-i:a)", "(?im)a", "(?i)(?s)(?m)(?U)a", "(?q)a",
  // Unicode: astral characters are one character, as one rune in Go.
  "\u{1f600}", ".\u{1f600}", "\u{1f600}+", "[\u{1f600}]", "[^\u{1f600}]", "a.b", "a..b", "[\u{1f600}-\u{1f64f}]", "\u65e5.", "..", "\u{1d400}", "\\pL", "e\u0301", "\u00e9",
  // Typical dashboard matchers.
  "llama.*", "llama.*|mistral.*", "api|web", "host-[0-2]:9100", "host-\\d+:\\d{4}", "5..", "G.*", "(.*):.*", "cpu\\d", "(?:gpu|cpu)[01]", ".*-3.*", "[cg]pu[[:digit:]]",
  // Grafana's multi-value and escaped forms (the engine's fast path).
  "(api|web)", "(?:api|web)", "(host-1:9100|host-12:9100)", "(a\\.b|x)", "a\\|b", "(.*)", "(.+)", "(?:.*-3.*)", "a\\.*", "(|a)", "(a|.+)", "(\\$|\\^)", "\\{", "a\\{1\\}",
  // Patterns that run away in a backtracking engine.
  "(a+)+$", "(a|a)*!", "(.*)*!", "(.*a){20}", "(" + "a*".repeat(300) + ")!", "a.*".repeat(30) + "!", "(a|aa)+", "(a*)*b", "(x+x+)+y",
  // Nesting: Go allows 1000 levels in "^(?:" + re + ")$".
  "(".repeat(997) + "a" + ")".repeat(997), "(".repeat(998) + "a" + ")".repeat(998), "(".repeat(999) + "a" + ")".repeat(999), "(".repeat(5000) + "a" + ")".repeat(5000),
  "(?:".repeat(999) + "a" + ")".repeat(999), "(?:".repeat(1000) + "a" + ")".repeat(1000), "a|".repeat(3000) + "a", "(?:a*)".repeat(500), "[a]".repeat(2000),
];

/** Matcher values written as PromQL string literals, for escapes the PromQL string itself decodes (bytes of UTF-8). */
export const LITERALS: readonly string[] = [
  '"\\xff"', '"\\xc3\\xa9"', '"\\303\\251"', '"\\xe2\\x84\\xaa"', '"\\xf0\\x9f\\x98\\x80"', '"\\xc3"', '"a\\xc3"', '"\\xc3\\x28"', '"\\xed\\xa0\\x80"', '"\\xc0\\xaf"', '"\\x41\\xff"',
  '"\\u00e9"', '"\\U0001f600"', '"\\x61+"', '`\\xff`', '`\\x{1f600}`', "'(?i)\\xc3\\xa9'",
];

/** label_replace templates: numbered, braced, named, malformed and Go's longest-name rule ($1x is group "1x"). */
export const TEMPLATES: readonly string[] = ["[$0][$1][${2}][$n]", "$1x|${1}x|$$1|$|${|${1|$01|$10|$x", "${n}-$n_-$\u00e9"];
