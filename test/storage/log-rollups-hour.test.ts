// The hour tier of the request-log rollups, on real Postgres through the Neon
// driver: its rows are exactly the sums of their minutes (replays and late
// logs included), the data migration carries bucket rows into arrays and
// builds the hours from the minutes to the bit, and a summary read through days, hours and ragged minutes gives what a
// minute-only read of the same rollups gives, and what the raw logs say.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { ensureTenant } from "../../shared/admin";
import type { LogRow, LogsMessage } from "../../shared/contracts/queue";
import { BUCKET_OFFSET, DAY_MS, dayStartOf, HISTOGRAMS, HOUR_MS, MINUTE_MS, type DimKey } from "../../shared/logs/rollup-spec";
import { minutesOnly, rollupSummary } from "../../shared/storage/postgres/rollup-summary";
import { postgresWriteStorage } from "../../shared/storage/postgres/write";
import { rebuildRollups } from "../../shared/storage/postgres/rollup-rebuild";
import { rng } from "../../scripts/lib/rng";
import { logRow } from "../support/log-row";
import { useNodeDb } from "../support/node-db";
import { rollupTables, rollupTotal } from "../support/rollup-tables";

const testDb = useNodeDb();

// Three UTC days ending tomorrow: ranges cross two midnights, all inside retention.
const DAY0 = dayStartOf(Date.now()) - DAY_MS;
const MODELS = ["gpt-4o", "gpt-4o-mini", "claude-sonnet-4"];

/** Varied logs at seeded random times: dims, tokens, float costs and latencies, fields some rows lack. */
function logs(n: number, seed: number, from: number, span: number): LogRow[] {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const failed = r() < 0.15;
    return logRow(`s${seed}-${i}`, from + Math.floor(r() * span), {
      model: MODELS[Math.floor(r() * 3)],
      provider: r() < 0.5 ? "openai" : "anthropic",
      status: failed ? "failure" : "success",
      httpStatus: failed ? 429 : 200,
      team: `team-${Math.floor(r() * 3)}`,
      stream: r() < 0.5,
      latencyMs: r() < 0.1 ? null : 10 + r() * 12_000,
      ttftMs: r() < 0.4 ? null : r() * 900,
      inputTokens: 1 + Math.floor(r() * 3000),
      outputTokens: failed ? 0 : 1 + Math.floor(r() * 900),
      totalTokens: null,
      cachedTokens: r() < 0.3 ? Math.floor(r() * 100) : null,
      costUsd: r() < 0.2 ? null : r() / 37,
      cacheHit: r() < 0.3 ? true : r() < 0.5 ? false : null,
    });
  });
}

const message = (tenantId: number, batchId: string, records: LogRow[]): LogsMessage => ({ v: 1, kind: "logs", tenantId, batchId, part: 0, records });

async function freshTenant(name: string): Promise<number> {
  return (await ensureTenant(testDb(), `${name}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`)).id;
}

/** Writes 3,000 logs over three days in batches, with a replayed batch, repeated records and late ones. */
async function seed(tenant: number): Promise<LogRow[]> {
  const storage = postgresWriteStorage(testDb());
  const all = logs(3_000, 7, DAY0, 3 * DAY_MS);
  for (let k = 0; k < all.length; k += 500) await storage.writeLogs([message(tenant, `b${k}`, all.slice(k, k + 500))]);
  await storage.writeLogs([message(tenant, "b0", all.slice(0, 500))]); // redelivered
  await storage.writeLogs([message(tenant, "again", all.slice(400, 700))]); // same records, new batch
  const late = logs(200, 8, DAY0 + 5 * HOUR_MS, 2 * HOUR_MS);
  await storage.writeLogs([message(tenant, "late", late)]);
  return [...all, ...late];
}

describe("hour rollups", () => {
  it("are the sums of their minutes, after replays and late logs, and a rebuild or the data migration gives them back exactly", async () => {
    const db = testDb();
    const tenant = await freshTenant("hours");
    await seed(tenant);
    expect(await rollupTotal(db, tenant, "requests", "log_rollups_hour")).toBe(3_200);
    // Every hour row against the minute rows summed in SQL: sums, histogram counts and sums, buckets slot by slot.
    const mismatches = await db.execute<{ n: string }>(sql`
      WITH m AS (
        SELECT dims_id, minute / ${HOUR_MS} * ${HOUR_MS} AS hour, sum(requests) AS requests, sum(cost_usd) AS cost,
          sum(hist_count[1]) AS c1, sum(hist_sum[1]) AS s1, sum(hist_sum[3]) AS s3
        FROM log_rollups WHERE tenant_id = ${tenant} GROUP BY 1, 2
      ), b AS (
        SELECT dims_id, minute / ${HOUR_MS} * ${HOUR_MS} AS hour, u.slot, sum(u.n) AS n
        FROM log_rollup_hist CROSS JOIN LATERAL unnest(buckets) WITH ORDINALITY u(n, slot) WHERE tenant_id = ${tenant} GROUP BY 1, 2, 3
      )
      SELECT (SELECT count(*) FROM m FULL JOIN (SELECT * FROM log_rollups_hour WHERE tenant_id = ${tenant}) h ON h.dims_id = m.dims_id AND h.hour = m.hour
              WHERE h.hour IS NULL OR m.hour IS NULL OR h.requests <> m.requests OR h.cost_usd <> m.cost OR h.hist_count[1] <> m.c1
                OR h.hist_sum[1] <> m.s1 OR h.hist_sum[3] <> m.s3)
        + (SELECT count(*) FROM log_rollups_hour h CROSS JOIN LATERAL unnest(h.buckets) WITH ORDINALITY u(n, slot)
           LEFT JOIN b ON b.dims_id = h.dims_id AND b.hour = h.hour AND b.slot = u.slot
           WHERE h.tenant_id = ${tenant} AND u.n <> coalesce(b.n, 0)) AS n`);
    expect(Number(mismatches.rows[0].n)).toBe(0);

    const written = await rollupTables(db, tenant);
    expect(written.hours.length).toBeGreaterThan(100);
    await rebuildRollups(db, tenant, DAY0, DAY0 + 2 * DAY_MS);
    expect(await rollupTables(db, tenant)).toEqual(written);

    // The data migration, from the rollups as they were stored before: bucket rows, no hours, no arrays.
    const slot = sql.raw(`(ARRAY[${BUCKET_OFFSET.join(", ")}])[h.hist + 1] + h.bucket`);
    for (const [from, to, at] of [["log_rollup_hist", "log_rollup_buckets", "minute"], ["log_rollup_hist_day", "log_rollup_buckets_day", "day"]] as const)
      await db.execute(sql`INSERT INTO ${sql.raw(to)} (tenant_id, dims_id, ${sql.raw(at)}, hist, bucket, n)
        SELECT r.tenant_id, r.dims_id, r.${sql.raw(at)}, h.hist, h.bucket, r.buckets[${slot} + 1]
        FROM ${sql.raw(from)} r CROSS JOIN (SELECT * FROM unnest(${sql.param(HISTOGRAMS.flatMap((x) => [...x.bounds.map(() => x.id), x.id]))}::int[],
          ${sql.param(HISTOGRAMS.flatMap((x) => [...x.bounds.map((_, i) => i), x.bounds.length]))}::int[]) AS h(hist, bucket)) h
        WHERE r.tenant_id = ${tenant} AND r.buckets[${slot} + 1] > 0`);
    await db.execute(sql`DELETE FROM log_rollup_hist WHERE tenant_id = ${tenant}`);
    await db.execute(sql`DELETE FROM log_rollup_hist_day WHERE tenant_id = ${tenant}`);
    await db.execute(sql`DELETE FROM log_rollups_hour WHERE tenant_id = ${tenant}`);
    expect(await rollupTables(db, tenant)).not.toEqual(written);
    const migration = readFileSync(new URL("../../migrations/data/log-rollups-backfill.sql", import.meta.url), "utf8");
    for (const statement of migration.split("--> statement-breakpoint")) await db.execute(sql.raw(statement));
    expect(await rollupTables(db, tenant)).toEqual(written);
    const left = await db.execute<{ n: string }>(sql`SELECT (SELECT count(*) FROM log_rollup_buckets WHERE tenant_id = ${tenant}) + (SELECT count(*) FROM log_rollup_buckets_day WHERE tenant_id = ${tenant}) AS n`);
    expect(Number(left.rows[0].n)).toBe(0);
  });

  it("summaries through days, hours and ragged minutes equal a minute-only read and the raw logs", async () => {
    const db = testDb();
    const tenant = await freshTenant("summary");
    const stored = await seed(tenant);
    const hists = HISTOGRAMS.map((h) => h.id);
    const r = rng(11);
    const minute = (t: number) => Math.floor(t / MINUTE_MS) * MINUTE_MS;
    const ranges: Array<[number, number]> = [
      [DAY0, DAY0 + 3 * DAY_MS],
      [DAY0 + 20 * HOUR_MS + 10 * MINUTE_MS, DAY0 + DAY_MS + 20 * HOUR_MS + 10 * MINUTE_MS], // 24 h, ragged
      [DAY0 + 5 * HOUR_MS, DAY0 + 6 * HOUR_MS], // one whole hour (late logs in it)
      [DAY0 + 5 * HOUR_MS + 7 * MINUTE_MS, DAY0 + 5 * HOUR_MS + 53 * MINUTE_MS], // the hour less its ends
      ...Array.from({ length: 8 }, (): [number, number] => {
        const s = minute(DAY0 + r() * 2 * DAY_MS);
        return [s, s + MINUTE_MS + minute(r() * DAY_MS)];
      }),
    ];
    const shapes: Array<{ by: DimKey[]; filter: Record<string, string[]> }> = [
      { by: [], filter: {} },
      { by: ["model", "status"], filter: {} },
      { by: ["team"], filter: { provider: ["anthropic"] } },
    ];
    for (const [start, end] of ranges) {
      for (const { by, filter } of shapes) {
        const q = { startMinute: start, endMinute: end, by, filter, hists };
        const tiered = await rollupSummary(db, tenant, q);
        const minutes = await rollupSummary(db, tenant, q, minutesOnly);
        const sortKey = (g: { key: object }) => JSON.stringify(g.key);
        expect([...tiered].sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1)), `${start} ${end} ${by.join()}`).toEqual(
          [...minutes].sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1)),
        );
      }
      // And the raw logs (each request id once: the replays stored nothing new).
      const inRange = [...new Map(stored.map((x) => [x.requestId, x])).values()].filter((x) => x.time >= start && x.time < end);
      const [all] = await rollupSummary(db, tenant, { startMinute: start, endMinute: end, by: [], filter: {}, hists });
      expect(all?.requests ?? 0).toBe(inRange.length);
      expect(all?.failures ?? 0).toBe(inRange.filter((x) => x.status === "failure").length);
      expect(all?.inputTokens ?? 0).toBe(inRange.reduce((n, x) => n + (x.inputTokens ?? 0), 0));
      if (all) expect(all.buckets[0].reduce((a, b) => a + b, 0)).toBe(inRange.filter((x) => x.latencyMs !== null).length);
    }
  });
});
