// The cron's compaction job (shared/storage/postgres/chunk-compact.ts):
// samples older than COMPACTION_HEAD (a Prometheus duration, 2h by default;
// "0s" compacts every whole window before the current one) move into chunks,
// within a wall-clock budget well inside a cron's 30 s of CPU.
import type { Db } from "../../shared/db";
import { DEFAULT_COMPACTION_HEAD_MS, runCompaction } from "../../shared/storage/postgres/chunk-compact";
import { parseDuration } from "./promql/literals";

/** COMPACTION_HEAD in ms; a misconfiguration fails the job loudly instead of compacting at a guess. */
export function compactionHeadMs(raw: string | undefined): number {
  if (!raw?.trim()) return DEFAULT_COMPACTION_HEAD_MS;
  let ms: number | null = null;
  try {
    ms = parseDuration(raw.trim());
  } catch {
    // out of range: reported below
  }
  if (ms === null || ms < 0) throw new Error(`COMPACTION_HEAD=${JSON.stringify(raw)} is not a Prometheus duration (like 2h or 90m)`);
  return ms;
}

export async function runCompactionJob(db: Db, env: { COMPACTION_HEAD?: string }, retentionDays: number): Promise<void> {
  const r = await runCompaction(db, { headMs: compactionHeadMs(env.COMPACTION_HEAD), retentionDays, budgetMs: 10_000 });
  if (r.samples) console.log(JSON.stringify({ level: "info", worker: "query", msg: "compacted samples into chunks", ...r }));
}
