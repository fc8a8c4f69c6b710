// An expression printed as Prometheus 2.42 prints a parsed one
// (promql/parser/printer.go String()): what its rules keep as their query, so
// it is the `query` of /api/v1/rules and the expression of generatorURL.
import type { AtModifier, Expr } from "../promql/ast";
import { parseExpr } from "../promql/parse";
import { formatF, formatG, goQuote, modelDuration } from "./go-format";

function offsetText(ms: number): string {
  if (ms > 0) return ` offset ${modelDuration(ms)}`;
  if (ms < 0) return ` offset -${modelDuration(-ms)}`;
  return "";
}

function atText(at: AtModifier): string {
  if (!at) return "";
  if ("time" in at) return ` @ ${formatF(at.time / 1000, 3)}`;
  return ` @ ${at.preprocessor}()`;
}

function selector(name: string | null, matchers: { name: string; type: string; value: string }[]): string {
  const parts = matchers.filter((m) => !(m.name === "__name__" && m.type === "=" && m.value === name)).map((m) => `${m.name}${m.type}${goQuote(m.value)}`);
  // sort.Strings: byte order
  parts.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return (name ?? "") + (parts.length ? `{${parts.join(",")}}` : "");
}

export function exprString(e: Expr): string {
  switch (e.kind) {
    case "NumberLiteral":
      return formatG(e.value);
    case "StringLiteral":
      return goQuote(e.value);
    case "VectorSelector":
      return selector(e.name, e.matchers) + atText(e.at) + offsetText(e.offset);
    case "MatrixSelector":
      return `${selector(e.vs.name, e.vs.matchers)}[${modelDuration(e.range)}]${atText(e.vs.at)}${offsetText(e.vs.offset)}`;
    case "SubqueryExpr":
      return `${exprString(e.expr)}[${modelDuration(e.range)}:${e.step ? modelDuration(e.step) : ""}]${atText(e.at)}${offsetText(e.offset)}`;
    case "AggregateExpr": {
      let s = e.op;
      if (e.without) s += ` without (${e.grouping.join(", ")}) `;
      else if (e.grouping.length) s += ` by (${e.grouping.join(", ")}) `;
      return `${s}(${e.param ? exprString(e.param) + ", " : ""}${exprString(e.expr)})`;
    }
    case "BinaryExpr": {
      let matching = "";
      const vm = e.matching;
      if (vm && (vm.matchingLabels.length > 0 || vm.on)) {
        matching = ` ${vm.on ? "on" : "ignoring"} (${vm.matchingLabels.join(", ")})`;
        if (vm.card === "many-to-one" || vm.card === "one-to-many") matching += ` group_${vm.card === "many-to-one" ? "left" : "right"} (${vm.include.join(", ")})`;
      }
      return `${exprString(e.lhs)} ${e.op}${e.returnBool ? " bool" : ""}${matching} ${exprString(e.rhs)}`;
    }
    case "UnaryExpr":
      return `${e.op}${exprString(e.expr)}`;
    case "Call":
      return `${e.func}(${e.args.map(exprString).join(", ")})`;
    case "ParenExpr":
      return `(${exprString(e.expr)})`;
    case "StepInvariantExpr":
      return exprString(e.expr);
  }
}

const cache = new Map<string, string>();

/** The canonical text of an expression's source; the source itself when it does not parse. */
export function canonicalExpr(text: string): string {
  let out = cache.get(text);
  if (out === undefined) {
    try {
      out = exprString(parseExpr(text));
    } catch {
      out = text.trim();
    }
    if (cache.size > 5000) cache.clear();
    cache.set(text, out);
  }
  return out;
}
