// Prometheus regexes, matched by re2js: a port of Go's regexp (RE2), so the
// syntax, the errors and the leftmost-first semantics are Go's, and matching
// is linear in the input (no backtracking: `(a+)+$` cannot run away).
// Prometheus 2.42 compiles "^(?:" + re + ")$" with Go 1.19's regexp; re2js's
// default parse flags are Go's syntax.Perl (`.` stops at "\n", ^ and $ are
// text anchors), so what is left here is what Go 1.19 does differently.
import { RE2JS, RE2JSException } from "re2js";
import { fastMatcher } from "./regex-fastpath";
import { scanRegex } from "./regex-scan";
import { GO_119_UNICODE_CLASSES } from "./regex-unicode-go119";

export class RegexSyntaxError extends Error {}

/** A match's groups by number (undefined when a group took no part), and by name. */
export interface Submatches {
  readonly length: number;
  readonly [group: number]: string | undefined;
  readonly groups?: Readonly<Record<string, string | undefined>>;
}

/** A regex wrapped in "^(?:" … ")$" as Prometheus does; both methods search, as Go's MatchString and FindStringSubmatchIndex. */
export interface AnchoredRegex {
  /** About how many instructions it holds (0 for the fast path): what caching it costs. */
  readonly size: number;
  /** True when the value matches (the whole value, unless the pattern's own ")" and "(" undo the wrapping). */
  test(value: string): boolean;
  /** The groups of the leftmost-first match, or null. */
  exec(value: string): Submatches | null;
}

/** Lone UTF-16 surrogates: the parser's stand-ins for bytes of invalid UTF-8 (see unquote). */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

interface Compiled {
  re: RE2JS;
  size: number;
  /** Group names by number, when set here rather than by re2js (duplicate names). */
  names: Array<string | undefined> | null;
}

function syntaxError(e: unknown): RegexSyntaxError {
  if (e instanceof RE2JSException) {
    const { error, input } = e as RE2JSException & { error?: string; input?: string | null };
    return new RegexSyntaxError(error ? error + (input ? `: \`${input}\`` : "") : e.message.replace(/^error parsing regexp: /, ""));
  }
  // The parser is iterative with Go's nesting limit; a stack overflow here would still be the pattern's doing.
  if (e instanceof RangeError) return new RegexSyntaxError("expression too large");
  throw e;
}

/**
 * Our cap on the compiled program, in instructions, checked before compiling.
 * Go's is 3.3 million (re2js's 1.4 million); re2js compiled "x{1000}" x 1390 (a
 * 10 KB query) in 22 s and 760 MB. 50,000 compile in about 0.5 s and 15 MB.
 */
export const MAX_PROGRAM = 50_000;

/** Go's regexp.Compile of `re`, with Go 1.19's syntax. Throws RegexSyntaxError. */
function compileGo(re: string): Compiled {
  const bad = LONE_SURROGATE.exec(re);
  if (bad) throw new RegexSyntaxError(`invalid UTF-8: \`${re.slice(bad.index).replace(new RegExp(LONE_SURROGATE, "g"), "\ufffd")}\``);
  const scan = scanRegex(re);
  // Go 1.19 knows neither "(?<name>" (Go 1.22) nor lookbehinds.
  if (scan.angle >= 0) throw new RegexSyntaxError("invalid or unsupported Perl syntax: `(?<`");
  const unknown = scan.unicodeClasses.find((c) => !GO_119_UNICODE_CLASSES.has(c.name));
  if (unknown) throw new RegexSyntaxError(`invalid character class range: \`${unknown.text}\``);
  if (scan.size > MAX_PROGRAM && !scan.repeatTooLarge) throw new RegexSyntaxError(`expression too large: about ${scan.size} instructions, the limit is ${MAX_PROGRAM}`);
  try {
    return { re: RE2JS.compile(re), names: null, size: scan.size };
  } catch (e) {
    if (!(e instanceof RE2JSException && (e as { error?: string }).error === "duplicate capture group name")) throw syntaxError(e);
  }
  // Go allows a name twice (its Expand takes the first such group that matched); re2js does not:
  // compile the named groups as plain ones and keep the names here.
  let plain = "", from = 0;
  for (const g of scan.named) {
    plain += re.slice(from, g.at) + "(";
    from = g.at + g.len;
  }
  try {
    return { re: RE2JS.compile(plain + re.slice(from)), names: scan.captures, size: scan.size };
  } catch (e) {
    throw syntaxError(e);
  }
}

function anchored({ re, names, size }: Compiled): AnchoredRegex {
  return {
    size,
    test: (value) => re.test(value),
    exec: (value) => {
      // The DFA answers "no match" cheaply; only a match pays for the capture-tracking engine.
      // A search, as Go's FindStringSubmatchIndex: "a)|(b" makes "^(?:a)|(b)$", which matches "axb".
      if (!re.test(value)) return null;
      const m = re.matcher(value);
      if (!m.find()) return null;
      const out: Array<string | undefined> & { groups?: Record<string, string | undefined> } = [];
      for (let g = 0; g <= m.groupCount(); g++) out.push(m.group(g) ?? undefined);
      const groups: Record<string, string | undefined> = Object.create(null);
      if (names) names.forEach((name, g) => name !== undefined && groups[name] === undefined && (groups[name] = out[g]));
      else for (const [name, g] of Object.entries(re.namedGroups())) groups[name] = out[g];
      out.groups = groups;
      return out;
    },
  };
}

/** As label_replace compiles its regex in Prometheus: regexp.Compile("^(?:" + pattern + ")$"). */
export function compileAnchored(pattern: string): AnchoredRegex {
  return anchored(compileGo("^(?:" + pattern + ")$"));
}

/** As a =~ or !~ matcher value is compiled: anchored, and the value must also parse on its own ("a)|(b" must not). */
export function compileMatcherPattern(pattern: string): AnchoredRegex {
  const fast = fastMatcher(pattern);
  if (fast) {
    let full: AnchoredRegex | undefined;
    return { size: 0, test: fast, exec: (value) => (full ??= compileAnchored(pattern)).exec(value) };
  }
  const re = compileGo("^(?:" + pattern + ")$");
  // Only a ")" closing the wrapper's "(?:" lets the pattern parse wrapped but not alone: Go's error is then the alone one.
  if (scanRegex(pattern).unbalanced) compileGo(pattern);
  return anchored(re);
}
