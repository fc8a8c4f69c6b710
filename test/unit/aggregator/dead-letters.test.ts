// Recording a dead letter is best effort: a failing or silent database is
// logged and never holds up or changes the message's way to the dead-letter queue.
import { describe, expect, it } from "vitest";
import type { Db } from "../../../shared/db";
import { deadLetterRecorder, lastAttemptOf, unreadablePart, wholePart, type DeadLetterEntry } from "../../../workers/aggregator/dead-letters";
import { logRow } from "../../support/log-row";

const entry: DeadLetterEntry = { tenantId: 7, batchId: "logs:k", part: 2, kind: "logs", items: 3, reason: "every item refused" };
const db = {} as Db;

describe("deadLetterRecorder", () => {
  it("records through the store it is given", async () => {
    const seen: DeadLetterEntry[] = [];
    await deadLetterRecorder(db, () => {}, { record: async (_db, e) => void seen.push(e) })(entry);
    expect(seen).toEqual([entry]);
  });

  it("logs a failed record instead of throwing", async () => {
    const logged: { level: string; extra: Record<string, unknown> }[] = [];
    const record = deadLetterRecorder(db, (level, _msg, extra) => logged.push({ level, extra }), {
      record: async () => {
        throw Object.assign(new Error("Failed query: INSERT ... params: secret"), { cause: Object.assign(new Error("relation \"dead_letters\" does not exist"), { code: "42P01" }) });
      },
    });
    await expect(record(entry)).resolves.toBeUndefined();
    expect(logged).toEqual([{ level: "error", extra: { tenantId: 7, batchId: "logs:k", part: 2, items: 3, error: 'relation "dead_letters" does not exist (SQLSTATE 42P01)' } }]);
  });

  it("gives up on a database that does not answer", async () => {
    const logged: string[] = [];
    const started = Date.now();
    const record = deadLetterRecorder(db, (_l, _m, extra) => logged.push(String(extra.error)), { record: () => new Promise(() => {}), timeoutMs: 50 });
    await expect(record(entry)).resolves.toBeUndefined();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(logged).toEqual(["no answer from Postgres within 50 ms"]);
  });
});

describe("what is recorded", () => {
  it("a whole part with all its items; the last attempt from max_retries", () => {
    const body = { v: 1 as const, kind: "logs" as const, tenantId: 3, batchId: "logs:x", part: 1, records: [logRow("a", 0), logRow("b", 0)] };
    expect(wholePart(body, "why")).toEqual({ tenantId: 3, batchId: "logs:x", part: 1, kind: "logs", items: 2, reason: "why" });
    expect(lastAttemptOf({})).toBe(11);
    expect(lastAttemptOf({ QUEUE_MAX_RETRIES: "2" })).toBe(3);
    expect(lastAttemptOf({ QUEUE_MAX_RETRIES: "x" })).toBe(11);
  });

  it("an unreadable message only when it names its tenant and batch", () => {
    expect(unreadablePart({ v: 2, tenantId: 4, batchId: "metrics:k", part: 3, kind: "metrics" })).toEqual({
      tenantId: 4, batchId: "metrics:k", part: 3, kind: "metrics", items: 1, reason: "unreadable queue message (version 2, this aggregator reads 1)",
    });
    expect(unreadablePart({ v: 99, kind: "unknown" })).toBeUndefined();
    expect(unreadablePart("text")).toBeUndefined();
    expect(unreadablePart(null)).toBeUndefined();
  });
});
