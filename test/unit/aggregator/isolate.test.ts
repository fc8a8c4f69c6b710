// Bisection of a refused message part: good items written once under sub-part
// claims, bad ones named, retriable failures passed up, bounded cost.
import { describe, expect, it } from "vitest";
import type { LogRow, LogsMessage, MetricsMessage } from "../../../shared/contracts/queue";
import type { WriteStorage } from "../../../shared/storage/types";
import { isolateBadItems, MAX_ISOLATION_WRITES, onlyItems } from "../../../workers/aggregator/isolate";
import { isDataError } from "../../../shared/storage/postgres/errors";
import { logRow } from "../../support/log-row";

const row = (requestId: string): LogRow => logRow(requestId, 1_795_000_000_000);
const message = (ids: string[]): LogsMessage => ({ v: 1, kind: "logs", tenantId: 1, batchId: "logs:k", part: 3, records: ids.map(row) });

class PgError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}
/** drizzle's wrapper: the SQL in the message, the driver's error as cause. */
const wrapped = (code: string, message: string) => Object.assign(new Error("Failed query: INSERT ... params: secret"), { cause: new PgError(code, message) });

function fakeStorage(bad: (id: string) => Error | null) {
  const written: { batchId: string; ids: string[] }[] = [];
  const storage: WriteStorage = {
    writeMetrics: async () => [],
    writeLogs: async (msgs) => {
      for (const m of msgs) {
        const err = m.records.map((r) => bad(r.requestId)).find(Boolean);
        if (err) throw err;
      }
      for (const m of msgs) written.push({ batchId: m.batchId, ids: m.records.map((r) => r.requestId) });
      return msgs.map(() => ({ written: 1, duplicate: false }));
    },
  };
  return { storage, written };
}

describe("isolateBadItems", () => {
  it("writes every good item once and names each bad one with Postgres's message, never the SQL", async () => {
    const ids = Array.from({ length: 8 }, (_, i) => `r${i}`);
    const { storage, written } = fakeStorage((id) => (id === "r2" || id === "r5" ? wrapped("22021", "invalid byte sequence for encoding \"UTF8\": 0x00") : null));
    const result = await isolateBadItems(storage, message(ids), wrapped("22021", "x"));
    expect(result.complete).toBe(true);
    expect(result.written).toBe(6);
    expect(result.refused.map((r) => r.item)).toEqual(['records[2] request_id "r2" at 1795000000000', 'records[5] request_id "r5" at 1795000000000']);
    expect(result.refused[0].reason).toBe('invalid byte sequence for encoding "UTF8": 0x00 (SQLSTATE 22021)');
    expect(written.flatMap((w) => w.ids).sort()).toEqual(["r0", "r1", "r3", "r4", "r6", "r7"]);
    // Sub-part claims: deterministic, distinct from any Idempotency-Key, same part number.
    expect(written.map((w) => w.batchId)).toEqual(["logs:k#0-2", "logs:k#3-4", "logs:k#4-5", "logs:k#6-8"]);
  });

  it("passes a retriable failure up, so the message is retried", async () => {
    const lost = new Error("Connection terminated unexpectedly");
    const { storage } = fakeStorage((id) => (id === "r0" ? wrapped("22003", "integer out of range") : id === "r3" ? lost : null));
    await expect(isolateBadItems(storage, message(["r0", "r1", "r2", "r3"]), wrapped("22003", "x"))).rejects.toBe(lost);
  });

  it("treats a unique violation as retriable, not as bad data", async () => {
    const { storage } = fakeStorage((id) => (id === "r1" ? wrapped("23505", "duplicate key value") : null));
    await expect(isolateBadItems(storage, message(["r0", "r1"]), wrapped("22021", "x"))).rejects.toThrow(/Failed query/);
  });

  it("treats a missing partition (23514, wrapped by drizzle) as retriable, and forgets the cached days", async () => {
    expect(isDataError(wrapped("23514", 'no partition of relation "samples" found for row'))).toBe(false);
    expect(isDataError(wrapped("22021", "invalid byte sequence"))).toBe(true);
    const { storage } = fakeStorage((id) => (id === "r1" ? wrapped("23514", "no partition of relation found for row") : null));
    await expect(isolateBadItems(storage, message(["r0", "r1"]), wrapped("22021", "x"))).rejects.toThrow(/Failed query/);
  });

  it("reports nothing refused when every item goes in on its own (only the combined write was too big)", async () => {
    const { storage, written } = fakeStorage(() => null);
    const result = await isolateBadItems(storage, message(["r0", "r1", "r2"]), wrapped("54000", "array size exceeds the maximum allowed"));
    expect(result).toMatchObject({ complete: true, written: 3, refused: [] });
    expect(written.flatMap((w) => w.ids).sort()).toEqual(["r0", "r1", "r2"]);
  });

  it("cuts a part down to its refused items for the dead-letter queue, by the indices bisection reports", async () => {
    const { storage } = fakeStorage((id) => (id === "r1" || id === "r3" ? wrapped("22021", "NUL") : null));
    const b = message(["r0", "r1", "r2", "r3"]);
    const result = await isolateBadItems(storage, b, wrapped("22021", "x"));
    const dead = onlyItems(b, result.refused.map((r) => r.index)) as LogsMessage;
    expect(dead.batchId).toBe("logs:k#refused");
    expect(dead.records.map((r) => r.requestId)).toEqual(["r1", "r3"]);
    // Metrics: metadata entries count first, then series.
    const m = { v: 1, kind: "metrics", tenantId: 1, batchId: "m", part: 0, metadata: [{ name: "a" }, { name: "b" }], series: [{ name: "s0" }, { name: "s1" }] } as unknown as MetricsMessage;
    const cut = onlyItems(m, [1, 3]) as MetricsMessage;
    expect(cut.metadata.map((x) => x.name)).toEqual(["b"]);
    expect(cut.series.map((x) => x.name)).toEqual(["s1"]);
  });

  it("stops after a bounded number of writes when every item is bad", async () => {
    let writes = 0;
    const storage: WriteStorage = {
      writeMetrics: async () => [],
      writeLogs: async () => {
        writes++;
        throw wrapped("23503", "violates foreign key constraint");
      },
    };
    const result = await isolateBadItems(storage, message(Array.from({ length: 1000 }, (_, i) => `r${i}`)), wrapped("23503", "x"));
    expect(result.complete).toBe(false);
    expect(result.written).toBe(0);
    expect(writes).toBe(MAX_ISOLATION_WRITES);
  });
});
