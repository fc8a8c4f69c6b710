// A tenant's own model prices (model_prices): the admin API's store and what
// the aggregator prices logs by (shared/pricing/cost.ts).
import { and, asc, eq } from "drizzle-orm";
import type { Db } from "../../db";
import type { TenantPrice } from "../../pricing/cost";
import { modelPrices } from "../../schema";

export interface ModelPriceEntry extends TenantPrice {
  model: string;
  updatedAt: string;
}

const entryOf = (r: typeof modelPrices.$inferSelect): ModelPriceEntry => ({
  model: r.model,
  inputPerMtok: r.inputPerMtok,
  outputPerMtok: r.outputPerMtok,
  cachedPerMtok: r.cachedPerMtok,
  gpuHourUsd: r.gpuHourUsd,
  concurrency: r.concurrency,
  updatedAt: r.updatedAt.toISOString(),
});

export async function listModelPrices(db: Db, tenantId: number): Promise<ModelPriceEntry[]> {
  const rows = await db.select().from(modelPrices).where(eq(modelPrices.tenantId, tenantId)).orderBy(asc(modelPrices.model));
  return rows.map(entryOf);
}

/** Sets a model's entry (model in lower case), replacing every field of an earlier one. */
export async function setModelPrice(db: Db, tenantId: number, model: string, p: TenantPrice): Promise<ModelPriceEntry> {
  const values = { ...p, updatedAt: new Date() };
  const [row] = await db
    .insert(modelPrices)
    .values({ tenantId, model, ...values })
    .onConflictDoUpdate({ target: [modelPrices.tenantId, modelPrices.model], set: values })
    .returning();
  return entryOf(row);
}

export async function deleteModelPrice(db: Db, tenantId: number, model: string): Promise<boolean> {
  const rows = await db.delete(modelPrices).where(and(eq(modelPrices.tenantId, tenantId), eq(modelPrices.model, model))).returning({ model: modelPrices.model });
  return rows.length > 0;
}
