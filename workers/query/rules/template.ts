// Alert label and annotation templates: the Go text/template subset Prometheus
// users write ($labels, $value, $externalLabels, .Labels, .Value, pipes to the
// humanize family, printf, if/else with comparisons, {{- -}}), expanded as
// Prometheus's rules/alerting.go does: with the same variable prelude, and an
// execution error giving "<error expanding template: ...>" instead of failing.
import { RE2JS, RE2JSException } from "re2js";
import type { Labels } from "../../../shared/labels";
import { formatG, formatV, GoInt, goTypeName, queryEscape, sprintf } from "./go-format";
import { parseTemplate, TemplateError, type Arg, type Node, type Pipeline } from "./template-parse";

export { TemplateError } from "./template-parse";

export interface TemplateData {
  labels: Labels;
  externalLabels: Labels;
  externalURL: string;
  value: number;
}

// Prometheus prepends these to every template; the column numbers in errors count them too.
const PRELUDE = "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}";
const PRELUDE_VARS = ["$labels", "$externalLabels", "$externalURL", "$value"];

const cache = new Map<string, Node[]>();

function parsed(text: string, name: string): Node[] {
  const key = name + "\u0000" + text;
  let nodes = cache.get(key);
  if (!nodes) {
    // The prelude is parsed as Go does, but its variables are set directly.
    nodes = parseTemplate(PRELUDE + text, name, PRELUDE_VARS).slice(4);
    if (cache.size > 2000) cache.clear();
    cache.set(key, nodes);
  }
  return nodes;
}

/** The parse error of a label/annotation template of alert `alertName`, or null (rulefmt's testTemplateParsing). */
export function templateProblem(text: string, alertName: string): string | null {
  try {
    parsed(text, "__alert_" + alertName);
    return null;
  } catch (e) {
    if (e instanceof TemplateError) return e.message;
    throw e;
  }
}

class ExecError extends Error {}

/** One sample of a template's query: .Labels and .Value, as Prometheus's template sample. */
export interface QuerySample {
  Labels: Labels;
  Value: number;
}

/** Runs a template's `query "..."` at the alert's evaluation time. */
export type TemplateQuery = (query: string) => Promise<{ labels: Labels; value: number }[]>;

/** Thrown by a `query` whose result is not known yet: the caller runs it and executes the template again. */
class NeedQuery extends Error {
  constructor(readonly query: string) {
    super("query needed");
  }
}

function sample(v: V): QuerySample {
  if (v && typeof v === "object" && "Labels" in v && "Value" in v) return v as QuerySample;
  throw new Error(`wrong type for value; expected *template.sample; got ${goTypeName(v)}`);
}

function vector(v: V): QuerySample[] {
  if (Array.isArray(v)) return v as QuerySample[];
  throw new Error(`wrong type for value; expected template.queryResult; got ${goTypeName(v)}`);
}

type V = unknown;

function truth(v: V): boolean {
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

function str(v: V): string {
  if (typeof v !== "string") throw new Error(`wrong type for value; expected string; got ${goTypeName(v)}`);
  return v;
}

function compare(name: string, a: V, b: V): number {
  const kind = (x: V) => (typeof x === "number" ? "float" : x instanceof GoInt ? "int" : typeof x === "string" ? "string" : typeof x === "boolean" ? "bool" : "other");
  const ka = kind(a), kb = kind(b);
  if (ka === "other" || kb === "other") throw new Error("invalid type for comparison");
  if (ka !== kb) throw new Error("incompatible types for comparison");
  if (ka === "bool" && name !== "eq" && name !== "ne") throw new Error("invalid type for comparison");
  const x = a instanceof GoInt ? a.n : (a as number | string | boolean);
  const y = b instanceof GoInt ? b.n : (b as number | string | boolean);
  return x < y ? -1 : x > y ? 1 : 0;
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
  const ms = Math.floor(sec * 1000);
  const iso = new Date(ms).toISOString(); // 1970-01-01T00:00:00.000Z
  const frac = Math.round((sec - Math.floor(sec)) * 1e9);
  const fracText = frac ? "." + String(frac).padStart(9, "0").replace(/0+$/, "") : "";
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fracText} +0000 UTC`;
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

const FUNCS: Record<string, (args: V[]) => V> = {
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
  js: (args) => goPrint(args).replace(/[\\'"<>&=]/g, (c) => "\\u00" + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")),
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
    const m = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/.exec(str(a));
    if (!m || str(a) === "") throw new Error(`not a valid duration string: ${JSON.stringify(a)}`);
    const mult = [31536000, 604800, 86400, 3600, 60, 1, 0.001];
    return m.slice(1).reduce((s, x, i) => s + (x ? Number(x) * mult[i] : 0), 0);
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

class Exec {
  private readonly vars: Map<string, V>[];
  out = "";
  constructor(private readonly name: string, private readonly src: string, private readonly data: Record<string, V>, private readonly queries: Map<string, QuerySample[]>) {
    const d = data as { Labels: V; ExternalLabels: V; ExternalURL: V; Value: V };
    this.vars = [new Map<string, V>([["$", data], ["$labels", d.Labels], ["$externalLabels", d.ExternalLabels], ["$externalURL", d.ExternalURL], ["$value", d.Value]])];
  }

  private fail(pos: number, context: string, msg: string): never {
    const at = pos;
    const before = (PRELUDE + this.src).slice(0, at);
    const nl = before.lastIndexOf("\n");
    const line = 1 + (before.match(/\n/g)?.length ?? 0);
    const col = nl < 0 ? at : at - nl - 1;
    throw new ExecError(`template: ${this.name}:${line}:${col}: executing "${this.name}" at <${context}>: ${msg}`);
  }

  private lookup(name: string): V {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i].has(name)) return this.vars[i].get(name);
    return undefined;
  }

  private field(v: V, chain: string[], arg: Arg): V {
    for (const f of chain) {
      if (v && typeof v === "object" && !(v instanceof GoInt) && !Array.isArray(v)) {
        const o = v as Record<string, V>;
        if (v === this.data) {
          if (!(f in o)) this.fail(arg.pos , arg.src, `can't evaluate field ${f} in type struct { Labels map[string]string; ExternalLabels map[string]string; ExternalURL string; Value float64 }`);
          v = o[f];
        } else v = o[f] ?? ""; // map[string]string with missingkey=zero
      } else this.fail(arg.pos , arg.src, `can't evaluate field ${f} in type ${goTypeName(v)}`);
    }
    return v;
  }

  private arg(a: Arg, dot: V): V {
    switch (a.t) {
      case "str":
        return a.v;
      case "num":
        return a.int ? new GoInt(a.v) : a.v;
      case "bool":
        return a.v;
      case "nil":
        return null;
      case "field":
        return this.field(dot, a.chain, a);
      case "var":
        return this.field(this.lookup(a.name), a.chain, a);
      case "pipe":
        return this.field(this.pipeline(a.pipe, dot), a.chain, a);
      case "ident":
        return this.call(a, [], dot, undefined);
    }
  }

  private call(fn: Arg & { t: "ident" }, argNodes: Arg[], dot: V, final: V | undefined): V {
    const ctx = [fn.src, ...argNodes.map((x) => x.src)].join(" ");
    // and/or evaluate lazily and return an operand, as Go 1.18+.
    if (fn.name === "and" || fn.name === "or") {
      const all = [...argNodes.map((x) => () => this.arg(x, dot)), ...(final !== undefined ? [() => final] : [])];
      if (all.length === 0) this.fail(fn.pos , ctx, `wrong number of args for ${fn.name}: want at least 1 got 0`);
      let v: V = undefined;
      for (const get of all) {
        v = get();
        if (truth(v) === (fn.name === "or")) return v;
      }
      return v;
    }
    const args = argNodes.map((x) => this.arg(x, dot));
    if (final !== undefined) args.push(final);
    try {
      if (["eq", "ne", "lt", "le", "gt", "ge"].includes(fn.name)) {
        if (args.length < 2) throw new Error("missing argument for comparison");
        if (fn.name === "eq") return args.slice(1).some((b) => compare("eq", args[0], b) === 0);
        if (args.length !== 2) throw new Error(`wrong number of args for ${fn.name}: want 2 got ${args.length}`);
        const c = compare(fn.name, args[0], args[1]);
        return { ne: c !== 0, lt: c < 0, le: c <= 0, gt: c > 0, ge: c >= 0 }[fn.name as "ne"];
      }
      if (fn.name === "query") {
        const q = str(args[0]);
        const known = this.queries.get(q);
        if (!known) throw new NeedQuery(q);
        return known;
      }
      if (fn.name === "externalURL") return (this.data as { ExternalURL: string }).ExternalURL;
      if (fn.name === "pathPrefix") return pathOf((this.data as { ExternalURL: string }).ExternalURL);
      return FUNCS[fn.name](args);
    } catch (e) {
      if (e instanceof ExecError || e instanceof NeedQuery) throw e;
      this.fail(fn.pos , ctx, `error calling ${fn.name}: ${(e as Error).message}`);
    }
  }

  pipeline(p: Pipeline, dot: V): V {
    let v: V = undefined;
    p.cmds.forEach((c, i) => {
      const [first, ...rest] = c.args;
      if (first.t === "ident") v = this.call(first, rest, dot, i > 0 ? v : undefined);
      else v = this.arg(first, dot);
    });
    for (const d of p.decl) {
      if (p.assign) {
        for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i].has(d)) { this.vars[i].set(d, v); break; }
      } else this.vars[this.vars.length - 1].set(d, v);
    }
    return v;
  }

  list(nodes: Node[], dot: V): void {
    for (const n of nodes) {
      switch (n.t) {
        case "text":
          this.out += n.v;
          break;
        case "action": {
          const v = this.pipeline(n.pipe, dot);
          if (n.pipe.decl.length === 0) this.out += v === undefined || v === null ? "<no value>" : formatV(v);
          break;
        }
        case "if":
        case "with": {
          this.vars.push(new Map());
          const v = this.pipeline(n.pipe, dot);
          if (truth(v)) this.list(n.list, n.t === "with" ? v : dot);
          else this.list(n.elseList, dot);
          this.vars.pop();
          break;
        }
        case "range": {
          this.vars.push(new Map());
          const decl = n.pipe.decl;
          const v = this.pipeline({ ...n.pipe, decl: [] }, dot);
          const entries: [V, V][] = Array.isArray(v)
            ? v.map((x, i) => [new GoInt(i), x])
            : v && typeof v === "object" && !(v instanceof GoInt)
              ? Object.keys(v).sort().map((k) => [k, (v as Record<string, V>)[k]])
              : [];
          if (entries.length === 0) this.list(n.elseList, dot);
          for (const [k, x] of entries) {
            const scope = this.vars[this.vars.length - 1];
            if (decl.length === 1) scope.set(decl[0], x);
            if (decl.length === 2) scope.set(decl[0], k), scope.set(decl[1], x);
            this.list(n.list, x);
          }
          this.vars.pop();
          break;
        }
      }
    }
  }
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname.replace(/^\/$/, "");
  } catch {
    return "";
  }
}

const MAX_TEMPLATE_QUERIES = 20;

/**
 * Expands one label or annotation template of alert `alertName` as Prometheus
 * does; an error at execution gives "<error expanding template: ...>". A
 * template's `query` calls run through `query` at the evaluation time (the
 * template is executed again once each new query's result is known).
 */
export async function expandTemplate(text: string, alertName: string, data: TemplateData, query?: TemplateQuery): Promise<string> {
  const name = "__alert_" + alertName;
  let nodes: Node[];
  try {
    nodes = parsed(text, name);
  } catch (e) {
    if (!(e instanceof TemplateError)) throw e;
    return `<error expanding template: error parsing template ${name}: ${e.message}>`;
  }
  const tmplData = { Labels: { ...data.labels }, ExternalLabels: { ...data.externalLabels }, ExternalURL: data.externalURL, Value: data.value };
  const queries = new Map<string, QuerySample[]>();
  for (;;) {
    const ex = new Exec(name, text, tmplData, queries);
    try {
      ex.list(nodes, tmplData);
      return ex.out;
    } catch (e) {
      if (e instanceof NeedQuery) {
        let msg: string | null = null;
        if (!query) msg = "queries are not available here";
        else if (queries.size >= MAX_TEMPLATE_QUERIES) msg = `more than ${MAX_TEMPLATE_QUERIES} queries in one template`;
        else {
          try {
            queries.set(e.query, (await query(e.query)).map((s) => ({ Labels: s.labels, Value: s.value })));
            continue;
          } catch (qe) {
            msg = (qe as Error).message;
          }
        }
        return `<error expanding template: error executing template ${name}: template: ${name}: executing "${name}": error calling query: ${msg}>`;
      }
      if (!(e instanceof ExecError)) throw e;
      return `<error expanding template: error executing template ${name}: ${e.message}>`;
    }
  }
}
