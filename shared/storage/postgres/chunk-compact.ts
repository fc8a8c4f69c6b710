// Compaction: moves samples older than the head window from `samples` rows into
// XOR chunks (sample_chunks, one per series and CHUNK_WINDOW_MS window), run by
// the query worker's cron. Works a day of samples at a time, K series per batch,
// each batch one transaction that
//   1. locks the day's compaction_days row (SKIP LOCKED: a second runner moves
//      on to another day instead of waiting, so two never merge into one chunk),
//   2. DELETEs the batch's rows RETURNING them — exactly the rows it removes,
//      so a row that ingest writes meanwhile is either returned (and chunked)
//      or stays a row, never lost,
//   3. merges them into the chunks already there for their windows (late
//      samples: a window compacted before is decoded, merged and re-encoded;
//      at an equal timestamp the chunk's sample stays, as the head's ON
//      CONFLICT DO NOTHING keeps the first),
//   4. upserts the chunks and moves the day's cursor on.
// A crash or a timeout anywhere rolls the batch back whole; running it again
// writes the same chunks. Reads (chunk-read.ts) see a sample in exactly one place.
// Days older than the retention are left to the retention job, which deletes
// their chunks and drops their partitions.
import { sql } from "drizzle-orm";
import type { Db, Tx } from "../../db";
import { isStaleNaN, STALE_NAN } from "../../staleness";
import { mergeSamples, type SampleArrays } from "../chunks/samples";
import { CHUNK_WINDOW_MS, windowOf } from "../chunks/window";
import { decodeXorChunk, encodeXorChunk, XOR_MAX_SAMPLES } from "../chunks/xor";
import { asBytes } from "./bytea";
import { decodeSamples } from "./read";

const DAY_MS = 86_400_000;
export const DEFAULT_COMPACTION_HEAD_MS = 2 * 3_600_000;
/**
 * The cutoff moves in steps of this, not of whole windows: a window is
 * compacted in parts as it ages past the head (each part merged into the chunk
 * so far), so at most this much more than the head stays rows. Head rows cost a
 * read ~0.3 µs each, ~10x a chunk's sample; rewriting a ~1.6 KB chunk 8 times
 * per window costs less WAL than the window's rows (~40 KB at 15 s).
 */
export const CUTOFF_STEP_MS = 15 * 60_000;

export interface CompactionOptions {
  /** The clock (ms). */
  now?: number;
  /** Samples newer than this stay rows (the cutoff rounded down to CUTOFF_STEP_MS); 2 h by default. */
  headMs?: number;
  /** Wall-clock budget of one run (ms); a batch is never started after it. 10 s by default, inside a cron's 30 s of CPU. */
  budgetMs?: number;
  /** Rows per batch to aim for (memory: ~40 B each while decoding); 250,000 by default. */
  batchSamples?: number;
  /** Days before today − retentionDays are the retention job's. */
  retentionDays?: number;
  /** A day swept completely is swept again (for late samples) after this long; 1 h by default. */
  resweepMs?: number;
  /** Series in the first batch (later ones adapt to batchSamples); 500 by default. */
  batchSeries?: number;
  /** Tests: called inside each batch's transaction after its rows are deleted; a throw there is a crash mid-batch. */
  afterDelete?: (batch: { day: number; series: number; rows: number }) => void | Promise<void>;
}

export interface CompactionResult {
  /** Rows moved into chunks. */
  samples: number;
  /** Chunks written (new or re-encoded). */
  chunks: number;
  batches: number;
  /** True when every due day was swept to the cutoff within the budget. */
  complete: boolean;
  ms: number;
  /** Of ms, the time spent giving emptied days' space back (VACUUM, REINDEX). */
  reclaimMs: number;
}

type DeletedRow = {
  series_id: string;
  ts: unknown;
  vs: unknown;
};

const staleHex = (() => {
  const b = new DataView(new ArrayBuffer(8));
  b.setFloat64(0, STALE_NAN);
  return Array.from({ length: 8 }, (_, i) => b.getUint8(i).toString(16).padStart(2, "0")).join("");
})();

const HEX_PAIRS = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
/** Chunk bytes as hex text: the batch's chunks go as one text[] parameter, decode(…, 'hex') in SQL. */
const hex = (b: Uint8Array) => {
  let s = "";
  for (let i = 0; i < b.length; i++) s += HEX_PAIRS[b[i]];
  return s;
};

/** The samples of `s` in [from, to), as views. */
/** A sample value as float8 text for Postgres; a staleness marker is NULL, as the samples table keeps it. */
const sqlFloat = (v: number): string | null =>
  isStaleNaN(v) ? null : Number.isNaN(v) ? "NaN" : v === Infinity ? "Infinity" : v === -Infinity ? "-Infinity" : Object.is(v, -0) ? "-0" : String(v);

function slice(s: SampleArrays, from: number, to: number): SampleArrays {
  let lo = 0;
  while (lo < s.timestamps.length && s.timestamps[lo] < from) lo++;
  let hi = lo;
  while (hi < s.timestamps.length && s.timestamps[hi] < to) hi++;
  return { timestamps: s.timestamps.subarray(lo, hi), values: s.values.subarray(lo, hi) };
}

/** Days that have a samples partition, oldest first. */
async function partitionDays(db: Db): Promise<number[]> {
  const res = await db.execute<{ name: string }>(sql`
    SELECT c.relname::text AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
    WHERE p.relname = 'samples' AND c.relname ~ '^samples_p[0-9]{8}$'`);
  return res.rows
    .map((r) => {
      const d = r.name.slice(-8);
      return Date.UTC(Number(d.slice(0, 4)), Number(d.slice(4, 6)) - 1, Number(d.slice(6, 8))) / DAY_MS;
    })
    .sort((a, b) => a - b);
}

/** A sweep that moved at least this many rows out of a whole day reclaims the partition's space. */
const RECLAIM_ROWS = 1_000;

/**
 * Gives a compacted day's space back: the DELETEs leave the heap and the PK
 * index at full size. VACUUM truncates the emptied heap; the index is rebuilt
 * (CONCURRENTLY where the server can: ingest of late rows goes on meanwhile).
 * Each its own statement outside a transaction, as VACUUM needs.
 */
async function reclaimDay(db: Db, day: number): Promise<void> {
  const d = new Date(day * DAY_MS);
  const name = `samples_p${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, "0")}${String(d.getUTCDate()).padStart(2, "0")}`;
  const exists = await db.execute<{ idx: string }>(sql`
    SELECT i.indexrelid::regclass::text AS idx FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid WHERE c.relname = ${name}`);
  if (exists.rows.length === 0) return; // dropped by retention meanwhile
  await db.execute(sql`VACUUM ${sql.identifier(name)}`);
  for (const { idx } of exists.rows) {
    try {
      await db.execute(sql`REINDEX INDEX CONCURRENTLY ${sql.raw(idx)}`);
    } catch {
      // PGlite runs single-user, where CONCURRENTLY is refused: a plain rebuild is as good there (one session anyway).
      await db.execute(sql`REINDEX INDEX ${sql.raw(idx)}`);
    }
  }
}

/** One batch of one day: true when the day has no series left in this sweep (or another runner holds it). */
async function compactBatch(
  tx: Tx, day: number, lo: number, hi: number, k: number, target: number, opts: CompactionOptions, totals: CompactionResult,
): Promise<{ dayDone: boolean; busy?: boolean; reclaim?: boolean; rows: number; series: number }> {
  const state = await tx.execute<{ next_series: string; moved: string }>(sql`
    SELECT next_series::text, moved::text FROM compaction_days WHERE day = ${day} FOR UPDATE SKIP LOCKED`);
  if (state.rows.length === 0) return { dayDone: true, busy: true, rows: 0, series: 0 };
  // ORDER BY the bigint column, not the text it is sent as ("10" < "9").
  const ids = await tx.execute<{ id: string }>(sql`
    SELECT s.id::text AS id FROM series s WHERE s.id > ${state.rows[0].next_series} ORDER BY s.id LIMIT ${k}`);
  if (ids.rows.length === 0) {
    await tx.execute(sql`
      UPDATE compaction_days SET next_series = 0, swept_to = ${hi}, swept_at = ${new Date(opts.now ?? Date.now()).toISOString()}, moved = 0 WHERE day = ${day}`);
    return { dayDone: true, rows: 0, series: 0, reclaim: hi === lo + DAY_MS && Number(state.rows[0].moved) >= RECLAIM_ROWS };
  }
  let batch = ids.rows.map((r) => r.id);
  // K adapts to the rows the last batch found per series; the next series may hold far more (a
  // backlog behind a stretch of empty ones). Counted first (an index-only scan, cheap beside the
  // DELETE), the batch shrinks until its rows fit twice the target: memory stays bounded.
  for (;;) {
    const n = Number((await tx.execute<{ n: string }>(sql`
      SELECT count(*)::text AS n FROM samples WHERE series_id = ANY(${sql.param(batch)}::bigint[]) AND ts >= ${lo} AND ts < ${hi}`)).rows[0].n);
    if (n <= 2 * target || batch.length === 1) break;
    batch = batch.slice(0, Math.max(1, Math.floor((batch.length * target) / n)));
  }
  const deleted = await tx.execute<DeletedRow>(sql`
    WITH d AS (
      DELETE FROM samples WHERE series_id = ANY(${sql.param(batch)}::bigint[]) AND ts >= ${lo} AND ts < ${hi}
      RETURNING series_id, ts, value)
    SELECT series_id::text, string_agg(int8send(ts), ''::bytea ORDER BY ts) AS ts,
      string_agg(coalesce(float8send(value), ${`\\x${staleHex}`}::bytea), ''::bytea ORDER BY ts) AS vs
    FROM d GROUP BY series_id`);
  const rowsBySeries = new Map(deleted.rows.map((r) => [r.series_id, decodeSamples(r.ts, r.vs)]));
  let rows = [...rowsBySeries.values()].reduce((n, s) => n + s.timestamps.length, 0);
  await opts.afterDelete?.({ day, series: batch.length, rows });
  if (rowsBySeries.size > 0) {
    const existing = await tx.execute<{ series_id: string; window_start: string; data: unknown }>(sql`
      SELECT series_id::text, window_start::text, data FROM sample_chunks
      WHERE series_id = ANY(${sql.param([...rowsBySeries.keys()])}::bigint[]) AND window_start >= ${lo} AND window_start < ${hi}`);
    const old = new Map(existing.rows.map((r) => [`${r.series_id}/${r.window_start}`, r.data]));
    const back: { id: string; s: SampleArrays }[] = [];
    const out = { series: [] as string[], windows: [] as number[], minT: [] as number[], maxT: [] as number[], n: [] as number[], data: [] as string[] };
    for (const [id, s] of rowsBySeries) {
      for (let i = 0; i < s.timestamps.length; ) {
        const w = windowOf(s.timestamps[i]);
        const fresh = slice(s, w, w + CHUNK_WINDOW_MS);
        i += fresh.timestamps.length;
        const prior = old.get(`${id}/${w}`);
        const merged = prior === undefined ? fresh : mergeSamples(decodeXorChunk(asBytes(prior)), fresh);
        if (merged.timestamps.length > XOR_MAX_SAMPLES) {
          // More than a chunk can count (uint16: a series sampled faster than ~9 Hz): the window's
          // rows go back as rows, which queries merge like the head, and compaction goes on.
          back.push({ id, s: fresh });
          continue;
        }
        out.series.push(id);
        out.windows.push(w);
        out.minT.push(merged.timestamps[0]);
        out.maxT.push(merged.timestamps[merged.timestamps.length - 1]);
        out.n.push(merged.timestamps.length);
        out.data.push(hex(encodeXorChunk(merged.timestamps, merged.values)));
      }
    }
    await tx.execute(sql`
      INSERT INTO sample_chunks (series_id, window_start, min_t, max_t, n, data)
      SELECT s, w, a, b, n, decode(h, 'hex') FROM unnest(${sql.param(out.series)}::bigint[], ${sql.param(out.windows)}::bigint[],
        ${sql.param(out.minT)}::bigint[], ${sql.param(out.maxT)}::bigint[], ${sql.param(out.n)}::integer[], ${sql.param(out.data)}::text[]) AS u(s, w, a, b, n, h)
      ON CONFLICT (series_id, window_start) DO UPDATE SET min_t = EXCLUDED.min_t, max_t = EXCLUDED.max_t, n = EXCLUDED.n, data = EXCLUDED.data`);
    totals.chunks += out.series.length;
    for (const { id, s } of back) {
      await tx.execute(sql`
        INSERT INTO samples (series_id, ts, value)
        SELECT ${id}::bigint, t, v FROM unnest(${sql.param(Array.from(s.timestamps))}::bigint[], ${sql.param(Array.from(s.values, sqlFloat))}::float8[]) AS u(t, v)`);
      rows -= s.timestamps.length;
    }
  }
  await tx.execute(sql`UPDATE compaction_days SET next_series = ${batch[batch.length - 1]}, moved = moved + ${rows} WHERE day = ${day}`);
  totals.samples += rows;
  totals.batches++;
  return { dayDone: false, rows, series: batch.length };
}

/** One compaction run: as many batches as fit in the budget, oldest day first. */
export async function runCompaction(db: Db, opts: CompactionOptions = {}): Promise<CompactionResult> {
  const t0 = Date.now();
  const now = opts.now ?? Date.now();
  const budget = opts.budgetMs ?? 10_000;
  const target = opts.batchSamples ?? 250_000;
  const resweep = opts.resweepMs ?? 3_600_000;
  const cutoff = Math.floor((now - (opts.headMs ?? DEFAULT_COMPACTION_HEAD_MS)) / CUTOFF_STEP_MS) * CUTOFF_STEP_MS;
  const firstDay = opts.retentionDays === undefined ? -Infinity : Math.floor(now / DAY_MS) - opts.retentionDays;
  const totals: CompactionResult = { samples: 0, chunks: 0, batches: 0, complete: true, ms: 0, reclaimMs: 0 };
  const days = (await partitionDays(db)).filter((d) => d >= firstDay && d * DAY_MS < cutoff);
  const state = days.length === 0 ? [] : (await db.execute<{ day: number; swept_to: string; swept_at: string | null }>(sql`
    SELECT day, swept_to::text, (extract(epoch FROM swept_at) * 1000)::bigint::text AS swept_at FROM compaction_days WHERE day = ANY(${sql.param(days)}::integer[])`)).rows;
  const seen = new Map(state.map((r) => [r.day, r]));
  // Series per batch, adapted to the rows the last batch found per series.
  let k = opts.batchSeries ?? 500;
  for (const day of days) {
    const lo = day * DAY_MS;
    const hi = Math.min(lo + DAY_MS, cutoff);
    const s = seen.get(day);
    if (s && Number(s.swept_to) >= hi && s.swept_at !== null && now - Number(s.swept_at) < resweep) continue;
    if (!s) await db.execute(sql`INSERT INTO compaction_days (day) VALUES (${day}) ON CONFLICT DO NOTHING`);
    for (;;) {
      if (Date.now() - t0 >= budget) {
        totals.complete = false;
        totals.ms = Date.now() - t0;
        return totals;
      }
      const r = await db.transaction((tx) => compactBatch(tx, day, lo, hi, k, target, opts, totals));
      if (r.busy) totals.complete = false; // another runner has this day: it finishes it
      if (r.reclaim) {
        const r0 = Date.now();
        await reclaimDay(db, day);
        totals.reclaimMs += Date.now() - r0;
      }
      if (r.dayDone) break;
      const perSeries = r.rows / r.series;
      k = Math.max(1, Math.min(5_000, Math.floor(target / Math.max(perSeries, 1))));
    }
  }
  totals.ms = Date.now() - t0;
  return totals;
}
