// POST /v1/logs/litellm's parsing and validation, without the stack: the three
// log_format bodies, whole-body refusals, and per-record rejections naming the
// record (index, id) and the source field while the rest is kept.
import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS } from "../../../../shared/limits";
import { IngestProblem } from "../../problem";
import { parseLogsJson } from "../json/logs";
import { parseLitellmBody } from "./parse";
import { EXAMPLE_FAILURE, EXAMPLE_SUCCESS, samplePayload } from "./sample-payloads";

const NOW = 1767225700_000; // a little after the examples' startTime
const parse = (text: string, limits = DEFAULT_LIMITS) => parseLitellmBody(text, limits, NOW);
const problem = (text: string) => {
  try {
    parse(text);
  } catch (err) {
    expect(err).toBeInstanceOf(IngestProblem);
    return { status: (err as IngestProblem).status, message: (err as Error).message };
  }
  throw new Error("expected the whole body to be refused");
};

describe("the three log_format bodies", () => {
  it("json_array, ndjson and single give the same rows", () => {
    const payloads = [EXAMPLE_SUCCESS, EXAMPLE_FAILURE];
    const array = parse(JSON.stringify(payloads));
    const ndjson = parse(payloads.map((p) => JSON.stringify(p)).join("\n")); // as LiteLLM joins: no trailing newline
    const single = [parse(JSON.stringify(EXAMPLE_SUCCESS)), parse(JSON.stringify(EXAMPLE_FAILURE))];
    expect(array.rejected).toEqual([]);
    expect(array.records.map((r) => r.requestId)).toEqual([EXAMPLE_SUCCESS.id, EXAMPLE_FAILURE.id]);
    expect(ndjson).toEqual(array);
    expect(single.flatMap((s) => s.records)).toEqual(array.records);
    expect(parse(`${JSON.stringify(EXAMPLE_SUCCESS)}\n\n${JSON.stringify(EXAMPLE_FAILURE)}\n`).records).toEqual(array.records);
  });

  it("normalises to the stored row: status, times, tokens, error type", () => {
    const [ok, failed] = parse(JSON.stringify([EXAMPLE_SUCCESS, EXAMPLE_FAILURE])).records;
    expect(ok).toMatchObject({
      requestId: "chatcmpl-9Xk2aQ", time: 1767225600125, endTime: 1767225603902, latencyMs: 3777, ttftMs: 486, status: "success", httpStatus: 200,
      model: "gpt-4o-mini", requestedModel: "chat-default", provider: "openai", teamAlias: "search", apiKeyAlias: "svc-search",
      inputTokens: 800, outputTokens: 490, totalTokens: 1290, costUsd: 0.000412, costSource: "reported", tags: ["prod"], errorType: null,
    });
    expect(failed).toMatchObject({ status: "failure", httpStatus: 429, errorClass: "RateLimitError", errorType: "rate_limit", ttftMs: null, costUsd: 0 });
  });
});

describe("whole-body refusals", () => {
  it("says what was expected", () => {
    expect(problem("")).toEqual({ status: 400, message: expect.stringMatching(/^request body is empty; expected LiteLLM StandardLoggingPayload objects/) });
    expect(problem("hello")).toEqual({ status: 400, message: expect.stringMatching(/^request body is not valid JSON or NDJSON: .*log_format json_array/) });
    expect(problem("{\n\"a\":\n")).toMatchObject({ status: 400, message: expect.stringMatching(/not valid JSON or NDJSON/) });
    expect(problem("42")).toMatchObject({ status: 400, message: expect.stringMatching(/^request body is a JSON number; expected/) });
    expect(problem("null")).toMatchObject({ message: expect.stringMatching(/^request body is a JSON null/) });
    const many = JSON.stringify(Array.from({ length: 3 }, (_, i) => samplePayload(i, NOW / 1000 - 60)));
    try {
      parse(many, { ...DEFAULT_LIMITS, maxLogRecordsPerRequest: 2 });
      throw new Error("expected a refusal");
    } catch (err) {
      expect((err as Error).message).toBe("batch has 3 log records, over the limit of 2 per request; lower batch_size");
    }
  });
  it("an empty array is an empty batch", () => {
    expect(parse("[]")).toEqual({ records: [], rejected: [] });
  });
});

describe("per-record rejections: the record, its id and the field, the rest kept", () => {
  const good = (i: number) => samplePayload(i, NOW / 1000 - 60);

  it("adapter problems, schema problems, unstorable text, time bounds, duplicates", () => {
    const batch = [
      good(0),
      { ...good(1), startTime: undefined },
      { ...good(2), prompt_tokens: -4 },
      { ...good(3), model: "m".repeat(300) },
      { ...good(4), request_tags: ["prod", "a\u0000b"] },
      { ...good(5), metadata: { user_api_key_team_alias: "team\ud800" } },
      { ...good(6), startTime: NOW / 1000 - 40 * 86400 },
      "not an object",
      good(8),
      good(8), // sent twice in one batch: kept once
    ];
    const { records, rejected } = parse(JSON.stringify(batch));
    expect(records.map((r) => r.requestId)).toEqual(["chatcmpl-bench-0", "chatcmpl-bench-8"]);
    expect(rejected).toEqual([
      { path: "[1].startTime", id: "chatcmpl-bench-1", reason: "startTime: required, float unix seconds (e.g. 1767225600.125)" },
      { path: "[2].prompt_tokens", id: "chatcmpl-bench-2", reason: "prompt_tokens: expected a non-negative integer (a token count), got -4" },
      { path: "[3]", id: "chatcmpl-bench-3", reason: "model: Too big: expected string to have <=256 characters" },
      { path: "[4].request_tags[1]", id: "chatcmpl-bench-4", reason: expect.stringMatching(/^request_tags\[1\] contains the NUL character/) },
      { path: "[5].metadata.user_api_key_team_alias", id: "chatcmpl-bench-5", reason: expect.stringMatching(/^metadata\.user_api_key_team_alias contains a lone UTF-16 surrogate/) },
      { path: "[6].startTime", id: "chatcmpl-bench-6", reason: "time is older than the retention of 30 days" },
      { path: "[7]", reason: "expected a StandardLoggingPayload object, got a string" },
    ]);
  });

  it("NDJSON: a line that is not JSON is its record's rejection", () => {
    const text = [JSON.stringify(good(0)), "{broken", JSON.stringify(good(2))].join("\n");
    const { records, rejected } = parse(text);
    expect(records.map((r) => r.requestId)).toEqual(["chatcmpl-bench-0", "chatcmpl-bench-2"]);
    expect(rejected).toEqual([{ path: "[1]", reason: expect.stringMatching(/^line 2 is not valid JSON: /) }]);
  });

  it("a duplicate key refuses its record, in every body form", () => {
    const dup = `{"id":"d1","startTime":${NOW / 1000 - 5},"model":"a","model":"b"}`;
    const array = parse(`[${JSON.stringify(good(0))},${dup}]`);
    expect(array.records.map((r) => r.requestId)).toEqual(["chatcmpl-bench-0"]);
    expect(array.rejected).toEqual([{ path: "[1].model", reason: "duplicate key; each field may appear once" }]);
    expect(parse(`${JSON.stringify(good(0))}\n${dup}`).rejected).toEqual(array.rejected);
    expect(parse(dup)).toEqual({ records: [], rejected: [{ path: "[0].model", reason: "duplicate key; each field may appear once" }] });
  });

  it("attributes that cannot fit are refused with their size and largest parts", () => {
    const wide = Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`k${i}`, i]));
    const { rejected } = parse(JSON.stringify([{ ...good(0), ...wide }]));
    expect(rejected).toEqual([{ path: "[0].attributes", id: "chatcmpl-bench-0", reason: expect.stringMatching(/^attributes are \d+ bytes as JSON, over the limit of 16384; the largest: /) }]);
  });
});

describe("/v1/logs uses the same validation", () => {
  it("checks every text field of the canonical record, and still takes status error as failure", () => {
    const t = NOW - 1000;
    const logs = [
      { request_id: "c1", time: t, status: "error", http_status: 500 },
      { request_id: "c2", time: t, team_alias: "x\u0000" },
      { request_id: "c3", time: t, tags: ["ok", "\udc00"] },
      { request_id: "c4", time: t, api_base: "http://h\u0000" },
    ];
    const text = JSON.stringify({ logs });
    const { records, rejected } = parseLogsJson(text, JSON.parse(text), DEFAULT_LIMITS, NOW);
    expect(records.map((r) => [r.requestId, r.status])).toEqual([["c1", "failure"]]);
    expect(rejected.map((r) => [r.path, r.id])).toEqual([["logs[1].team_alias", "c2"], ["logs[2].tags[1]", "c3"], ["logs[3].api_base", "c4"]]);
    expect(rejected[0].reason).toMatch(/^team_alias contains the NUL character/);
  });
});
