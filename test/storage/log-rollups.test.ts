// The rollups writeLogs keeps, on real Postgres through the Neon driver (as the
// aggregator runs it): only rows the INSERT wrote are added, and a rebuild
// from the stored logs gives exactly the same five tables.
import { describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { ensureTenant } from "../../shared/admin";
import type { LogRow, LogsMessage } from "../../shared/contracts/queue";
import { DAY_MS, dayStartOf } from "../../shared/logs/rollup-spec";
import { postgresWriteStorage } from "../../shared/storage/postgres/write";
import { rebuildRollups } from "../../shared/storage/postgres/rollup-rebuild";
import { logRow } from "../support/log-row";
import { useNodeDb } from "../support/node-db";
import { rollupTables, rollupTotal } from "../support/rollup-tables";

const testDb = useNodeDb();

// Yesterday and today (UTC), well inside any retention.
const DAY0 = dayStartOf(Date.now()) - DAY_MS;
const MODELS = ["gpt-4o", "gpt-4o-mini", "claude-sonnet-4"];

/** A varied log: dims, tokens, cost, cache, latencies; every field some rows lack. */
function log(i: number, time: number): LogRow {
  return logRow(`req-${i}`, time, {
    model: MODELS[i % 3],
    provider: i % 3 === 2 ? "anthropic" : "openai",
    status: i % 7 === 0 ? "failure" : "success",
    httpStatus: i % 7 === 0 ? 429 : 200,
    team: `team-${i % 2}`,
    user: `user-${(i >> 1) % 2}`,
    stream: i % 2 === 0,
    latencyMs: i % 11 === 0 ? null : 37.3 * ((i % 13) + 1),
    ttftMs: i % 2 === 0 ? 3.1 * ((i % 9) + 1) : null,
    inputTokens: i % 5 === 0 ? null : 100 + i,
    outputTokens: i % 7 === 0 ? 0 : 10 + (i % 50),
    totalTokens: i % 5 === 0 ? null : 110 + i + (i % 50),
    cachedTokens: i % 3 === 0 ? 7 : null,
    costUsd: i % 4 === 0 ? null : 0.000123 * ((i % 17) + 1),
    cacheHit: i % 3 === 0 ? true : i % 3 === 1 ? false : null,
  });
}

const message = (tenantId: number, batchId: string, records: LogRow[], part = 0): LogsMessage => ({ v: 1, kind: "logs", tenantId, batchId, part, records });

async function freshTenant(name: string): Promise<number> {
  return (await ensureTenant(testDb(), `${name}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`)).id;
}

describe("incremental rollups", () => {
  it("count each stored log once and equal a rebuild of the same days exactly", async () => {
    const db = testDb();
    const storage = postgresWriteStorage(db);
    const tenant = await freshTenant("rollups");
    // 400 logs over two days, a few per minute.
    const all = Array.from({ length: 400 }, (_, i) => log(i, DAY0 + 10 * 3_600_000 + i * 263_000 + (i % 60) * 997));
    const send = (batchId: string, records: LogRow[], part = 0) => storage.writeLogs([message(tenant, batchId, records, part)]);

    await send("b1", all.slice(0, 100));
    await send("b1", all.slice(0, 100)); // a redelivered part
    await send("b2", all.slice(50, 150)); // a replay under a new key: 50 old, 50 new
    // One group of two messages that share records.
    await storage.writeLogs([message(tenant, "b3", all.slice(150, 220)), message(tenant, "b4", all.slice(200, 260))]);
    // The same records twice in one message.
    await send("b5", [...all.slice(260, 280), ...all.slice(260, 280)]);
    // Concurrent writers with overlapping records, as the aggregator's groups run.
    await Promise.all([
      send("c1", all.slice(280, 340)),
      send("c2", all.slice(300, 360).reverse()),
      send("c3", all.slice(320, 380)),
      send("c4", all.slice(280, 380)),
    ]);
    // Late records: times hours before the last ones written.
    const late = all.slice(380, 400).map((r, i) => ({ ...r, requestId: `late-${i}`, time: DAY0 + 3_600_000 + i * 60_000 }));
    await send("late", late);
    const stored = [...all.slice(0, 380), ...late];

    expect(await rollupTotal(db, tenant, "requests")).toBe(400);
    expect(await rollupTotal(db, tenant, "requests", "log_rollups_day")).toBe(400);
    expect(await rollupTotal(db, tenant, "requests", "log_rollups_hour")).toBe(400);
    expect(await rollupTotal(db, tenant, "input_tokens")).toBe(stored.reduce((n, r) => n + (r.inputTokens ?? 0), 0));
    expect(await rollupTotal(db, tenant, "cache_hits")).toBe(stored.filter((r) => r.cacheHit === true).length);
    expect(await rollupTotal(db, tenant, "cost_usd")).toBeCloseTo(stored.reduce((n, r) => n + (r.costUsd ?? 0), 0), 7);
    const stats = await db.execute<{ n: string }>(sql`SELECT count(*)::text AS n FROM request_logs WHERE tenant_id = ${tenant}`);
    expect(Number(stats.rows[0].n)).toBe(400);

    const incremental = await rollupTables(db, tenant);
    expect(incremental.minutes.length).toBeGreaterThan(300);
    // A rebuild over the same days (its range widened to them) changes nothing, to the bit.
    const rebuilt = await rebuildRollups(db, tenant, DAY0 + 5 * 3_600_000, DAY0 + DAY_MS + 1000);
    expect(rebuilt).toMatchObject({ tenantId: tenant, start: DAY0, end: DAY0 + 2 * DAY_MS, logs: 400 });
    expect(rebuilt.days.map((d) => d.day)).toEqual([DAY0, DAY0 + DAY_MS]);
    expect(await rollupTables(db, tenant)).toEqual(incremental);
  });

  it("rebuilt from logs stored without rollups, equal those of the same logs written with them", async () => {
    const db = testDb();
    const withRollups = await freshTenant("with");
    const without = await freshTenant("without");
    const logs = Array.from({ length: 150 }, (_, i) => log(i, DAY0 + DAY_MS + i * 41_000));
    await postgresWriteStorage(db).writeLogs([message(withRollups, "x", logs)]);
    await postgresWriteStorage(db, { logRollups: false }).writeLogs([message(without, "x", logs)]);
    expect(await rollupTotal(db, without, "requests")).toBe(0);
    await rebuildRollups(db, without, DAY0 + DAY_MS, DAY0 + DAY_MS);
    expect(await rollupTables(db, without)).toEqual(await rollupTables(db, withRollups));
  });

  it("a rebuild replaces wrong rows and removes rows no log stands behind", async () => {
    const db = testDb();
    const tenant = await freshTenant("repair");
    const logs = Array.from({ length: 40 }, (_, i) => log(i, DAY0 + 12 * 3_600_000 + i * 30_000));
    await postgresWriteStorage(db).writeLogs([message(tenant, "x", logs)]);
    const good = await rollupTables(db, tenant);
    await db.execute(sql`UPDATE log_rollups SET requests = requests + 5, hist_sum[1] = 0 WHERE tenant_id = ${tenant}`);
    await db.execute(sql`UPDATE log_rollup_hist_day SET buckets[7] = 999 WHERE tenant_id = ${tenant}`);
    await db.execute(sql`UPDATE log_rollup_hist SET buckets[1:36] = array_fill(0::bigint, ARRAY[36]) WHERE tenant_id = ${tenant}`);
    await db.execute(sql`UPDATE log_rollups_hour SET cost_usd = 0 WHERE tenant_id = ${tenant}`);
    // A stray row for a minute without logs (on the same day) goes; rows of other days stay.
    const dimsId = (await db.execute<{ id: string }>(sql`SELECT dims_id::text AS id FROM log_rollups WHERE tenant_id = ${tenant} LIMIT 1`)).rows[0].id;
    await db.execute(sql`INSERT INTO log_rollups (tenant_id, dims_id, minute, requests, hist_count, hist_sum)
      VALUES (${tenant}, ${dimsId}, ${DAY0 + 60_000}, 3, '{0,0,0,0}', '{0,0,0,0}'), (${tenant}, ${dimsId}, ${DAY0 - DAY_MS}, 2, '{0,0,0,0}', '{0,0,0,0}')`);
    expect(await rollupTables(db, tenant)).not.toEqual(good);
    await rebuildRollups(db, tenant, DAY0 + 12 * 3_600_000, DAY0 + 13 * 3_600_000);
    const after = await rollupTables(db, tenant);
    expect(after.minutes.filter((m) => m.at !== String(DAY0 - DAY_MS))).toEqual(good.minutes);
    expect(after.minutes.filter((m) => m.at === String(DAY0 - DAY_MS))).toHaveLength(1);
    expect({ ...after, minutes: good.minutes }).toEqual(good);
  });

  it("a rebuild running while logs are written counts each of them once", async () => {
    const db = testDb();
    const storage = postgresWriteStorage(db);
    const tenant = await freshTenant("racing");
    const day = DAY0 + DAY_MS;
    const logs = Array.from({ length: 600 }, (_, i) => log(i, day + 3_600_000 + i * 7_000));
    await storage.writeLogs([message(tenant, "first", logs.slice(0, 200))]);
    // Writers and rebuilds of the same day interleave; a rebuild that loses a race is retried.
    const writes = (async () => {
      for (let k = 200; k < 600; k += 40) await storage.writeLogs([message(tenant, `w${k}`, logs.slice(k, k + 40))]);
    })();
    const rebuilds = (async () => {
      for (let k = 0; k < 4; k++) await rebuildRollups(db, tenant, day, day);
    })();
    await Promise.all([writes, rebuilds]);
    expect(await rollupTotal(db, tenant, "requests")).toBe(600);
    expect(await rollupTotal(db, tenant, "requests", "log_rollups_day")).toBe(600);
    expect(await rollupTotal(db, tenant, "requests", "log_rollups_hour")).toBe(600);
    const settled = await rollupTables(db, tenant);
    await rebuildRollups(db, tenant, day, day);
    expect(await rollupTables(db, tenant)).toEqual(settled);
  });

  it("refuses a range of more days than one call may rebuild", async () => {
    await expect(rebuildRollups(testDb(), 1, DAY0 - 40 * DAY_MS, DAY0)).rejects.toThrow(/at most 31 days \(this range touches 41\); split it/);
  });
});
