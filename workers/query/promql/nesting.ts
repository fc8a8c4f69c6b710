// Deep and long expressions before the lezer parser sees them. Lezer has two
// hard-wired limits that Prometheus's yacc parser does not: it cuts its stack
// at about 2,800 frames (some 1,400 nested calls, 930 aggregations with `by`),
// and it force-reduces a left-associative chain after 300 reductions of over
// 2,000 characters (two per operator), which breaks `1 + 1 + …` after about
// 650 terms. So:
//  - nesting and chain length are measured first, and past MAX_EXPR_DEPTH the
//    query gets a clear 400 (evaluation recurses per level too);
//  - long chains are regrouped, every CHAIN_GROUP operators, as
//    `(a + … + z) + …`: for a left-associative operator whose left side holds
//    only operators binding as tight or tighter, that is the tree yacc builds.

/** Most levels of nesting (parentheses, calls, aggregations, operands of one operator chain) in a query. */
export const MAX_EXPR_DEPTH = 1_000;
/** Operators of one precedence level kept in a group before it is closed. */
const CHAIN_GROUP = 100;

// Prometheus's precedence, loosest first; ^ is the only right-associative one.
const PREC: Record<string, number> = {
  or: 1, and: 2, unless: 2,
  "==": 3, "!=": 3, "<=": 3, "<": 3, ">=": 3, ">": 3,
  "+": 4, "-": 4, "*": 5, "/": 5, "%": 5, atan2: 5, "^": 6,
};
// Keywords after which an operand follows (so a "-" there is a sign).
const OPERAND_FOLLOWS = new Set(["bool", "offset", "on", "ignoring", "group_left", "group_right", "by", "without"]);

export interface Rewritten {
  text: string;
  /** The deepest nesting seen (the same measure as MAX_EXPR_DEPTH). */
  depth: number;
  /** Maps an offset in `text` back to the original query. */
  toOriginal(pos: number): number;
}

/**
 * Lezer's stack limit comes before MAX_EXPR_DEPTH for some shapes (`sum by (l) (`
 * takes three frames a level: about 930 levels); a syntax error that deep is
 * reported as this limit.
 */
export const PARSER_DEPTH_WARNING = 900;

export function parserGaveUp(depth: number): string {
  return `expression nests too deeply: the parser gave up at ${depth} levels (the limit is ${MAX_EXPR_DEPTH}, about 930 for aggregations written "sum by (label) (...)")`;
}

export class NestingError extends Error {
  constructor(readonly pos: number) {
    super(`expression nests too deeply: more than ${MAX_EXPR_DEPTH} levels (each parenthesis, call, aggregation, unary sign and operand of an operator chain is one; a sign with the parenthesis after it is one)`);
  }
}

interface Group {
  prec: number;
  /** Where the operand chain of this precedence starts. */
  start: number;
  /** Operators since the last regrouping, and in all (each nests one level). */
  count: number;
  total: number;
  /** End of its latest operator, where a tighter chain would start. */
  lastOpEnd: number;
}

interface Level {
  chainStart: number;
  groups: Group[];
  /** The "(" opened a by/without/on/... label list. */
  labelList: string | null;
  /** For a by/without list: whether the aggregation body came before it. */
  bodyBefore: boolean;
}

const IDENT = /[a-zA-Z_:][a-zA-Z0-9_:]*/y;
const NUMBER = /(?:0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)[a-zA-Z0-9_]*/y;
const OPS = ["==", "!=", ">=", "<=", ">", "<", "+", "-", "*", "/", "%", "^"];

/** Checks depth and regroups long chains; returns the text to give lezer. Throws NestingError. */
export function prepareForParser(input: string): Rewritten {
  const inserts: Array<[number, string]> = [];
  const levels: Level[] = [{ chainStart: 0, groups: [], labelList: null, bodyBefore: false }];
  let operandEnd = false;
  let lastWord = "";
  // Whether the word in lastWord followed an operand (`sum(x) by` rather than `sum by`).
  let afterOperand = false;
  let unary = 0;
  let maxDepth = 0;
  // An upper bound of the tree depth here: each open level, each operator of the
  // chains still open at each level, and the signs before the coming operand.
  const depthNow = () => levels.length - 1 + levels.reduce((n, l) => n + l.groups.reduce((m, g) => m + g.total, 0), 0) + unary;
  const note = (pos: number) => {
    const d = depthNow();
    if (d > maxDepth) maxDepth = d;
    if (d > MAX_EXPR_DEPTH) throw new NestingError(pos);
  };

  const binary = (op: string, pos: number, end: number) => {
    const lvl = levels[levels.length - 1];
    const prec = PREC[op];
    unary = 0;
    const g = lvl.groups;
    while (g.length && g[g.length - 1].prec > prec) g.pop();
    const top = g[g.length - 1];
    if (top && top.prec === prec) {
      top.count++;
      top.total++;
      top.lastOpEnd = end;
      if (top.count >= CHAIN_GROUP && op !== "^") {
        inserts.push([top.start, "("], [pos, ")"]);
        top.count = 0;
      }
    } else {
      g.push({ prec, start: top ? top.lastOpEnd : lvl.chainStart, count: 1, total: 1, lastOpEnd: end });
    }
    note(pos);
    operandEnd = false;
  };

  let i = 0;
  while (i < input.length) {
    const ch = input[i];
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === "#") {
      const nl = input.indexOf("\n", i);
      i = nl < 0 ? input.length : nl + 1;
      continue;
    }
    if (ch === '"' || ch === "'" || ch === "`") {
      i = skipString(input, i);
      operandEnd = true;
      unary = 0;
      continue;
    }
    if (ch === "{" || ch === "[") {
      i = skipTo(input, i, ch === "{" ? "}" : "]");
      operandEnd = true;
      continue;
    }
    if (ch === "(") {
      const list = OPERAND_FOLLOWS.has(lastWord) && lastWord !== "bool" && lastWord !== "offset" ? lastWord : null;
      levels.push({ chainStart: i + 1, groups: [], labelList: list, bodyBefore: list !== null && afterOperand });
      // A sign and the "(" it applies to count as one level (`-(-(…))` is 1,000
      // deep at 1,000 pairs, as one reads it); further signs before it stay counted.
      if (unary > 0) unary--;
      note(i);
      i++;
      operandEnd = false;
      lastWord = "";
      continue;
    }
    if (ch === ")") {
      const lvl = levels.length > 1 ? levels.pop()! : levels[0];
      i++;
      // After a label list, an operand follows unless it closed `sum(x) by (a)`.
      operandEnd = lvl.labelList === null ? true : (lvl.labelList === "by" || lvl.labelList === "without") && lvl.bodyBefore;
      lastWord = "";
      continue;
    }
    if (ch === ",") {
      const lvl = levels[levels.length - 1];
      lvl.chainStart = i + 1;
      lvl.groups = [];
      unary = 0;
      i++;
      operandEnd = false;
      continue;
    }
    if (ch === "@") {
      i++;
      operandEnd = false;
      continue;
    }
    IDENT.lastIndex = i;
    const id = IDENT.exec(input);
    if (id) {
      const w = id[0];
      i += w.length;
      if (operandEnd && PREC[w.toLowerCase()] !== undefined && /^[a-z0-9]+$/i.test(w)) {
        binary(w.toLowerCase(), i - w.length, i);
        lastWord = w;
        continue;
      }
      lastWord = w;
      afterOperand = operandEnd;
      operandEnd = !OPERAND_FOLLOWS.has(w);
      if (operandEnd) unary = 0;
      continue;
    }
    NUMBER.lastIndex = i;
    const num = NUMBER.exec(input);
    if (num) {
      i += num[0].length;
      operandEnd = true;
      unary = 0;
      lastWord = "";
      continue;
    }
    const op = OPS.find((o) => input.startsWith(o, i));
    if (op) {
      if (!operandEnd && (op === "+" || op === "-")) {
        unary++;
        note(i);
      } else binary(op, i, i + op.length);
      i += op.length;
      lastWord = "";
      continue;
    }
    i++; // anything else: lezer will report it
  }
  if (inserts.length === 0) return { text: input, depth: maxDepth, toOriginal: (p) => p };
  // Stable by position; at one position the order of identical characters does not matter.
  inserts.sort((a, b) => a[0] - b[0]);
  let text = "";
  let prev = 0;
  const at: number[] = []; // offsets in `text` of inserted characters
  for (const [pos, s] of inserts) {
    text += input.slice(prev, pos);
    at.push(text.length);
    text += s;
    prev = pos;
  }
  text += input.slice(prev);
  return {
    text,
    depth: maxDepth,
    toOriginal(pos: number) {
      let lo = 0, hi = at.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (at[mid] < pos) lo = mid + 1;
        else hi = mid;
      }
      return pos - lo;
    },
  };
}

function skipString(s: string, i: number): number {
  const q = s[i];
  let j = i + 1;
  while (j < s.length && s[j] !== q) {
    if (s[j] === "\\" && q !== "`") j++;
    if (s[j] === "\n" && q !== "`") break;
    j++;
  }
  return j + 1;
}

function skipTo(s: string, i: number, close: string): number {
  let j = i + 1;
  while (j < s.length && s[j] !== close) {
    if (s[j] === '"' || s[j] === "'" || s[j] === "`") j = skipString(s, j);
    else j++;
  }
  return j + 1;
}
