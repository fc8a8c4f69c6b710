// Go RE2 syntax -> JavaScript RegExp. Prometheus compiles matchers with Go's
// regexp package, whose syntax differs from JS in many small ways (inline flags,
// \z, (?P<name>), POSIX classes, \s, literal '{'). We translate what has an
// exact JS equivalent and reject with a clear error what RE2 itself rejects
// (lookarounds, backreferences) or what we cannot honour exactly.

export class RegexSyntaxError extends Error {}

interface Flags {
  i: boolean;
  m: boolean;
  s: boolean;
  U: boolean;
}

const POSIX: Record<string, string> = {
  alnum: "0-9A-Za-z",
  alpha: "A-Za-z",
  ascii: "\\x00-\\x7f",
  blank: "\\t ",
  cntrl: "\\x00-\\x1f\\x7f",
  digit: "0-9",
  graph: "!-~",
  lower: "a-z",
  print: " -~",
  punct: "!-\\/:-@\\[-`{-~",
  space: "\\t\\n\\v\\f\\r ",
  upper: "A-Z",
  word: "0-9A-Za-z_",
  xdigit: "0-9A-Fa-f",
};

const GO_SPACE = "\\t\\n\\f\\r ";

function hexEsc(cp: number): string {
  return "\\u{" + cp.toString(16) + "}";
}

/** Escape one code point for use in JS with the u flag (syntax characters differ inside a class). */
function lit(cp: number, inClass = false): string {
  const ch = String.fromCodePoint(cp);
  if (/[A-Za-z0-9_ ]/.test(ch) || cp > 0x7f) return ch;
  if (cp < 0x20 || cp === 0x7f) return hexEsc(cp);
  const special = inClass ? /[\\\]\[^-]/ : /[\^$\\.*+?()[\]{}|\/]/;
  return special.test(ch) ? "\\" + ch : ch;
}

/** Case variants of a code point (simple folding), for (?i) scopes. */
function foldSet(cp: number): number[] {
  const ch = String.fromCodePoint(cp);
  const set = new Set<number>([cp]);
  for (const v of [ch.toLowerCase(), ch.toUpperCase()]) if ([...v].length === 1) set.add(v.codePointAt(0)!);
  if (set.has(0x6b) || set.has(0x4b)) set.add(0x212a); // k K KELVIN SIGN
  if (set.has(0x73) || set.has(0x53)) set.add(0x17f); // s S LONG S
  if (cp === 0x212a) [0x6b, 0x4b].forEach((c) => set.add(c));
  if (cp === 0x17f) [0x73, 0x53].forEach((c) => set.add(c));
  return [...set];
}

class Translator {
  private pos = 0;
  private readonly src: string[];
  private groupNames = new Set<string>();
  constructor(pattern: string) {
    this.src = [...pattern];
  }

  private err(msg: string): never {
    throw new RegexSyntaxError(msg);
  }

  private peek(o = 0): string | undefined {
    return this.src[this.pos + o];
  }

  translate(): string {
    const out = this.alternation({ i: false, m: false, s: false, U: false }, 0);
    if (this.pos < this.src.length) this.err("unexpected )");
    return out;
  }

  /** Parses until an unmatched ')' or the end. Flags may change mid-sequence via (?flags). */
  private alternation(flags: Flags, depth: number): string {
    let out = "";
    const f: Flags = { ...flags };
    let lastAtomStart = -1; // index in out where the last repeatable atom begins
    while (this.pos < this.src.length) {
      const c = this.src[this.pos];
      if (c === ")") {
        if (depth === 0) this.err("unexpected ): `" + this.src.join("") + "`");
        break;
      }
      if (c === "|") {
        this.pos++;
        out += "|";
        lastAtomStart = -1;
        continue;
      }
      if (c === "*" || c === "+" || c === "?" || (c === "{" && this.repeatAhead())) {
        if (lastAtomStart < 0) this.err(`missing argument to repetition operator: \`${c}\``);
        out += this.quantifier(f);
        lastAtomStart = -2; // a second quantifier is an error in RE2
        continue;
      }
      if (c === "(") {
        const start = out.length;
        const g = this.group(f);
        if (g === null) {
          lastAtomStart = -1;
          continue; // a bare flag group like (?i)
        }
        out += g;
        lastAtomStart = start;
        continue;
      }
      lastAtomStart = out.length;
      out += this.atom(f);
    }
    return out;
  }

  private repeatAhead(): boolean {
    const rest = this.src.slice(this.pos).join("");
    return /^\{\d+(,\d*)?\}/.test(rest);
  }

  private quantifier(f: Flags): string {
    const c = this.src[this.pos++];
    let q = c;
    if (c === "{") {
      const rest = this.src.slice(this.pos - 1).join("");
      const m = /^\{(\d+)(,(\d*))?\}/.exec(rest)!;
      const min = Number(m[1]);
      const max = m[3] ? Number(m[3]) : min;
      if (min > 1000 || max > 1000 || (m[3] && max < min)) this.err(`invalid repeat count: \`${m[0]}\``);
      q = m[0];
      this.pos += m[0].length - 1;
    }
    let lazy = false;
    if (this.peek() === "?") {
      lazy = true;
      this.pos++;
    }
    const nxt = this.peek();
    if (nxt === "*" || nxt === "+" || nxt === "?" || (nxt === "{" && this.repeatAhead()))
      this.err(`invalid nested repetition operator: \`${q}${lazy ? "?" : ""}${nxt}\``);
    if (f.U) lazy = !lazy;
    return q + (lazy ? "?" : "");
  }

  private group(f: Flags): string | null {
    this.pos++; // (
    if (this.peek() !== "?") {
      const inner = this.alternation(f, 1);
      this.expectClose();
      return "(" + inner + ")";
    }
    this.pos++; // ?
    const rest = this.src.slice(this.pos).join("");
    if (rest.startsWith("P<")) {
      const m = /^P<([A-Za-z0-9_]+)>/.exec(rest);
      if (!m) this.err("invalid named capture: `(?" + rest.slice(0, 10) + "`");
      if (this.groupNames.has(m[1])) this.err(`duplicate capture group name: \`${m[1]}\``);
      this.groupNames.add(m[1]);
      this.pos += m[0].length;
      const inner = this.alternation(f, 1);
      this.expectClose();
      return `(?<${m[1]}>` + inner + ")";
    }
    const m = /^([imsU]*)(?:-([imsU]*))?([:)])/.exec(rest);
    if (!m || (m[2] !== undefined && m[2] === "") || (m[1] === "" && m[2] === undefined && m[3] === ")"))
      this.err("invalid or unsupported Perl syntax: `(?" + (rest[0] ?? "") + "`");
    this.pos += m[0].length;
    const nf: Flags = { ...f };
    for (const ch of m[1]) nf[ch as keyof Flags] = true;
    for (const ch of m[2] ?? "") nf[ch as keyof Flags] = false;
    if (m[3] === ")") {
      // Flags apply to the rest of the enclosing group.
      Object.assign(f, nf);
      return null;
    }
    const inner = this.alternation(nf, 1);
    this.expectClose();
    return "(?:" + inner + ")";
  }

  private expectClose(): void {
    if (this.peek() !== ")") this.err("missing closing ): `" + this.src.join("") + "`");
    this.pos++;
  }

  private atom(f: Flags): string {
    const c = this.src[this.pos++];
    switch (c) {
      case ".":
        return f.s ? "[\\s\\S]" : "[^\\n]";
      case "^":
        return f.m ? "(?<![^\\n])" : "(?<![\\s\\S])";
      case "$":
        return f.m ? "(?![^\\n])" : "(?![\\s\\S])";
      case "[":
        return this.charClass(f);
      case "\\": {
        const e = this.escape(f, false);
        return "cp" in e ? this.literal(e.cp, f) : e.js;
      }
      default:
        return this.literal(c.codePointAt(0)!, f);
    }
  }

  private literal(cp: number, f: Flags): string {
    if (!f.i) return lit(cp);
    const set = foldSet(cp);
    if (set.length === 1) return lit(cp);
    return "[" + set.map((c) => lit(c, true)).join("") + "]";
  }

  /** An escape: a single code point, or JS text (a class body when inClass). */
  private escape(f: Flags, inClass: boolean): { cp: number } | { js: string } {
    const c = this.src[this.pos++];
    if (c === undefined) this.err("trailing backslash at end of expression");
    const simple: Record<string, number> = { a: 7, f: 12, t: 9, n: 10, r: 13, v: 11 };
    if (c in simple) return { cp: simple[c] };
    switch (c) {
      case "d":
      case "D":
      case "w":
      case "W":
        return { js: "\\" + c };
      case "s":
        return { js: inClass ? GO_SPACE : "[" + GO_SPACE + "]" };
      case "S":
        if (inClass) this.err("\\S inside a character class is not supported");
        return { js: "[^" + GO_SPACE + "]" };
      case "b":
      case "B":
        if (inClass) this.err(`invalid escape sequence: \`\\${c}\``);
        return { js: "\\" + c };
      case "A":
        if (inClass) this.err("invalid escape sequence: `\\A`");
        return { js: "(?<![\\s\\S])" };
      case "z":
        if (inClass) this.err("invalid escape sequence: `\\z`");
        return { js: "(?![\\s\\S])" };
      case "Q": {
        if (inClass) this.err("\\Q inside a character class is not supported");
        let out = "";
        while (this.pos < this.src.length) {
          if (this.src[this.pos] === "\\" && this.src[this.pos + 1] === "E") {
            this.pos += 2;
            break;
          }
          out += this.literal(this.src[this.pos++].codePointAt(0)!, f);
        }
        return { js: out };
      }
      case "x": {
        let hex: string;
        if (this.peek() === "{") {
          const end = this.src.indexOf("}", this.pos);
          if (end < 0) this.err("invalid escape sequence: `\\x{`");
          hex = this.src.slice(this.pos + 1, end).join("");
          this.pos = end + 1;
        } else {
          hex = this.src.slice(this.pos, this.pos + 2).join("");
          this.pos += 2;
          if (hex.length !== 2) this.err(`invalid escape sequence: \`\\x${hex}\``);
        }
        if (!/^[0-9a-fA-F]{1,8}$/.test(hex) || parseInt(hex, 16) > 0x10ffff) this.err(`invalid escape sequence: \`\\x${hex}\``);
        return { cp: parseInt(hex, 16) };
      }
      case "p":
      case "P": {
        let name: string;
        if (this.peek() === "{") {
          const end = this.src.indexOf("}", this.pos);
          if (end < 0) this.err("invalid character class range: `\\p{`");
          name = this.src.slice(this.pos + 1, end).join("");
          this.pos = end + 1;
        } else {
          name = this.src[this.pos++] ?? "";
        }
        let neg = c === "P";
        if (name.startsWith("^")) {
          neg = !neg;
          name = name.slice(1);
        }
        if (name === "Any") {
          if (neg) return { js: inClass ? this.err("\\P{Any} inside a class is not supported") : "[^\\s\\S]" };
          return { js: inClass ? "\\s\\S" : "[\\s\\S]" };
        }
        const prop = /^[A-Z][a-z]?$/.test(name) ? name : "Script=" + name;
        try {
          new RegExp(`\\p{${prop}}`, "u");
        } catch {
          this.err(`invalid character class range: \`\\${c}{${name}}\``);
        }
        return { js: `\\${neg ? "P" : "p"}{${prop}}` };
      }
      default: {
        if (c >= "0" && c <= "7") {
          // Octal; a single non-zero digit would be a backreference, which RE2 rejects.
          let digits = c;
          while (digits.length < 3 && /[0-7]/.test(this.peek() ?? "")) digits += this.src[this.pos++];
          if (c !== "0" && digits.length === 1) this.err(`invalid escape sequence: \`\\${c}\``);
          return { cp: parseInt(digits, 8) };
        }
        const cp = c.codePointAt(0)!;
        // RE2 allows escaping any ASCII punctuation and nothing else.
        if (cp < 0x80 && /[!-\/:-@\[-`{-~]/.test(c)) return { cp };
        this.err(`invalid escape sequence: \`\\${c}\``);
      }
    }
  }

  private charClass(f: Flags): string {
    let neg = false;
    if (this.peek() === "^") {
      neg = true;
      this.pos++;
    }
    let first = true;
    const items: Array<{ lo: number; hi: number } | string> = [];
    const single = (): number | string => {
      if (this.peek() === "\\") {
        this.pos++;
        const e = this.escape(f, true);
        return "cp" in e ? e.cp : e.js;
      }
      return this.src[this.pos++].codePointAt(0)!;
    };
    while (true) {
      const c = this.peek();
      if (c === undefined) this.err("missing closing ]: `[" + this.src.join("") + "`");
      if (c === "]" && !first) {
        this.pos++;
        break;
      }
      first = false;
      if (c === "[" && this.peek(1) === ":") {
        const m = /^\[:(\^)?([a-z]+):\]/.exec(this.src.slice(this.pos).join(""));
        if (m) {
          const cls = POSIX[m[2]];
          if (!cls) this.err(`invalid character class range: \`${m[0]}\``);
          if (m[1]) this.err("negated POSIX classes are not supported");
          items.push(cls);
          this.pos += m[0].length;
          continue;
        }
      }
      const lo = single();
      if (typeof lo === "number" && this.peek() === "-" && this.peek(1) !== "]" && this.peek(1) !== undefined) {
        this.pos++;
        const hi = single();
        if (typeof hi !== "number") this.err("invalid character class range");
        if (hi < lo) this.err(`invalid character class range: \`${String.fromCodePoint(lo)}-${String.fromCodePoint(hi)}\``);
        items.push({ lo, hi });
      } else if (typeof lo === "number") items.push({ lo, hi: lo });
      else items.push(lo);
    }
    let body = "";
    for (const it of items) {
      if (typeof it === "string") {
        body += it;
        continue;
      }
      body += it.lo === it.hi ? lit(it.lo, true) : lit(it.lo, true) + "-" + lit(it.hi, true);
      if (f.i) body += this.foldRange(it.lo, it.hi);
    }
    if (body === "") return neg ? "[\\s\\S]" : "[^\\s\\S]";
    return "[" + (neg ? "^" : "") + body + "]";
  }

  /** Extra class text that adds the other case of every letter in lo..hi. */
  private foldRange(lo: number, hi: number): string {
    if (hi - lo > 512) return "";
    let extra = "";
    for (let cp = lo; cp <= hi; cp++) for (const v of foldSet(cp)) if (v < lo || v > hi) extra += lit(v, true);
    return extra;
  }
}

/** Translates a Go regexp body to JS source (to be used with the "u" flag). */
export function translateRE2(pattern: string): string {
  return new Translator(pattern).translate();
}

/** Compiles a Go regexp anchored at both ends, as Prometheus matchers are. */
export function compileAnchored(pattern: string): RegExp {
  const src = translateRE2(pattern);
  try {
    return new RegExp("^(?:" + src + ")$", "u");
  } catch (e) {
    throw new RegexSyntaxError(`cannot be expressed in JavaScript: ${(e as Error).message}`);
  }
}
