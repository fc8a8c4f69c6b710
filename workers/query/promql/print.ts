// An expression back to text as Prometheus 2.42 prints it (promql/parser/printer.go
// String()): what /api/v1/rules shows as a rule's query, so `sum(x) by (job)`
// reads `sum by (job) (x)` there as it does in Prometheus.
import type { LabelMatcher } from "../../../shared/storage/types";
import type { AtModifier, Expr, VectorMatching } from "./ast";

const UNITS: Array<[string, number]> = [
  ["y", 365 * 86_400_000],
  ["w", 7 * 86_400_000],
  ["d", 86_400_000],
  ["h", 3_600_000],
  ["m", 60_000],
  ["s", 1000],
  ["ms", 1],
];

/** model.Duration's String(): largest units first, zero units left out; 0 is "0s". */
export function goDuration(ms: number): string {
  if (ms === 0) return "0s";
  let rest = ms;
  let out = "";
  for (const [u, size] of UNITS) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${u}`;
      rest -= n * size;
    }
  }
  return out;
}

/** fmt.Sprint of a float64 (%v: shortest 'g', in exponent form from 1e+06 and below 1e-04, two exponent digits at least). */
export function goFloat(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  if (v === 0) return Object.is(v, -0) ? "-0" : "0";
  const [mant, exp] = v.toExponential().split("e");
  const e = Number(exp);
  if (e < -4 || e >= 6) return `${mant}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  return String(v);
}

/** Go's %q for the ASCII escapes JSON shares with it; the rest as JSON writes them. */
const goQuote = (s: string) => JSON.stringify(s);

const matcherText = (m: LabelMatcher) => `${m.name}${m.type}${goQuote(m.value)}`;

function modifiers(at: AtModifier, offset: number): string {
  let s = "";
  if (at && "time" in at) s += ` @ ${(at.time / 1000).toFixed(3)}`;
  else if (at) s += ` @ ${at.preprocessor}()`;
  if (offset > 0) s += ` offset ${goDuration(offset)}`;
  else if (offset < 0) s += ` offset -${goDuration(-offset)}`;
  return s;
}

function selector(name: string | null, matchers: LabelMatcher[]): string {
  const shown = matchers.filter((m) => !(name !== null && m.name === "__name__" && m.type === "=" && m.value === name)).map(matcherText).sort();
  return shown.length ? `${name ?? ""}{${shown.join(",")}}` : (name ?? "");
}

function matching(vm: VectorMatching | null): string {
  if (!vm || (vm.matchingLabels.length === 0 && !vm.on)) return "";
  let s = ` ${vm.on ? "on" : "ignoring"} (${vm.matchingLabels.join(", ")})`;
  if (vm.card === "many-to-one" || vm.card === "one-to-many") s += ` group_${vm.card === "many-to-one" ? "left" : "right"} (${vm.include.join(", ")})`;
  return s;
}

export function exprString(e: Expr): string {
  switch (e.kind) {
    case "NumberLiteral":
      return goFloat(e.value);
    case "StringLiteral":
      return goQuote(e.value);
    case "VectorSelector":
      return `${selector(e.name, e.matchers)}${modifiers(e.at, e.offset)}`;
    case "MatrixSelector":
      return `${selector(e.vs.name, e.vs.matchers)}[${goDuration(e.range)}]${modifiers(e.vs.at, e.vs.offset)}`;
    case "SubqueryExpr":
      return `${exprString(e.expr)}[${goDuration(e.range)}:${e.step ? goDuration(e.step) : ""}]${modifiers(e.at, e.offset)}`;
    case "AggregateExpr": {
      const grouping = e.without ? ` without (${e.grouping.join(", ")}) ` : e.grouping.length ? ` by (${e.grouping.join(", ")}) ` : "";
      return `${e.op}${grouping}(${e.param ? `${exprString(e.param)}, ` : ""}${exprString(e.expr)})`;
    }
    case "BinaryExpr":
      return `${exprString(e.lhs)} ${e.op}${e.returnBool ? " bool" : ""}${matching(e.matching)} ${exprString(e.rhs)}`;
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
