// `npx tsx scripts/bench-cardinality.ts` (issue 9): the metric browser's
// lookups at high cardinality, through the query worker of the local stack.
// BENCH_SERIES (default 100,000) series of a vLLM/DCGM-like shape are written
// straight into Postgres (one sample in the last hour for most, older ones for
// the rest, so 1 h and 24 h ranges differ), their bounds and the label index by
// the backfill data migrations; then GET /api/v1/series, /labels and /label/<name>/values, with
// and without match[], over the last 1 h and 24 h, BENCH_RUNS (7) times each,
// median and best in ms. The same requests run again with every bounds row
// removed: the lookups with match[] then probe samples per series, as before
// bounds existed (those without match[] still read the label index).
// BENCH_DATABASE_URL: use that database instead of a scratch one.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { benchDatabase } from "./lib/bench-db";
import { benchKey } from "./lib/bench-client";
import { startStack } from "./lib/stack";

const SERIES = Number(process.env.BENCH_SERIES ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const HOUR = 3_600_000;
const fmt = (n: number, d = 0) => n.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });

/**
 * Series i: one of 40 metric names, job (4), instance (500), model_name (25),
 * gpu (8) and a pod label unique to the series. 80% have a sample in the last
 * hour; the others only 2 to 20 h ago (within 24 h, not within 1 h).
 */
async function load(c: pg.Client, tenantId: number, now: number): Promise<void> {
  const days: number[] = [];
  for (let d = Math.floor((now - 25 * HOUR) / 86_400_000); d <= Math.floor(now / 86_400_000); d++) days.push(d);
  await c.query(`SELECT inferscope_ensure_day_partitions($1::integer[])`, [days]);
  await c.query(
    `INSERT INTO series (tenant_id, metric_name, labels, labels_hash)
     SELECT $1, 'vllm:metric_' || (i % 40),
       jsonb_build_object('job', 'job-' || (i % 4), 'instance', 'host-' || (i % 500) || ':8000', 'model_name', 'model-' || (i % 25), 'gpu', (i % 8)::text, 'pod', 'pod-' || i),
       md5('bench-' || i)::uuid
     FROM generate_series(1, $2) AS i`,
    [tenantId, SERIES],
  );
  await c.query(
    `INSERT INTO samples (series_id, ts, value)
     SELECT s.id, CASE WHEN s.id % 5 = 0 THEN $2::bigint - (2 + s.id % 18) * ${HOUR} ELSE $2::bigint - 60000 - (s.id % 60) * 15000 END, s.id % 100
     FROM series s WHERE s.tenant_id = $1`,
    [tenantId, now],
  );
  // Bounds as an existing deployment gets them: the data migration's step.
  await c.query(readFileSync(new URL("../migrations/data/series-bounds-backfill.sql", import.meta.url), "utf8"));
  await c.query(readFileSync(new URL("../migrations/data/label-index-backfill.sql", import.meta.url), "utf8"));
  await c.query("ANALYZE series; ANALYZE series_bounds; ANALYZE samples; ANALYZE label_values");
}

interface Case {
  what: string;
  path: string;
  params: Record<string, string>;
}

function cases(now: number): Case[] {
  const out: Case[] = [];
  for (const [span, hours] of [["1 h", 1], ["24 h", 24]] as const) {
    const range = { start: String((now - hours * HOUR) / 1000), end: String(now / 1000) };
    out.push(
      { what: `label values of job, ${span}`, path: "/api/v1/label/job/values", params: range },
      { what: `label values of pod (${fmt(SERIES)} values), ${span}`, path: "/api/v1/label/pod/values", params: range },
      { what: `label values of instance, match[]={job="job-1"}, ${span}`, path: "/api/v1/label/instance/values", params: { ...range, "match[]": '{job="job-1"}' } },
      { what: `label values of __name__, match[]={model_name=~"model-1.*"}, ${span}`, path: "/api/v1/label/__name__/values", params: { ...range, "match[]": '{model_name=~"model-1.*"}' } },
      { what: `label names, ${span}`, path: "/api/v1/labels", params: range },
      { what: `label names, match[]={__name__="vllm:metric_7"}, ${span}`, path: "/api/v1/labels", params: { ...range, "match[]": '{__name__="vllm:metric_7"}' } },
      { what: `series, match[]={__name__="vllm:metric_7"}, ${span}`, path: "/api/v1/series", params: { ...range, "match[]": '{__name__="vllm:metric_7"}' } },
      { what: `series, match[]={instance="host-42:8000"}, ${span}`, path: "/api/v1/series", params: { ...range, "match[]": '{instance="host-42:8000"}' } },
    );
  }
  return out;
}

async function timeCase(base: string, key: string, c: Case): Promise<{ median: number; best: number; count: number }> {
  const url = `${base}${c.path}?${new URLSearchParams(c.params)}`;
  const ms: number[] = [];
  let count = 0;
  for (let i = 0; i <= RUNS; i++) {
    const t0 = performance.now();
    const res = await fetch(url, { headers: { authorization: `Bearer ${key}` } });
    const body = (await res.json()) as { status: string; data: unknown[]; error?: string };
    if (res.status !== 200 || body.status !== "success") throw new Error(`${c.what}: ${res.status} ${body.error ?? ""}`);
    if (i > 0) ms.push(performance.now() - t0); // the first is a warm-up
    count = body.data.length;
  }
  ms.sort((a, b) => a - b);
  return { median: ms[Math.floor(ms.length / 2)], best: ms[0], count };
}

async function main(): Promise<void> {
  console.log(`Node ${process.version}, ${new Date().toISOString()}; ${fmt(SERIES)} series, ${RUNS} runs a request after a warm-up`);
  const db = await benchDatabase("cardinality");
  const stack = await startStack({ databaseUrl: db.url, port: 0, buildDir: mkdtempSync(join(tmpdir(), "inferscope-bench-")) });
  const c = new pg.Client({ connectionString: db.url });
  try {
    await c.connect();
    const { key, tenantId } = await benchKey(db.url, stack, ["query"]);
    const now = Date.now();
    const t0 = performance.now();
    await load(c, tenantId, now);
    console.log(`loaded in ${fmt((performance.now() - t0) / 1000, 1)} s\n`);
    const all = cases(now);
    const withBounds: Array<Awaited<ReturnType<typeof timeCase>>> = [];
    for (const x of all) withBounds.push(await timeCase(stack.url, key, x));
    // As before bounds existed: every series probed in samples.
    await c.query("DELETE FROM series_bounds");
    const probed: typeof withBounds = [];
    for (const x of all) probed.push(await timeCase(stack.url, key, x));
    console.log(`| request | results | bounds: median ms | best ms | no series bounds (probe per series): median ms | best ms |`);
    console.log(`| --- | ---: | ---: | ---: | ---: | ---: |`);
    all.forEach((x, i) => {
      const a = withBounds[i];
      const b = probed[i];
      if (a.count !== b.count) throw new Error(`${x.what}: ${a.count} results with bounds, ${b.count} without`);
      console.log(`| ${x.what} | ${fmt(a.count)} | ${fmt(a.median, 1)} | ${fmt(a.best, 1)} | ${fmt(b.median, 1)} | ${fmt(b.best, 1)} |`);
    });
  } finally {
    await c.end().catch(() => {});
    await stack.close();
    await db.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
