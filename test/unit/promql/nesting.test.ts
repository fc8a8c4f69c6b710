// Nesting limits (issue 11, probe D10): Prometheus 2.42 evaluates 1,000-deep
// expressions; so do we, and past MAX_EXPR_DEPTH the answer is a 400 that names
// the limit, never lezer's "unexpected" nor a stack overflow.
import { describe, expect, it } from "vitest";
import { instantQuery, parseExpr, ParseError, type QueryResult } from "../../../workers/query/promql/index";
import { MAX_EXPR_DEPTH } from "../../../workers/query/promql/nesting";
import { MemoryStorage } from "../../support/memory-storage";

const s = new MemoryStorage([{ labels: { __name__: "up", a: "x" }, timestamps: [1000], values: [1] }]);
const value = (r: QueryResult) => (r.resultType === "scalar" ? r.result.v : r.resultType === "vector" ? r.result[0]?.v : undefined);

function parseErrorOf(q: string): ParseError {
  try {
    parseExpr(q);
  } catch (e) {
    if (e instanceof ParseError) return e;
    throw e;
  }
  throw new Error("expected a parse error");
}

const SHAPES: Record<string, [(n: number) => string, (n: number) => number]> = {
  "1 + 1 + …": [(n) => Array(n).fill("1").join(" + "), (n) => n],
  "up * 2 - …": [(n) => Array(n).fill("up * 2").join(" - "), (n) => 2 - 2 * (n - 1)],
  "up or up or …": [(n) => Array(n).fill("up").join(" or "), () => 1],
  "((…(1)…))": [(n) => "(".repeat(n) + "1" + ")".repeat(n), () => 1],
  "abs(abs(…))": [(n) => "abs(".repeat(n) + "up" + ")".repeat(n), () => 1],
  "sum(sum(…))": [(n) => "sum(".repeat(n) + "up" + ")".repeat(n), () => 1],
  "- - … 1": [(n) => "-".repeat(n) + "1", (n) => (n % 2 ? -1 : 1)],
  "2 ^ 2 ^ … 1": [(n) => Array(n).fill("1").join(" ^ "), () => 1],
};

describe("nesting", () => {
  for (const [name, [make, want]] of Object.entries(SHAPES)) {
    it(`evaluates ${name} 1,000 deep and refuses it past the limit with a clear message`, async () => {
      expect(value(await instantQuery(s, make(1000), 1000))).toBe(want(1000));
      const e = parseErrorOf(make(MAX_EXPR_DEPTH + 5));
      expect(e.errorType).toBe("bad_data");
      expect(e.message).toMatch(/parse error: expression nests too deeply: more than 1000 levels/);
      // Far past it: still the same answer, fast, no stack overflow.
      const t0 = performance.now();
      expect(parseErrorOf(make(50_000)).message).toMatch(/nests too deeply/);
      expect(performance.now() - t0).toBeLessThan(1000);
    });
  }

  it("names the parser's own limit for `sum by (l) (…)`, which lezer gives up on near 930 levels", () => {
    const q = (n: number) => "sum by (a) (".repeat(n) + "up" + ")".repeat(n);
    expect(() => parseExpr(q(900))).not.toThrow();
    expect(parseErrorOf(q(990)).message).toMatch(/expression nests too deeply: the parser gave up at \d+ levels/);
  });

  it("regroups long chains without changing precedence or associativity", async () => {
    // Seeded random chains of + - * / % over small integers, checked against JS (same precedence, left-associative).
    let seed = 11;
    const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    for (let round = 0; round < 20; round++) {
      const ops = ["+", "-", "*", "/", "%"];
      let q = String(1 + rnd(9));
      const terms = 700 + rnd(300);
      for (let i = 1; i < terms; i++) q += ` ${ops[rnd(round % 2 ? 5 : 2)]} ${1 + rnd(9)}`;
      const r = await instantQuery(s, q, 1000);
      // eslint-disable-next-line no-new-func
      const js = Function(`return ${q}`)() as number;
      expect(value(r), q.slice(0, 60)).toBe(js);
    }
  });

  it("keeps error positions in the query's own coordinates after regrouping", () => {
    const q = Array(450).fill("1").join(" + ") + " + foo(";
    const e = parseErrorOf(q);
    expect(e.message.startsWith(`1:${q.length - 3}:`)).toBe(true);
    expect(e.message).toMatch(/unknown function with name "foo"/);
  });

  it("does not count what is inside strings, label matchers and comments", async () => {
    const q = `count(up{a!="${"(".repeat(2000)}"}) # ${"(".repeat(2000)}\n`;
    expect(value(await instantQuery(s, q, 1000))).toBe(1);
  });
});
