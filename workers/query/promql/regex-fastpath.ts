// Exact string tests for the commonest matcher shapes, as Prometheus's
// FastRegexMatcher has: literals and alternations of literals ("api|web", and
// Grafana's multi-value "(a|b\.c)"), a literal with ".*" on either side
// ("llama.*", ".*-3.*", ".*"), and ".+". Every series is re-checked against its
// matchers, and re2js costs 2-18 times V8's RegExp there, plus a compile
// (npx tsx scripts/bench-regex.ts); these shapes need neither. RE2's "."
// matches anything but "\n", hence the newline checks.

// Go's regexp.QuoteMeta escapes exactly these; any ASCII punctuation may be escaped.
const META = "\\.+*?()|[]{}^$";
const PUNCT = /^[!-/:-@[-`{-~]$/;

interface Alt {
  lit: string;
  /** ".*" before / after the literal. */
  pre: boolean;
  post: boolean;
}

/** The pattern's alternatives as tokens (a character, or an escape like "\\."); null past what a literal may hold. */
function alternatives(p: string): string[][] | null {
  const alts: string[][] = [[]];
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === "|") alts.push([]);
    else if (c === "\\") {
      if (!PUNCT.test(p[i + 1] ?? "")) return null;
      alts[alts.length - 1].push(c + p[++i]);
    } else alts[alts.length - 1].push(c);
  }
  return alts;
}

function parseAlt(tokens: string[]): Alt | null {
  const pre = tokens[0] === "." && tokens[1] === "*";
  const body = pre ? tokens.slice(2) : tokens;
  const post = body.length >= 2 && body[body.length - 2] === "." && body[body.length - 1] === "*";
  const litTokens = post ? body.slice(0, -2) : body;
  let lit = "";
  for (const t of litTokens) {
    if (t.length === 1 && META.includes(t)) return null;
    lit += t.length === 2 ? t[1] : t;
  }
  if ((pre || post) && lit.includes("\n")) return null;
  return { lit, pre, post };
}

/** A test equal to the anchored RE2 match of `pattern`, or null when the pattern has another shape. */
export function fastMatcher(pattern: string): ((value: string) => boolean) | null {
  // Surrogates (astral characters, or the parser's stand-ins for invalid UTF-8) go to re2js.
  if (/[\ud800-\udfff]/.test(pattern)) return null;
  // One group around it all (captures do not matter to a matcher): "(a|b)", "(?:a|b)".
  const inner = /^\((?:\?:)?([^()]*)\)$/.exec(pattern)?.[1] ?? pattern;
  const tokens = alternatives(inner);
  if (!tokens) return null;
  const alts: Alt[] = [];
  let plus = false;
  for (const t of tokens) {
    if (t.length === 2 && t[0] === "." && t[1] === "+") plus = true;
    else {
      const alt = parseAlt(t);
      if (!alt) return null;
      alts.push(alt);
    }
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
