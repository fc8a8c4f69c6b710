// The five rollup tables of a tenant as plain sorted rows, dims ids replaced by
// the dims they stand for (ids differ between tenants and rebuilds need not
// keep them), for comparing rollups exactly.
import { sql } from "drizzle-orm";
import type { Db } from "../../shared/db";

export interface RollupTables {
  minutes: Record<string, unknown>[];
  minuteBuckets: Record<string, unknown>[];
  hours: Record<string, unknown>[];
  days: Record<string, unknown>[];
  dayBuckets: Record<string, unknown>[];
}

export async function rollupTables(db: Db, tenantId: number): Promise<RollupTables> {
  const sums = sql.raw(`r.requests::text, r.input_tokens::text, r.output_tokens::text, r.total_tokens::text, r.cached_tokens::text,
    r.cost_usd, r.cache_hits::text, r.cache_misses::text, r.hist_count::text, r.hist_sum::text`);
  const rows = async (q: ReturnType<typeof sql>) => (await db.execute<Record<string, unknown>>(q)).rows;
  return {
    minutes: await rows(sql`SELECT d.dims::text AS dims, r.minute::text AS at, ${sums} FROM log_rollups r JOIN log_dims d ON d.id = r.dims_id
      WHERE r.tenant_id = ${tenantId} ORDER BY 1, 2`),
    minuteBuckets: await rows(sql`SELECT d.dims::text AS dims, r.minute::text AS at, r.buckets::text FROM log_rollup_hist r
      JOIN log_dims d ON d.id = r.dims_id WHERE r.tenant_id = ${tenantId} ORDER BY 1, 2`),
    hours: await rows(sql`SELECT d.dims::text AS dims, r.hour::text AS at, ${sums}, r.buckets::text FROM log_rollups_hour r JOIN log_dims d ON d.id = r.dims_id
      WHERE r.tenant_id = ${tenantId} ORDER BY 1, 2`),
    days: await rows(sql`SELECT d.dims::text AS dims, r.day::text AS at, ${sums} FROM log_rollups_day r JOIN log_dims d ON d.id = r.dims_id
      WHERE r.tenant_id = ${tenantId} ORDER BY 1, 2`),
    dayBuckets: await rows(sql`SELECT d.dims::text AS dims, r.day::text AS at, r.buckets::text FROM log_rollup_hist_day r
      JOIN log_dims d ON d.id = r.dims_id WHERE r.tenant_id = ${tenantId} ORDER BY 1, 2`),
  };
}

/** Sum of one column over a tenant's minute rows, or its day rows. */
export async function rollupTotal(db: Db, tenantId: number, column: string, table: "log_rollups" | "log_rollups_hour" | "log_rollups_day" = "log_rollups"): Promise<number> {
  const res = await db.execute<{ v: string | null }>(sql`SELECT sum(${sql.identifier(column)})::text AS v FROM ${sql.identifier(table)} WHERE tenant_id = ${tenantId}`);
  return Number(res.rows[0].v ?? 0);
}
