// Compaction of head rows into XOR chunks (shared/storage/postgres/chunk-compact.ts)
// and reads over both (QueryStorage.select): a select answers bit for bit the
// same before and after compaction, whatever the batch size, under redelivery,
// with two runners at once, with ingest writing late samples meanwhile, after a
// crash mid-batch; retention drops chunks with their days. Each on PostgreSQL
// (a database of the file's own: compaction works over every series of a
// database) and on PGlite (the local default: no extensions, one backend).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { ensureTenant } from "../../shared/admin";
import type { DbHandle, Db } from "../../shared/db";
import { STALE_NAN } from "../../shared/staleness";
import { CHUNK_WINDOW_MS } from "../../shared/storage/chunks/window";
import { decodeXorChunk } from "../../shared/storage/chunks/xor";
import { asBytes } from "../../shared/storage/postgres/bytea";
import { runCompaction } from "../../shared/storage/postgres/chunk-compact";
import { postgresQueryStorage } from "../../shared/storage/postgres/read";
import { postgresWriteStorage } from "../../shared/storage/postgres/write";
import type { LabelMatcher, SeriesData } from "../../shared/storage/types";
import { labelsPredicate } from "../../workers/query/promql/index";
import { runRetention } from "../../workers/query/retention";
import { openNodeDb } from "../../scripts/lib/node-db";
import { startWsProxy, type WsProxy } from "../../scripts/lib/ws-proxy";
import { startEmbeddedDb } from "../../scripts/lib/embedded-db";
import { applyMigrations } from "../../scripts/lib/migrate";
import { createOwnDatabase } from "../helpers/own-database";

const DAY = 86_400_000;
// Days of their own, far before today: 2001-03-01 .. 2001-03-02.
const T0 = Date.UTC(2001, 2, 1);
/** A clock a day after the data: everything but the last window before (now − head) is compactable. */
const LATER = T0 + 3 * DAY;

/** A database to run the suite on: Postgres 15 (a database of the file's own) or PGlite (no extensions, single-user). */
interface Backend {
  url: string;
  drop(): Promise<void>;
}

async function postgresBackend(): Promise<Backend> {
  return createOwnDatabase("chunks");
}

async function pgliteBackend(): Promise<Backend> {
  const dir = mkdtempSync(join(tmpdir(), "inferscope-chunks-pglite-"));
  const e = await startEmbeddedDb(dir);
  await applyMigrations(e.url);
  return { url: e.url, drop: async () => { await e.close(); rmSync(dir, { recursive: true, force: true }); } };
}

let own: Backend;
let proxy: WsProxy;
const handles: DbHandle[] = [];
let db: Db;
let tenant: number;
let batchNo = 0;
/** A label per backend: the writer caches series ids per process, and this file has two databases. */
let suite = "";

function openAnother(): Db {
  const h = openNodeDb(own.url, proxy.url);
  handles.push(h);
  return h.db;
}

function useBackend(name: string, make: () => Promise<Backend>): void {
  beforeAll(async () => {
    suite = name;
    own = await make();
    const url = new URL(own.url);
    proxy = await startWsProxy({ host: url.hostname === "localhost" ? "127.0.0.1" : url.hostname, port: Number(url.port || 5432) });
    db = openAnother();
    tenant = (await ensureTenant(db, "chunks")).id;
  });
  afterAll(async () => {
    for (const h of handles.splice(0)) await h.close().catch(() => {});
    await proxy?.close();
    await own?.drop();
  });
}

async function write(name: string, labels: Record<string, string>, ts: number[], vs: number[]): Promise<void> {
  // The writer remembers ensured days per process, not per database: this file has two.
  const days = [...new Set(ts.map((t) => Math.floor(t / DAY)))];
  await db.execute(sql`SELECT inferscope_ensure_day_partitions(${sql.param(days)}::integer[])`);
  await postgresWriteStorage(db).writeMetrics([{
    v: 1, kind: "metrics", tenantId: tenant, batchId: `b${batchNo++}`, part: 0,
    series: [{ name, labels: { ...labels, suite }, timestamps: Float64Array.from(ts), values: Float64Array.from(vs) }], metadata: [],
  }]);
}

/** Every sample, bits as hex, per series in label order: what an exact comparison needs. */
function bits(series: SeriesData[]): string[] {
  return series
    .map((s) => {
      const w = new Uint32Array(s.values.buffer, s.values.byteOffset, s.values.length * 2);
      const out: string[] = [];
      for (let i = 0; i < s.timestamps.length; i++) out.push(`${s.timestamps[i]}:${w[2 * i + 1].toString(16)}${w[2 * i].toString(16).padStart(8, "0")}`);
      return `${JSON.stringify(s.labels)} ${out.join(" ")}`;
    })
    .sort();
}

const all: LabelMatcher[] = [{ name: "__name__", type: "=~", value: "chunk_.*" }];
const exact: LabelMatcher[] = [{ name: "__name__", type: "=", value: "chunk_counter" }];
/** Ranges that cut windows in the middle, cover all, touch one sample, or none. */
const ranges = [
  { start: T0 - DAY, end: T0 + 3 * DAY },
  { start: T0 + 1_234_567, end: T0 + 5 * 3_600_000 + 7 },
  { start: T0 + CHUNK_WINDOW_MS - 15_000, end: T0 + CHUNK_WINDOW_MS },
  { start: T0 + DAY - 3_600_000, end: T0 + DAY + 3_600_000 },
  { start: T0 + 40 * 3_600_000, end: T0 + 40 * 3_600_000 },
];

async function snapshot(on: Db = db): Promise<string[][]> {
  const q = postgresQueryStorage(on, tenant, labelsPredicate);
  const out: string[][] = [];
  for (const r of ranges) for (const m of [all, exact]) out.push(bits(await q.select(m, r)));
  return out;
}

/** Fails with the first differing sample (whole snapshots are too long to print). */
function expectSame(got: string[][], want: string[][]): void {
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => {
    const [a, b] = [g.join("\n").split(" "), want[i].join("\n").split(" ")];
    const at = a.findIndex((x, j) => x !== b[j]);
    const where = `query ${i} (range ${JSON.stringify(ranges[Math.floor(i / 2)])})`;
    expect(at === -1 && a.length === b.length ? "same" : `${where}: at ${at} of ${b.length}: got ${a[at]} (${a.length} tokens), want ${b[at]}`).toBe("same");
  });
}

async function counts(): Promise<{ rows: number; chunked: number; chunks: number }> {
  const { rows } = await db.execute<{ rows: number; chunked: number; chunks: number }>(sql`
    SELECT (SELECT count(*)::int FROM samples) AS rows, (SELECT coalesce(sum(n), 0)::int FROM sample_chunks) AS chunked,
      (SELECT count(*)::int FROM sample_chunks) AS chunks`);
  return rows[0];
}

describe.each([["PostgreSQL", postgresBackend], ["PGlite", pgliteBackend]] as const)("compaction into chunks on %s", (name, backend) => {
  useBackend(name, backend);
  let total = 0;
  let before: string[][];
  beforeAll(async () => {
    // 30 h of a counter with resets and jitter, a gauge of every float class, a series that goes stale and comes back.
    const ts: number[] = [];
    for (let t = T0 + 7_000, i = 0; t < T0 + 30 * 3_600_000; t += 15_000 + ((i * 7919) % 900) - 450, i++) ts.push(t);
    let c = 0;
    const counter = ts.map((_, i) => (i % 997 === 500 ? (c = 3) : (c += (i * 13) % 17)));
    await write("chunk_counter", { job: "a" }, ts, counter);
    const odd = [NaN, Infinity, -Infinity, -0, 0, 1e308, 5e-324, -1.5, STALE_NAN, 42];
    await write("chunk_gauge", { job: "b" }, ts.map((t) => t + 1), ts.map((_, i) => odd[i % odd.length]));
    const flap = ts.filter((_, i) => i % 3 === 0);
    await write("chunk_flap", { job: "c" }, flap, flap.map((_, i) => (i % 50 === 49 ? STALE_NAN : i)));
    // One irregular series: a sample an hour, and a burst of 1 ms steps.
    const sparse = [T0 + 1, T0 + 3_600_000, T0 + 3_600_001, T0 + 3_600_002, T0 + 9 * 3_600_000 + 5];
    await write("chunk_sparse", { job: "d" }, sparse, [1, 2, 3, 4, 5]);
    // Enough series for ids past 9, batched 3 at a time below: a sweep must follow id order, not its text.
    for (let i = 0; i < 12; i++) await write("chunk_small", { job: "h", i: String(i) }, [T0 + 60_000 * i, T0 + DAY + 60_000 * i], [i, -i]);
    total = ts.length * 2 + flap.length + sparse.length + 24;
    before = await snapshot();
    expect((await counts()).rows).toBe(total);
    const { rows } = await db.execute<{ stale: number; nan: number; inf: number }>(sql`
      SELECT count(*) FILTER (WHERE value IS NULL)::int AS stale, count(*) FILTER (WHERE value = 'NaN')::int AS nan,
        count(*) FILTER (WHERE value = '-Infinity')::int AS inf FROM samples`);
    expect(rows[0].stale).toBeGreaterThan(100); // the markers made it in as markers
    expect(rows[0].nan).toBeGreaterThan(100);
    expect(rows[0].inf).toBeGreaterThan(100);
  });

  it("moves every row older than the head into chunks and reads back the same bits", async () => {
    // Small batches: many transactions, series split across them.
    // A cutoff inside a window (28:45, head 2 h): that window is compacted in part, the rest merged into it later.
    const sizes: number[] = [];
    const r = await runCompaction(db, { now: T0 + 30.75 * 3_600_000, batchSamples: 500, batchSeries: 3, afterDelete: ({ rows, series }) => {
      if (series > 1) sizes.push(rows);
    } });
    // A batch holds at most twice the target, but for a single series (a day of one holds ~5,700 rows).
    expect(sizes.length).toBeGreaterThan(0);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(1000);
    expect(r.complete).toBe(true);
    expect(r.batches).toBeGreaterThanOrEqual(2);
    const c = await counts();
    const cutoff = T0 + 28.75 * 3_600_000;
    const { rows } = await db.execute<{ n: number; old: number }>(sql`SELECT count(*)::int AS n, count(*) FILTER (WHERE ts < ${cutoff})::int AS old FROM samples`);
    expect(rows[0].old).toBe(0);
    expect(rows[0].n).toBeGreaterThan(0); // the head stays rows
    const part = await db.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM sample_chunks WHERE window_start = ${T0 + 28 * 3_600_000}`);
    expect(part.rows[0].n).toBeGreaterThan(0); // the window the cutoff cuts
    expect(c.rows + c.chunked).toBe(total);
    expect(r.samples).toBe(total - c.rows);
    expectSame(await snapshot(), before);
  });

  it("keeps each chunk inside its window, its count and bounds true to its data", async () => {
    const { rows } = await db.execute<{ window_start: string; min_t: string; max_t: string; n: number; data: unknown }>(sql`SELECT window_start::text, min_t::text, max_t::text, n, data FROM sample_chunks`);
    expect(rows.length).toBeGreaterThan(10);
    for (const r of rows) {
      const s = decodeXorChunk(asBytes(r.data));
      expect(s.timestamps.length).toBe(r.n);
      expect(s.timestamps[0]).toBe(Number(r.min_t));
      expect(s.timestamps[r.n - 1]).toBe(Number(r.max_t));
      expect(Number(r.min_t)).toBeGreaterThanOrEqual(Number(r.window_start));
      expect(Number(r.max_t)).toBeLessThan(Number(r.window_start) + CHUNK_WINDOW_MS);
    }
  });

  it("compacts the rest later, and a second run (redelivery) changes nothing", async () => {
    await runCompaction(db, { now: LATER });
    const once = await db.execute<{ k: string }>(sql`SELECT series_id || '/' || window_start || '/' || encode(data, 'hex') AS k FROM sample_chunks ORDER BY 1`);
    expect((await counts()).rows).toBe(0);
    const again = await runCompaction(db, { now: LATER, resweepMs: 0 });
    expect(again.samples).toBe(0);
    const twice = await db.execute<{ k: string }>(sql`SELECT series_id || '/' || window_start || '/' || encode(data, 'hex') AS k FROM sample_chunks ORDER BY 1`);
    expect(twice.rows).toEqual(once.rows);
    // The emptied days gave their space back (heap truncated by VACUUM, PK index rebuilt): ~1.4 MB of rows before.
    const size = await db.execute<{ b: string }>(sql`SELECT pg_total_relation_size('samples_p20010301')::text AS b`);
    expect(Number(size.rows[0].b)).toBeLessThan(64 * 1024);
    expectSame(await snapshot(), before);
  });

  it("merges late samples into compacted windows; at a taken timestamp the first stored sample stays", async () => {
    const late = T0 + 3_600_000 + 3; // inside a compacted window, between samples
    const taken = (await postgresQueryStorage(db, tenant, labelsPredicate).select(exact, { start: T0 + 3_600_000, end: T0 + 3_700_000 }))[0];
    const takenTs = taken.timestamps[2];
    const takenValue = taken.values[2];
    await write("chunk_counter", { job: "a" }, [late, takenTs], [-7, takenValue + 1000]);
    const q = postgresQueryStorage(db, tenant, labelsPredicate);
    const read = async () => (await q.select(exact, { start: T0 + 3_600_000, end: T0 + 3_700_000 }))[0];
    const merged = await read();
    const at = [...merged.timestamps].indexOf(late);
    expect(at).toBeGreaterThanOrEqual(0);
    expect(merged.values[at]).toBe(-7);
    expect(merged.values[[...merged.timestamps].indexOf(takenTs)]).toBe(takenValue);
    expect(merged.timestamps.length).toBe(taken.timestamps.length + 1);
    // Recompaction folds them into the chunk: same answer, no rows left.
    const r = await runCompaction(db, { now: LATER, resweepMs: 0 });
    expect(r.samples).toBe(2);
    expect((await counts()).rows).toBe(0);
    expect(bits([await read()])).toEqual(bits([merged]));
  });

  it("a crash mid-batch changes nothing, and the next run completes", async () => {
    const ts = Array.from({ length: 400 }, (_, i) => T0 + DAY + 60_000 * i + 11);
    await write("chunk_crash", { job: "e" }, ts, ts.map((_, i) => i * 0.1));
    before = await snapshot();
    const c0 = await counts();
    await expect(runCompaction(db, { now: LATER, resweepMs: 0, afterDelete: ({ rows }) => {
      if (rows > 0) throw new Error("worker killed");
    } })).rejects.toThrow("worker killed");
    expect(await counts()).toEqual(c0);
    expectSame(await snapshot(), before);
    await runCompaction(db, { now: LATER, resweepMs: 0 });
    expect((await counts()).rows).toBe(0);
    expectSame(await snapshot(), before);
  });

  // PGlite is one session under its connections: two transactions at once are not a thing it can hold
  // (NOTES-runtime), and the local stack runs one cron. Concurrency is PostgreSQL's and Neon's case.
  if (name === "PostgreSQL") {
    it("two runners at once, with ingest writing late samples meanwhile, lose and duplicate nothing", async () => {
      const ts = Array.from({ length: 3000 }, (_, i) => T0 + 15_000 * i + 2);
      for (let s = 0; s < 8; s++) await write("chunk_many", { job: "f", i: String(s) }, ts, ts.map((_, i) => s * 1e6 + i));
      const late = Array.from({ length: 40 }, (_, i) => T0 + 15_000 * i * 50 + 9);
      const [a, b] = [openAnother(), openAnother()];
      const runs = [a, b].map((on) => runCompaction(on, { now: LATER, resweepMs: 0, batchSamples: 1500, batchSeries: 2 }));
      for (const t of late) await write("chunk_many", { job: "f", i: "3" }, [t], [-t]);
      const [ra, rb] = await Promise.all(runs);
      await runCompaction(db, { now: LATER, resweepMs: 0 }); // whatever landed after their sweep
      expect(ra.samples + rb.samples).toBeGreaterThan(0);
      expect(ra.batches > 0 && rb.batches > 0, "both runners worked").toBe(true);
      const c = await counts();
      expect(c.rows).toBe(0);
      const many = await postgresQueryStorage(db, tenant, labelsPredicate).select([{ name: "__name__", type: "=", value: "chunk_many" }], { start: T0 - DAY, end: LATER });
      expect(many.length).toBe(8);
      for (const s of many) {
        const want = s.labels.i === "3" ? [...ts, ...late].sort((x, y) => x - y) : ts;
        expect([...s.timestamps]).toEqual(want);
        const lateAt = s.labels.i === "3" ? [...s.timestamps].indexOf(late[5]) : -1;
        if (lateAt >= 0) expect(s.values[lateAt]).toBe(-late[5]);
      }
      const dup = await db.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM (SELECT series_id, window_start FROM sample_chunks GROUP BY 1, 2 HAVING count(*) > 1) x`);
      expect(dup.rows[0].n).toBe(0);
    });
  }

  it("leaves days older than the retention to retention, which deletes their chunks", async () => {
    expect((await counts()).chunks).toBeGreaterThan(0);
    const today = Math.floor(Date.now() / DAY);
    // Keep 2001-03-02 on: 2001-03-01's partition and chunks go.
    const keepFrom = T0 / DAY + 1;
    await runRetention(db, today - keepFrom);
    const { rows } = await db.execute<{ old: number; kept: number }>(sql`
      SELECT count(*) FILTER (WHERE max_t < ${T0 + DAY})::int AS old, count(*) FILTER (WHERE min_t >= ${T0 + DAY})::int AS kept FROM sample_chunks`);
    expect(rows[0]).toEqual({ old: 0, kept: (await counts()).chunks });
    expect(rows[0].kept).toBeGreaterThan(0);
    const days = await db.execute<{ day: number }>(sql`SELECT day FROM compaction_days ORDER BY day`);
    expect(days.rows.every((r) => r.day >= keepFrom)).toBe(true);
    // Compaction with that retention does not touch the dropped day again.
    await write("chunk_retained", { job: "g" }, [T0 + DAY + 5], [1]);
    const r = await runCompaction(db, { now: LATER, resweepMs: 0, retentionDays: today - keepFrom });
    expect(r.samples).toBe(1);
  });
});
