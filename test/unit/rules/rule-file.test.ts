// Rule files as promtool check rules reads them: every problem reported,
// spelled as Prometheus 2.42's rulefmt spells it (without YAML line numbers).
import { describe, expect, it } from "vitest";
import { groupIntervalMs, parseRuleFile, RuleFileError, validateRuleGroup } from "../../../workers/query/rules/rule-file";

function problems(text: string): string[] {
  try {
    parseRuleFile(text, "rules.yml");
  } catch (e) {
    expect(e).toBeInstanceOf(RuleFileError);
    expect((e as RuleFileError).message).toBe(`rules.yml: ${(e as RuleFileError).problems.join("; ")}`);
    return (e as RuleFileError).problems;
  }
  throw new Error("no error");
}

describe("parseRuleFile", () => {
  it("reads groups and rules, leaving defaults out", () => {
    const f = parseRuleFile(
      `groups:
  - name: llm
    interval: 30s
    limit: 10
    rules:
      - record: job:req:rate5m
        expr: sum by (job) (rate(req_total[5m]))
        labels: {team: llm}
      - alert: HighErrors
        expr: job:req:rate5m > 1
        for: 5m
        keep_firing_for: 10m
        labels: {severity: page, code: 500}
        annotations: {summary: "{{ $labels.job }} at {{ $value | humanize }}"}
  - name: other
    rules: []
`,
      "rules.yml",
    );
    expect(f.groups).toEqual([
      {
        name: "llm",
        interval: "30s",
        limit: 10,
        rules: [
          { record: "job:req:rate5m", expr: "sum by (job) (rate(req_total[5m]))", labels: { team: "llm" } },
          { alert: "HighErrors", expr: "job:req:rate5m > 1", for: "5m", keep_firing_for: "10m", labels: { severity: "page", code: "500" }, annotations: { summary: "{{ $labels.job }} at {{ $value | humanize }}" } },
        ],
      },
      { name: "other", rules: [] },
    ]);
    expect(groupIntervalMs(f.groups[0])).toBe(30_000);
    expect(groupIntervalMs(f.groups[1])).toBe(60_000);
  });

  it("an empty file has no groups", () => {
    expect(parseRuleFile("", "r.yml")).toEqual({ groups: [] });
  });

  it("collects every problem, with group, rule number and name", () => {
    expect(
      problems(`groups:
  - name: g
    rules:
      - alert: A
        expr: up
        annotations:
          s: "{{ nope }}"
      - record: "bad name"
        expr: "rate(x[5m]"
        labels:
          __name__: x
      - expr: up
      - record: a
        alert: b
        expr: up
        annotations: {x: y}
  - name: g
    rules: []
  - name: ""
`),
    ).toEqual([
      'group "g", rule 1, "A": annotation "s": template: __alert_A:1: function "nope" not defined',
      'group "g", rule 2, "bad name": could not parse expression: 1:11: parse error: unexpected end of input',
      'group "g", rule 2, "bad name": invalid recording rule name: bad name',
      'group "g", rule 2, "bad name": invalid label name: __name__',
      `group "g", rule 3, "": one of 'record' or 'alert' must be set`,
      `group "g", rule 4, "b": only one of 'record' and 'alert' must be set`,
      `group "g", rule 4, "b": invalid field 'annotations' in recording rule`,
      'groupname: "g" is repeated in the same file',
      "Groupname must not be empty",
    ]);
  });

  it("refuses unknown keys, bad durations and for on recording rules", () => {
    expect(
      problems(`groups:
  - name: g
    interval: 1x
    evaluation: 1m
    rules:
      - alert: A
        expr: up
        for: "5"
        severity: page
      - record: r
        expr: up
        for: 1m
        keep_firing_for: 1m
`),
    ).toEqual([
      'group "g": field evaluation not found in type rulefmt.RuleGroup',
      `group "g": field 'interval': not a valid duration string: "1x"`,
      'group "g", rule 1, "A": field severity not found in type rulefmt.Rule',
      `group "g", rule 1, "A": field 'for': not a valid duration string: "5"`,
      `group "g", rule 2, "r": invalid field 'for' in recording rule`,
      `group "g", rule 2, "r": invalid field 'keep_firing_for' in recording rule`,
    ]);
    expect(problems("group: []\n")).toEqual(["field group not found in type rulefmt.RuleGroups"]);
  });

  it("refuses YAML syntax errors and duplicate keys", () => {
    expect(problems("groups:\n  - name: g\n    name: h\n    rules: []\n")[0]).toMatch(/^yaml: line 3: Map keys must be unique/);
    expect(problems("groups: [\n")[0]).toMatch(/^yaml: line \d+: /);
  });

  it("template problems name the label or annotation", () => {
    expect(problems(`groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n        labels: {s: "{{ if }}"}\n        annotations: {d: "{{ $v }}", q: "{{ tmpl \\"x\\" . }}"}\n`)).toEqual([
      'group "g", rule 1, "A": label "s": template: __alert_A:1: missing value for if',
      'group "g", rule 1, "A": annotation "d": template: __alert_A:1: undefined variable "$v"',
      `group "g", rule 1, "A": annotation "q": template: __alert_A:1: function "tmpl" is not supported in alert templates (it includes console template files)`,
    ]);
  });
});

describe("validateRuleGroup (one group, as the admin API takes it)", () => {
  it("returns the group", () => {
    expect(validateRuleGroup({ name: "g", rules: [{ alert: "A", expr: "up == 0", for: "1m" }] }, "namespace ns")).toEqual({ name: "g", rules: [{ alert: "A", expr: "up == 0", for: "1m" }] });
  });
  it("throws RuleFileError naming where", () => {
    expect(() => validateRuleGroup({ name: "g", rules: [{ record: "r" }] }, "namespace ns")).toThrow(`namespace ns: group "g", rule 1, "r": field 'expr' must be set in rule`);
    expect(() => validateRuleGroup("x", "body")).toThrow("body: group 1: a group must be a map with 'name' and 'rules'");
  });
});
