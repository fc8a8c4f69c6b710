import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { familyOf, parseTextFormat, TextFormatError } from "../../cli/agent/collectors/text-format";

const fixture = (f: string) => readFileSync(new URL(`./fixtures/${f}`, import.meta.url), "utf8");

describe("text format parser", () => {
  it("parses a recorded vLLM exposition, histograms as classic series", () => {
    const { samples, metadata } = parseTextFormat(fixture("vllm.txt"));
    expect(samples).toHaveLength(23);
    expect(metadata.get("vllm:time_to_first_token_seconds")).toEqual({ type: "histogram", help: "Histogram of time to first token in seconds.", unit: "" });
    const inf = samples.find((s) => s.name === "vllm:time_to_first_token_seconds_bucket" && s.labels.some(([k, v]) => k === "le" && v === "+Inf"));
    expect(inf?.value).toBe(405);
    expect(familyOf("vllm:time_to_first_token_seconds_bucket", metadata)).toBe("vllm:time_to_first_token_seconds");
    expect(familyOf("vllm:prompt_tokens_total", metadata)).toBe("vllm:prompt_tokens_total");
  });

  it("parses the DCGM exposition", () => {
    const { samples } = parseTextFormat(fixture("dcgm.txt"));
    expect(samples).toHaveLength(11);
    expect(samples[4].labels).toContainEqual(["UUID", "GPU-5fd4a1b2-0c1d-4e2f-9a3b-1c2d3e4f5a6b"]);
    expect(samples[4].value).toBeCloseTo(312.457);
  });

  it("handles escapes, timestamps, special values, comments and whitespace", () => {
    const text = [
      "# a plain comment",
      "#   HELP   esc  Help with \\\\ backslash and \\n newline",
      "# TYPE esc gauge",
      'esc{path="C:\\\\dir\\\\x",quote="say \\"hi\\"",nl="a\\nb",} 1 1700000000123',
      "inf_pos +Inf",
      "inf_neg -Inf",
      "nan_v NaN",
      "exp_v 1.5e-3",
      "neg_ts 2 -5",
      "   ",
      'spaced { a = "1" , b="2" }   7\t',
      "crlf 3\r",
      "",
    ].join("\n");
    const { samples, metadata } = parseTextFormat(text);
    expect(metadata.get("esc")).toEqual({ type: "gauge", help: "Help with \\ backslash and \n newline", unit: "" });
    expect(samples[0]).toEqual({ name: "esc", labels: [["path", "C:\\dir\\x"], ["quote", 'say "hi"'], ["nl", "a\nb"]], value: 1, timestampMs: 1700000000123 });
    expect(samples[1].value).toBe(Infinity);
    expect(samples[2].value).toBe(-Infinity);
    expect(samples[3].value).toBeNaN();
    expect(samples[4].value).toBe(0.0015);
    expect(samples[5].timestampMs).toBe(-5);
    expect(samples[6]).toEqual({ name: "spaced", labels: [["a", "1"], ["b", "2"]], value: 7 });
    expect(samples[7].value).toBe(3);
  });

  it("parses summaries and OpenMetrics (seconds timestamps, UNIT, exemplars, EOF)", () => {
    const om = [
      "# TYPE rpc_seconds summary",
      "# UNIT rpc_seconds seconds",
      "# HELP rpc_seconds RPC \\\"latency\\\".",
      'rpc_seconds{quantile="0.5"} 0.05',
      'rpc_seconds{quantile="0.99"} 0.3',
      "rpc_seconds_sum 12.5 1700000000.5",
      "rpc_seconds_count 200",
      "# TYPE reqs counter",
      'reqs_total{code="200"} 5 # {trace_id="abc"} 1 1700000000.1',
      "# EOF",
      "ignored_after_eof 1",
    ].join("\n");
    const { samples, metadata } = parseTextFormat(om, true);
    expect(samples.map((s) => s.name)).toEqual(["rpc_seconds", "rpc_seconds", "rpc_seconds_sum", "rpc_seconds_count", "reqs_total"]);
    expect(samples[2].timestampMs).toBe(1700000000500);
    expect(samples[4].value).toBe(5);
    expect(metadata.get("rpc_seconds")).toEqual({ type: "summary", unit: "seconds", help: 'RPC "latency".' });
    expect(familyOf("reqs_total", metadata)).toBe("reqs");
  });

  it("accepts Prometheus 3 quoted UTF-8 metric names", () => {
    const { samples } = parseTextFormat('{"my.metric", "a.b"="x"} 4\n');
    expect(samples[0]).toEqual({ name: "my.metric", labels: [["a.b", "x"]], value: 4 });
  });

  it.each([
    ['m{a="1" 1', /expected "," or "}"/],
    ['m{a=1} 1', /expected quoted value/],
    ['m{a="\\q"} 1', /invalid escape/],
    ["m abc", /invalid value/],
    ["m 1 1.5", /invalid timestamp/],
    ["m 1 2 3", /unexpected text/],
    ["m", /expected whitespace|missing value/],
    ["# TYPE m histo", /unknown metric type/],
    ['m{a="x', /unterminated/],
  ])("rejects %j with a line number", (text, re) => {
    expect(() => parseTextFormat(`ok 1\n${text}\n`)).toThrow(TextFormatError);
    expect(() => parseTextFormat(`ok 1\n${text}\n`)).toThrow(/^line 2: /);
    expect(() => parseTextFormat(`ok 1\n${text}\n`)).toThrow(re);
  });
});
