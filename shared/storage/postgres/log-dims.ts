// Resolves the dimension sets of request logs (shared/logs/rollup-spec.ts) to
// log_dims ids, as series-ids.ts does for series (hashed-ids.ts).
import { sql } from "drizzle-orm";
import type { Db } from "../../db";
import { keyHash } from "../../hash";
import type { DimsEntry } from "../../logs/rollup";
import { resolveHashedIds } from "./hashed-ids";

// Keyed by tenant and dimsKey.
const cache = new Map<string, number>();

/** Ids of the entries, in their order; entries may be of several tenants. */
export async function resolveDimsIds(db: Db, entries: readonly DimsEntry[]): Promise<number[]> {
  const byTenant = new Map<number, number[]>();
  entries.forEach((e, i) => {
    const idx = byTenant.get(e.tenantId);
    if (idx) idx.push(i);
    else byTenant.set(e.tenantId, [i]);
  });
  const ids = new Array<number>(entries.length);
  for (const [tenantId, idx] of byTenant) {
    const got = await resolveHashedIds(idx.map((i) => entries[i]), {
      cache,
      maxCache: 100_000,
      keyOf: (e) => `${tenantId}/${e.key}`,
      hashOf: (e) => keyHash(e.key),
      async upsert(todo, hashes) {
        const res = await db.execute<{ id: string; dims_hash: string }>(sql`
          WITH input AS (
            SELECT * FROM unnest(${sql.param(todo.map((e) => JSON.stringify(e.dims)))}::jsonb[], ${sql.param(hashes)}::uuid[]) AS t(dims, hash)
          ), ins AS (
            INSERT INTO log_dims (tenant_id, dims, dims_hash)
            SELECT ${tenantId}, dims, hash FROM input
            ON CONFLICT (tenant_id, dims_hash) DO NOTHING
            RETURNING id, dims_hash
          )
          SELECT id, dims_hash FROM ins
          UNION ALL
          SELECT d.id, d.dims_hash FROM log_dims d JOIN input i ON d.dims_hash = i.hash WHERE d.tenant_id = ${tenantId}`);
        return new Map(res.rows.map((r) => [r.dims_hash, Number(r.id)]));
      },
    });
    idx.forEach((i, k) => (ids[i] = got[k]));
  }
  return ids;
}
