// PromQL text -> our AST, using the lezer grammar the Prometheus UI ships.
// That grammar is newer than 2.42 and more permissive (duration arithmetic,
// limitk, fill(), quoted label names, ...), so this file also rejects what
// Prometheus 2.42 rejects, with its messages where we know them, and runs the
// same semantic checks as its parser's checkAST.
import { parser } from "@prometheus-io/lezer-promql";
import type { SyntaxNode } from "@lezer/common";
import type { LabelMatcher, MatchType } from "../../../shared/storage/types";
import {
  isComparison,
  isSetOp,
  type AggregateOp,
  type AtModifier,
  type BinaryExpr,
  type BinaryOp,
  type Expr,
  type MatrixSelector,
  type SubqueryExpr,
  type ValueType,
  type VectorMatching,
  type VectorSelector,
} from "./ast";
import { ParseError } from "./errors";
import { FUNCTIONS } from "./functions";
import { DurationRangeError, isDurationText, parseDuration, parseNumber, unquote } from "./literals";
import { compileMatcher, matcherRegex } from "./matchers";
import { RegexSyntaxError } from "./regex";
import { RegexBudget } from "./regex-budget";
import { NestingError, PARSER_DEPTH_WARNING, parserGaveUp, prepareForParser } from "./nesting";
import { documentedType, valueType } from "./typecheck";

const BIN_OPS: Record<string, BinaryOp> = {
  Pow: "^", Mul: "*", Div: "/", Mod: "%", Atan2: "atan2", Add: "+", Sub: "-",
  Eql: "==", Neq: "!=", Gtr: ">", Lss: "<", Gte: ">=", Lte: "<=", And: "and", Or: "or", Unless: "unless",
};
const MATCH_OPS: Record<string, MatchType> = { EqlSingle: "=", Neq: "!=", EqlRegex: "=~", NeqRegex: "!~" };
const AGG_OPS = new Set<string>(["sum", "avg", "min", "max", "count", "group", "stddev", "stdvar", "topk", "bottomk", "quantile", "count_values"]);
const AGG_WITH_PARAM = new Set<string>(["topk", "bottomk", "quantile", "count_values"]);

function kids(n: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = n.firstChild; c; c = c.nextSibling) out.push(c);
  return out;
}

class Parser {
  /** Operator positions of binary expressions, for error messages. */
  private readonly opPos = new WeakMap<BinaryExpr, [number, number]>();
  /** The text lezer parses: the query, with long operator chains grouped (./nesting). */
  private readonly input: string;
  private readonly toOriginal: (pos: number) => number;
  private readonly depth: number;
  private readonly regexes = new RegexBudget();
  constructor(private readonly query: string) {
    try {
      const prepared = prepareForParser(query);
      this.input = prepared.text;
      this.toOriginal = prepared.toOriginal;
      this.depth = prepared.depth;
    } catch (e) {
      if (e instanceof NestingError) throw new ParseError(query, e.pos, e.pos + 1, e.message);
      throw e;
    }
  }

  fail(from: number, to: number, msg: string): never {
    throw new ParseError(this.query, this.toOriginal(from), this.toOriginal(to), msg);
  }

  text(n: SyntaxNode): string {
    return this.input.slice(n.from, n.to);
  }

  parse(): Expr {
    if (this.input.trim() === "") this.fail(0, 0, "no expression found in input");
    // holt_winters (2.42) is missing from the newer grammar; parse it as a same-length
    // known name. Positions are unchanged and names are always read from the original text.
    const tree = parser.parse(this.input.replace(/\bholt_winters(?=\s*\()/g, "day_of_month").replace(/\b0X(?=[0-9a-fA-F])/g, "0x"));
    let err: SyntaxNode | null = null;
    tree.iterate({
      enter: (n) => {
        if (err) return false;
        if (n.type.isError) err = n.node;
        return undefined;
      },
    });
    if (err) this.syntaxError(err);
    const top = tree.topNode.firstChild;
    if (!top) this.fail(0, 0, "no expression found in input");
    return this.expr(top);
  }

  private syntaxError(n: SyntaxNode): never {
    const pos = n.from;
    if (this.depth > PARSER_DEPTH_WARNING) this.fail(pos, pos, parserGaveUp(this.depth));
    // An identifier directly followed by "(" that the grammar did not take as a call.
    const before = this.input.slice(0, pos);
    const ident = /([a-zA-Z_:][a-zA-Z0-9_:]*)\s*$/.exec(before);
    if (ident && this.input[pos] === "(" && !FUNCTIONS.has(ident[1]) && !AGG_OPS.has(ident[1]))
      this.fail(pos - ident[0].length, pos, `unknown function with name ${JSON.stringify(ident[1])}`);
    if (pos >= this.input.length || n.from === n.to && this.input.slice(pos).trim() === "") this.fail(pos, pos, "unexpected end of input");
    const tok = /^\s*(\S+)/.exec(this.input.slice(pos))?.[1] ?? "";
    this.fail(pos, n.to, `unexpected ${JSON.stringify(tok.slice(0, 20))}`);
  }

  private expr(n: SyntaxNode): Expr {
    const c = kids(n);
    switch (n.name) {
      case "ParenExpr": {
        const inner = this.expr(c[0]);
        return { kind: "ParenExpr", expr: inner, start: n.from, end: n.to };
      }
      case "NumberDurationLiteral":
        return { kind: "NumberLiteral", value: this.number(n), start: n.from, end: n.to };
      case "StringLiteral":
        return { kind: "StringLiteral", value: this.string(n), start: n.from, end: n.to };
      case "UnaryExpr": {
        const op = this.text(c[0]) as "-" | "+";
        const inner = this.expr(c[1]);
        if (inner.kind === "NumberLiteral") {
          // Prometheus folds the sign into number literals.
          return { kind: "NumberLiteral", value: op === "-" ? -inner.value : inner.value, start: n.from, end: n.to };
        }
        const t = valueType(inner);
        if (t !== "scalar" && t !== "vector") this.fail(n.from, n.to, "unary expression only allowed on expressions of type scalar or instant vector");
        return { kind: "UnaryExpr", op, expr: inner, start: n.from, end: n.to };
      }
      case "VectorSelector":
        return this.vectorSelector(n, c);
      case "MatrixSelector":
        return this.matrixSelector(n, c);
      case "SubqueryExpr":
        return this.subquery(n, c);
      case "OffsetExpr":
        return this.offset(n, c);
      case "StepInvariantExpr":
        return this.at(n, c);
      case "BinaryExpr":
        return this.binary(n, c);
      case "FunctionCall":
        return this.call(n, c);
      case "AggregateExpr":
        return this.aggregate(n, c);
      default:
        this.fail(n.from, n.to, `unexpected ${JSON.stringify(this.text(n).slice(0, 20))}`);
    }
  }

  private number(n: SyntaxNode): number {
    const t = this.text(n);
    const v = parseNumber(t);
    const digits = t.replace(/^[+-]/, "");
    if (v !== null && !Number.isFinite(v) && !Number.isNaN(v) && !/^inf$/i.test(digits)) {
      // Go's ParseFloat refuses what overflows float64 (1e400); JS would make it Infinity.
      const from = n.to - digits.length;
      this.fail(from, n.to, `error parsing number: strconv.ParseFloat: parsing ${JSON.stringify(digits)}: value out of range`);
    }
    if (v === null) {
      if (isDurationText(t.replace(/^[+-]/, ""))) this.fail(n.from, n.to, `unexpected duration ${JSON.stringify(t)}`);
      this.fail(n.from, n.to, `bad number or duration syntax: ${JSON.stringify(t)}`);
    }
    return v;
  }

  private string(n: SyntaxNode): string {
    try {
      return unquote(this.text(n));
    } catch (e) {
      this.fail(n.from, n.to, (e as Error).message);
    }
  }

  /** A plain duration literal (2.42 has no duration arithmetic); must be > 0. */
  private duration(n: SyntaxNode): number {
    const c = kids(n);
    if (c.length !== 1 || c[0].name !== "NumberDurationLiteralInDurationContext") this.fail(n.from, n.to, `unexpected ${JSON.stringify(this.text(n))}, expected duration`);
    const t = this.text(c[0]);
    let d: number | null;
    try {
      d = parseDuration(t);
    } catch (e) {
      if (e instanceof DurationRangeError) this.fail(c[0].from, c[0].to, e.message);
      throw e;
    }
    if (d === null) this.fail(n.from, n.to, `bad duration syntax: ${JSON.stringify(t)}`);
    if (d === 0) this.fail(n.from, n.to, "duration must be greater than 0");
    return d;
  }

  private vectorSelector(n: SyntaxNode, c: SyntaxNode[]): VectorSelector {
    let name: string | null = null;
    const matchers: LabelMatcher[] = [];
    for (const k of c) {
      if (k.name === "Identifier") name = this.text(k);
      else if (k.name === "LabelMatchers") {
        for (const m of kids(k)) {
          if (m.name !== "UnquotedLabelMatcher") this.fail(m.from, m.to, `unexpected ${JSON.stringify(this.text(m))} in label matching, expected identifier or "}"`);
          const [ln, op, val] = kids(m);
          matchers.push({ name: this.text(ln), type: MATCH_OPS[kids(op)[0].name], value: this.string(val) });
        }
      }
    }
    for (const m of matchers) {
      if (m.type === "=~" || m.type === "!~") {
        try {
          compileMatcher(m);
        } catch (e) {
          if (e instanceof RegexSyntaxError) this.fail(n.from, n.to, `error parsing regexp: ${e.message}`);
          throw e;
        }
        // Charged once compiled (so invalid RE2 keeps Go's error), at what it compiled to (0 on the fast path).
        const tooLarge = this.regexes.charge(m.value, matcherRegex(m.value).size);
        if (tooLarge) this.fail(n.from, n.to, tooLarge);
      }
    }
    if (name !== null) {
      const dup = matchers.find((m) => m.name === "__name__");
      if (dup) this.fail(n.from, n.to, `metric name must not be set twice: ${JSON.stringify(name)} or ${JSON.stringify(dup.value)}`);
      matchers.push({ name: "__name__", type: "=", value: name });
    }
    if (!matchers.some((m) => !compileMatcher(m)(""))) this.fail(n.from, n.to, "vector selector must contain at least one non-empty matcher");
    return { kind: "VectorSelector", name, matchers, offset: 0, at: null, start: n.from, end: n.to };
  }

  /**
   * The newer grammar binds offset, @, [range] and [range:step] looser than binary
   * and unary operators; Prometheus's yacc grammar binds them tightest. Rebuild
   * `a - b offset 5m` as `a - (b offset 5m)` by applying the postfix part to the
   * rightmost operand.
   */
  private postfix(operand: SyntaxNode, apply: (e: Expr) => Expr): Expr {
    if (operand.name === "BinaryExpr" || operand.name === "UnaryExpr") {
      const e = this.expr(operand);
      return this.reapply(e, apply);
    }
    return apply(this.expr(operand));
  }

  private reapply(e: Expr, apply: (e: Expr) => Expr): Expr {
    if (e.kind === "BinaryExpr") {
      const rhs = this.reapply(e.rhs, apply);
      return this.recheckBinary({ ...e, rhs });
    }
    if (e.kind === "UnaryExpr") {
      const inner = this.reapply(e.expr, apply);
      const t = valueType(inner);
      if (t !== "scalar" && t !== "vector") this.fail(e.start, e.end, "unary expression only allowed on expressions of type scalar or instant vector");
      return { ...e, expr: inner };
    }
    return apply(e);
  }

  private matrixSelector(n: SyntaxNode, c: SyntaxNode[]): Expr {
    return this.postfix(c[0], (inner) => this.makeMatrix(n, c, inner));
  }

  private makeMatrix(n: SyntaxNode, c: SyntaxNode[], inner: Expr): MatrixSelector {
    if (inner.kind !== "VectorSelector") this.fail(n.from, n.to, "ranges only allowed for vector selectors");
    if (inner.offset !== 0) this.fail(n.from, n.to, "no offset modifiers allowed before range");
    if (inner.at !== null) this.fail(n.from, n.to, "no @ modifiers allowed before range");
    return { kind: "MatrixSelector", vs: inner, range: this.duration(c[1]), start: n.from, end: n.to };
  }

  private subquery(n: SyntaxNode, c: SyntaxNode[]): Expr {
    return this.postfix(c[0], (inner) => this.makeSubquery(n, c, inner));
  }

  private makeSubquery(n: SyntaxNode, c: SyntaxNode[], inner: Expr): SubqueryExpr {
    const range = this.duration(c[1]);
    const step = c[2] ? this.duration(c[2]) : 0;
    const t = valueType(inner);
    if (t !== "vector") this.fail(n.from, n.to, `subquery is only allowed on instant vector, got ${documentedType(t)} instead`);
    return { kind: "SubqueryExpr", expr: inner, range, step, offset: 0, at: null, start: n.from, end: n.to };
  }

  /** The selector (or subquery) an offset / @ modifier applies to. */
  private modifierTarget(e: Expr, what: string): VectorSelector | SubqueryExpr {
    if (e.kind === "VectorSelector" || e.kind === "SubqueryExpr") return e;
    if (e.kind === "MatrixSelector") return e.vs;
    this.fail(e.start, e.end, `${what} modifier must be preceded by an instant vector selector or range vector selector or a subquery`);
  }

  private offset(n: SyntaxNode, c: SyntaxNode[]): Expr {
    return this.postfix(c[0], (e) => this.applyOffset(n, c, e));
  }

  private applyOffset(n: SyntaxNode, c: SyntaxNode[], e: Expr): Expr {
    let d = c[2];
    let sign = 1;
    const ops = kids(d);
    if (ops[0]?.name === "UnaryOp") {
      if (this.text(ops[0]) !== "-" || kids(ops[1])[0]?.name === "UnaryOp") this.fail(d.from, d.to, `unexpected ${JSON.stringify(this.text(d))} in offset, expected duration`);
      sign = -1;
      d = ops[1];
    }
    const dur = this.duration(d);
    const target = this.modifierTarget(e, "offset");
    if (target.offset !== 0) this.fail(e.start, e.end, "offset may not be set multiple times");
    target.offset = sign * dur;
    return { ...e, end: n.to };
  }

  private at(n: SyntaxNode, c: SyntaxNode[]): Expr {
    return this.postfix(c[0], (e) => this.applyAt(n, c, e));
  }

  private applyAt(n: SyntaxNode, c: SyntaxNode[], e: Expr): Expr {
    const target = this.modifierTarget(e, "@");
    if (target.at !== null) this.fail(e.start, e.end, "@ <timestamp> may not be set multiple times");
    const mod = c[2];
    let at: AtModifier;
    if (mod.name === "AtModifierPreprocessors") at = { preprocessor: kids(mod)[0].name === "AtStart" ? "start" : "end" };
    else {
      const ts = this.number(mod);
      if (!Number.isFinite(ts) || Math.abs(ts) >= 9223372036854775807) this.fail(n.from, n.to, `timestamp out of bounds for @ modifier: ${ts.toFixed(6)}`);
      // timestamp.FromFloatSeconds rounds half away from zero.
      at = { time: Math.sign(ts) * Math.round(Math.abs(ts * 1000)) };
    }
    target.at = at;
    return { ...e, end: n.to };
  }

  private groupingLabels(n: SyntaxNode): string[] {
    return kids(n).map((k) => {
      if (k.name !== "LabelName") this.fail(k.from, k.to, `unexpected ${JSON.stringify(this.text(k))} in grouping opts, expected label`);
      return this.text(k);
    });
  }

  private binary(n: SyntaxNode, c: SyntaxNode[]): Expr {
    const lhsText = this.text(c[0]);
    if (BIN_OPS[c[1]?.name] === "^" && c[0].name === "NumberDurationLiteral" && /^[+-]/.test(lhsText)) {
      // The grammar reads "-2 ^ 2" as (-2) ^ 2; in Prometheus unary minus binds looser than ^.
      const abs = this.number(c[0]) * (lhsText[0] === "-" ? -1 : 1);
      const inner = this.binaryWith(n, c, { kind: "NumberLiteral", value: abs, start: c[0].from + 1, end: c[0].to });
      return { kind: "UnaryExpr", op: lhsText[0] as "-" | "+", expr: inner, start: n.from, end: n.to };
    }
    return this.binaryWith(n, c, this.expr(c[0]));
  }

  private binaryWith(n: SyntaxNode, c: SyntaxNode[], lhs: Expr): Expr {
    const rhs = this.expr(c[c.length - 1]);
    const opNode = c[1];
    const op = BIN_OPS[opNode.name];
    if (!op) this.fail(opNode.from, opNode.to, `unexpected ${JSON.stringify(this.text(opNode))}`);
    let returnBool = false;
    let matching: VectorMatching = { card: "one-to-one", matchingLabels: [], on: false, include: [] };
    for (const m of c.slice(2, -1)) {
      if (m.name === "BoolModifier") returnBool = true;
      else if (m.name === "MatchingModifierClause") {
        const mk = kids(m);
        matching.on = mk[0].name === "On";
        matching.matchingLabels = this.groupingLabels(mk[1]);
        if (mk[2]) {
          matching.card = mk[2].name === "GroupLeft" ? "many-to-one" : "one-to-many";
          if (mk[3]) matching.include = this.groupingLabels(mk[3]);
        }
      } else this.fail(m.from, m.to, `unexpected ${JSON.stringify(this.text(m))}`);
    }
    if (isSetOp(op) && matching.card === "one-to-one") matching.card = "many-to-many";
    const b: BinaryExpr = { kind: "BinaryExpr", op, lhs, rhs, returnBool, matching, start: n.from, end: n.to };
    this.opPos.set(b, [opNode.from, opNode.to]);
    return this.recheckBinary(b);
  }

  /** Prometheus's checkAST rules for binary expressions; also run again after postfix rewrites. */
  private recheckBinary(b: BinaryExpr): BinaryExpr {
    const { op, lhs, rhs, returnBool } = b;
    const matching: VectorMatching = b.matching ?? { card: isSetOp(op) ? "many-to-many" : "one-to-one", matchingLabels: [], on: false, include: [] };
    const n = { from: b.start, to: b.end };
    const [opFrom, opTo] = this.opPos.get(b) ?? [b.start, b.end];
    const lt = valueType(lhs), rt = valueType(rhs);
    if (returnBool && !isComparison(op)) this.fail(opFrom, opTo, "bool modifier can only be used on comparison operators");
    if (isComparison(op) && !returnBool && lt === "scalar" && rt === "scalar") this.fail(opFrom, opTo, "comparisons between scalars must use BOOL modifier");
    if (matching.on) for (const l of matching.matchingLabels) if (matching.include.includes(l)) this.fail(opFrom, opTo, `label ${JSON.stringify(l)} must not occur in ON and GROUP clause at once`);
    if (lt !== "scalar" && lt !== "vector") this.fail(lhs.start, lhs.end, "binary expression must contain only scalar and instant vector types");
    if (rt !== "scalar" && rt !== "vector") this.fail(rhs.start, rhs.end, "binary expression must contain only scalar and instant vector types");
    let finalMatching: VectorMatching | null = matching;
    if (lt !== "vector" || rt !== "vector") {
      if (matching.matchingLabels.length > 0) this.fail(n.from, n.to, "vector matching only allowed between instant vectors");
      finalMatching = null;
    } else if (isSetOp(op)) {
      if (matching.card === "one-to-many" || matching.card === "many-to-one") this.fail(n.from, n.to, `no grouping allowed for "${op}" operation`);
    }
    if ((lt === "scalar" || rt === "scalar") && isSetOp(op)) this.fail(n.from, n.to, `set operator "${op}" not allowed in binary scalar expression`);
    const out = { ...b, matching: finalMatching };
    this.opPos.set(out, [opFrom, opTo]);
    return out;
  }

  private expectType(e: Expr, want: ValueType, context: string): void {
    const got = valueType(e);
    if (got !== want) this.fail(e.start, e.end, `expected type ${documentedType(want)} in ${context}, got ${documentedType(got)}`);
  }

  private call(n: SyntaxNode, c: SyntaxNode[]): Expr {
    const name = this.text(c[0]);
    const def = FUNCTIONS.get(name);
    if (!def) this.fail(c[0].from, c[0].to, `unknown function with name ${JSON.stringify(name)}`);
    const args = kids(c[1]).map((a) => this.expr(a));
    const nargs = def.argTypes.length;
    if (def.variadic === 0) {
      if (nargs !== args.length) this.fail(n.from, n.to, `expected ${nargs} argument(s) in call to ${JSON.stringify(name)}, got ${args.length}`);
    } else {
      const na = nargs - 1;
      if (na > args.length) this.fail(n.from, n.to, `expected at least ${na} argument(s) in call to ${JSON.stringify(name)}, got ${args.length}`);
      else if (def.variadic > 0 && na + def.variadic < args.length)
        this.fail(n.from, n.to, `expected at most ${na + def.variadic} argument(s) in call to ${JSON.stringify(name)}, got ${args.length}`);
    }
    args.forEach((a, i) => {
      if (i >= nargs && def.variadic === 0) return;
      this.expectType(a, def.argTypes[Math.min(i, nargs - 1)], `call to function ${JSON.stringify(name)}`);
    });
    const pattern = name === "label_replace" ? args[4] : undefined;
    if (pattern?.kind === "StringLiteral") {
      const tooLarge = this.regexes.charge(pattern.value);
      if (tooLarge) this.fail(pattern.start, pattern.end, tooLarge);
    }
    return { kind: "Call", func: name, args, start: n.from, end: n.to };
  }

  private aggregate(n: SyntaxNode, c: SyntaxNode[]): Expr {
    const op = this.text(c[0]) as AggregateOp;
    if (!AGG_OPS.has(op)) this.fail(c[0].from, c[0].to, `unknown function with name ${JSON.stringify(op)}`);
    let grouping: string[] = [];
    let without = false;
    let body: SyntaxNode | null = null;
    for (const k of c.slice(1)) {
      if (k.name === "AggregateModifier") {
        const mk = kids(k);
        without = mk[0].name === "Without";
        grouping = this.groupingLabels(mk[1]);
      } else body = k;
    }
    const args = kids(body!).map((a) => this.expr(a));
    if (args.length === 0) this.fail(n.from, n.to, "no arguments for aggregate expression provided");
    const want = AGG_WITH_PARAM.has(op) ? 2 : 1;
    if (args.length !== want) this.fail(n.from, n.to, `wrong number of arguments for aggregate expression provided, expected ${want}, got ${args.length}`);
    const expr = args[want - 1];
    const param = want === 2 ? args[0] : null;
    if (param) this.expectType(param, op === "count_values" ? "string" : "scalar", "aggregation parameter");
    this.expectType(expr, "vector", "aggregation expression");
    return { kind: "AggregateExpr", op, expr, param, grouping, without, start: n.from, end: n.to };
  }
}

/** Parses a PromQL expression. Throws ParseError (errorType bad_data). */
export function parseExpr(input: string): Expr {
  try {
    return new Parser(input).parse();
  } catch (e) {
    // A backstop: nesting is measured before parsing, but no input may overflow the stack.
    if (e instanceof RangeError && /call stack/i.test(e.message)) throw new ParseError(input, 0, 0, "expression nests too deeply (the parser ran out of stack)");
    throw e;
  }
}

/** Parses a series selector (the match[] parameter): only `name{matchers}` is allowed. */
export function parseSeriesSelector(input: string): LabelMatcher[] {
  const e = parseExpr(input);
  if (e.kind !== "VectorSelector" || e.offset !== 0 || e.at !== null)
    throw new ParseError(input, 0, input.length, `unexpected expression, expected a series selector such as name{label="value"}`);
  return e.matchers;
}
