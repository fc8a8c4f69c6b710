// The log API's pure parts: the cursor codec, how a summary range is split
// between per-day and per-minute rollups, quantiles from bucket counts, and
// the LIKE pattern of q=.
import { describe, expect, it } from "vitest";
import { DAY_MS, LATENCY_BUCKETS, MINUTE_MS } from "../../../shared/logs/rollup-spec";
import { containsPattern, isoOfUs } from "../../../shared/storage/postgres/request-logs-read";
import { splitRange } from "../../../shared/storage/postgres/rollup-summary";
import { decodeCursor, encodeCursor } from "../../../workers/query/api/requests-cursor";
import { quantilesOf } from "../../../workers/query/api/requests-summary";

describe("cursor", () => {
  it("round-trips and is URL-safe", () => {
    const c = { timeUs: 1_767_225_600_123_456, requestId: "chatcmpl-ü/+ =", startMs: -5 };
    const s = encodeCursor(c);
    expect(s).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(s)).toEqual(c);
  });

  it("refuses anything it did not make", () => {
    const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
    for (const bad of ["", "!!", "abc", enc([1, "x"]), enc([1.5, "x", 0]), enc([1, "", 0]), enc({ t: 1 }), enc([1, 2, 3]), Buffer.from([0xff, 0xfe]).toString("base64url")])
      expect(() => decodeCursor(bad), bad).toThrow(/"cursor": not a cursor/);
  });
});

describe("splitRange", () => {
  const D = 20_000 * DAY_MS;
  it("reads whole days from the day tables and the ragged ends from minutes", () => {
    expect(splitRange(D - 60 * MINUTE_MS, D + 2 * DAY_MS + 5 * MINUTE_MS)).toEqual({
      minutes: [[D - 60 * MINUTE_MS, D], [D + 2 * DAY_MS, D + 2 * DAY_MS + 5 * MINUTE_MS]],
      days: [D, D + 2 * DAY_MS],
    });
    expect(splitRange(D, D + DAY_MS)).toEqual({ minutes: [], days: [D, D + DAY_MS] });
    // The last 24 h hold no whole day unless they start at midnight.
    expect(splitRange(D + MINUTE_MS, D + DAY_MS + MINUTE_MS)).toEqual({ minutes: [[D + MINUTE_MS, D + DAY_MS + MINUTE_MS]], days: null });
  });
});

describe("quantilesOf", () => {
  const counts = (pairs: Array<[number, number]>, n = LATENCY_BUCKETS.length + 1) => {
    const c = new Array<number>(n).fill(0);
    for (const [i, v] of pairs) c[i] = v;
    return c;
  };
  it("interpolates linearly inside the bucket as histogram_quantile does", () => {
    // 10 observations in (0.1, 0.5] (bucket 6): the p50 is halfway.
    const q = quantilesOf(LATENCY_BUCKETS, counts([[6, 10]]), 10, 3);
    expect(q.p50).toBeCloseTo(0.3, 12);
    expect(q.p90).toBeCloseTo(0.46, 12);
    expect(q.mean).toBeCloseTo(0.3, 12);
    // The first bucket interpolates from 0.
    expect(quantilesOf(LATENCY_BUCKETS, counts([[0, 4]]), 4, 0.01).p50).toBeCloseTo(0.0025, 12);
  });
  it("answers +Inf observations with the highest finite bound, and null without observations", () => {
    expect(quantilesOf(LATENCY_BUCKETS, counts([[LATENCY_BUCKETS.length, 3]]), 3, 3000).p50).toBe(300);
    expect(quantilesOf(LATENCY_BUCKETS, counts([]), 0, 0)).toEqual({ p50: null, p90: null, p95: null, p99: null, mean: null });
  });
});

describe("helpers", () => {
  it("q= is literal: LIKE's wildcards and its escape are escaped", () => {
    expect(containsPattern("100_%\\x")).toBe("%100\\_\\%\\\\x%");
  });
  it("RFC 3339 from microseconds keeps them when there are any", () => {
    expect(isoOfUs(1_767_225_600_123_000)).toBe("2026-01-01T00:00:00.123Z");
    expect(isoOfUs(1_767_225_600_123_456)).toBe("2026-01-01T00:00:00.123456Z");
  });
});
