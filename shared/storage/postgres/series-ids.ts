// Resolves series to ids: an in-isolate cache first, so a hot series costs no
// round trip; one set-based upsert for the misses.
import { sql } from "drizzle-orm";
import type { Db } from "../../db";
import { seriesHash } from "../../hash";
import type { QueueSeries } from "../../contracts/queue";

const MAX_CACHE = 200_000;
const cache = new Map<string, number>(); // `${tenant}/${hash}` -> id

export async function resolveSeriesIds(db: Db, tenantId: number, series: QueueSeries[]): Promise<number[]> {
  const hashes = await Promise.all(series.map((s) => seriesHash(s.name, s.labels)));
  const ids = new Array<number>(series.length);
  const missing = new Map<string, number>(); // hash -> index of first series with it
  hashes.forEach((h, i) => {
    const id = cache.get(`${tenantId}/${h}`);
    if (id !== undefined) ids[i] = id;
    else if (!missing.has(h)) missing.set(h, i);
  });
  if (missing.size > 0) {
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
    if (cache.size + found.size > MAX_CACHE) cache.clear();
    for (const [h, id] of found) cache.set(`${tenantId}/${h}`, id);
    hashes.forEach((h, i) => {
      if (ids[i] === undefined) {
        const id = found.get(h);
        if (id === undefined) throw new Error(`series id not resolved for hash ${h}`);
        ids[i] = id;
      }
    });
  }
  return ids;
}
