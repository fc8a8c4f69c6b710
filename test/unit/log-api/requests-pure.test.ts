// The log API's pure parts: the cursor codec, how a summary range is split
// between per-day, per-hour and per-minute rollups, quantiles from bucket counts, and
// the LIKE pattern of q=.
import { describe, expect, it } from "vitest";
import { DAY_MS, LATENCY_BUCKETS, MINUTE_MS } from "../../../shared/logs/rollup-spec";
import { containsPattern, isoOfUs } from "../../../shared/storage/postgres/request-logs-read";
import { minutesOnly, splitRange, type Span, type Tier } from "../../../shared/storage/postgres/rollup-summary";
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
  const span = (tier: Tier, sign: 1 | -1) => (from: number, to: number): Span => ({ tier, from, to, sign });
  const [min, subMin, hour, subHour, day] = [span("minute", 1), span("minute", -1), span("hour", 1), span("hour", -1), span("day", 1)];
  const sorted = (xs: Span[]) => [...xs].sort((a, b) => a.from - b.from || a.to - b.to || a.tier.localeCompare(b.tier));
  it("reads whole days, then whole hours, and each ragged end the cheaper way", () => {
    // An hour before midnight: that hour; 5 minutes after the last midnight: those.
    expect(sorted(splitRange(D - H, D + 2 * DAY_MS + 5 * M))).toEqual(sorted([hour(D - H, D), day(D, D + 2 * DAY_MS), min(D + 2 * DAY_MS, D + 2 * DAY_MS + 5 * M)]));
    expect(splitRange(D, D + DAY_MS)).toEqual([day(D, D + DAY_MS)]);
    // The last 24 h from 20:10: 20:00-24:00 less 20:00-20:10 before midnight; today's row less 20:00-24:00, with 20:00-20:10 back.
    expect(sorted(splitRange(D + 20 * H + 10 * M, D + DAY_MS + 20 * H + 10 * M))).toEqual(sorted([
      hour(D + 20 * H, D + DAY_MS), subMin(D + 20 * H, D + 20 * H + 10 * M), day(D + DAY_MS, D + 2 * DAY_MS),
      subHour(D + DAY_MS + 20 * H, D + 2 * DAY_MS), min(D + DAY_MS + 20 * H, D + DAY_MS + 20 * H + 10 * M),
    ]));
    // Both ends past the middle of their days: no whole day, hours and minutes only.
    expect(sorted(splitRange(D + 13 * H + 50 * M, D + DAY_MS + 11 * H))).toEqual(sorted([
      min(D + 13 * H + 50 * M, D + 14 * H), hour(D + 14 * H, D + DAY_MS), hour(D + DAY_MS, D + DAY_MS + 11 * H),
    ]));
  });
  it("inside one hour: its minutes, or the hour less the minutes around them", () => {
    expect(splitRange(D + H + 5 * M, D + H + 20 * M)).toEqual([min(D + H + 5 * M, D + H + 20 * M)]);
    expect(splitRange(D + H + 5 * M, D + H + 50 * M)).toEqual([hour(D + H, D + 2 * H), subMin(D + H, D + H + 5 * M), subMin(D + H + 50 * M, D + 2 * H)]);
  });
  it("minutesOnly reads every minute of the range from the minute rows", () => {
    expect(minutesOnly(D + 5 * M, D + 3 * DAY_MS)).toEqual([min(D + 5 * M, D + 3 * DAY_MS)]);
  });
  it("covers exactly the range, reading at most 12 hours and 30 minutes per end", () => {
    for (let s = D; s < D + DAY_MS; s += 37 * M)
      for (const len of [M, 17 * M, H, 6 * H + 31 * M, DAY_MS, 3 * DAY_MS + 17 * M]) {
        const spans = splitRange(s, s + len);
        const read = (tier: Tier) => spans.filter((x) => x.tier === tier).reduce((n, x) => n + x.to - x.from, 0);
        expect(read("minute"), `${s} ${len}`).toBeLessThanOrEqual(2 * 30 * M);
        expect(read("hour"), `${s} ${len}`).toBeLessThanOrEqual(2 * 13 * H);
        // Every span is whole units of its tier.
        for (const x of spans) expect((x.to - x.from) % { minute: M, hour: H, day: DAY_MS }[x.tier]).toBe(0);
        // The spans cover exactly [s, s + len): counted minute by minute, with signs.
        const covered = (t: number) => spans.reduce((n, x) => n + (t >= x.from && t < x.to ? x.sign : 0), 0);
        for (let t = D - DAY_MS; t < D + 5 * DAY_MS; t += 7 * M) expect(covered(t), `${s} ${len} ${t}`).toBe(t >= s && t < s + len ? 1 : 0);
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
