// `npm run bench:ingest`: N samples through the whole local stack (HTTP JSON
// ingest → queue → aggregator → Postgres), end-to-end samples/s; then the same
// rows loaded with COPY into a table of the same shape on the same database.
// A measurement, not a test. BENCH_SAMPLES (default 1,000,000), BENCH_SERIES
// (10,000), BENCH_CONCURRENCY (8), BENCH_DATABASE_URL (default: a scratch db).
// The end-to-end run is broken down (scripts/lib/ingest-breakdown.ts), and the
// aggregator's write path is then timed step by step on the same database
// (scripts/lib/write-steps.ts): the samples statement as it was and as it is,
// the whole writeMetrics through the workers' driver, against COPY.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { benchDatabase } from "./lib/bench-db";
import { benchKey, postAll } from "./lib/bench-client";
import { measureEndToEnd } from "./lib/ingest-breakdown";
import { startStack } from "./lib/stack";
import { writeSteps } from "./lib/write-steps";

const N = Number(process.env.BENCH_SAMPLES ?? 1_000_000);
const SERIES = Number(process.env.BENCH_SERIES ?? 10_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const PER_SERIES = Math.ceil(N / SERIES);
const SERIES_PER_REQUEST = 1_000;
const SAMPLES_PER_REQUEST_SERIES = 10;

const labelsOf = (i: number) => ({ model_name: `model-${i % 20}`, instance: `gpu-${Math.floor(i / 20) % 500}:8000`, job: "vllm", cluster: "bench" });

async function main() {
  const db = await benchDatabase("ingest");
  const stack = await startStack({ databaseUrl: db.url, port: 0, buildDir: mkdtempSync(join(tmpdir(), "inferscope-bench-")), logLevel: "debug" });
  const { key } = await benchKey(db.url, stack, ["ingest"]);
  const pgc = new pg.Client({ connectionString: db.url });
  await pgc.connect();
  try {
    const t0 = Math.floor(Date.now() / 1000) * 1000 - PER_SERIES * 15_000;
    // Requests: windows of 10 samples × 1,000 series.
    const bodies: string[] = [];
    for (let w = 0; w < PER_SERIES; w += SAMPLES_PER_REQUEST_SERIES) {
      for (let s0 = 0; s0 < SERIES; s0 += SERIES_PER_REQUEST) {
        const series = [];
        for (let s = s0; s < Math.min(SERIES, s0 + SERIES_PER_REQUEST); s++) {
          const samples = [];
          for (let k = w; k < Math.min(PER_SERIES, w + SAMPLES_PER_REQUEST_SERIES); k++) samples.push([t0 + k * 15_000, (s * 7 + k) % 1000]);
          series.push({ name: "vllm:num_requests_running", labels: labelsOf(s), samples });
        }
        bodies.push(JSON.stringify({ series }));
      }
    }
    const total = SERIES * PER_SERIES;
    console.log(`pushing ${total.toLocaleString()} samples (${SERIES.toLocaleString()} series × ${PER_SERIES}) in ${bodies.length} requests, ${CONCURRENCY} at a time\n`);
    const run = await measureEndToEnd(db.url, total, "accepted by ingest (HTTP 202)", () =>
      postAll(`${stack.url}/v1/metrics`, bodies, { authorization: `Bearer ${key}`, "content-type": "application/json" }, 202, CONCURRENCY),
    );
    const e2e = (total / run.storedMs) * 1000;

    // COPY baseline: the same rows into a plain table with the same columns and key.
    await pgc.query("CREATE TABLE bench_copy (series_id bigint NOT NULL, ts bigint NOT NULL, value double precision, PRIMARY KEY (series_id, ts))");
    const { rows: ids } = await pgc.query<{ id: string }>("SELECT id FROM series ORDER BY id");
    const copyStarted = performance.now();
    const stream = pgc.query(copyFrom("COPY bench_copy (series_id, ts, value) FROM STDIN"));
    await pipeline(
      Readable.from(
        (function* () {
          for (let s = 0; s < ids.length; s++) {
            const lines: string[] = [];
            for (let k = 0; k < PER_SERIES; k++) lines.push(`${ids[s].id}\t${t0 + k * 15_000}\t${(s * 7 + k) % 1000}\n`);
            yield lines.join("");
          }
        })(),
      ),
      stream,
    );
    const copyRate = (total / (performance.now() - copyStarted)) * 1000;

    console.log(`\nPostgres COPY, same rows:        ${copyRate.toFixed(0)} samples/s`);
    console.log(`ratio end-to-end / COPY:         ${(e2e / copyRate).toFixed(2)}\n`);
    await writeSteps(db.url, stack.proxy.url, copyRate);
  } finally {
    await pgc.end();
    await stack.close();
    await db.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
