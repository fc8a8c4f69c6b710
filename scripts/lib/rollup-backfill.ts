// Runs the rollups' data migration (migrations/data/log-rollups-backfill.sql)
// on a bench database: the bench loaders generate per-minute rollups and
// bucket rows in SQL, in the shape stored before the hour tier and the bucket
// arrays, and this carries them over exactly as a deployed database's are.
import { readFileSync } from "node:fs";
import type pg from "pg";

const FILE = new URL("../../migrations/data/log-rollups-backfill.sql", import.meta.url);

export async function carryRollupsOver(c: pg.Client): Promise<void> {
  for (const statement of readFileSync(FILE, "utf8").split("--> statement-breakpoint")) await c.query(statement);
}
