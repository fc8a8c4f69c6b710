// Prometheus regexes, matched by re2js: a port of Go's regexp (RE2), so the
// syntax, the errors and the leftmost-first semantics are Go's, and matching
// is linear in the input (no backtracking: `(a+)+$` cannot run away).
// Prometheus 2.42 compiles "^(?:" + re + ")$" with Go 1.19's regexp; re2js's
// default parse flags are Go's syntax.Perl (`.` stops at "\n", ^ and $ are
// text anchors), so what is left here is what Go 1.19 does differently.
import { RE2JS, RE2JSException } from "re2js";
import { fastMatcher } from "./regex-fastpath";

export class RegexSyntaxError extends Error {}

/** A match's groups by number (undefined when a group took no part), and by name. */
export interface Submatches {
  readonly length: number;
  readonly [group: number]: string | undefined;
  readonly groups?: Readonly<Record<string, string | undefined>>;
}

/** A regex wrapped in "^(?:" … ")$" as Prometheus does; both methods search, as Go's MatchString and FindStringSubmatchIndex. */
export interface AnchoredRegex {
  /** True when the value matches (the whole value, unless the pattern's own ")" and "(" undo the wrapping). */
  test(value: string): boolean;
  /** The groups of the leftmost-first match, or null. */
  exec(value: string): Submatches | null;
}

/** Lone UTF-16 surrogates: the parser's stand-ins for bytes of invalid UTF-8 (see unquote). */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

interface GroupScan {
  /** Where a group opens with "(?<" (Go 1.19 knows neither "(?<name>" nor lookbehinds); -1 when none. */
  angle: number;
  /** Each "(?P<name>" opening: its offset, its length and the name. */
  named: Array<{ at: number; len: number; name: string }>;
  /** The name of each capturing group in order (index 0: the whole match). */
  captures: Array<string | undefined>;
}

const NAMED_GROUP = /\(\?P<([A-Za-z0-9_]+)>/y; // Go 1.19: ASCII letters, digits, "_"

/** Finds group openings outside escapes, \Q…\E and character classes. */
function scanGroups(p: string): GroupScan {
  const out: GroupScan = { angle: -1, named: [], captures: [undefined] };
  let i = 0;
  while (i < p.length) {
    const c = p[i];
    if (c === "\\") {
      if (p[i + 1] !== "Q") i += 2;
      else {
        const end = p.indexOf("\\E", i + 2);
        if (end < 0) break;
        i = end + 2;
      }
    } else if (c === "[") {
      // A class ends at the first "]" that is not its first character; "[:name:]" and escapes are skipped whole.
      i++;
      if (p[i] === "^") i++;
      if (p[i] === "]") i++;
      while (i < p.length && p[i] !== "]") {
        const posix = p.startsWith("[:", i) ? p.indexOf(":]", i + 2) : -1;
        i = p[i] === "\\" ? i + 2 : posix >= 0 ? posix + 2 : i + 1;
      }
      i++;
    } else if (p.startsWith("(?<", i)) {
      if (out.angle < 0) out.angle = i;
      i += 3;
    } else if (p.startsWith("(?P<", i)) {
      NAMED_GROUP.lastIndex = i;
      const m = NAMED_GROUP.exec(p);
      if (m) out.named.push({ at: i, len: m[0].length, name: m[1] });
      out.captures.push(m?.[1]);
      i += m ? m[0].length : 4;
    } else {
      if (c === "(" && p[i + 1] !== "?") out.captures.push(undefined);
      i++;
    }
  }
  return out;
}

interface Compiled {
  re: RE2JS;
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

/** Go's regexp.Compile of `re`, with Go 1.19's syntax. Throws RegexSyntaxError. */
function compileGo(re: string): Compiled {
  const bad = LONE_SURROGATE.exec(re);
  if (bad) throw new RegexSyntaxError(`invalid UTF-8: \`${re.slice(bad.index).replace(new RegExp(LONE_SURROGATE, "g"), "\ufffd")}\``);
  const scan = scanGroups(re);
  if (scan.angle >= 0) throw new RegexSyntaxError("invalid or unsupported Perl syntax: `(?<`");
  try {
    return { re: RE2JS.compile(re), names: null };
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
    return { re: RE2JS.compile(plain + re.slice(from)), names: scan.captures };
  } catch (e) {
    throw syntaxError(e);
  }
}

function anchored({ re, names }: Compiled): AnchoredRegex {
  return {
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
    return { test: fast, exec: (value) => (full ??= compileAnchored(pattern)).exec(value) };
  }
  const re = compileGo("^(?:" + pattern + ")$");
  compileGo(pattern);
  return anchored(re);
}
