// The fast check of request-log records must never disagree with zod: when it
// answers, zod accepts the record and gives the same output (keys in the same
// order); it may only decline (undefined), and then zod decides.
import { describe, expect, it } from "vitest";
import { RequestLogSchema } from "../../../shared/logs/record";
import { fastParseRequestLog } from "../../../shared/logs/record-fast";
import { adaptLitellm } from "../../../shared/logs/adapters/litellm";
import { litellmPayload } from "../../../cli/demo/litellm-payloads";

function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

const base = () => ({
  request_id: "req-1",
  time: 1_767_225_600_000,
  end_time: 1_767_225_601_500,
  model: "gpt-4o",
  provider: "openai",
  status: "success",
  input_tokens: 10,
  output_tokens: 20,
  tags: ["a", "b"],
  attributes: { k: "v", n: 1 },
});

// Values each field may take, good and bad; every record mixes some of them.
const VALUES: unknown[] = [
  "", "x", "a".repeat(256), "a".repeat(257), "a".repeat(1025), "a".repeat(8193), "é", 0, -0, 1, -1, 1.5, 100, 599, 600, 99,
  Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2, NaN, Infinity, -Infinity, true, false, null, undefined, [], ["x"],
  Array(65).fill("t"), ["a".repeat(257)], [1], {}, { a: 1 }, Object.create(null), "success", "failure", "error", "fail",
  "2026-01-01T00:00:00Z", "2026-01-01", new Date(0), JSON.parse('{"__proto__": 1}'),
];
const FIELDS = [...Object.keys(RequestLogSchema.shape), "unknown_field", "__proto__", "constructor", "toString"];

function check(record: unknown): "fast" | "zod" {
  const fast = fastParseRequestLog(record);
  const zod = RequestLogSchema.safeParse(record);
  if (fast === undefined) return "zod";
  expect(zod.success, JSON.stringify(record)).toBe(true);
  expect(fast).toStrictEqual(zod.data);
  expect(Object.keys(fast)).toEqual(Object.keys(zod.data!));
  return "fast";
}

describe("fastParseRequestLog", () => {
  it("agrees with RequestLogSchema on many generated records, good and bad", () => {
    const r = rng(42);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
    const seen = { fast: 0, zod: 0 };
    for (let i = 0; i < 20_000; i++) {
      const rec: Record<string, unknown> = base();
      const changes = Math.floor(r() * 4);
      for (let c = 0; c < changes; c++) {
        const f = pick(FIELDS);
        if (r() < 0.2) delete rec[f];
        else if (f === "__proto__") Object.defineProperty(rec, f, { value: pick(VALUES), enumerable: true, writable: true, configurable: true });
        else rec[f] = pick(VALUES);
      }
      seen[check(rec)]++;
    }
    for (const v of VALUES) check(v);
    // Both paths were exercised.
    expect(seen.fast).toBeGreaterThan(1000);
    expect(seen.zod).toBeGreaterThan(1000);
  });

  it("answers for every record the LiteLLM adapter makes of the benchmark's payloads", () => {
    const now = Date.now();
    for (let i = 0; i < 2000; i++) {
      const a = adaptLitellm(JSON.parse(JSON.stringify(litellmPayload(i, 2000, { from: now - 60_000, to: now, seed: 3 }).payload)));
      if (!a.ok) throw new Error(a.problem.reason);
      expect(check(a.record)).toBe("fast");
    }
  });

  it("declines a record with an RFC 3339 time, which zod parses", () => {
    expect(fastParseRequestLog({ ...base(), time: "2026-01-01T00:00:00Z" })).toBeUndefined();
    expect(RequestLogSchema.safeParse({ ...base(), time: "2026-01-01T00:00:00Z" }).success).toBe(true);
  });
});
