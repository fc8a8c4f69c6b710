// The parser of the Go text/template subset alert labels and annotations use
// (Prometheus expands them with Go's text/template). Parse errors are spelled
// as Go's ("template: NAME:LINE: ..."), so a rule file fails to load the way
// it would in Prometheus.

export type Arg =
  | { t: "field"; chain: string[]; pos: number; src: string } // .A.B ("." when chain is empty)
  | { t: "var"; name: string; chain: string[]; pos: number; src: string } // $x.A
  | { t: "ident"; name: string; pos: number; src: string } // a function
  | { t: "str"; v: string; pos: number; src: string }
  | { t: "num"; v: number; int: boolean; pos: number; src: string }
  | { t: "bool"; v: boolean; pos: number; src: string }
  | { t: "nil"; pos: number; src: string }
  | { t: "pipe"; pipe: Pipeline; chain: string[]; pos: number; src: string }; // (pipeline).A.B

export interface Command {
  args: Arg[];
  pos: number;
}

export interface Pipeline {
  decl: string[];
  /** `=` (assign to an existing variable) rather than `:=`. */
  assign: boolean;
  cmds: Command[];
  pos: number;
}

export type Node =
  | { t: "text"; v: string }
  | { t: "action"; pipe: Pipeline }
  | { t: "if" | "with"; pipe: Pipeline; list: Node[]; elseList: Node[] }
  | { t: "range"; pipe: Pipeline; list: Node[]; elseList: Node[] };

export class TemplateError extends Error {}

/** Functions a template may call; anything else is "not defined", as Go says at parse time. */
export const KNOWN_FUNCTIONS = new Set([
  "and", "or", "not", "eq", "ne", "lt", "le", "gt", "ge", "len", "index", "print", "printf", "println", "html", "js", "urlquery",
  "humanize", "humanize1024", "humanizeDuration", "humanizePercentage", "humanizeTimestamp", "title", "toUpper", "toLower",
  "reReplaceAll", "match", "stripPort", "safeHtml", "graphLink", "tableLink", "parseDuration", "toTime", "args",
  "query", "first", "label", "value", "strvalue", "sortByLabel", "externalURL", "pathPrefix",
]);
/** Prometheus functions of console templates only (other files, HTML): refused with a clear reason. */
const UNSUPPORTED = new Set(["tmpl"]);

interface Item {
  kind: "text" | "action";
  text: string;
  pos: number;
}

function lineOf(src: string, pos: number): number {
  let n = 1;
  for (let i = 0; i < pos && i < src.length; i++) if (src[i] === "\n") n++;
  return n;
}

/** Splits text and {{ actions }}, applying {{- and -}} trimming and dropping comments. */
function split(src: string, name: string): Item[] {
  const items: Item[] = [];
  let i = 0;
  while (i < src.length) {
    const open = src.indexOf("{{", i);
    if (open < 0) {
      items.push({ kind: "text", text: src.slice(i), pos: i });
      break;
    }
    let text = src.slice(i, open);
    let start = open + 2;
    if (src.startsWith("- ", start) || src.startsWith("-\t", start) || src.startsWith("-\n", start)) {
      text = text.replace(/[ \t\r\n]+$/, "");
      start += 1;
    }
    if (text) items.push({ kind: "text", text, pos: i });
    // Find the closing braces outside string literals.
    let j = start;
    let quote = "";
    for (; j < src.length; j++) {
      const c = src[j];
      if (quote) {
        if (c === "\\" && quote !== "`") j++;
        else if (c === quote) quote = "";
        else if (c === "\n" && quote !== "`") throw new TemplateError(`template: ${name}:${lineOf(src, j)}: unterminated quoted string`);
      } else if (c === '"' || c === "`" || c === "'") quote = c;
      else if (src.startsWith("}}", j)) break;
      else if (src.startsWith("/*", j)) {
        const end = src.indexOf("*/", j + 2);
        if (end < 0) throw new TemplateError(`template: ${name}:${lineOf(src, j)}: unclosed comment`);
        j = end + 1;
      }
    }
    if (j >= src.length) throw new TemplateError(`template: ${name}:${lineOf(src, open)}: unclosed action`);
    let body = src.slice(start, j);
    let next = j + 2;
    if (/[ \t\r\n]-$/.test(body)) {
      body = body.slice(0, -1);
      const m = /^[ \t\r\n]*/.exec(src.slice(next))!;
      next += m[0].length;
    }
    const trimmed = body.trim();
    if (!(trimmed.startsWith("/*") && trimmed.endsWith("*/"))) items.push({ kind: "action", text: body, pos: start });
    i = next;
  }
  return items;
}

interface Tok {
  k: "word" | "var" | "field" | "str" | "num" | "pipe" | "lparen" | "rparen" | "decl" | "assign" | "comma";
  v: string;
  pos: number;
}

function tokenize(body: string, base: number, err: (pos: number, msg: string) => TemplateError): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < body.length) {
    const c = body[i];
    const pos = base + i;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    let m: RegExpExecArray | null;
    const rest = body.slice(i);
    if (c === "|") toks.push({ k: "pipe", v: c, pos }), i++;
    else if (c === "(") toks.push({ k: "lparen", v: c, pos }), i++;
    else if (c === ")") toks.push({ k: "rparen", v: c, pos }), i++;
    else if (c === ",") toks.push({ k: "comma", v: c, pos }), i++;
    else if (rest.startsWith(":=")) toks.push({ k: "decl", v: ":=", pos }), (i += 2);
    else if (c === "=") toks.push({ k: "assign", v: "=", pos }), i++;
    else if (c === '"' && (m = /^"(?:[^"\\\n]|\\.)*"/.exec(rest))) toks.push({ k: "str", v: m[0], pos }), (i += m[0].length);
    else if (c === "`" && (m = /^`[^`]*`/.exec(rest))) toks.push({ k: "str", v: m[0], pos }), (i += m[0].length);
    else if ((m = /^\$[A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*/.exec(rest))) toks.push({ k: "var", v: m[0], pos }), (i += m[0].length);
    else if ((m = /^(?:\.[A-Za-z0-9_]+)+|^\./.exec(rest))) toks.push({ k: "field", v: m[0], pos }), (i += m[0].length);
    else if ((m = /^[+-]?(?:0[xX][0-9a-fA-F_]+|(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)/.exec(rest))) toks.push({ k: "num", v: m[0], pos }), (i += m[0].length);
    else if ((m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest))) toks.push({ k: "word", v: m[0], pos }), (i += m[0].length);
    else throw err(pos, `unexpected ${JSON.stringify(c)} in command`);
  }
  return toks;
}

function unquote(s: string): string {
  if (s.startsWith("`")) return s.slice(1, -1);
  return JSON.parse(s.replace(/\\x([0-9a-fA-F]{2})/g, "\\u00$1").replace(/\\([abfv'])/g, (_, c: string) => ({ a: "\\u0007", b: "\\b", f: "\\f", v: "\\u000b", "'": "'" })[c]!)) as string;
}

/** Parses a template; throws TemplateError with Go's wording. `vars` are the variables defined before the text. */
export function parseTemplate(src: string, name: string, vars: string[]): Node[] {
  const err = (pos: number, msg: string) => new TemplateError(`template: ${name}:${lineOf(src, pos)}: ${msg}`);
  const items = split(src, name);
  let idx = 0;
  const scopes: Set<string>[] = [new Set(["$", ...vars])];
  const defined = (v: string) => scopes.some((s) => s.has(v));

  function parsePipeline(toks: Tok[], pos: number, ctx: string): Pipeline {
    let p = 0;
    const decl: string[] = [];
    let assign = false;
    // Declarations: $x := ..., $k, $v := ... (range).
    const look = toks.findIndex((t) => t.k === "decl" || t.k === "assign");
    if (look > 0 && toks.slice(0, look).every((t) => t.k === "var" || t.k === "comma")) {
      for (const t of toks.slice(0, look)) if (t.k === "var") decl.push(t.v);
      assign = toks[look].k === "assign";
      p = look + 1;
      if (assign) for (const d of decl) if (!defined(d)) throw err(toks[0].pos, `undefined variable "${d}"`);
    }
    const cmds: Command[] = [];
    const parseOperand = (): Arg => {
      const t = toks[p++];
      const base = { pos: t.pos, src: t.v };
      switch (t.k) {
        case "str":
          return { t: "str", v: unquote(t.v), ...base };
        case "num": {
          const int = /^[+-]?(0[xX][0-9a-fA-F_]+|\d[\d_]*)$/.test(t.v);
          const v = Number(t.v.replaceAll("_", ""));
          if (Number.isNaN(v)) throw err(t.pos, `illegal number syntax: ${JSON.stringify(t.v)}`);
          return { t: "num", v, int, ...base };
        }
        case "field":
          return { t: "field", chain: t.v === "." ? [] : t.v.slice(1).split("."), ...base };
        case "var": {
          const [vname, ...chain] = t.v.split(".");
          if (!defined(vname)) throw err(t.pos, `undefined variable "${vname}"`);
          return { t: "var", name: vname, chain, ...base };
        }
        case "word":
          if (t.v === "true" || t.v === "false") return { t: "bool", v: t.v === "true", ...base };
          if (t.v === "nil") return { t: "nil", ...base };
          if (UNSUPPORTED.has(t.v)) throw err(t.pos, `function "${t.v}" is not supported in alert templates (it includes console template files)`);
          if (!KNOWN_FUNCTIONS.has(t.v)) throw err(t.pos, `function "${t.v}" not defined`);
          return { t: "ident", name: t.v, ...base };
        case "lparen": {
          let depth = 1;
          const start = p;
          while (p < toks.length && depth > 0) {
            if (toks[p].k === "lparen") depth++;
            if (toks[p].k === "rparen") depth--;
            p++;
          }
          if (depth > 0) throw err(t.pos, `unclosed left paren`);
          const inner = parsePipeline(toks.slice(start, p - 1), t.pos, "parenthesized pipeline");
          let src = "(" + toks.slice(start, p - 1).map((x) => x.v).join(" ") + ")";
          let chain: string[] = [];
          // A field right after the parenthesis applies to the pipeline's value: (first .).Value
          if (p < toks.length && toks[p].k === "field" && toks[p].v !== "." && toks[p].pos === toks[p - 1].pos + 1) {
            chain = toks[p].v.slice(1).split(".");
            src += toks[p++].v;
          }
          return { t: "pipe", pipe: inner, chain, ...base, src };
        }
        default:
          throw err(t.pos, `unexpected "${t.v}" in ${ctx}`);
      }
    };
    while (p < toks.length) {
      const args: Arg[] = [];
      const cpos = toks[p].pos;
      while (p < toks.length && toks[p].k !== "pipe") args.push(parseOperand());
      if (args.length === 0) throw err(cpos, `missing command`);
      if (args[0].t !== "ident" && args.length > 1) throw err(args[1].pos, `can't give argument to non-function ${args[0].src}`);
      cmds.push({ args, pos: cpos });
      if (p < toks.length) {
        p++; // "|"
        if (p >= toks.length) throw err(toks[p - 1].pos, `missing command`);
      }
    }
    if (cmds.length === 0) throw err(pos, `missing value for ${ctx}`);
    for (let c = 1; c < cmds.length; c++) if (cmds[c].args[0].t !== "ident") throw err(cmds[c].pos, `non executable command in pipeline stage ${c + 1}`);
    const top = scopes[scopes.length - 1];
    if (!assign) for (const d of decl) top.add(d);
    return { decl, assign, cmds, pos };
  }

  function parseList(endWords: string[]): { list: Node[]; end: string; endItem?: Item } {
    const list: Node[] = [];
    while (idx < items.length) {
      const it = items[idx++];
      if (it.kind === "text") {
        list.push({ t: "text", v: it.text });
        continue;
      }
      const toks = tokenize(it.text, it.pos, err);
      if (toks.length === 0) throw err(it.pos, `missing value for command`);
      const kw = toks[0].k === "word" ? toks[0].v : "";
      if (kw === "end" || kw === "else") {
        if (!endWords.includes(kw)) throw err(it.pos, `unexpected {{${kw}}}`);
        return { list, end: kw, endItem: it };
      }
      if (kw === "if" || kw === "with" || kw === "range") {
        list.push(parseControl(kw, toks.slice(1), it.pos));
        continue;
      }
      if (["define", "template", "block", "break", "continue"].includes(kw)) throw err(it.pos, `{{${kw}}} is not supported in alert templates`);
      list.push({ t: "action", pipe: parsePipeline(toks, it.pos, "command") });
    }
    if (endWords.length) throw err(src.length, `unexpected EOF`);
    return { list, end: "" };
  }

  function parseControl(kw: "if" | "with" | "range", toks: Tok[], pos: number): Node {
    scopes.push(new Set());
    const pipe = parsePipeline(toks, pos, kw);
    const body = parseList(["end", "else"]);
    let elseList: Node[] = [];
    if (body.end === "else") {
      scopes.pop();
      scopes.push(new Set());
      const etoks = tokenize(body.endItem!.text, body.endItem!.pos, err).slice(1);
      if (etoks.length > 0 && etoks[0].k === "word" && (etoks[0].v === "if" || etoks[0].v === "with")) {
        // {{else if ...}} is {{else}}{{if ...}}...{{end}} sharing this {{end}}.
        const nested = parseControl(etoks[0].v as "if" | "with", etoks.slice(1), body.endItem!.pos);
        elseList = [nested];
        scopes.pop();
        return { t: kw, pipe, list: body.list, elseList } as Node;
      }
      const rest = parseList(["end"]);
      elseList = rest.list;
    }
    scopes.pop();
    return { t: kw, pipe, list: body.list, elseList } as Node;
  }

  return parseList([]).list;
}
