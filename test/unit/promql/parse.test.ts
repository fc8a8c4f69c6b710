import { describe, expect, it } from "vitest";
import { parseExpr, parseSeriesSelector, ParseError, PromQLError } from "../../../workers/query/promql/index";
import type { Expr } from "../../../workers/query/promql/ast";

/** Compact rendering of the tree for precedence checks. */
function show(e: Expr): string {
  switch (e.kind) {
    case "NumberLiteral": return String(e.value);
    case "StringLiteral": return JSON.stringify(e.value);
    case "VectorSelector": return (e.name ?? "{}") + (e.offset ? ` offset ${e.offset}` : "") + (e.at && "time" in e.at ? ` @ ${e.at.time}` : e.at ? ` @ ${e.at.preprocessor}()` : "");
    case "MatrixSelector": return `${show(e.vs)}[${e.range}]`;
    case "SubqueryExpr": return `(${show(e.expr)})[${e.range}:${e.step}]` + (e.offset ? ` offset ${e.offset}` : "");
    case "BinaryExpr": return `(${show(e.lhs)} ${e.op}${e.returnBool ? " bool" : ""} ${show(e.rhs)})`;
    case "UnaryExpr": return `(${e.op}${show(e.expr)})`;
    case "ParenExpr": return show(e.expr);
    case "Call": return `${e.func}(${e.args.map(show).join(", ")})`;
    case "AggregateExpr": return `${e.op}${e.without ? " without" : " by"}(${e.grouping.join(",")})(${e.param ? show(e.param) + ", " : ""}${show(e.expr)})`;
    case "StepInvariantExpr": return show(e.expr);
  }
}

describe("parser", () => {
  it.each([
    ["1 + 2 * 3", "(1 + (2 * 3))"],
    ["2 ^ 3 ^ 2", "(2 ^ (3 ^ 2))"],
    ["-2 ^ 2", "(-(2 ^ 2))"],
    ["a - b offset 5m", "(a - b offset 300000)"],
    ["-a offset 1m", "(-a offset 60000)"],
    ["a or b and c", "(a or (b and c))"],
    ["a > bool b", "(a > bool b)"],
    ["a offset -5m", "a offset -300000"],
    ["a @ 100.5", "a @ 100500"],
    ["a @ start()", "a @ start()"],
    ["rate(a[5m:])", "rate((a)[300000:0])"],
    ["sum by (job) (a)", "sum by(job)(a)"],
    ["sum(a) without (x, y)", "sum without(x,y)(a)"],
    ["topk(3, a)", "topk by()(3, a)"],
    ["0x1F + 0X1f", "(31 + 31)"],
    ["holt_winters(a[5m], 0.5, 0.5)", "holt_winters(a[300000], 0.5, 0.5)"],
    ['"a\\tb" ', '"a\\tb"'],
    ["`raw\\n`", '"raw\\\\n"'],
  ])("%s", (q, want) => {
    expect(show(parseExpr(q))).toBe(want);
  });

  it.each([
    ["sum(", "unexpected end of input"],
    ["foo(x)", 'unknown function with name "foo"'],
    ["1 > 2", "comparisons between scalars must use BOOL modifier"],
    ["rate(x)", 'expected type range vector in call to function "rate", got instant vector'],
    ["{}", "vector selector must contain at least one non-empty matcher"],
    ['x{a=~"(?=y)"}', "error parsing regexp"],
    ["x[0s]", "duration must be greater than 0"],
    ["(x)[5m]", "ranges only allowed for vector selectors"],
    ["x offset 1m offset 2m", "offset may not be set multiple times"],
    ["1m", 'unexpected duration "1m"'],
    ["limitk(1, x)", "unknown function"],
    ["x[1m+1m]", "expected duration"],
    ['x{"quoted"="a"}', "label matching"],
  ])("rejects %s", (q, msg) => {
    let err: unknown;
    try {
      parseExpr(q);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ParseError);
    expect((err as PromQLError).errorType).toBe("bad_data");
    expect((err as Error).message).toMatch(/^\d+:\d+: parse error: /);
    expect((err as Error).message).toContain(msg);
  });

  it("reports line and column like Prometheus", () => {
    try {
      parseExpr("sum(\n  rate(x)\n)");
      expect.unreachable();
    } catch (e) {
      expect((e as ParseError).line).toBe(2);
      expect((e as ParseError).column).toBe(8);
    }
  });

  it("parses series selectors for match[]", () => {
    expect(parseSeriesSelector('up{job="api",instance=~"a.*"}')).toEqual([
      { name: "job", type: "=", value: "api" },
      { name: "instance", type: "=~", value: "a.*" },
      { name: "__name__", type: "=", value: "up" },
    ]);
    expect(() => parseSeriesSelector("rate(up[5m])")).toThrow(ParseError);
    expect(() => parseSeriesSelector("{}")).toThrow(/non-empty matcher/);
  });
});

describe("regex budget of one query", () => {
  // Each is just under the single-regex cap (about 45,000 instructions), so only the total refuses them.
  const big = (i: number) => `x{1000}`.repeat(45) + `|v${i}`;

  it("refuses a query whose distinct regexes are too large in all", () => {
    const query = `up{${Array.from({ length: 5 }, (_, i) => `l${i}=~"${big(i)}"`).join(",")}}`;
    const t0 = performance.now();
    expect(() => parseExpr(query)).toThrow(/regular expressions of this query are too large: about \d+ instructions in all, the limit is 200000/);
    // Five of them compile (~0.3 s each on a quiet machine) before the query is refused; without the budget a query could hold hundreds.
    expect(performance.now() - t0).toBeLessThan(15_000);
  });

  it("counts label_replace patterns, and a repeated regex once; invalid RE2 keeps Go's own error", () => {
    expect(() => parseExpr(`up{a=~"(a{1000}){1000}"}`)).toThrow(/error parsing regexp: invalid repeat count/);
    expect(() => parseExpr(`label_replace(up, "d", "$1", "s", "${"x{1000}".repeat(60)}")`)).not.toThrow(/in all/);
    const same = big(0);
    expect(() => parseExpr(`up{a=~"${same}"} + up{b=~"${same}"} + up{c=~"${same}"} + up{d=~"${same}"} + up{e=~"${same}"}`)).not.toThrow();
    const calls = Array.from({ length: 5 }, (_, i) => `label_replace(up, "d", "$1", "s", "${big(i)}")`).join(" + ");
    expect(() => parseExpr(calls)).toThrow(/too large: about \d+ instructions in all/);
  });
});
