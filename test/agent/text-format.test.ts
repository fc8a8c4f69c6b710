import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { familyOf, parseTextFormat, scanTextFormat, TextFormatError } from "../../cli/agent/collectors/text-format";

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

  /**
   * Every sample as [series text, value, timestamp, parsed in full], with the
   * series texts in `known` claimed seen before (the cached path). A target
   * loop's cache only ever holds series texts the full parser accepted.
   */
  const scan = (text: string, known: ReadonlySet<string>, om = false) => {
    const out: Array<[string, number, number | undefined, boolean]> = [];
    scanTextFormat(text, om, { known: (s) => known.has(s), sample: (series, v, ts, parsed) => out.push([series, v, ts, parsed !== undefined]) });
    return out;
  };
  const seriesOf = (text: string, om = false) => new Set(scan(text, new Set(), om).map(([s]) => s));

  it("reads known series in place with the same values as the full parser", () => {
    const text = `${fixture("vllm.txt")}${fixture("dcgm.txt")}a{x="} 1"}\t-3e2\t-5\r\nb  +Inf\nc{} -Inf 7\nd NaN\n`;
    const full = scan(text, new Set());
    const cached = scan(text, seriesOf(text));
    expect(cached.map(([s, v, ts]) => [s, v, ts])).toEqual(full.map(([s, v, ts]) => [s, v, ts]));
    expect(cached.every(([, , , parsed]) => !parsed)).toBe(true);
    expect(full.slice(-4).map(([s]) => s)).toEqual(['a{x="} 1"}', "b", "c{}", "d"]);
    expect(full.at(-4)!.slice(1, 3)).toEqual([-300, -5]);
    // OpenMetrics timestamps (seconds) and exemplars go through the full parser
    const omText = 'x_total 3 1700000000.25\nh_bucket{le="1"} 2 # {trace_id="t"} 0.5\n# EOF\n';
    const om = scan(omText, seriesOf(omText, true), true);
    expect(om).toEqual([["x_total", 3, 1700000000250, true], ['h_bucket{le="1"}', 2, undefined, true]]);
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
    // a series text the cache knows does not skip the checks of what follows it
    expect(() => scan(`ok 1\n${text}\n`, seriesOf('ok 1\nm 1\nm{a="1"} 1\n'))).toThrow(re);
  });
});
