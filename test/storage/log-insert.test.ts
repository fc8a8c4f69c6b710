// The request_logs INSERT builds its array literals itself (pg-array.ts): every
// text, tag and attribute comes back exactly as sent, whatever characters it holds.
import { describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { ensureTenant } from "../../shared/admin";
import { postgresWriteStorage } from "../../shared/storage/postgres/write";
import { logRow } from "../support/log-row";
import { useNodeDb } from "../support/node-db";

const testDb = useNodeDb();

const NASTY = ["", "NULL", "null", "a,b", "{x}", '"q"', "back\\slash", "\\\"", " lead", "trail ", "new\nline", "tab\t", "ünï 🚀", "'single'", "}{,\"\\"];

describe("request_logs insert", () => {
  it("stores every text, tag and attribute exactly", async () => {
    const db = testDb();
    const tenant = (await ensureTenant(db, `insert-${Date.now().toString(36)}`)).id;
    const t = Date.now() - 60_000;
    const rows = NASTY.map((s, i) =>
      logRow(`id ${s} ${i}`, t + i, {
        model: s, provider: s, team: s, user: s, project: s, errorMessage: s || null, traceId: s, tags: [s, `${s}2`, ...(i % 2 ? [] : [s])],
        attributes: { k: s, [s]: [s, 1, null, { n: s }] }, stream: i % 3 === 0 ? null : i % 2 === 0, httpStatus: i % 2 ? null : 200 + i,
        latencyMs: i % 2 ? null : 1.5 + i, costUsd: i === 0 ? 1e-12 : null,
      }),
    );
    const [result] = await postgresWriteStorage(db).writeLogs([{ v: 1, kind: "logs", tenantId: tenant, batchId: "nasty", part: 0, records: rows }]);
    expect(result.written).toBe(rows.length);
    const back = (await db.execute<{ request_id: string; model: string; provider: string; team: string; user_id: string; project: string; error_message: string | null; trace_id: string; tags: string[]; attributes: unknown; stream: boolean | null; http_status: number | null; latency_ms: number | null; cost_usd: number | null }>(sql`
      SELECT request_id, model, provider, team, user_id, project, error_message, trace_id, tags, attributes, stream, http_status, latency_ms, cost_usd
      FROM request_logs WHERE tenant_id = ${tenant}`)).rows;
    const byId = new Map(back.map((r) => [r.request_id, r]));
    for (const r of rows) {
      const b = byId.get(r.requestId);
      expect(b, r.requestId).toBeDefined();
      expect(b).toEqual({
        request_id: r.requestId, model: r.model, provider: r.provider, team: r.team, user_id: r.user, project: r.project, error_message: r.errorMessage,
        trace_id: r.traceId, tags: r.tags, attributes: r.attributes, stream: r.stream, http_status: r.httpStatus, latency_ms: r.latencyMs, cost_usd: r.costUsd,
      });
    }
  });
});
