// Retention deletes the per-minute log rollups of the days it drops (their
// bucket arrays with them: a foreign key cascades), and keeps the per-day
// rollups (counters count from them over all time).
import { describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { ensureTenant } from "../../shared/admin";
import { DAY_MS } from "../../shared/logs/rollup-spec";
import { postgresWriteStorage } from "../../shared/storage/postgres/write";
import { runRetention } from "../../workers/query/retention";
import { logRow } from "../support/log-row";
import { useNodeDb } from "../support/node-db";

const testDb = useNodeDb();

describe("retention of log rollups", () => {
  it("deletes minute rows before the cutoff day and keeps every day row", async () => {
    const db = testDb();
    const tenant = (await ensureTenant(db, `retention-${Date.now().toString(36)}`)).id;
    // Days long before anything other tests store, so the cutoff touches nothing of theirs.
    const cutoff = Date.UTC(2000, 0, 1);
    const times = [cutoff - DAY_MS + 5 * 60_000, cutoff - 60_000, cutoff, cutoff + 3_600_000];
    await postgresWriteStorage(db).writeLogs([{ v: 1, kind: "logs", tenantId: tenant, batchId: "old", part: 0, records: times.map((t, i) => logRow(`r${i}`, t, { model: "m", latencyMs: 100 })) }]);
    const minutes = async (table: string) =>
      (await db.execute<{ m: string }>(sql`SELECT minute::text AS m FROM ${sql.identifier(table)} WHERE tenant_id = ${tenant} ORDER BY 1`)).rows.map((r) => Number(r.m));
    const days = async (table: string) =>
      (await db.execute<{ d: string; n: string }>(sql`SELECT day::text AS d, sum(${sql.raw(table === "log_rollups_day" ? "requests" : "(SELECT sum(n) FROM unnest(buckets) n)")})::text AS n FROM ${sql.identifier(table)} WHERE tenant_id = ${tenant} GROUP BY 1 ORDER BY 1`)).rows.map((r) => [Number(r.d), Number(r.n)]);
    expect(await minutes("log_rollups")).toEqual(times);
    const daysBefore = { sums: await days("log_rollups_day"), buckets: await days("log_rollup_hist_day") };
    expect(daysBefore.sums).toEqual([[cutoff - DAY_MS, 2], [cutoff, 2]]);

    const today = Math.floor(Date.now() / DAY_MS);
    const dropped = await runRetention(db, today - cutoff / DAY_MS);
    expect(dropped).toContain("request_logs_p19991231");
    expect(await minutes("log_rollups")).toEqual([cutoff, cutoff + 3_600_000]);
    expect(await minutes("log_rollup_hist")).toEqual([cutoff, cutoff + 3_600_000]);
    expect({ sums: await days("log_rollups_day"), buckets: await days("log_rollup_hist_day") }).toEqual(daysBefore);
  });
});
