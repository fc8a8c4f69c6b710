// The Go text/template subset of alert labels and annotations, expanded as
// Prometheus 2.42 does (values checked against promtool where marked).
import { describe, expect, it } from "vitest";
import { formatG, sprintf } from "../../../workers/query/rules/go-format";
import { expandTemplate, templateProblem } from "../../../workers/query/rules/template";

const data = { labels: { instance: "gpu-1:9400", job: "dcgm", model: "llama" }, externalLabels: { cluster: "eu-1" }, externalURL: "https://is.example", value: 0.123456 };
const x = (t: string, value = data.value) => expandTemplate(t, "A", { ...data, value });

describe("variables and fields", () => {
  it.each([
    ["{{ $labels.instance }}", "gpu-1:9400"],
    ["{{ .Labels.job }}/{{ $externalLabels.cluster }}/{{ $externalURL }}/{{ .ExternalURL }}", "dcgm/eu-1/https://is.example/https://is.example"],
    ["{{ $value }} {{ .Value }}", "0.123456 0.123456"],
    ["[{{ $labels.missing }}]", "[]"], // missingkey=zero
    ["{{ index $labels \"model\" }} {{ len $labels }}", "llama 3"],
    ["{{ $x := 2.5 }}{{ $x }}", "2.5"],
    ["{{/* a comment */}}ok", "ok"],
  ])("%s", async (t, want) => expect(await x(t)).toBe(want));
});

describe("functions (promtool-checked spellings)", () => {
  it.each([
    ["{{ humanize 1234567.0 }}", "1.235M"],
    ["{{ humanize 0.000001234 }} {{ humanize -1500 }} {{ humanize1024 1.0 }} {{ humanizeDuration 0.0015 }} {{ humanizePercentage 0.5 }}", "1.234u -1.5k 1 1.5ms 50%"],
    ["{{ humanize1024 123456789.0 }} / {{ humanize 0.00123 }} / {{ humanizeDuration 3725.0 }} / {{ 90061.0 | humanizeDuration }}", "117.7Mi / 1.23m / 1h 2m 5s / 1d 1h 1m 1s"],
    ["{{ $value | humanizePercentage }}", "12.35%"],
    ['{{ printf "%d|%s|%5.1f|%v|%x" 3 "s" 2.5 2.5 255 }}', "3|s|  2.5|2.5|ff"],
    ['{{ printf "%.2f" $value }} {{ printf "%d" 1.5 }}', "0.12 %!d(float64=1.5)"],
    ["{{ 2.5 }} {{ 1e21 }} {{ 123456789.0 }} {{ 0.00001 }} {{ 100000.0 }}", "2.5 1e+21 1.23456789e+08 1e-05 100000"],
    ['{{ print 1 2 "a" 3 }} {{ printf "%q" "x" }}', '1 2a3 "x"'],
    ['{{ title "gpu is hot" }} {{ toUpper "a" }} {{ toLower "LOUD" }} {{ $labels.job | toUpper }}', "Gpu Is Hot A loud DCGM"],
    ['{{ reReplaceAll "(.*):.*" "$1" $labels.instance }} {{ stripPort $labels.instance }} {{ match "^gpu" $labels.instance }}', "gpu-1 gpu-1 true"],
    ["{{ humanizeTimestamp 1700000000.5 }}", "2023-11-14 22:13:20.5 +0000 UTC"],
    ['{{ tableLink "rate(x[5m])" }}', "/graph?g0.expr=rate%28x%5B5m%5D%29&g0.tab=1"],
  ])("%s", async (t, want) => expect(await x(t)).toBe(want));
});

describe("control flow and trimming", () => {
  it.each([
    ['{{ if gt $value 0.1 }}high{{ else }}low{{ end }}', "high"],
    ['{{ if lt $value 0.1 }}high{{ else if eq $labels.job "dcgm" }}gpu{{ else }}other{{ end }}', "gpu"],
    ['{{ if and (eq $labels.job "dcgm") (ne $labels.model "x") }}both{{ end }}', "both"],
    ['{{ if or false "" $labels.missing }}t{{ else }}f{{ end }}', "f"],
    ["{{ if not false }}yes{{ end }}", "yes"],
    ["{{ with $labels.model }}model {{ . }}{{ end }}{{ with $labels.nope }}x{{ else }}none{{ end }}", "model llamanone"],
    ["{{ range $k, $v := $labels }}{{ $k }}={{ $v }};{{ end }}", "instance=gpu-1:9400;job=dcgm;model=llama;"],
    ["a  {{- 1 -}}  b\n{{- 2 }}", "a1b2"],
  ])("%s", async (t, want) => expect(await x(t)).toBe(want));

  it("comparing float64 with an int constant fails at execution as in Go (promtool-checked)", async () => {
    expect(await x("{{ if gt $value 1 }}big{{ end }}")).toBe(
      '<error expanding template: error executing template __alert_A: template: __alert_A:1:118: executing "__alert_A" at <gt $value 1>: error calling gt: incompatible types for comparison>',
    );
  });

  it("an unknown field of the data fails at execution", async () => {
    expect(await x("{{ .Foo }}")).toMatch(/^<error expanding template: .*at <\.Foo>: can't evaluate field Foo in type struct \{ Labels/);
  });
});

describe("parse errors (rule load)", () => {
  it.each([
    ["{{ foo }}", 'template: __alert_A:1: function "foo" not defined'],
    ["{{ if true }}x", "template: __alert_A:1: unexpected EOF"],
    ["{{ end }}", "template: __alert_A:1: unexpected {{end}}"],
    ["{{ $nope }}", 'template: __alert_A:1: undefined variable "$nope"'],
    ["{{ .Value ", "template: __alert_A:1: unclosed action"],
    ["{{ if }}{{ end }}", "template: __alert_A:1: missing value for if"],
  ])("%s", (t, want) => expect(templateProblem(t, "A")).toBe(want));

  it("valid templates have no problem", () => {
    expect(templateProblem('{{ $labels.x }} {{ $value | printf "%.1f" }} {{- if gt $value 1.0 -}} x {{- end }}', "A")).toBeNull();
  });
});

describe("Go number formatting", () => {
  it.each([
    [1, -1, "1"], [1e6, -1, "1e+06"], [123456, -1, "123456"], [0.0001, -1, "0.0001"], [0.00001, -1, "1e-05"], [NaN, -1, "NaN"], [Infinity, 4, "+Inf"],
    [1234.5, 4, "1234"], [999.96, 4, "1000"], [12345, 4, "1.234e+04"], [12.5, 4, "12.5"], [0.5, 4, "0.5"], [-0.000123, 4, "-0.000123"],
  ])("formatG(%d, %d) = %s", (v, p, want) => expect(formatG(v, p)).toBe(want));
  it("sprintf pads, signs and reports missing and extra operands", () => {
    expect(sprintf("%05.1f|%-4d|%+d|%d%%", [3.14159, { n: 7 } as never, { n: 2 } as never, { n: 1 } as never])).toContain("003.1|");
    expect(sprintf("%s %s", ["a"])).toBe("a %!s(MISSING)");
    expect(sprintf("%s", ["a", "b"])).toBe("a%!(EXTRA string=b)");
  });
});

describe("templates that query", () => {
  const results: Record<string, { labels: Record<string, string>; value: number }[]> = {
    up: [{ labels: { __name__: "up", job: "b" }, value: 0 }, { labels: { __name__: "up", job: "a" }, value: 1 }],
  };
  const query = async (q: string) => {
    if (!(q in results)) throw new Error(`1:1: parse error: unknown ${q}`);
    return results[q];
  };
  const t = (text: string) => expandTemplate(text, "A", data, query);

  it("runs each query once and gives samples to first, value, label, sortByLabel and range", async () => {
    expect(await t('{{ with query "up" }}{{ (first .).Value }} {{ . | first | label "job" }} {{ range sortByLabel "job" . }}{{ .Labels.job }}{{ value . }}{{ end }}{{ end }}')).toBe("0 b a1b0");
  });
  it("a failing query, and first of nothing, are execution errors", async () => {
    expect(await t('{{ query "bad" }}')).toMatch(/^<error expanding template: .*error calling query: 1:1: parse error: unknown bad>$/);
    results.none = [];
    expect(await t('{{ query "none" | first }}')).toMatch(/error calling first: first\(\) called on vector with no elements>$/);
  });
  it("externalURL and pathPrefix", async () => {
    expect(await expandTemplate("{{ externalURL }} [{{ pathPrefix }}]", "A", { ...data, externalURL: "https://is.example/prom" })).toBe("https://is.example/prom [/prom]");
  });
  it("without a query function a query is an error, not a crash", async () => {
    expect(await expandTemplate('{{ query "up" }}', "A", data)).toMatch(/error calling query: queries are not available here>$/);
  });
});
