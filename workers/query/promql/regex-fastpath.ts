// Exact string tests for the commonest matcher shapes, as Prometheus's
// FastRegexMatcher has: literals and alternations of literals ("api|web"), and
// a literal with ".*" on either side ("llama.*", ".*-3.*", ".*"), and ".+".
// Every series is re-checked against its matchers, and re2js costs 5-18 times
// V8's RegExp there (npx tsx scripts/bench-regex.ts); these shapes need
// neither. RE2's "." matches anything but "\n", hence the newline checks.

// Go's regexp.QuoteMeta escapes exactly these: an alternative without them is a literal.
const META = /[\\.+*?()|[\]{}^$]/;

interface Alt {
  lit: string;
  /** ".*" before / after the literal. */
  pre: boolean;
  post: boolean;
}

/** A test equal to the anchored RE2 match of `pattern`, or null when the pattern has another shape. */
export function fastMatcher(pattern: string): ((value: string) => boolean) | null {
  // Surrogates (astral characters, or the parser's stand-ins for invalid UTF-8) go to re2js.
  if (/[\ud800-\udfff]/.test(pattern)) return null;
  const alts: Alt[] = [];
  let plus = false;
  for (const a of pattern.split("|")) {
    if (a === ".+") {
      plus = true;
      continue;
    }
    const pre = a.startsWith(".*");
    const rest = pre ? a.slice(2) : a;
    const post = rest.endsWith(".*");
    const lit = post ? rest.slice(0, -2) : rest;
    if (META.test(lit) || ((pre || post) && lit.includes("\n"))) return null;
    alts.push({ lit, pre, post });
  }
  const exact = new Set(alts.filter((a) => !a.pre && !a.post).map((a) => a.lit));
  const wild = alts.filter((a) => a.pre || a.post);
  if (!plus && !wild.length) return (v) => exact.has(v);
  return (v) => {
    if (exact.has(v)) return true;
    if (v.includes("\n")) return false;
    if (plus && v !== "") return true;
    for (const { lit, pre, post } of wild) {
      if (pre && post ? v.includes(lit) : pre ? v.endsWith(lit) : v.startsWith(lit)) return true;
    }
    return false;
  };
}
