// `npx tsx scripts/bench-storage.ts`: bytes per sample on disk before and after
// compaction, and compaction throughput. Loads the query benchmark's 1,000
// vLLM/DCGM-like series (scripts/lib/bench-dataset.ts) through the aggregator's
// write path, then runs the cron's compaction job over them through the
// workers' Neon driver (a WebSocket proxy to Postgres), as the cron would.
// Bytes are pg_total_relation_size (heap, TOAST, indexes) of every samples
// partition plus sample_chunks, after VACUUM, divided by the samples stored.
// The data ends at a UTC midnight, so its day is whole and compaction also
// reclaims the day's emptied partition (VACUUM, REINDEX): the steady state of
// every day but the current one. Beside them, Prometheus 2.42's blocks of the
// same samples (promtool, when installed). A measurement, not a test.
// BENCH_HOURS (default 6), BENCH_DATABASE_URL (default: a scratch database).
import pg from "pg";
import { ensureTenant } from "../shared/admin";
import type { MetricsMessage } from "../shared/contracts/queue";
import { NAME_LABEL } from "../shared/labels";
import { encodeXorChunk } from "../shared/storage/chunks/xor";
import { CHUNK_WINDOW_MS } from "../shared/storage/chunks/window";
import { runCompaction } from "../shared/storage/postgres/chunk-compact";
import { postgresWriteStorage } from "../shared/storage/postgres/write";
import { dataset, STEP } from "./lib/bench-dataset";
import { benchDatabase } from "./lib/bench-db";
import { openNodeDb } from "./lib/node-db";
import { promtoolBlockBytes } from "./lib/promtool-blocks";
import { startWsProxy } from "./lib/ws-proxy";

const HOURS = Number(process.env.BENCH_HOURS ?? 6);
const DAY_MS = 86_400_000;

async function sizes(pgc: pg.Client): Promise<{ samples: number; chunks: number; rows: number; chunkRows: number; payload: number }> {
  await pgc.query("VACUUM ANALYZE");
  const { rows } = await pgc.query(`
    SELECT (SELECT coalesce(sum(pg_total_relation_size(relid)), 0) FROM pg_partition_tree('samples') WHERE isleaf)::float8 AS samples,
      pg_total_relation_size('sample_chunks')::float8 AS chunks,
      (SELECT count(*) FROM samples)::float8 AS rows,
      (SELECT count(*) FROM sample_chunks)::float8 AS chunk_rows,
      (SELECT coalesce(sum(length(data)), 0) FROM sample_chunks)::float8 AS payload`);
  const r = rows[0];
  return { samples: r.samples, chunks: r.chunks, rows: r.rows, chunkRows: r.chunk_rows, payload: r.payload };
}

async function main() {
  // The last whole UTC day's final hours.
  const midnight = Math.floor(Date.now() / DAY_MS) * DAY_MS;
  const end = midnight - STEP;
  const points = Math.floor((HOURS * 3_600_000) / STEP);
  const series = dataset(end, points);
  const total = series.length * points;
  const bench = await benchDatabase("storage");
  const url = new URL(bench.url);
  const proxy = await startWsProxy({ host: url.hostname === "localhost" ? "127.0.0.1" : url.hostname, port: Number(url.port || 5432) });
  const handle = openNodeDb(bench.url, proxy.url);
  const pgc = new pg.Client({ connectionString: bench.url });
  await pgc.connect();
  try {
    const db = handle.db;
    const tenant = (await ensureTenant(db, "bench")).id;
    console.log(`loading ${series.length} series × ${points} samples (${total.toLocaleString()}, ${HOURS} h at ${STEP / 1000} s, ending ${new Date(end + STEP).toISOString()})`);
    const t0 = performance.now();
    const writer = postgresWriteStorage(db);
    for (let i = 0; i < series.length; i += 25) {
      const msg: MetricsMessage = {
        v: 1, kind: "metrics", tenantId: tenant, batchId: `storage-${i}`, part: 0, metadata: [],
        series: series.slice(i, i + 25).map((s) => {
          const { [NAME_LABEL]: name, ...labels } = s.labels;
          return { name, labels, timestamps: Float64Array.from(s.timestamps), values: s.values };
        }),
      };
      await writer.writeMetrics([msg]);
    }
    console.log(`loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const before = await sizes(pgc);

    let samples = 0, batches = 0, chunks = 0, reclaimMs = 0;
    const c0 = performance.now();
    for (;;) {
      const r = await runCompaction(db, { now: midnight + DAY_MS, budgetMs: 60_000 });
      samples += r.samples;
      batches += r.batches;
      chunks += r.chunks;
      reclaimMs += r.reclaimMs;
      if (r.complete) break;
    }
    const secs = (performance.now() - c0) / 1000;
    const after = await sizes(pgc);

    // The same samples in Prometheus' 120-sample chunks: payload only, measured here.
    let payload120 = 0, chunks120 = 0;
    for (const s of series) {
      for (let i = 0; i < points; i += 120) {
        payload120 += encodeXorChunk(Array.from(s.timestamps).slice(i, i + 120), s.values.subarray(i, i + 120)).length;
        chunks120++;
      }
    }
    const prom = await promtoolBlockBytes(series);
    const perRow = after.chunkRows ? (after.chunks - after.payload) / after.chunkRows : 0;
    const b = (x: number) => (x / total).toFixed(2);
    console.log(`
| storage | bytes | bytes/sample |
|---|---:|---:|
| rows (samples partitions, before compaction) | ${before.samples.toLocaleString()} | ${b(before.samples)} |
| after compaction: samples partitions (reclaimed) | ${after.samples.toLocaleString()} | ${b(after.samples)} |
| after compaction: sample_chunks (heap, TOAST, PK) | ${after.chunks.toLocaleString()} | ${b(after.chunks)} |
| **after compaction: total** | ${(after.samples + after.chunks).toLocaleString()} | **${b(after.samples + after.chunks)}** |
| XOR payload alone, ${CHUNK_WINDOW_MS / 3_600_000} h chunks (${after.chunkRows.toLocaleString()} chunks) | ${after.payload.toLocaleString()} | ${b(after.payload)} |
| XOR payload alone, Prometheus' 120-sample chunks (${chunks120.toLocaleString()}) | ${payload120.toLocaleString()} | ${b(payload120)} |
| 120-sample chunks with our measured ${perRow.toFixed(0)} B/row overhead (derived) | ${(payload120 + perRow * chunks120).toFixed(0)} | ${b(payload120 + perRow * chunks120)} |
| Prometheus 2.42 blocks of the same samples (promtool, ${prom ? `${prom.blocks} blocks: chunks, index, meta` : "promtool not found"}) | ${prom ? prom.bytes.toLocaleString() : "-"} | ${prom ? b(prom.bytes) : "-"} |

compaction: ${samples.toLocaleString()} samples into ${chunks.toLocaleString()} chunks in ${batches} batches, ${secs.toFixed(2)} s: ${Math.round(samples / secs).toLocaleString()} samples/s; of that, reclaiming the emptied day (VACUUM, REINDEX) ${(reclaimMs / 1000).toFixed(2)} s, the rest ${Math.round(samples / (secs - reclaimMs / 1000)).toLocaleString()} samples/s (rows left: ${after.rows})`);
    if (samples !== total || after.rows !== 0) throw new Error(`compaction moved ${samples} of ${total} samples, ${after.rows} rows left`);
  } finally {
    await pgc.end();
    await handle.close().catch(() => {});
    await proxy.close();
    await bench.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
