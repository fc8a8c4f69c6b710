// The pure parts of the rules API and cron: Go's spellings of floats, times and
// durations as Prometheus 2.42 writes them in /api/v1/rules and /api/v1/alerts,
// the printed form of a rule's query, and which evaluation slots a run takes.
import { describe, expect, it } from "vitest";
import { goExpFloat, goTime } from "../../workers/query/api/rules-routes";
import { parseExpr } from "../../workers/query/promql/parse";
import { exprString } from "../../workers/query/rules/expr-string";
import { formatG as goFloat, modelDuration as goDuration } from "../../workers/query/rules/go-format";
import { dueSlots } from "../../workers/query/rules/cron";

describe("Go spellings", () => {
  it("an alert's value as strconv.FormatFloat(v, 'e', -1, 64)", () => {
    expect([1, 0, 0.5, 123.456, -2, 1e21, 1.5e-7, NaN, Infinity, -Infinity].map(goExpFloat)).toEqual(["1e+00", "0e+00", "5e-01", "1.23456e+02", "-2e+00", "1e+21", "1.5e-07", "NaN", "+Inf", "-Inf"]);
  });
  it("times as time.Time's JSON (RFC 3339, trailing zeros of the fraction dropped, zero time for never)", () => {
    expect(goTime(Date.UTC(2026, 0, 2, 3, 4, 5))).toBe("2026-01-02T03:04:05Z");
    expect(goTime(Date.UTC(2026, 0, 2, 3, 4, 5, 120))).toBe("2026-01-02T03:04:05.12Z");
    expect(goTime(0)).toBe("0001-01-01T00:00:00Z");
  });
  it("durations and numbers as model.Duration and fmt.Sprint print them", () => {
    expect([0, 500, 90_000, 3_600_000, 86_400_000 + 7_200_000, 7 * 86_400_000].map(goDuration)).toEqual(["0s", "500ms", "1m30s", "1h", "1d2h", "1w"]);
    expect([5, 0.5, 100000, 1e6, 1234567, 0.0001, 0.00001].map((v) => goFloat(v))).toEqual(["5", "0.5", "100000", "1e+06", "1.234567e+06", "0.0001", "1e-05"]);
  });
});

describe("a rule's query as Prometheus prints it", () => {
  it.each([
    ['sum(rate(x{job="a",b=~"c.*"}[5m])) by (job) > 0.5', 'sum by (job) (rate(x{b=~"c.*",job="a"}[5m])) > 0.5'],
    ["max without (a,b) (x)", "max without (a, b) (x)"],
    ["topk(5, x)", "topk(5, x)"],
    ["a and on() b", "a and on () b"],
    ["a * on(x) group_left(y) b", "a * on (x) group_left (y) b"],
    ["a > bool 1", "a > bool 1"],
    ["x[90s] offset -1h", "x[1m30s] offset -1h"],
    ["rate(x[5m:30s])", "rate(x[5m:30s])"],
    ["x @ 1600000000", "x @ 1600000000.000"],
    ["(a + b) * 1e6", "(a + b) * 1e+06"],
    ['{__name__=~"a.*"}', '{__name__=~"a.*"}'],
  ])("%s", (input, printed) => {
    expect(exprString(parseExpr(input))).toBe(printed);
  });
});

describe("evaluation slots", () => {
  const M = 60_000;
  it("a new group starts at the current slot", () => {
    expect(dueSlots(0, 10 * M + 5_000, M)).toEqual({ slots: [10 * M], skipped: 0 });
  });
  it("takes every missed slot in (last, now], aligned to the interval", () => {
    expect(dueSlots(10 * M, 13 * M + 1, M)).toEqual({ slots: [11 * M, 12 * M, 13 * M], skipped: 0 });
    expect(dueSlots(10 * M, 10 * M + 59_999, M)).toEqual({ slots: [], skipped: 0 });
    expect(dueSlots(10 * M + 30_000, 12 * M, 2 * M)).toEqual({ slots: [12 * M], skipped: 0 });
  });
  it("takes the newest 10 and skips older ones", () => {
    const r = dueSlots(M, 30 * M, M);
    expect(r.skipped).toBe(19);
    expect(r.slots).toEqual(Array.from({ length: 10 }, (_, i) => (21 + i) * M));
  });
});
