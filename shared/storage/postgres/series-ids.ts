// Resolves series to ids (hashed-ids.ts: cache, one upsert for the misses).
import { sql } from "drizzle-orm";
import type { Db } from "../../db";
import { seriesHash } from "../../hash";
import { seriesKey } from "../../labels";
import type { QueueSeries } from "../../contracts/queue";
import { resolveHashedIds } from "./hashed-ids";

// Keyed by tenant and the canonical series key, so a hit costs no hashing.
const cache = new Map<string, number>();

export function resolveSeriesIds(db: Db, tenantId: number, series: QueueSeries[]): Promise<number[]> {
  return resolveHashedIds(series, {
    cache,
    maxCache: 200_000,
    keyOf: (s) => `${tenantId}/${seriesKey(s.name, s.labels)}`,
    hashOf: (s) => seriesHash(s.name, s.labels),
    async upsert(todo, hashes) {
      // New rows come back from the INSERT; existing ones from the SELECT (which
      // cannot see this statement's own inserts), so each hash appears once.
      const res = await db.execute<{ id: string; labels_hash: string }>(sql`
        WITH input AS (
          SELECT * FROM unnest(${sql.param(todo.map((s) => s.name))}::text[], ${sql.param(todo.map((s) => JSON.stringify(s.labels)))}::jsonb[], ${sql.param(hashes)}::uuid[]) AS t(name, labels, hash)
        ), ins AS (
          INSERT INTO series (tenant_id, metric_name, labels, labels_hash)
          SELECT ${tenantId}, name, labels, hash FROM input
          ON CONFLICT (tenant_id, labels_hash) DO NOTHING
          RETURNING id, labels_hash
        )
        SELECT id, labels_hash FROM ins
        UNION ALL
        SELECT s.id, s.labels_hash FROM series s JOIN input i ON s.labels_hash = i.hash WHERE s.tenant_id = ${tenantId}`);
      return new Map(res.rows.map((r) => [r.labels_hash, Number(r.id)]));
    },
  });
}
