// Go's number formatting (strconv 'g'/'e'/'f' and a subset of fmt verbs), so
// templated annotations read exactly as Prometheus writes them.

/** A Go int (template integer constants, len): kept apart from float64, as Go's comparisons do. */
export class GoInt {
  constructor(readonly n: number) {}
}

/** The exact decimal digits of a finite positive double (up to 100), and its exponent. */
function exactDigits(abs: number): { d: string; exp: number } {
  const [mant, ex] = abs.toExponential(99).split("e");
  return { d: mant.replace(".", "").replace(/0+$/, "") || "0", exp: Number(ex) };
}

/**
 * Rounds to `keep` significant digits as Go's strconv does: to nearest, and to
 * even on an exact tie (JS rounds ties up: 1234.5 is "1234" in Go, "1235" in JS).
 */
function roundDigits(abs: number, keep: number): { d: string; exp: number } {
  const { d, exp } = exactDigits(abs);
  if (keep <= 0) {
    // Everything is dropped: rounds to 0 or up to one unit of the first kept place.
    const up = keep === 0 && (d[0] > "5" || (d[0] === "5" && d.length > 1));
    return up ? { d: "1", exp: exp + 1 } : { d: "0", exp: exp + 1 - keep };
  }
  if (d.length <= keep) return { d, exp };
  const head = d.slice(0, keep);
  const next = d[keep];
  const rest = d.slice(keep + 1);
  const tie = next === "5" && /^0*$/.test(rest);
  const roundUp = next > "5" || (next === "5" && !tie) || (tie && Number(head[head.length - 1]) % 2 === 1);
  if (!roundUp) return { d: head.replace(/0+$/, "") || "0", exp };
  const digits = head.split("").map(Number);
  let i = digits.length - 1;
  while (i >= 0 && digits[i] === 9) digits[i--] = 0;
  if (i < 0) return { d: "1", exp: exp + 1 };
  digits[i]++;
  return { d: digits.join("").replace(/0+$/, "") || "0", exp };
}

function digitsOf(abs: number, prec: number | null): { d: string; exp: number } {
  if (prec === null) {
    // toExponential() gives the shortest round-trip digits, as Go's shortest formatting.
    const [mant, ex] = abs.toExponential().split("e");
    return { d: mant.replace(".", "").replace(/0+$/, "") || "0", exp: Number(ex) };
  }
  return roundDigits(abs, Math.max(1, prec));
}

function expText(exp: number, upper: boolean): string {
  const sign = exp < 0 ? "-" : "+";
  const a = Math.abs(exp);
  return (upper ? "E" : "e") + sign + (a < 10 ? "0" + a : String(a));
}

function special(v: number, plus: boolean): string | null {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  void plus;
  return null;
}

/** strconv.FormatFloat(v, 'g', prec, 64); prec -1 is the shortest. */
export function formatG(v: number, prec = -1, upper = false): string {
  const s = special(v, true);
  if (s !== null) return s;
  const neg = v < 0 || Object.is(v, -0);
  const abs = Math.abs(v);
  if (abs === 0) return (neg ? "-" : "") + "0";
  const shortest = prec < 0;
  if (prec === 0) prec = 1;
  const { d, exp } = digitsOf(abs, shortest ? null : prec);
  const nd = d.length;
  const dp = exp + 1;
  let p = shortest ? nd : prec;
  let eprec = p;
  if (eprec > nd && nd >= dp) eprec = nd;
  if (shortest) eprec = 6;
  let out: string;
  if (exp < -4 || exp >= eprec) {
    if (p > nd) p = nd;
    out = d[0] + (p > 1 ? "." + d.slice(1, p).padEnd(p - 1, "0") : "") + expText(exp, upper);
  } else {
    if (p > dp) p = nd;
    out = fixedFromDigits(d, dp, Math.max(p - dp, 0));
  }
  return (neg ? "-" : "") + out;
}

function fixedFromDigits(d: string, dp: number, decimals: number): string {
  let int: string;
  let frac: string;
  if (dp <= 0) {
    int = "0";
    frac = "0".repeat(-dp) + d;
  } else if (dp >= d.length) {
    int = d + "0".repeat(dp - d.length);
    frac = "";
  } else {
    int = d.slice(0, dp);
    frac = d.slice(dp);
  }
  frac = frac.padEnd(decimals, "0").slice(0, decimals);
  return decimals > 0 ? `${int}.${frac}` : int;
}

/** strconv.FormatFloat(v, 'e', prec, 64). */
export function formatE(v: number, prec = 6, upper = false): string {
  const s = special(v, true);
  if (s !== null) return s;
  if (prec < 0 || v === 0) {
    const [mant, ex] = (prec < 0 ? v.toExponential() : v.toExponential(prec)).split("e");
    return mant + expText(Number(ex), upper);
  }
  const { d, exp } = roundDigits(Math.abs(v), prec + 1);
  const digits = d.padEnd(prec + 1, "0");
  return (v < 0 ? "-" : "") + digits[0] + (prec > 0 ? "." + digits.slice(1) : "") + expText(exp, upper);
}

/** strconv.FormatFloat(v, 'f', prec, 64). */
export function formatF(v: number, prec = 6): string {
  const s = special(v, true);
  if (s !== null) return s;
  if (prec < 0) {
    const { d, exp } = digitsOf(Math.abs(v), null);
    return (v < 0 ? "-" : "") + fixedFromDigits(d, exp + 1, Math.max(d.length - exp - 1, 0));
  }
  if (v === 0) return (Object.is(v, -0) ? "-" : "") + (0).toFixed(prec);
  const e = exactDigits(Math.abs(v)).exp;
  const { d, exp } = roundDigits(Math.abs(v), e + 1 + prec);
  return (v < 0 ? "-" : "") + fixedFromDigits(d === "0" ? "" : d, d === "0" ? 0 : exp + 1, prec).replace(/^$/, "0").replace(/^\./, "0.");
}

export type GoValue = string | number | boolean | GoInt | Record<string, string> | null | GoValue[] | { [k: string]: unknown };

export function goTypeName(v: unknown): string {
  if (typeof v === "string") return "string";
  if (typeof v === "number") return "float64";
  if (typeof v === "boolean") return "bool";
  if (v instanceof GoInt) return "int";
  if (v === null || v === undefined) return "<nil>";
  if (Array.isArray(v)) return "[]interface {}";
  return "map[string]string";
}

/** fmt's %v. */
export function formatV(v: unknown): string {
  if (typeof v === "string") return v;
  if (typeof v === "number") return formatG(v);
  if (typeof v === "boolean") return String(v);
  if (v instanceof GoInt) return String(v.n);
  if (v === null || v === undefined) return "<nil>";
  if (Array.isArray(v)) return "[" + v.map(formatV).join(" ") + "]";
  const o = v as Record<string, unknown>;
  return "map[" + Object.keys(o).sort().map((k) => `${k}:${formatV(o[k])}`).join(" ") + "]";
}

function pad(s: string, width: number, minus: boolean, zero: boolean): string {
  if (s.length >= width) return s;
  if (minus) return s.padEnd(width, " ");
  if (zero) {
    const sign = /^[+-]/.test(s) ? s[0] : "";
    return sign + s.slice(sign.length).padStart(width - sign.length, "0");
  }
  return s.padStart(width, " ");
}

/** fmt.Sprintf for the verbs templates use: %s %v %d %f %e %g %x %q %t %%, with flags, width and precision. */
export function sprintf(format: string, args: unknown[]): string {
  let out = "";
  let ai = 0;
  const re = /%([-+# 0]*)(\d+)?(?:\.(\d*))?([a-zA-Z%])/g;
  let last = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(format))) {
    out += format.slice(last, m.index);
    last = re.lastIndex;
    const [, flags, w, p, verb] = m;
    if (verb === "%") {
      out += "%";
      continue;
    }
    if (ai >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    const a = args[ai++];
    const prec = p === undefined ? -1 : p === "" ? 0 : Number(p);
    const num = typeof a === "number" ? a : a instanceof GoInt ? a.n : null;
    let s: string | null = null;
    switch (verb) {
      case "v":
        s = formatV(a);
        break;
      case "s":
        if (typeof a === "string") s = prec >= 0 ? a.slice(0, prec) : a;
        break;
      case "q":
        if (typeof a === "string") s = JSON.stringify(a);
        break;
      case "t":
        if (typeof a === "boolean") s = String(a);
        break;
      case "d":
        if (a instanceof GoInt) s = String(a.n);
        break;
      case "x":
      case "X":
        if (a instanceof GoInt) s = a.n.toString(16);
        else if (typeof a === "string") s = [...new TextEncoder().encode(a)].map((b) => b.toString(16).padStart(2, "0")).join("");
        if (s !== null && verb === "X") s = s.toUpperCase();
        break;
      case "f":
      case "F":
        if (typeof num === "number" && typeof a === "number") s = formatF(num, prec < 0 ? 6 : prec);
        break;
      case "e":
      case "E":
        if (typeof a === "number") s = formatE(a, prec < 0 ? 6 : prec, verb === "E");
        break;
      case "g":
      case "G":
        if (typeof a === "number") s = formatG(a, prec, verb === "G");
        break;
    }
    if (s === null) {
      out += `%!${verb}(${goTypeName(a)}=${formatV(a)})`;
      continue;
    }
    if (flags.includes("+") && num !== null && !s.startsWith("-") && !s.startsWith("+")) s = "+" + s;
    out += pad(s, w ? Number(w) : 0, flags.includes("-"), flags.includes("0") && num !== null);
  }
  out += format.slice(last);
  if (ai < args.length) out += "%!(EXTRA " + args.slice(ai).map((a) => `${goTypeName(a)}=${formatV(a)}`).join(", ") + ")";
  return out;
}

/** Go's url.QueryEscape: spaces as "+", everything but [A-Za-z0-9-_.~] percent-encoded. */
export function queryEscape(s: string): string {
  let out = "";
  for (const b of new TextEncoder().encode(s)) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === " ") out += "+";
    else out += "%" + b.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

/** model.Duration.String(): 90s is "1m30s", 0 is "0s"; years and weeks only when exact. */
export function modelDuration(ms: number): string {
  if (ms === 0) return "0s";
  let r = "";
  const f = (unit: string, mult: number, exact: boolean) => {
    if (exact && ms % mult !== 0) return;
    const v = Math.floor(ms / mult);
    if (v > 0) {
      r += `${v}${unit}`;
      ms -= v * mult;
    }
  };
  f("y", 365 * 86400e3, true);
  f("w", 7 * 86400e3, true);
  f("d", 86400e3, false);
  f("h", 3600e3, false);
  f("m", 60e3, false);
  f("s", 1e3, false);
  f("ms", 1, false);
  return r;
}

/** strconv.Quote for the strings promtool quotes. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === "\\") out += "\\" + ch;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (c < 0x20 || c === 0x7f) out += "\\x" + c.toString(16).padStart(2, "0");
    else out += ch;
  }
  return out + '"';
}

