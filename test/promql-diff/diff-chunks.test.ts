// The differential test (diff.test.ts) on compacted storage: the same corpus,
// instant and range, against Prometheus 2.42, with Inferscope reading the
// dataset first from a mix (the older windows in XOR chunks, the rest head
// rows), then from chunks alone, through the whole pipeline (remote_write
// ingest, the compaction job, Postgres, the HTTP query API). On a database of
// its own: compacting everything must not touch other files' rows.
// Run: npx vitest run test/promql-diff/diff-chunks.test.ts (needs `prometheus` 2.42, as diff.test.ts)
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import type { PrometheusInstance } from "../../scripts/lib/prometheus";
import { CHUNK_WINDOW_MS, windowOf } from "../../shared/storage/chunks/window";
import { runCompaction } from "../../shared/storage/postgres/chunk-compact";
import { createOwnDatabase, type OwnDatabase } from "../helpers/own-database";
import { startTestStack, type TestStack } from "../helpers/stack";
import { notSelfSeries } from "../support/self-series";
import { agreement, mapLimit, prometheusWith } from "./agreement";
import { httpAnswerer } from "./answerers";
import type { ApiAnswer } from "./compare";
import { buildCases, QUERIES } from "./corpus";
import { generateDataset } from "./dataset";
import { loadIntoStack, storedSamples } from "./pipeline";

describe("PromQL agrees with Prometheus 2.42 on compacted chunks", () => {
  const ds = generateDataset();
  const cases = buildCases(ds);
  let prom: PrometheusInstance | undefined;
  let own: OwnDatabase | undefined;
  let stack: TestStack | undefined;
  let expected: ApiAnswer[] = [];
  let loaded = 0;
  let setupError: unknown;
  const ready = () => {
    if (setupError) throw setupError;
  };

  /** The tenant's head rows and chunked samples. */
  async function where(): Promise<{ rows: number; chunked: number }> {
    const { rows } = await stack!.db.db.execute<{ rows: number; chunked: number }>(sql`
      SELECT (SELECT count(*)::int FROM samples x JOIN series s ON s.id = x.series_id WHERE s.tenant_id = ${stack!.tenantId} AND ${notSelfSeries()}) AS rows,
        (SELECT coalesce(sum(c.n), 0)::int FROM sample_chunks c JOIN series s ON s.id = c.series_id WHERE s.tenant_id = ${stack!.tenantId} AND ${notSelfSeries()}) AS chunked`);
    return rows[0];
  }

  beforeAll(async () => {
    try {
      const [p] = await Promise.all([
        prometheusWith(ds, (p) => (prom = p)),
        createOwnDatabase("promql_chunks").then(async (db) => {
          own = db;
          stack = await startTestStack({ retentionDays: 100_000, databaseUrl: db.url });
          loaded = await loadIntoStack(stack, ds);
        }),
      ]);
      const reference = httpAnswerer(p.url);
      expected = await mapLimit(cases, 4, (c) => reference(c));
    } catch (e) {
      setupError = e;
    }
  }, 240_000);

  afterAll(async () => {
    await Promise.all([prom?.stop(), stack?.close()]);
    await own?.drop();
  });

  it(`agrees on all ${QUERIES.length} corpus queries with the older windows in chunks and the rest head rows`, async () => {
    ready();
    // The dataset's first window becomes chunks (22:13–00:00 UTC); the samples after it stay rows.
    const middle = windowOf(ds.start) + CHUNK_WINDOW_MS;
    expect(middle).toBeLessThan(ds.end);
    const r = await runCompaction(stack!.db.db, { now: middle, headMs: 0, budgetMs: 120_000 });
    expect(r.complete).toBe(true);
    const at = await where();
    expect(at.chunked).toBeGreaterThan(loaded / 5);
    expect(at.rows).toBeGreaterThan(loaded / 5);
    expect(at.rows + at.chunked).toBe(loaded);
    const failures = await agreement("chunks and head rows", cases, expected, httpAnswerer(stack!.url, { authorization: `Bearer ${stack!.key}` }), 4);
    expect(failures.length, `${failures.length} of ${cases.length} cases disagree with Prometheus (listed above)`).toBe(0);
  }, 300_000);

  it(`agrees on all ${QUERIES.length} corpus queries read from chunks alone`, async () => {
    ready();
    const r = await runCompaction(stack!.db.db, { now: ds.end + 2 * CHUNK_WINDOW_MS, headMs: 0, budgetMs: 120_000, resweepMs: 0 });
    expect(r.complete).toBe(true);
    expect(await where()).toEqual({ rows: 0, chunked: loaded });
    expect((await storedSamples(stack!)).n).toBe(loaded);
    const failures = await agreement("chunks only", cases, expected, httpAnswerer(stack!.url, { authorization: `Bearer ${stack!.key}` }), 4);
    expect(failures.length, `${failures.length} of ${cases.length} cases disagree with Prometheus (listed above)`).toBe(0);
  }, 300_000);
});
