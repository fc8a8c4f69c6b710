// The functions of alert templates: Go's text/template builtins and
// Prometheus's template functions (template/template.go), with Go's spellings.
import { RE2JS, RE2JSException } from "re2js";
import type { Labels } from "../../../shared/labels";
import { formatG, formatV, GoInt, goTypeName, queryEscape, sprintf } from "./go-format";
import { parseDuration } from "../promql/literals";

/** One sample of a template's query: .Labels and .Value, as Prometheus's template sample. */
export interface QuerySample {
  Labels: Labels;
  Value: number;
}

export type V = unknown;

function sample(v: V): QuerySample {
  if (v && typeof v === "object" && "Labels" in v && "Value" in v) return v as QuerySample;
  throw new Error(`wrong type for value; expected *template.sample; got ${goTypeName(v)}`);
}

function vector(v: V): QuerySample[] {
  if (Array.isArray(v)) return v as QuerySample[];
  throw new Error(`wrong type for value; expected template.queryResult; got ${goTypeName(v)}`);
}


export function truth(v: V): boolean {
  if (v === null || v === undefined || v === false || v === "" || v === 0) return false;
  if (v instanceof GoInt) return v.n !== 0;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === "object") return Object.keys(v as object).length > 0;
  return true;
}

function toFloat(v: V): number {
  if (typeof v === "number") return v;
  if (v instanceof GoInt) return v.n;
  if (typeof v === "string") {
    const n = Number(v.trim() === "" ? NaN : v);
    if (Number.isNaN(n) && !/^[+-]?nan$/i.test(v)) throw new Error(`strconv.ParseFloat: parsing ${JSON.stringify(v)}: invalid syntax`);
    return n;
  }
  throw new Error(`can't convert ${goTypeName(v)} to float`);
}

export function str(v: V): string {
  if (typeof v !== "string") throw new Error(`wrong type for value; expected string; got ${goTypeName(v)}`);
  return v;
}

export function compare(name: string, a: V, b: V): number {
  const kind = (x: V) => (typeof x === "number" ? "float" : x instanceof GoInt ? "int" : typeof x === "string" ? "string" : typeof x === "boolean" ? "bool" : "other");
  const ka = kind(a), kb = kind(b);
  if (ka === "other" || kb === "other") throw new Error("invalid type for comparison");
  if (ka !== kb) throw new Error("incompatible types for comparison");
  if (ka === "bool" && name !== "eq" && name !== "ne") throw new Error("invalid type for comparison");
  const x = a instanceof GoInt ? a.n : (a as number | string | boolean);
  const y = b instanceof GoInt ? b.n : (b as number | string | boolean);
  return x < y ? -1 : x > y ? 1 : x === y ? 0 : NaN;
}

function siPrefix(v: number, up: string[], down: string[], base: number, suffix = ""): string {
  if (Math.abs(v) >= 1) {
    let prefix = "";
    for (const p of up) {
      if (Math.abs(v) < base) break;
      prefix = p;
      v /= base;
    }
    return formatG(v, 4) + prefix + suffix;
  }
  let prefix = "";
  for (const p of down) {
    if (Math.abs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return formatG(v, 4) + prefix + suffix;
}

const DOWN = ["m", "u", "n", "p", "f", "a", "z", "y"];

function humanizeDuration(v: number): string {
  if (Number.isNaN(v) || !Number.isFinite(v)) return formatG(v, 4);
  if (v === 0) return formatG(v, 4) + "s";
  if (Math.abs(v) >= 1) {
    const sign = v < 0 ? "-" : "";
    v = Math.abs(v);
    const d = Math.trunc(v);
    const s = d % 60, m = Math.trunc(d / 60) % 60, h = Math.trunc(d / 3600) % 24, days = Math.trunc(d / 86400);
    if (days) return `${sign}${days}d ${h}h ${m}m ${s}s`;
    if (h) return `${sign}${h}h ${m}m ${s}s`;
    if (m) return `${sign}${m}m ${s}s`;
    return `${sign}${formatG(v, 4)}s`;
  }
  return siPrefix(v, [], DOWN, 1000, "s");
}

/** Go's time.Time.String() in UTC. */
function goTime(sec: number): string {
  const ms = Number(BigInt(Math.trunc(sec * 1e9)) / 1_000_000n);
  const iso = new Date(ms).toISOString();
  const frac = iso.slice(19, 23).replace(/\.?0+$/, "");
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${frac} +0000 UTC`;
}

/** Go's regexp (RE2 syntax, via re2js, as the engine's matchers). */
function goRegex(pattern: string): RE2JS {
  try {
    return RE2JS.compile(pattern);
  } catch (e) {
    if (e instanceof RE2JSException) throw new Error(e.message.startsWith("error parsing regexp") ? e.message : `error parsing regexp: ${e.message}`);
    throw e;
  }
}

/** Go's Regexp.ReplaceAllString: $1, ${1}, $name, ${name} and $$ in the replacement; empty matches next to a match are skipped. */
function goReplaceAll(pattern: string, repl: string, text: string): string {
  const m = goRegex(pattern).matcher(text);
  const group = (name: string): string => {
    try {
      const g = /^\d+$/.test(name) ? m.group(Number(name)) : m.group(name);
      return g ?? "";
    } catch {
      return "";
    }
  };
  const expand = () =>
    repl.replace(/\$(?:\$|\{(\w+)\}|(\w+))?/g, (all, braced: string | undefined, bare: string | undefined) => {
      if (all === "$$") return "$";
      const name = braced ?? bare;
      return name === undefined ? "$" : group(name);
    });
  let out = "";
  let last = 0;
  let prevEnd = -1;
  while (m.find()) {
    const start = m.start();
    const end = m.end();
    if (start === end && start === prevEnd) continue;
    out += text.slice(last, start) + expand();
    last = end;
    prevEnd = end;
  }
  return out + text.slice(last);
}

function titleCase(s: string): string {
  let prev = " ";
  let out = "";
  for (const c of s) {
    const sep = !/[\p{L}\p{N}_]/u.test(prev);
    out += sep ? c.toUpperCase() : c;
    prev = c;
  }
  return out;
}

function htmlEscape(s: string): string {
  return s.replace(/[&'<>"\u0000]/g, (c) => ({ "&": "&amp;", "'": "&#39;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "\u0000": "\uFFFD" })[c]!);
}

function goPrint(args: V[]): string {
  let out = "";
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== "string" && typeof args[i - 1] !== "string") out += " ";
    out += formatV(a);
  });
  return out;
}

export const FUNCS: Record<string, (args: V[]) => V> = {
  not: ([a]) => !truth(a),
  len: ([a]) => {
    if (typeof a === "string") return new GoInt(new TextEncoder().encode(a).length);
    if (Array.isArray(a)) return new GoInt(a.length);
    if (a && typeof a === "object" && !(a instanceof GoInt)) return new GoInt(Object.keys(a).length);
    throw new Error(`len of type ${goTypeName(a)}`);
  },
  index: ([m, ...keys]) => {
    let v: V = m;
    for (const k of keys) {
      if (Array.isArray(v)) v = v[(k as GoInt).n];
      else if (v && typeof v === "object" && !(v instanceof GoInt)) v = (v as Record<string, V>)[str(k)] ?? "";
      else throw new Error(`can't index item of type ${goTypeName(v)}`);
    }
    return v;
  },
  print: (args) => goPrint(args),
  println: (args) => args.map(formatV).join(" ") + "\n",
  printf: ([f, ...args]) => sprintf(str(f), args),
  html: (args) => htmlEscape(goPrint(args)),
  // text/template's JSEscape: \\ \' \" by a backslash, the rest of its specials and control characters as \u00XX.
  js: (args) => goPrint(args).replace(/[\\'"<>&=\u0000-\u001f]/g, (c) => ("\\'\"".includes(c) ? "\\" + c : "\\u00" + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0"))),
  urlquery: (args) => queryEscape(goPrint(args)),
  humanize: ([a]) => {
    const v = toFloat(a);
    if (v === 0 || !Number.isFinite(v)) return formatG(v, 4);
    return siPrefix(v, ["k", "M", "G", "T", "P", "E", "Z", "Y"], DOWN, 1000);
  },
  humanize1024: ([a]) => {
    const v = toFloat(a);
    if (Math.abs(v) <= 1 || !Number.isFinite(v)) return formatG(v, 4);
    return siPrefix(v, ["ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"], [], 1024);
  },
  humanizePercentage: ([a]) => formatG(toFloat(a) * 100, 4) + "%",
  humanizeDuration: ([a]) => humanizeDuration(toFloat(a)),
  humanizeTimestamp: ([a]) => {
    const v = toFloat(a);
    return Number.isFinite(v) ? goTime(v) : formatG(v, 4);
  },
  toTime: ([a]) => goTime(toFloat(a)),
  title: ([a]) => titleCase(str(a)),
  toUpper: ([a]) => str(a).toUpperCase(),
  toLower: ([a]) => str(a).toLowerCase(),
  reReplaceAll: ([p, r, t]) => goReplaceAll(str(p), str(r), str(t)),
  match: ([p, t]) => goRegex(str(p)).matcher(str(t)).find(),
  stripPort: ([a]) => {
    const s = str(a);
    const m = /^\[([^\]]+)\]:\d*$/.exec(s) ?? /^([^:]*):\d*$/.exec(s);
    return m ? m[1] : s;
  },
  safeHtml: ([a]) => str(a),
  graphLink: ([a]) => `/graph?g0.expr=${queryEscape(str(a))}&g0.tab=0`,
  tableLink: ([a]) => `/graph?g0.expr=${queryEscape(str(a))}&g0.tab=1`,
  parseDuration: ([a]) => {
    // model.ParseDuration, which (unlike a PromQL literal) takes a bare "0".
    const ms = str(a) === "0" ? 0 : parseDuration(str(a));
    if (ms === null) throw new Error(`not a valid duration string: ${JSON.stringify(a)}`);
    return ms / 1000;
  },
  args: (args) => Object.fromEntries(args.map((a, i) => [`arg${i}`, a])),
  first: ([v]) => {
    const vec = vector(v);
    if (vec.length === 0) throw new Error("first() called on vector with no elements");
    return vec[0];
  },
  label: ([name, s]) => sample(s).Labels[str(name)] ?? "",
  value: ([s]) => sample(s).Value,
  strvalue: ([s]) => sample(s).Labels.__value__ ?? "",
  sortByLabel: ([name, v]) => [...vector(v)].sort((a, b) => {
    const x = a.Labels[str(name)] ?? "", y = b.Labels[str(name)] ?? "";
    return x < y ? -1 : x > y ? 1 : 0;
  }),
};
