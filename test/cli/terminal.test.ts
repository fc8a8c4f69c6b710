// The terminal helpers: number formats, colour rules, tables, charts, time and number flags.
import { describe, expect, it } from "vitest";
process.env.TZ = "UTC";
import { colourEnabled, palette, stripAnsi } from "../../cli/terminal/colour";
import { axisTime, columnChart, resample, sparkline, timeAxis } from "../../cli/terminal/chart";
import { formatCompact, formatLabels, formatMs, formatNumber, formatPercent, formatUsd, shorten, formatClock } from "../../cli/terminal/format";
import { renderTable, table } from "../../cli/terminal/table";
import { fractionFlag, numberFlag, readNumber } from "../../cli/terminal/number-args";
import { parseDurationFlag, parseTimeFlag } from "../../cli/terminal/time-args";
import { CliError } from "../../cli/errors";

describe("formatters", () => {
  it("durations read naturally at every scale", () => {
    expect([null, 0, 4.25, 850.4, 1234, 12_345, 65_000, 3_725_000].map(formatMs)).toEqual(["-", "0ms", "4.3ms", "850ms", "1.23s", "12.3s", "1m05s", "1h02m"]);
  });
  it("money keeps small costs legible and big ones to the cent", () => {
    expect([null, 0, 0.000412, 0.0123, 12.345, 1234.5].map(formatUsd)).toEqual(["-", "$0", "$0.000412", "$0.0123", "$12.35", "$1,234.50"]);
  });
  it("counts compact, percents, numbers", () => {
    expect([950, 858.8, 42.25, 1.234, 1234, 34_567, 5_600_000, 7.8e9].map(formatCompact)).toEqual(["950", "859", "42.3", "1.23", "1.2k", "35k", "5.6M", "7.8B"]);
    expect([0, 1, 0.0321, 0.25, null].map(formatPercent)).toEqual(["0%", "100%", "3.21%", "25.0%", "-"]);
    expect([0, 0.0042137, 1.234, 45.67, 123.4, 98_765, Infinity].map(formatNumber)).toEqual(["0", "0.00421", "1.23", "45.7", "123", "99k", "+Inf"]);
  });
  it("shorten makes one line with an ellipsis", () => {
    expect(shorten("a\n  b\tc", 10)).toBe("a b c");
    expect(shorten("abcdefghij", 5)).toBe("abcd…");
    expect(shorten(null, 5)).toBe("");
  });
  it("labels print as PromQL prints series", () => {
    expect(formatLabels({ __name__: "up", job: "a", instance: "b" })).toBe('up{instance="b", job="a"}');
    expect(formatLabels({ __name__: "up" })).toBe("up");
    expect(formatLabels({})).toBe("{}");
  });
  it("clock time is local with milliseconds", () => {
    expect(formatClock(Date.UTC(2026, 0, 1, 14, 3, 7, 25))).toBe("14:03:07.025");
  });
});

describe("colour", () => {
  it("only on a TTY, never with NO_COLOR set", () => {
    expect(colourEnabled({ write() {}, isTTY: true }, {})).toBe(true);
    expect(colourEnabled({ write() {}, isTTY: false }, {})).toBe(false);
    expect(colourEnabled({ write() {} }, {})).toBe(false);
    expect(colourEnabled({ write() {}, isTTY: true }, { NO_COLOR: "1" })).toBe(false);
    // no-color.org: an empty NO_COLOR does not count.
    expect(colourEnabled({ write() {}, isTTY: true }, { NO_COLOR: "" })).toBe(true);
  });
  it("a disabled palette leaves text alone", () => {
    expect(palette(false).red("x")).toBe("x");
    expect(palette(true).red("x")).toBe("\x1b[31mx\x1b[39m");
  });
});

describe("tables", () => {
  it("align columns, numbers right, colour codes not counted", () => {
    const p = palette(true);
    const text = renderTable([{ a: "x", n: 5 }, { a: p.red("long"), n: 1234 }], [
      { title: "NAME", cell: (r) => r.a },
      { title: "N", cell: (r) => r.n, align: "right" },
    ]);
    expect(stripAnsi(text)).toBe("NAME     N\nx        5\nlong  1234\n");
  });
  it("the key-based listing of the admin tools: arrays joined, missing as -", () => {
    expect(table([{ id: 1, scopes: ["ingest", "query"], revokedAt: null }], ["id", "scopes", "revokedAt"])).toBe("ID  SCOPES        REVOKEDAT\n1   ingest,query  -\n");
  });
});

describe("charts", () => {
  it("a sparkline spans the eighth blocks from min to max, gaps as spaces", () => {
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7])).toBe("▁▂▃▄▅▆▇█");
    expect(sparkline([1, null, 1])).toBe("▄ ▄");
    expect(sparkline([null, null])).toBe("  ");
  });
  it("resampling averages each column's share of points", () => {
    expect(resample([1, 3, 5, 7], 2)).toEqual([2, 6]);
    expect(resample([1, null, null, null], 2)).toEqual([1, null]);
    expect(resample([1, 2], 5)).toEqual([1, 2]);
  });
  it("a column chart has max on top, min at the bottom, and levels in between", () => {
    const { lines, gutter } = columnChart([0, 5, 10], { width: 3, height: 2 });
    // 16 levels, the minimum at level 1: 5 is level 1 + round(0.5 * 15) = 9, a full bottom row and an eighth above.
    expect(lines).toEqual(["10 ┤ ▁█", " 0 ┤▁██"]);
    expect(gutter).toBe(4);
  });
  it("a time axis lines up under the columns with start, middle and end", () => {
    const start = Date.UTC(2026, 0, 1, 10, 0);
    const [rule, labels] = timeAxis(start, start + 3_600_000, 40, 4);
    expect(rule).toBe(`   └${"─".repeat(40)}`);
    expect(labels.startsWith("    10:00")).toBe(true);
    expect(labels.trimEnd().endsWith("11:00")).toBe(true);
    expect(labels).toContain("10:30");
    expect(axisTime(start, 120_000)).toBe("10:00:00");
    expect(axisTime(start, 3 * 86_400_000)).toBe("01-01 10:00");
  });
});

describe("time and duration flags", () => {
  const now = Date.UTC(2026, 0, 1, 12);
  it("durations are Prometheus durations or seconds", () => {
    expect(parseDurationFlag("5s", "slow")).toBe(5000);
    expect(parseDurationFlag("1m30s", "slow")).toBe(90_000);
    expect(parseDurationFlag("250ms", "slow")).toBe(250);
    expect(parseDurationFlag("1.5", "slow")).toBe(1500);
    expect(() => parseDurationFlag("5 sec", "slow")).toThrow(CliError);
    expect(() => parseDurationFlag("fast", "slow")).toThrow(/--slow takes a duration such as 5s/);
  });
  it("times: now, a duration ago, RFC 3339, unix seconds", () => {
    expect(parseTimeFlag("now", "start", now)).toBe(now);
    expect(parseTimeFlag("1h", "start", now)).toBe(now - 3_600_000);
    expect(parseTimeFlag("-30m", "start", now)).toBe(now - 1_800_000);
    expect(parseTimeFlag("2026-01-01T00:00:00Z", "start", now)).toBe(Date.UTC(2026, 0, 1));
    expect(parseTimeFlag("1767225600.5", "start", now)).toBe(1_767_225_600_500);
    expect(() => parseTimeFlag("yesterday", "start", now)).toThrow(/--start takes a time/);
  });
});

describe("number flags", () => {
  const vus = { min: 1, max: 1000, integer: true, fallback: 10 };
  it("absent flags take the fallback; given ones are read with spaces trimmed", () => {
    expect(numberFlag(undefined, "vus", vus)).toBe(10);
    expect(numberFlag(undefined, "input", { min: 0 })).toBeUndefined();
    expect(numberFlag(" 25 ", "vus", vus)).toBe(25);
    expect(numberFlag("1000", "vus", vus)).toBe(1000);
    expect(numberFlag("0.25", "share", { min: 0, max: 1, fallback: 0.5 })).toBe(0.25);
    expect(numberFlag("0.5", "timeout", { above: 0, unit: "seconds" })).toBe(0.5);
  });
  it("the refusal names the flag, what it takes and what was typed", () => {
    expect(() => numberFlag("5000", "vus", vus)).toThrow(CliError);
    expect(() => numberFlag("5000", "vus", vus)).toThrow('--vus takes a whole number from 1 to 1,000 (not "5000")');
    expect(() => numberFlag("2.5", "vus", vus)).toThrow('--vus takes a whole number from 1 to 1,000 (not "2.5")');
    expect(() => numberFlag("1.5", "share", { min: 0, max: 1, fallback: 0 })).toThrow('--share takes a number from 0 to 1 (not "1.5")');
    expect(() => numberFlag("0", "top", { min: 1, integer: true })).toThrow('--top takes a whole number of at least 1 (not "0")');
    expect(() => numberFlag("cheap", "input", { min: 0 })).toThrow('--input takes a non-negative number (not "cheap")');
    expect(() => numberFlag("0", "timeout", { above: 0, unit: "seconds" })).toThrow('--timeout takes a number of seconds > 0 (not "0")');
    expect(() => numberFlag("x", "seed", { integer: true })).toThrow('--seed takes a whole number (not "x")');
  });
  it("only plain decimals: no exponents, hex, signs, blanks or unsafe integers", () => {
    for (const raw of ["1e3", "0x10", ".5", "-1", "+1", "", " ", "Infinity", "NaN"]) expect(() => numberFlag(raw, "n", { min: -10 })).toThrow(/--n takes/);
    expect(() => numberFlag("9007199254740993", "n", { integer: true })).toThrow(/--n takes a whole number/);
  });
});

describe("fraction flags", () => {
  it("take a fraction or a percentage, as a fraction; absent ones the fallback", () => {
    expect(fractionFlag("0.01", "max-error-rate")).toBe(0.01);
    expect(fractionFlag("1%", "max-error-rate")).toBe(0.01);
    expect(fractionFlag(" 1.1% ", "max-error-rate")).toBe(0.011);
    expect(fractionFlag("0", "max-error-rate")).toBe(0);
    expect(fractionFlag("0%", "max-error-rate")).toBe(0);
    expect(fractionFlag("1", "stream-share")).toBe(1);
    expect(fractionFlag("100%", "stream-share")).toBe(1);
    expect(fractionFlag(undefined, "stream-share", { fallback: 0.5 })).toBe(0.5);
    expect(fractionFlag(undefined, "max-error-rate")).toBeUndefined();
  });
  it("refuse what is not a share, and say the percentage a bare number above 1 probably meant", () => {
    const takes = "takes a fraction from 0 to 1 or a percentage from 0% to 100%, such as 0.01 or 1%";
    expect(() => fractionFlag("5", "max-error-rate")).toThrow(CliError);
    expect(() => fractionFlag("5", "max-error-rate")).toThrow(`--max-error-rate ${takes} (not "5"; for 5 percent write 5%)`);
    expect(() => fractionFlag("150%", "max-error-rate")).toThrow(`--max-error-rate ${takes} (not "150%")`);
    expect(() => fractionFlag("250", "stream-share")).toThrow(`--stream-share ${takes} (not "250")`);
    for (const raw of ["lots", "", "%", "-1%", "1e-2", ".5", "0x1", "1 %", "1%%", "NaN"]) expect(() => fractionFlag(raw, "f")).toThrow(`--f ${takes} (not ${JSON.stringify(raw)})`);
  });
  it("with bare: percent, read a number without % as a percentage too (probe's --min-success 99)", () => {
    const pct = { bare: "percent" } as const;
    expect(fractionFlag("99", "min-success", pct)).toBe(0.99);
    expect(fractionFlag("99.5%", "min-success", pct)).toBe(0.995);
    expect(fractionFlag("0.5", "min-success", pct)).toBe(0.005);
    expect(fractionFlag("100", "min-success", pct)).toBe(1);
    expect(fractionFlag(undefined, "min-success", { ...pct, fallback: 0.99 })).toBe(0.99);
    for (const raw of ["120", "100.1%", "x", "", "-1", "1e2"]) expect(() => fractionFlag(raw, "min-success", pct)).toThrow(`--min-success takes a percentage from 0 to 100, such as 99 or 99.5% (not ${JSON.stringify(raw)})`);
  });
});

describe("readNumber", () => {
  it("is numberFlag's check without the throw, for flags that hold a list", () => {
    const level = { min: 1, max: 1000, integer: true };
    expect(["1", " 20 ", "1000", "0", "1001", "x", "", "2.5"].map((s) => readNumber(s, level))).toEqual([1, 20, 1000, null, null, null, null, null]);
    expect(readNumber("2.5", { above: 0 })).toBe(2.5);
  });
});
