// Alert label and annotation templates: the Go text/template subset Prometheus
// users write ($labels, $value, $externalLabels, .Labels, .Value, pipes to the
// humanize family, printf, if/else with comparisons, {{- -}}), expanded as
// Prometheus's rules/alerting.go does: with the same variable prelude, and an
// execution error giving "<error expanding template: ...>" instead of failing.
import type { Labels } from "../../../shared/labels";
import { formatV, GoInt, goTypeName } from "./go-format";
import { compare, FUNCS, str, truth, type QuerySample, type V } from "./template-functions";
import { parseTemplate, TemplateError, type Arg, type Node, type Pipeline } from "./template-parse";

export { TemplateError } from "./template-parse";
export type { QuerySample } from "./template-functions";

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


/** Runs a template's `query "..."` at the alert's evaluation time. */
export type TemplateQuery = (query: string) => Promise<{ labels: Labels; value: number }[]>;

/** Thrown by a `query` whose result is not known yet: the caller runs it and executes the template again. */
class NeedQuery extends Error {
  constructor(readonly query: string) {
    super("query needed");
  }
}


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
        return { ne: c !== 0, lt: c < 0, le: c < 0 || c === 0, gt: !(c < 0 || c === 0), ge: !(c < 0) }[fn.name as "ne"];
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
