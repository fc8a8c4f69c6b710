// The pure delta computation behind the rollups: what each log adds, per minute
// and per day, and that the result does not depend on how logs are grouped.
import { describe, expect, it } from "vitest";
import { DimsIndex, rollupDeltas, type RollupDeltas, type TenantLog } from "../../../shared/logs/rollup";
import { dimsKey, dimsOf, HISTOGRAMS, LATENCY_BUCKETS } from "../../../shared/logs/rollup-spec";
import { logRow } from "../../support/log-row";
import type { LogRow } from "../../../shared/logs/record";

const T0 = Date.UTC(2026, 2, 10, 12, 0, 0);
const row = (id: string, time: number, o: Partial<LogRow> = {}, tenantId = 1): TenantLog => ({ tenantId, row: logRow(id, time, { model: "m", provider: "p", ...o }) });

describe("rollupDeltas", () => {
  it("sums a minute's logs of one dims set; nulls add nothing; cache_hit null counts neither way", () => {
    const d = rollupDeltas([
      row("a", T0 + 1_000, { inputTokens: 10, outputTokens: 5, totalTokens: 15, cachedTokens: 4, costUsd: 0.5, cacheHit: true, latencyMs: 300 }),
      row("b", T0 + 59_999, { inputTokens: null, outputTokens: 7, totalTokens: 7, cacheHit: false, latencyMs: 1200, ttftMs: 200 }),
      row("c", T0 + 30_000, { cacheHit: null }),
    ]);
    expect(d.minutes).toHaveLength(1);
    const m = d.minutes[0];
    expect(m).toMatchObject({ tenantId: 1, at: T0, requests: 3, inputTokens: 10, outputTokens: 12, totalTokens: 22, cachedTokens: 4, costUsd: 0.5, cacheHits: 1, cacheMisses: 1 });
    expect(m.dims.key).toBe(dimsKey({ model: "m", provider: "p", status: "success" }));
    expect(m.histCount).toEqual([2, 1, 2, 2]);
    expect(m.histSum[0]).toBeCloseTo(1.5, 6);
    expect(m.histSum[1]).toBeCloseTo(0.2, 6);
    // Buckets: 0.3 s is in le=0.5 (index 6), 1.2 s in le=1.5 (index 8); TTFT 0.2 s in le=0.5.
    const latency = m.buckets.filter((b) => b.hist === 0).map((b) => [LATENCY_BUCKETS[b.bucket], b.n]);
    expect(latency).toEqual([[0.5, 1], [1.5, 1]]);
    expect(m.buckets.filter((b) => b.hist === 1).map((b) => [b.bucket, b.n])).toEqual([[6, 1]]);
    // Sorted by hist, then bucket.
    expect(m.buckets.map((b) => b.hist * 100 + b.bucket)).toEqual([...m.buckets.map((b) => b.hist * 100 + b.bucket)].sort((a, b) => a - b));
    expect(d.days).toEqual([{ ...m, at: Date.UTC(2026, 2, 10) }]);
    expect(d.dims).toEqual([{ tenantId: 1, key: m.dims.key, dims: { model: "m", provider: "p", status: "success" } }]);
  });

  it("keeps minutes, dims sets and tenants apart; days add up their minutes", () => {
    const d = rollupDeltas([
      row("a", T0, { latencyMs: 100 }),
      row("b", T0 + 60_000, { latencyMs: 100 }),
      row("c", T0 + 60_000, { status: "failure", httpStatus: 500 }),
      row("a", T0, {}, 2),
    ]);
    expect(d.minutes.map((m) => [m.tenantId, m.at - T0, m.requests]).sort()).toEqual([[1, 0, 1], [1, 60_000, 1], [1, 60_000, 1], [2, 0, 1]]);
    expect(d.days.map((x) => [x.tenantId, x.requests, x.histCount[0]]).sort()).toEqual([[1, 1, 0], [1, 2, 2], [2, 1, 0]]);
    expect(d.dims).toHaveLength(3);
    const dayBucket = d.days.find((x) => x.tenantId === 1 && x.histCount[0] === 2)!.buckets.find((b) => b.hist === 0)!;
    expect(dayBucket.n).toBe(2);
    expect(LATENCY_BUCKETS[dayBucket.bucket]).toBe(0.1);
  });

  it("puts a value past the last bound in +Inf and an exact bound in its own bucket", () => {
    const d = rollupDeltas([row("a", T0, { latencyMs: 1_000_000 }), row("b", T0, { latencyMs: 5_000 })]);
    const buckets = d.minutes[0].buckets.filter((b) => b.hist === 0).map((b) => b.bucket);
    expect(buckets).toEqual([LATENCY_BUCKETS.indexOf(5.0), HISTOGRAMS[0].bounds.length]);
  });

  it("memoises dims without ever merging two dims sets: every field dimsOf reads is in the memo's key", () => {
    const index = new DimsIndex();
    const base = logRow("x", T0);
    // Each LogRow field in turn given a value of its type; the index must agree with dimsOf on every one.
    const values: Record<string, unknown> = { string: "v", number: 418, boolean: true };
    for (const field of Object.keys(base) as (keyof LogRow)[]) {
      for (const kind of ["string", "number", "boolean"]) {
        const r = { ...base, [field]: values[kind] } as LogRow;
        expect(index.entryOf(1, r).key, `${field} = ${String(values[kind])}`).toBe(dimsKey(dimsOf(r)));
      }
    }
    // "" and null are both "absent" to dims: one entry.
    expect(index.entryOf(1, { ...base, errorClass: "" })).toBe(index.entryOf(1, { ...base, errorClass: null }));
    expect(index.entryOf(2, base)).not.toBe(index.entryOf(1, base));
  });

  it("gives bit-identical sums however the logs are grouped and ordered", () => {
    // Values whose float sums depend on order: 0.1 + 0.2 + 0.3 and friends.
    const rows = Array.from({ length: 500 }, (_, i) =>
      row(`r${i}`, T0 + (i % 7) * 1000, { costUsd: 0.1 * ((i % 13) + 1) / 3, latencyMs: 123.456 * ((i % 11) + 1), ttftMs: 0.1 * i, outputTokens: 1 + (i % 17) }),
    );
    const sorted = (d: RollupDeltas) => JSON.stringify([d.minutes, d.days].map((x) => [...x].sort((a, b) => a.at - b.at || (a.dims.key < b.dims.key ? -1 : 1))));
    const whole = rollupDeltas(rows);
    // Summed in three uneven groups, in reverse, as three incremental batches would be.
    const parts = [rows.slice(0, 17), rows.slice(17, 300), rows.slice(300)].map((p) => rollupDeltas([...p].reverse()));
    const merged = parts.reduce((acc, p) => {
      for (const m of p.days) {
        const t = acc.days.find((x) => x.dims.key === m.dims.key && x.at === m.at);
        if (!t) acc.days.push(structuredClone(m));
        else {
          t.costUsd += m.costUsd;
          m.histSum.forEach((v, i) => (t.histSum[i] += v));
        }
      }
      return acc;
    }, { days: [] as RollupDeltas["days"] });
    expect(merged.days.map((d) => [d.costUsd, ...d.histSum])).toEqual(whole.days.map((d) => [d.costUsd, ...d.histSum]));
    expect(sorted(rollupDeltas([...rows].reverse()))).toBe(sorted(whole));
    // The quantisation is fine: within 2^-32 USD of the exact cost per log.
    const exact = rows.reduce((n, r) => n + r.row.costUsd!, 0);
    expect(Math.abs(whole.days[0].costUsd - exact)).toBeLessThan(500 * 2 ** -32);
  });
});
