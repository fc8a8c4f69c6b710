// Literal decoding as Prometheus 2.42's lexer/parser does it: Go ParseFloat
// numbers (decimal, hex, Inf, NaN), model.ParseDuration durations and Go-style
// quoted strings.

const DURATION_RE = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const UNIT_MS = [365 * 24 * 3600e3, 7 * 24 * 3600e3, 24 * 3600e3, 3600e3, 60e3, 1e3, 1];

export function isDurationText(s: string): boolean {
  return s !== "" && /[a-z]/i.test(s) && DURATION_RE.test(s) && !/^0x/i.test(s);
}

export class DurationRangeError extends Error {
  constructor() {
    super("duration out of range");
  }
}

const MAX_INT64 = (1n << 63n) - 1n;

/**
 * Milliseconds of a duration like 1h30m; null when it is not one. Throws
 * DurationRangeError past Go's time.Duration (about 292 years), as
 * model.ParseDuration does.
 */
export function parseDuration(s: string): number | null {
  if (s === "" || !/[yhwdms]$/.test(s)) return null;
  const m = DURATION_RE.exec(s);
  if (!m) return null;
  let ns = 0n;
  for (let i = 0; i < 7; i++) {
    if (m[i + 1] === undefined) continue;
    const n = BigInt(m[i + 1]);
    const mult = BigInt(UNIT_MS[i]);
    if (n > MAX_INT64 / mult / 1_000_000n) throw new DurationRangeError();
    ns += n * 1_000_000n * mult;
    if (ns > MAX_INT64) throw new DurationRangeError();
  }
  return Number(ns / 1_000_000n);
}

/**
 * Go's strconv.ParseFloat: decimal (digits may be separated by "_"), hex with a
 * p exponent, inf/infinity/nan in any case. null on a syntax error or when the
 * value overflows to infinity (Go's ErrRange).
 */
export function goParseFloat(s: string): number | null {
  const word = /^([+-]?)(inf|infinity)$/i.exec(s);
  if (word) return word[1] === "-" ? -Infinity : Infinity;
  if (/^nan$/i.test(s)) return NaN;
  let v: number;
  if (/^[+-]?(\d(_?\d)*(\.(\d(_?\d)*)?)?|\.\d(_?\d)*)([eE][+-]?\d(_?\d)*)?$/.test(s)) v = Number(s.replaceAll("_", ""));
  else {
    const h = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?\d+)$/.exec(s);
    if (!h || (h[2] + (h[3] ?? "")).length === 0) return null;
    const digits = h[2] + (h[3] ?? "");
    v = (h[1] === "-" ? -1 : 1) * parseInt(digits, 16) * 2 ** (Number(h[4]) - 4 * (h[3] ?? "").length);
  }
  return Number.isFinite(v) ? v : null;
}

/** A number literal (no sign handled here except the lezer-signed Inf/NaN forms); null if invalid. */
export function parseNumber(text: string): number | null {
  let s = text;
  let sign = 1;
  if (s.startsWith("-")) {
    sign = -1;
    s = s.slice(1);
  } else if (s.startsWith("+")) s = s.slice(1);
  const low = s.toLowerCase();
  if (low === "inf") return sign * Infinity;
  if (low === "nan") return NaN;
  if (/^0x[0-9a-f]+$/i.test(s)) return sign * parseInt(s.slice(2), 16);
  if (/^(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i.test(s)) return sign * Number(s);
  return null;
}

/**
 * Go decodes the bytes of \x and octal escapes as UTF-8 ("\xc3\xa9" is "é").
 * A byte that is not part of valid UTF-8 becomes a lone surrogate U+DC80-U+DCFF
 * (as Python's surrogateescape): it equals no stored value, as in Go, and the
 * regex compiler refuses it as invalid UTF-8, as Go does for "\xff".
 */
function decodeEscapedBytes(b: number[]): string {
  let out = "";
  for (let k = 0; k < b.length; ) {
    const c = b[k];
    const n = c < 0x80 ? 1 : c >= 0xc2 && c < 0xe0 ? 2 : c >= 0xe0 && c < 0xf0 ? 3 : c >= 0xf0 && c < 0xf5 ? 4 : 0;
    let cp = n === 1 ? c : c & (0xff >> (n + 1));
    let ok = n > 0 && k + n <= b.length;
    for (let t = 1; ok && t < n; t++) {
      ok = (b[k + t] & 0xc0) === 0x80;
      cp = (cp << 6) | (b[k + t] & 0x3f);
    }
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are invalid UTF-8.
    if (ok && ((n === 3 && (cp < 0x800 || (cp >= 0xd800 && cp < 0xe000))) || (n === 4 && (cp < 0x10000 || cp > 0x10ffff)))) ok = false;
    out += ok ? String.fromCodePoint(cp) : String.fromCharCode(0xdc00 + c);
    k += ok ? n : 1;
  }
  return out;
}

/** Go strconv-style unquoting for "..." and '...' strings, raw for `...`. Throws a message on bad syntax. */
export function unquote(lit: string): string {
  const q = lit[0];
  if (lit.length < 2 || lit[lit.length - 1] !== q) throw new Error("unterminated quoted string");
  const body = lit.slice(1, -1);
  if (q === "`") {
    if (body.includes("`")) throw new Error("invalid syntax");
    return body;
  }
  let out = "";
  let bytes: number[] = []; // a run of \x and octal escapes, decoded together
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    const byteEscape = c === "\\" && (body[i + 1] === "x" || (body[i + 1] >= "0" && body[i + 1] <= "7"));
    if (!byteEscape && bytes.length) {
      out += decodeEscapedBytes(bytes);
      bytes = [];
    }
    if (c === q) throw new Error("invalid syntax");
    if (c === "\n") throw new Error("unterminated quoted string");
    if (c !== "\\") {
      out += c;
      continue;
    }
    const e = body[++i];
    switch (e) {
      case "a": out += "\x07"; break;
      case "b": out += "\b"; break;
      case "f": out += "\f"; break;
      case "n": out += "\n"; break;
      case "r": out += "\r"; break;
      case "t": out += "\t"; break;
      case "v": out += "\v"; break;
      case "\\": out += "\\"; break;
      case "'":
      case '"':
        if (e !== q) throw new Error("invalid syntax");
        out += e;
        break;
      case "x": {
        const h = body.slice(i + 1, i + 3);
        if (!/^[0-9a-fA-F]{2}$/.test(h)) throw new Error("invalid syntax");
        bytes.push(parseInt(h, 16));
        i += 2;
        break;
      }
      case "u":
      case "U": {
        const n = e === "u" ? 4 : 8;
        const h = body.slice(i + 1, i + 1 + n);
        if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(h)) throw new Error("invalid syntax");
        const cp = parseInt(h, 16);
        if (cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000)) throw new Error("invalid syntax");
        out += String.fromCodePoint(cp);
        i += n;
        break;
      }
      default: {
        if (e !== undefined && e >= "0" && e <= "7") {
          const o = body.slice(i, i + 3);
          if (!/^[0-7]{3}$/.test(o)) throw new Error("invalid syntax");
          const v = parseInt(o, 8);
          if (v > 255) throw new Error("invalid syntax");
          bytes.push(v);
          i += 2;
          break;
        }
        throw new Error("invalid syntax");
      }
    }
  }
  return out + decodeEscapedBytes(bytes);
}
