// One pass over a Go regex for the facts regex.ts needs before re2js compiles
// it: group openings (for Go 1.19's syntax and duplicate names), whether a ")"
// closes more than was opened, and an estimate of the compiled program's size.
// Tokens are Go's: escapes, \Q…\E, classes (with "[:name:]"), flag groups.

export interface RegexScan {
  /** Where a group opens with "(?<"; -1 when none. */
  angle: number;
  /** Each "(?P<name>" opening: its offset, its length and the name. */
  named: Array<{ at: number; len: number; name: string }>;
  /** The name of each capturing group in order (index 0: the whole match). */
  captures: Array<string | undefined>;
  /** A ")" with no group open: the pattern alone does not parse, even where "^(?:" + it + ")$" does. */
  unbalanced: boolean;
  /** Instructions the compiled program will have, about: counted repeats multiply what they repeat. */
  size: number;
  /** Nested counted repeats multiply past 1000: Go refuses them ("invalid repeat count") before any size check. */
  repeatTooLarge: boolean;
  /** Each \p / \P class: its text ("\\p{Greek}") and its name ("Greek"). */
  unicodeClasses: Array<{ text: string; name: string }>;
}

const NAMED_GROUP = /\(\?P<([A-Za-z0-9_]+)>/y; // Go 1.19: ASCII letters, digits, "_"
const FLAG_GROUP = /\(\?[imsU]*(?:-[imsU]*)?\)/y; // sets flags, opens no group
const REPEAT = /\{(\d+)(,(\d*))?\}/y;
const UNICODE_CLASS = /\\[pP](?:\{\^?([^}]*)\}|([^{]))/uy;

export function scanRegex(p: string): RegexScan {
  const out: RegexScan = { angle: -1, named: [], captures: [undefined], unbalanced: false, size: 0, repeatTooLarge: false, unicodeClasses: [] };
  /** Length of the escape at i (two, or a whole \p{…}), noting a Unicode class. */
  const escape = (i: number): number => {
    if (p[i + 1] !== "p" && p[i + 1] !== "P") return 2;
    UNICODE_CLASS.lastIndex = i;
    const m = UNICODE_CLASS.exec(p);
    if (!m) return 2;
    out.unicodeClasses.push({ text: m[0], name: m[1] ?? m[2] });
    return m[0].length;
  };
  // Per open group: its size so far and the size of its last atom (what a repeat applies to); the
  // largest product of nested counts in it, and that of its last atom (Go's repeatIsValid).
  const frames = [{ size: 0, last: 0, prod: 1, lastProd: 1 }];
  const top = () => frames[frames.length - 1];
  const atom = (n: number, prod = 1) => {
    const f = top();
    f.size += n;
    f.last = n;
    f.lastProd = prod;
    f.prod = Math.max(f.prod, prod);
  };
  const op = () => {
    top().size += 1;
    top().last = 0;
  };
  let i = 0;
  while (i < p.length) {
    const c = p[i];
    if (c === "\\") {
      if (p[i + 1] !== "Q") {
        atom(1);
        i += escape(i);
        continue;
      }
      const end = p.indexOf("\\E", i + 2);
      const quoted = (end < 0 ? p.length : end) - (i + 2);
      top().size += quoted;
      top().last = quoted ? 1 : 0;
      top().lastProd = 1;
      i = end < 0 ? p.length : end + 2;
    } else if (c === "[") {
      // A class ends at the first "]" that is not its first character; "[:name:]" and escapes are skipped whole.
      i++;
      if (p[i] === "^") i++;
      if (p[i] === "]") i++;
      while (i < p.length && p[i] !== "]") {
        const posix = p.startsWith("[:", i) ? p.indexOf(":]", i + 2) : -1;
        i = p[i] === "\\" ? i + escape(i) : posix >= 0 ? posix + 2 : i + 1;
      }
      i++;
      atom(1);
    } else if (c === "(") {
      FLAG_GROUP.lastIndex = i;
      const flags = FLAG_GROUP.exec(p);
      if (flags) {
        i += flags[0].length;
        continue;
      }
      NAMED_GROUP.lastIndex = i;
      const named = p.startsWith("(?P<", i) ? NAMED_GROUP.exec(p) : null;
      if (p.startsWith("(?<", i) && out.angle < 0) out.angle = i;
      if (named) out.named.push({ at: i, len: named[0].length, name: named[1] });
      if (named || p[i + 1] !== "?") out.captures.push(named?.[1]);
      frames.push({ size: 0, last: 0, prod: 1, lastProd: 1 });
      i += named ? named[0].length : 1;
    } else if (c === ")") {
      if (frames.length === 1) out.unbalanced = true;
      else {
        const group = frames.pop()!;
        atom(group.size + 2, group.prod);
      }
      i++;
    } else if (c === "{") {
      REPEAT.lastIndex = i;
      const m = REPEAT.exec(p);
      if (!m) {
        atom(1);
        i++;
        continue;
      }
      // Go refuses counts over 1000, and nested counts whose product is over 1000.
      // {n,m} is n copies and m-n optional ones, each optional one with a branch of its own.
      const min = Math.min(Number(m[1]), 1001);
      const max = m[2] === undefined ? min : m[3] === "" ? min + 1 : Math.max(min, Math.min(Number(m[3]), 1001));
      const f = top();
      f.size += f.last * (max - 1) + (max - min) + 1;
      f.last = 0;
      // Go counts the maximum (the minimum for {n,}); {0} makes what it holds irrelevant.
      const count = m[2] === undefined || m[3] !== "" ? Math.max(min, max) : min;
      const prod = count * f.lastProd;
      if (prod > 1000 && (min >= 2 || max >= 2)) out.repeatTooLarge = true;
      f.prod = Math.max(f.prod, prod);
      f.lastProd = prod;
      i += m[0].length;
    } else {
      if (c === "|" || c === "*" || c === "+" || c === "?") op();
      else atom(1);
      i++;
    }
  }
  out.size = frames.reduce((a, f) => a + f.size, 0);
  return out;
}
