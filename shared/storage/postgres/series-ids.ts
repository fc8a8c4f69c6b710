// Resolves series to ids: an in-isolate cache first, so a hot series costs no
// round trip; one set-based upsert for the misses.
import { sql } from "drizzle-orm";
import type { Db } from "../../db";
import { seriesHash } from "../../hash";
import { seriesKey } from "../../labels";
import type { QueueSeries } from "../../contracts/queue";

const MAX_CACHE = 200_000;
// Keyed by tenant and the canonical series key, so a hit costs no hashing.
const cache = new Map<string, number>();

export async function resolveSeriesIds(db: Db, tenantId: number, series: QueueSeries[]): Promise<number[]> {
  const keys = series.map((s) => `${tenantId}/${seriesKey(s.name, s.labels)}`);
  const ids = new Array<number>(series.length);
  const misses: number[] = [];
  keys.forEach((k, i) => {
    const id = cache.get(k);
    if (id !== undefined) ids[i] = id;
    else misses.push(i);
  });
  if (misses.length > 0) {
    const hashOf = new Map<number, string>();
    await Promise.all(misses.map(async (i) => hashOf.set(i, await seriesHash(series[i].name, series[i].labels))));
    const missing = new Map<string, number>(); // hash -> index of first series with it
    for (const i of misses) if (!missing.has(hashOf.get(i)!)) missing.set(hashOf.get(i)!, i);
    // Sorted by hash so concurrent consumers take index locks in the same order.
    const todo = [...missing.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
    const names = todo.map(([, i]) => series[i].name);
    const labels = todo.map(([, i]) => JSON.stringify(series[i].labels));
    const hs = todo.map(([h]) => h);
    // New rows come back from the INSERT; existing ones from the SELECT (which
    // cannot see this statement's own inserts), so each hash appears once.
    const query = () => db.execute<{ id: string; labels_hash: string }>(sql`
      WITH input AS (
        SELECT * FROM unnest(${sql.param(names)}::text[], ${sql.param(labels)}::jsonb[], ${sql.param(hs)}::uuid[]) AS t(name, labels, hash)
      ), ins AS (
        INSERT INTO series (tenant_id, metric_name, labels, labels_hash)
        SELECT ${tenantId}, name, labels, hash FROM input
        ON CONFLICT (tenant_id, labels_hash) DO NOTHING
        RETURNING id, labels_hash
      )
      SELECT id, labels_hash FROM ins
      UNION ALL
      SELECT s.id, s.labels_hash FROM series s JOIN input i ON s.labels_hash = i.hash WHERE s.tenant_id = ${tenantId}`);
    let found = new Map((await query()).rows.map((r) => [r.labels_hash, Number(r.id)]));
    // A concurrent writer may have inserted a series after our snapshot: look again.
    if (hs.some((h) => !found.has(h))) found = new Map((await query()).rows.map((r) => [r.labels_hash, Number(r.id)]));
    if (cache.size + misses.length > MAX_CACHE) cache.clear();
    for (const i of misses) {
      const id = found.get(hashOf.get(i)!);
      if (id === undefined) throw new Error(`series id not resolved for ${keys[i]}`);
      ids[i] = id;
      cache.set(keys[i], id);
    }
  }
  return ids;
}
