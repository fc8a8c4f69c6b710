// The pieces of the promtool-format runner: series notation, the exported
// entry points (runRuleTestFiles for the alert tests, `inferscope rules test`).
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { rulesTestCommand } from "../../../cli/commands/rules-test";
import { CliError } from "../../../cli/errors";
import { modelDuration, goDuration, formatFloatE } from "../../../workers/query/rules/unit-test/go-text";
import { runRuleTestFiles } from "../../../workers/query/rules/unit-test/index";
import { joinPath } from "../../../workers/query/rules/unit-test/run";
import { expandValues, parseMetric } from "../../../workers/query/rules/unit-test/series-notation";

describe("series notation", () => {
  it.each([
    ["1+2x3", [1, 3, 5, 7]],
    ["5-1x2", [5, 4, 3]],
    ["-1+1x1 7", [-1, 0, 7]],
    ["3x2", [3, 3, 3]],
    ["_ 1 _x2 2", [undefined, 1, undefined, undefined, 2]],
    ["1e3 1.5e-1 +Inf", [1000, 0.15, Infinity]],
    ["stale 1 stalex1", ["stale", 1, "stale", "stale"]],
    ["", []],
  ])("%s", (text, want) => expect(expandValues(text)).toEqual(want));

  it("refuses what is not a value", () => {
    expect(() => expandValues("1 two")).toThrow(`parse error: unexpected "two" in series values "1 two": expected number or "stale"`);
  });

  it.each([
    ['up{job="a", instance=\'b:1\'}', { __name__: "up", job: "a", instance: "b:1" }],
    ["{}", {}],
    ["", {}],
    ['{__name__="x"}', { __name__: "x" }],
    ["ALERTS", { __name__: "ALERTS" }],
    ['m{a="", b="\\n"}', { __name__: "m", b: "\n" }],
  ])("metric %s", (text, want) => expect(parseMetric(text)).toEqual(want));

  it("refuses a bad label set", () => {
    expect(() => parseMetric("up{job=api}")).toThrow(/expected name="value"/);
    expect(() => parseMetric('up{a="1", a="2"}')).toThrow(/duplicate label "a"/);
  });
});

describe("Go spellings", () => {
  it.each([[0, "0s"], [90_000, "1m30s"], [3_600_000, "1h"], [86_400_000 * 14, "2w"], [1500, "1s500ms"]])("model.Duration %d = %s", (ms, s) => expect(modelDuration(ms)).toBe(s));
  it.each([[0, "0s"], [60_000, "1m0s"], [3_600_000, "1h0m0s"], [1500, "1.5s"], [500, "500ms"]])("time.Duration %d = %s", (ms, s) => expect(goDuration(ms)).toBe(s));
  it.each([[3, "3E+00"], [0.15, "1.5E-01"], [1e21, "1E+21"], [-Infinity, "-Inf"], [NaN, "NaN"]])("FormatFloat 'E' %d = %s", (v, s) => expect(formatFloatE(v)).toBe(s));
  it("joins paths as filepath.Join", () => {
    expect(joinPath(".", "rules.yml")).toBe("rules.yml");
    expect(joinPath("a/b", "../c.yml")).toBe("a/c.yml");
    expect(joinPath("/x/", "./y.yml")).toBe("/x/y.yml");
  });
});

describe("entry points", () => {
  const dir = mkdtempSync(join(tmpdir(), "rules-test-"));
  writeFileSync(join(dir, "r.yml"), "groups:\n  - name: g\n    rules:\n      - alert: Down\n        expr: up == 0\n        for: 1m\n");
  const test = (exp: string) =>
    `rule_files: [r.yml]\ntests:\n  - interval: 1m\n    input_series:\n      - series: 'up{job="a"}'\n        values: '0x5'\n    alert_rule_test:\n      - eval_time: 2m\n        alertname: Down\n        exp_alerts: ${exp}\n`;
  const pass = join(dir, "pass.test.yml");
  const fail = join(dir, "fail.test.yml");
  writeFileSync(pass, test("[{exp_labels: {job: a}}]"));
  writeFileSync(fail, test("[]"));

  it("runRuleTestFiles: passed and promtool's report", async () => {
    expect(await runRuleTestFiles([pass])).toEqual({ passed: true, output: `Unit Testing:  ${pass}\n  SUCCESS\n\n` });
    const r = await runRuleTestFiles([pass, fail]);
    expect(r.passed).toBe(false);
    expect(r.output).toBe(
      `Unit Testing:  ${pass}\n  SUCCESS\n\nUnit Testing:  ${fail}\n  FAILED:\n    alertname: Down, time: 2m, \n        exp:[], \n        got:[\n            0:\n              Labels:{alertname="Down", job="a"}\n              Annotations:{}\n            ]\n\n\n`,
    );
  });

  it("a missing file fails as in promtool", async () => {
    const r = await runRuleTestFiles([join(dir, "nope.yml")]);
    expect(r).toEqual({ passed: false, output: `Unit Testing:  ${join(dir, "nope.yml")}\n  FAILED:\nopen ${join(dir, "nope.yml")}: no such file or directory\n\n\n` });
  });

  it("rulesTestCommand: exit 0 / 1, the report on stdout and the failures on stderr", async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { stdout: (s: string) => out.push(s), stderr: (s: string) => err.push(s) };
    expect(await rulesTestCommand([pass], io)).toBe(0);
    expect(out.join("")).toBe(`Unit Testing:  ${pass}\n  SUCCESS\n\n`);
    expect(err).toEqual([]);
    expect(await rulesTestCommand([fail], io)).toBe(1);
    expect(err.join("")).toMatch(/^  FAILED:\n    alertname: Down, time: 2m, /);
    await expect(rulesTestCommand([], io)).rejects.toThrow(CliError);
    await expect(rulesTestCommand(["--nope", pass], io)).rejects.toThrow("unknown flag --nope");
    expect(await rulesTestCommand(["--help"], io)).toBe(0);
    err.length = 0;
    expect(await rulesTestCommand([join(dir, "missing.yml")], io)).toBe(1);
    expect(err.join("")).toBe(`inferscope rules test: path '${join(dir, "missing.yml")}' does not exist, try --help\n`);
  });
});
