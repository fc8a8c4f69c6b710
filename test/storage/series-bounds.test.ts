// The series, label-name and label-value lookups decide "has samples in range"
// from per-series time bounds (series-bounds.ts) where they can: their answers
// must equal what the samples themselves say (the old per-series probe),
// across ranges that hit a bound, fall in a gap, miss, and after retention has
// dropped the days a bound points into; bounds widen on writes, replays change
// nothing, and the backfill migration gives existing series the same bounds.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { ensureTenant } from "../../shared/admin";
import { NAME_LABEL, type Labels } from "../../shared/labels";
import { STALE_NAN } from "../../shared/staleness";
import { runCompaction } from "../../shared/storage/postgres/chunk-compact";
import { postgresQueryStorage } from "../../shared/storage/postgres/read";
import { postgresWriteStorage } from "../../shared/storage/postgres/write";
import type { LabelMatcher, TimeRange } from "../../shared/storage/types";
import { labelsPredicate, parseSeriesSelector } from "../../workers/query/promql";
import { runRetention } from "../../workers/query/retention";
import { useOwnNodeDb } from "../helpers/own-database";
import { metricsMessage } from "../support/metrics-message";

const testDb = useOwnNodeDb("series_bounds");
const DAY = 86_400_000;
const TODAY = Math.floor(Date.now() / DAY);
const RETENTION = 30;
const at = (daysAgo: number, h = 12) => (TODAY - daysAgo) * DAY + h * 3_600_000;

interface Fixture {
  name: string;
  labels: Labels;
  times: number[];
}

// Each series' sample times chosen so that some ranges hit a bound, some a gap between samples, some nothing.
const FIXTURES: Fixture[] = [
  { name: "old_only", labels: { job: "a", zone: "x" }, times: [at(40), at(39), at(38)] },
  { name: "spans_retention", labels: { job: "a", zone: "y" }, times: [at(35), at(2)] },
  { name: "gappy", labels: { job: "b", zone: "x", gpu: "0" }, times: [at(10), at(10, 13), at(1)] },
  { name: "recent", labels: { job: "b", extra: "e" }, times: [at(5), at(5, 14)] },
  { name: "unbounded", labels: { job: "c" }, times: [at(3), at(0, 1)] },
  { name: "stale_only", labels: { job: "c", zone: "z" }, times: [at(4)] },
];

const message = (tenantId: number, batchId: string, fx: Fixture[]) =>
  metricsMessage(tenantId, batchId, fx.map((f) => ({ ...f, values: valuesOf(f) })));

function valuesOf(f: Fixture): Float64Array {
  const v = new Float64Array(f.times.length);
  for (let i = 0; i < v.length; i++) v[i] = f.name === "stale_only" ? STALE_NAN : i + 1;
  return v;
}

/** What the samples say: series with a stored sample in range (a dropped day's samples are gone). */
function expected(fx: Fixture[], sets: LabelMatcher[][], r: TimeRange, droppedBefore: number): Labels[] {
  const preds = sets.map(labelsPredicate);
  return fx
    .filter((f) => f.times.some((t) => t >= r.start && t <= r.end && t >= droppedBefore))
    .map((f) => ({ [NAME_LABEL]: f.name, ...f.labels }))
    .filter((l) => preds.length === 0 || preds.some((p) => p(l)));
}

const key = (l: Labels) => JSON.stringify(Object.entries(l).sort());
const sortLabels = (ls: Labels[]) => ls.map(key).sort();

/** Ranges: each sample time as a start, as an end, a point, ranges inside gaps, wide and empty ones. */
function ranges(): TimeRange[] {
  const times = [...new Set(FIXTURES.flatMap((f) => f.times))].sort((a, b) => a - b);
  const out: TimeRange[] = [{ start: at(60), end: at(-1) }, { start: at(0, 23), end: at(-1) }, { start: at(45), end: at(41) }];
  for (const t of times) out.push({ start: t, end: t }, { start: t, end: t + 3 * DAY }, { start: t - 3 * DAY, end: t }, { start: t + 1, end: t + DAY });
  out.push({ start: at(9), end: at(2, 0) }); // inside gappy's gap, inside spans_retention's bounds
  return out;
}

const SETS = ["", "{job=\"a\"}", "{job=~\"b|c\"}", "{zone=~\"x|z\"}", "{job=~\"(?i)B\"}", "{__name__=~\".+\",zone!=\"x\"}"].map((s) =>
  s === "" ? [] : [parseSeriesSelector(s) as LabelMatcher[]],
);

async function checkAll(tenantId: number, droppedBefore: number): Promise<number> {
  const store = postgresQueryStorage(testDb(), tenantId, labelsPredicate);
  let checks = 0;
  for (const r of ranges())
    for (const sets of SETS) {
      const want = expected(FIXTURES, sets, r, droppedBefore);
      const where = `range ${new Date(r.start).toISOString()}..${new Date(r.end).toISOString()} sets ${JSON.stringify(sets)}`;
      expect(sortLabels(await store.series(sets, r)), where).toEqual(sortLabels(want));
      const names = [...new Set(want.flatMap((l) => Object.keys(l)))].sort();
      expect(await store.labelNames(sets, r), where).toEqual(names);
      for (const n of ["job", "zone", NAME_LABEL]) {
        const values = [...new Set(want.map((l) => l[n]).filter((v) => v !== undefined))].sort();
        expect(await store.labelValues(n, sets, r), `${where} label ${n}`).toEqual(values);
      }
      checks++;
    }
  return checks;
}

const boundsOf = async (tenantId: number) =>
  (await testDb().execute<{ name: string; min_t: string; max_t: string }>(sql`
    SELECT s.metric_name AS name, b.min_t::text, b.max_t::text FROM series s JOIN series_bounds b ON b.series_id = s.id
    WHERE s.tenant_id = ${tenantId} ORDER BY 1`)).rows.map((r) => [r.name, Number(r.min_t), Number(r.max_t)]);

const wantBounds = (fx: Fixture[]) => fx.map((f) => [f.name, Math.min(...f.times), Math.max(...f.times)]).sort((a, b) => (a[0] < b[0] ? -1 : 1));

describe("series time bounds", () => {
  it("lookups answer as the samples do, before and after retention drops days", async () => {
    const db = testDb();
    const tenantId = (await ensureTenant(db, "bounds")).id;
    const w = postgresWriteStorage(db);
    // Written in two batches, each series' times split across them, the later batch holding the older half:
    // bounds must widen both ways.
    const half = (f: Fixture, first: boolean) => ({ ...f, times: f.times.filter((_, i) => (i % 2 === 0) === first) });
    await w.writeMetrics([message(tenantId, "b1", FIXTURES.map((f) => half(f, true)))]);
    await w.writeMetrics([message(tenantId, "b2", FIXTURES.map((f) => half(f, false)).filter((f) => f.times.length > 0))]);
    expect(await boundsOf(tenantId)).toEqual(wantBounds(FIXTURES));
    // A staleness marker is a stored sample (NULL) and bounds its series like any other.
    const stale = await db.execute<{ value: number | null }>(sql`
      SELECT x.value FROM samples x JOIN series s ON s.id = x.series_id WHERE s.tenant_id = ${tenantId} AND s.metric_name = 'stale_only'`);
    expect(stale.rows).toEqual([{ value: null }]);
    // A series as if written before bounds existed: no bounds row, so the lookups probe it.
    await db.execute(sql`DELETE FROM series_bounds WHERE series_id IN (SELECT id FROM series WHERE tenant_id = ${tenantId} AND metric_name = 'unbounded')`);

    expect(await checkAll(tenantId, -Infinity)).toBe(ranges().length * SETS.length);

    // Replays of both batches change nothing.
    const replay = await w.writeMetrics([message(tenantId, "b1", FIXTURES.map((f) => half(f, true)))]);
    expect(replay[0].duplicate).toBe(true);
    expect(await boundsOf(tenantId)).toEqual(wantBounds(FIXTURES.filter((f) => f.name !== "unbounded")));

    const dropped = await runRetention(db, RETENTION);
    expect(dropped.filter((n) => n.startsWith("samples_p")).length).toBeGreaterThanOrEqual(4);
    // Bounds still reach into dropped days; answers must follow what is stored.
    expect(await boundsOf(tenantId)).toEqual(wantBounds(FIXTURES.filter((f) => f.name !== "unbounded")));
    await checkAll(tenantId, (TODAY - RETENTION) * DAY);

    // Compacted: samples moved into chunks still count, where the bounds decide and where the lookups probe.
    const compacted = await runCompaction(db, { retentionDays: RETENTION, headMs: 0 });
    expect(compacted.samples).toBeGreaterThan(0);
    expect((await db.execute<{ n: string }>(sql`SELECT count(*)::text AS n FROM samples x JOIN series s ON s.id = x.series_id WHERE s.tenant_id = ${tenantId}`)).rows[0].n).toBe("0");
    await checkAll(tenantId, (TODAY - RETENTION) * DAY);
  });

  it("the backfill migration gives existing series the bounds their samples have", async () => {
    const db = testDb();
    const tenantId = (await ensureTenant(db, "backfill")).id;
    const fx = FIXTURES.filter((f) => f.times.every((t) => t >= (TODAY - RETENTION) * DAY));
    await postgresWriteStorage(db).writeMetrics([message(tenantId, "c1", fx)]);
    await db.execute(sql`DELETE FROM series_bounds WHERE series_id IN (SELECT id FROM series WHERE tenant_id = ${tenantId})`);
    // A series without samples stays without bounds.
    await db.execute(sql`INSERT INTO series (tenant_id, metric_name, labels, labels_hash) VALUES (${tenantId}, 'no_samples', '{}'::jsonb, gen_random_uuid())`);
    const step = readFileSync(new URL("../../migrations/data/series-bounds-backfill.sql", import.meta.url), "utf8");
    expect(readFileSync(new URL("../../migrations/0010_series_bounds.sql", import.meta.url), "utf8")).toContain(step.trim());
    await db.execute(sql.raw(step));
    expect(await boundsOf(tenantId)).toEqual(wantBounds(fx));
  });
});
