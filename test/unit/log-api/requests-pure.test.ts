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
  const M = MINUTE_MS;
  const H = 60 * M;
  const add = (from: number, to: number) => ({ from, to, sign: 1 });
  const sub = (from: number, to: number) => ({ from, to, sign: -1 });
  it("reads whole days from the day tables and each ragged end the cheaper way", () => {
    // An hour before midnight: its minutes; 5 minutes after the last midnight: those.
    expect(splitRange(D - H, D + 2 * DAY_MS + 5 * M)).toEqual({ minutes: [add(D - H, D), add(D + 2 * DAY_MS, D + 2 * DAY_MS + 5 * M)], days: [D, D + 2 * DAY_MS] });
    expect(splitRange(D, D + DAY_MS)).toEqual({ minutes: [], days: [D, D + DAY_MS] });
    // The last 24 h ending at 20:00: 4 h before midnight added, the 4 h after 20:00 subtracted from today's row.
    expect(splitRange(D + 20 * H, D + DAY_MS + 20 * H)).toEqual({ minutes: [add(D + 20 * H, D + DAY_MS), sub(D + DAY_MS + 20 * H, D + 2 * DAY_MS)], days: [D + DAY_MS, D + 2 * DAY_MS] });
    // Starting at 02:00: the day less its first 2 h.
    expect(splitRange(D + 2 * H, D + DAY_MS + 2 * H)).toEqual({ minutes: [sub(D, D + 2 * H), add(D + DAY_MS, D + DAY_MS + 2 * H)], days: [D, D + DAY_MS] });
    // Both ends past the middle of one day's boundaries: no whole day, only minutes.
    expect(splitRange(D + 13 * H, D + DAY_MS + 11 * H)).toEqual({ minutes: [add(D + 13 * H, D + DAY_MS), add(D + DAY_MS, D + DAY_MS + 11 * H)], days: null });
  });
  it("inside one day: its minutes, or the day less the minutes around them", () => {
    expect(splitRange(D + H, D + 3 * H)).toEqual({ minutes: [add(D + H, D + 3 * H)], days: null });
    expect(splitRange(D + H, D + 23 * H)).toEqual({ minutes: [sub(D, D + H), sub(D + 23 * H, D + DAY_MS)], days: [D, D + DAY_MS] });
  });
  it("never reads more than half a day of minutes per end", () => {
    for (let s = D; s < D + DAY_MS; s += 37 * M)
      for (const len of [H, 6 * H, DAY_MS, 3 * DAY_MS + 17 * M]) {
        const { minutes, days } = splitRange(s, s + len);
        const read = minutes.reduce((n, m) => n + m.to - m.from, 0);
        expect(read).toBeLessThanOrEqual(DAY_MS);
        // The spans and days cover exactly [s, s + len): counted minute by minute, with signs.
        const covered = (t: number) => (days && t >= days[0] && t < days[1] ? 1 : 0) + minutes.reduce((n, m) => n + (t >= m.from && t < m.to ? m.sign : 0), 0);
        for (let t = D - DAY_MS; t < D + 5 * DAY_MS; t += 31 * M) expect(covered(t), `${s} ${len} ${t}`).toBe(t >= s && t < s + len ? 1 : 0);
      }
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
