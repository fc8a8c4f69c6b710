// Stores request logs for tests through the real write path, so tests of what
// reads logs and rollups see exactly what the aggregator would have written.
import { randomUUID } from "node:crypto";
import type { Db } from "../../shared/db";
import type { LogRow } from "../../shared/contracts/queue";
import { rollupDeltas } from "../../shared/logs/rollup";
import { addRollups, dimsIdsOf } from "../../shared/storage/postgres/rollup-write";
import { postgresWriteStorage } from "../../shared/storage/postgres/write";

/** Writes the rows and their rollups (writeLogs, one message of a fresh batch); throws unless every row was new. */
export async function storeLogs(db: Db, tenantId: number, rows: LogRow[]): Promise<void> {
  const [r] = await postgresWriteStorage(db).writeLogs([{ v: 1, kind: "logs", tenantId, batchId: `test-${randomUUID()}`, part: 0, records: rows }]);
  if (r.duplicate || r.written !== rows.length) throw new Error(`storeLogs: ${r.written} of ${rows.length} rows written${r.duplicate ? " (duplicate batch)" : ""}`);
}

/** Adds only the per-day rollups of the rows (no logs, no minute or hour rows): what is left of days whose minutes retention dropped. */
export async function storeDayRollups(db: Db, tenantId: number, rows: LogRow[]): Promise<void> {
  const deltas = rollupDeltas(rows.map((row) => ({ tenantId, row })));
  await addRollups(db, { ...deltas, minutes: [], hours: [] }, await dimsIdsOf(db, deltas.dims));
}
