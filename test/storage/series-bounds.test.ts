// The series, label-name and label-value lookups decide "has samples in range"
// from per-series time bounds (series-bounds.ts) where they can: their answers
// must equal what the samples themselves say (the old per-series probe),
// across ranges that hit a bound, fall in a gap, miss, and after retention has
// dropped the days a bound points into; bounds widen on writes, replays change
// nothing, and the backfill migration gives existing series the same bounds.
// Label names and values without match[] read the label index (label_values):
// its rows must hold every label value's exact bounds, lag by at most the
// slack when a series widens a little, and answer as the samples do there too,
// through the per-value check and the series statement when it cannot decide.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { ensureTenant } from "../../shared/admin";
import { NAME_LABEL, type Labels } from "../../shared/labels";
import { STALE_NAN } from "../../shared/staleness";
import { runCompaction } from "../../shared/storage/postgres/chunk-compact";
import { postgresQueryStorage } from "../../shared/storage/postgres/read";
import { postgresWriteStorage } from "../../shared/storage/postgres/write";
import { LABEL_INDEX_SLACK_MS } from "../../shared/storage/postgres/label-index-write";
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

// With an equality on __name__, the bounds are probed per matched series (bounds-join.ts); else hash-joined.
const SETS = ["", "{__name__=\"gappy\"}", "{__name__=\"recent\",job=\"b\"}", "{job=\"a\"}", "{job=~\"b|c\"}", "{zone=~\"x|z\"}", "{job=~\"(?i)B\"}", "{__name__=~\".+\",zone!=\"x\"}"].map((s) =>
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

const indexOf = async (tenantId: number) =>
  (await testDb().execute<{ name: string; value: string; min_t: string; max_t: string }>(sql`
    SELECT name, value, min_t::text, max_t::text FROM label_values WHERE tenant_id = ${tenantId} ORDER BY 1, 2`)).rows.map((r) => [
    r.name, r.value, Number(r.min_t), Number(r.max_t),
  ]);

/** The index rows the fixtures' samples call for: per label value (and metric name), the oldest and newest sample of its series. */
function wantIndex(fx: Fixture[]): Array<[string, string, number, number]> {
  const rows = new Map<string, [string, string, number, number]>();
  for (const f of fx)
    for (const [n, v] of Object.entries({ [NAME_LABEL]: f.name, ...f.labels })) {
      const r = rows.get(`${n}\u0000${v}`) ?? [n, v, Infinity, -Infinity];
      rows.set(`${n}\u0000${v}`, [n, v, Math.min(r[2], ...f.times), Math.max(r[3], ...f.times)]);
    }
  return [...rows.keys()].sort().map((k) => rows.get(k)!);
}

const wantBounds = (fx: Fixture[]) => fx.map((f) => [f.name, Math.min(...f.times), Math.max(...f.times)]).sort((a, b) => (a[0] < b[0] ? -1 : 1));

describe("series time bounds", () => {
  // First: it writes days that the retention test below drops.
  it("the label index backfill gives existing series' label values the bounds of their series", async () => {
    const db = testDb();
    const tenantId = (await ensureTenant(db, "index-backfill")).id;
    await postgresWriteStorage(db).writeMetrics([message(tenantId, "d1", FIXTURES)]);
    const written = await indexOf(tenantId);
    expect(written).toEqual(wantIndex(FIXTURES));
    await db.execute(sql`DELETE FROM label_values WHERE tenant_id = ${tenantId}`);
    // A series without bounds (no samples) adds no label value.
    await db.execute(sql`INSERT INTO series (tenant_id, metric_name, labels, labels_hash) VALUES (${tenantId}, 'no_samples', '{"job":"nobody"}'::jsonb, gen_random_uuid())`);
    const step = readFileSync(new URL("../../migrations/data/label-index-backfill.sql", import.meta.url), "utf8");
    expect(readFileSync(new URL("../../migrations/0013_label_index.sql", import.meta.url), "utf8")).toContain(step.trim());
    await db.execute(sql.raw(step));
    expect(await indexOf(tenantId)).toEqual(written);
    // Run again (after the new aggregator is deployed): nothing changes.
    await db.execute(sql.raw(step));
    expect(await indexOf(tenantId)).toEqual(written);
    expect(await checkAll(tenantId, -Infinity)).toBe(ranges().length * SETS.length);
  });

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
    expect(await indexOf(tenantId)).toEqual(wantIndex(FIXTURES));
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
    expect(await indexOf(tenantId)).toEqual(wantIndex(FIXTURES));

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

describe("label index", () => {
  const NOW = at(0, 12);
  const MIN = 60_000;

  async function lookups(tenantId: number, fx: Fixture[], r: TimeRange, name: string) {
    const store = postgresQueryStorage(testDb(), tenantId, labelsPredicate);
    const want = expected(fx, [], r, -Infinity);
    const where = `range ${new Date(r.start).toISOString()}..${new Date(r.end).toISOString()}`;
    expect(await store.labelValues(name, [], r), `${where} label ${name}`).toEqual([...new Set(want.map((l) => l[name]).filter((v) => v !== undefined))].sort());
    expect(await store.labelValues(name, [], r, 2), `${where} label ${name} limit 2`).toEqual([...new Set(want.map((l) => l[name]).filter((v) => v !== undefined))].sort().slice(0, 2));
    expect(await store.labelNames([], r), where).toEqual([...new Set(want.flatMap((l) => Object.keys(l)))].sort());
  }

  it("a value's max_t lags a small widening by at most the slack, and lookups still answer as the samples do", async () => {
    const db = testDb();
    const tenantId = (await ensureTenant(db, "slack")).id;
    const w = postgresWriteStorage(db);
    const fx: Fixture[] = [
      { name: "m", labels: { job: "a", pod: "p1" }, times: [NOW] },
      { name: "m", labels: { job: "b", pod: "p2" }, times: [NOW] },
    ];
    await w.writeMetrics([message(tenantId, "s1", fx)]);
    // A minute later: within the slack, so the index is not written (no row locked, no tuple).
    fx[0].times.push(NOW + MIN);
    await w.writeMetrics([message(tenantId, "s2", [{ ...fx[0], times: [NOW + MIN] }])]);
    const lagging = await indexOf(tenantId);
    expect(lagging.find((r) => r[1] === "p1")).toEqual(["pod", "p1", NOW, NOW]);
    // Ranges after the stored max_t but inside the slack: undecided, so checked against the series.
    for (const r of [{ start: NOW + 1, end: NOW + 2 * MIN }, { start: NOW + MIN, end: NOW + MIN }, { start: NOW + 1, end: NOW + 30_000 }, { start: NOW - MIN, end: NOW + 3 * MIN }])
      for (const n of ["job", "pod", NAME_LABEL]) await lookups(tenantId, fx, r, n);
    // Past the slack, the write widens the index again.
    fx[0].times.push(NOW + LABEL_INDEX_SLACK_MS + MIN);
    await w.writeMetrics([message(tenantId, "s3", [{ ...fx[0], times: [NOW + LABEL_INDEX_SLACK_MS + MIN] }])]);
    expect((await indexOf(tenantId)).find((r) => r[1] === "p1")).toEqual(["pod", "p1", NOW, NOW + LABEL_INDEX_SLACK_MS + MIN]);
    // A new series widens its values at once, an older sample the min_t exactly.
    fx.push({ name: "m2", labels: { job: "a", pod: "p3" }, times: [NOW - 5 * MIN] });
    await w.writeMetrics([message(tenantId, "s4", [fx[2]])]);
    expect((await indexOf(tenantId)).filter((r) => r[1] === "a" || r[1] === "p3")).toEqual([["job", "a", NOW - 5 * MIN, NOW + LABEL_INDEX_SLACK_MS + MIN], ["pod", "p3", NOW - 5 * MIN, NOW - 5 * MIN]]);
    for (const r of [{ start: NOW - 6 * MIN, end: NOW - 4 * MIN }, { start: NOW + 2 * MIN, end: NOW + LABEL_INDEX_SLACK_MS + MIN }, { start: NOW + 1, end: NOW + MIN - 1 }])
      for (const n of ["job", "pod", NAME_LABEL]) await lookups(tenantId, fx, r, n);
  });

  it("values past U+FFFF come in the database's order, as from the series statement", async () => {
    const db = testDb();
    const tenantId = (await ensureTenant(db, "order")).id;
    const pods = ["b", "a\uFFFD", "a\u{1F600}", "a", "\u00E9", "Z"];
    await postgresWriteStorage(db).writeMetrics([message(tenantId, "o1", pods.map((pod) => ({ name: "m", labels: { pod }, times: [NOW] })))]);
    const store = postgresQueryStorage(db, tenantId, labelsPredicate);
    const r = { start: NOW - MIN, end: NOW + MIN };
    const fromSeries = await store.labelValues("pod", [[{ name: NAME_LABEL, type: "=", value: "m" }]], r);
    expect(fromSeries).toEqual(["Z", "a", "a\uFFFD", "a\u{1F600}", "b", "\u00E9"]);
    expect(await store.labelValues("pod", [], r)).toEqual(fromSeries);
  });

  it("when more values are undecided than are worth checking one by one, the series statement answers", async () => {
    const db = testDb();
    const tenantId = (await ensureTenant(db, "many")).id;
    // 2,100 pods, each with samples 3 and 1 days ago; every other one also 2 days ago, inside all their bounds.
    const fx: Fixture[] = Array.from({ length: 2_100 }, (_, i) => ({
      name: "m",
      labels: { pod: `p${String(i).padStart(4, "0")}`, grp: `g${i % 3}` },
      times: i % 2 === 0 ? [at(3), at(2), at(1)] : [at(3), at(1)],
    }));
    await postgresWriteStorage(db).writeMetrics([message(tenantId, "m1", fx)]);
    const store = postgresQueryStorage(db, tenantId, labelsPredicate);
    for (const r of [{ start: at(2) - 1, end: at(2) + 1 }, { start: at(2) + 1, end: at(1) - 1 }, { start: at(3), end: at(1) }]) {
      for (const n of ["pod", "grp", NAME_LABEL]) await lookups(tenantId, fx, r, n);
      // pod has many values, so one of them picks few series: bounds probed per matched series.
      for (const sel of ["{pod=\"p0002\"}", "{pod=\"p0003\",grp=\"g0\"}", "{grp=\"g1\"}"]) {
        const sets = [parseSeriesSelector(sel) as LabelMatcher[]];
        expect(sortLabels(await store.series(sets, r)), sel).toEqual(sortLabels(expected(fx, sets, r, -Infinity)));
        expect(await store.labelValues("pod", sets, r), sel).toEqual([...new Set(expected(fx, sets, r, -Infinity).map((l) => l.pod))].sort());
      }
    }
  });
});
