// Costs of logs that arrive without one, filled in before they are written
// (shared/pricing/cost.ts says how). A tenant's own prices are read once per
// tenant and kept PRICE_CACHE_MS in the isolate, so a changed price applies to
// logs written from at most that long after the change.
import type { LogsMessage } from "../../shared/contracts/queue";
import type { Db } from "../../shared/db";
import { priceRows, type TenantPrices } from "../../shared/pricing/cost";
import { listModelPrices } from "../../shared/storage/postgres/model-prices";

export const PRICE_CACHE_MS = 30_000;

const cache = new Map<number, { until: number; prices: Promise<TenantPrices> }>();

function tenantPrices(db: Db, tenantId: number, now: number): Promise<TenantPrices> {
  const hit = cache.get(tenantId);
  if (hit && hit.until > now) return hit.prices;
  const prices = listModelPrices(db, tenantId).then((rows) => new Map(rows.map((r) => [r.model, r])));
  cache.set(tenantId, { until: now + PRICE_CACHE_MS, prices });
  // A failed read is not remembered: the retry reads again.
  prices.catch(() => cache.get(tenantId)?.prices === prices && cache.delete(tenantId));
  return prices;
}

/** Sets costUsd/costSource of every record without a cost, in the messages themselves (so a retry or a bisection keeps them). */
export async function priceMessages(db: Db, msgs: readonly LogsMessage[], now = Date.now()): Promise<void> {
  const todo = msgs.filter((m) => m.records.some((r) => r.costSource === null));
  const tenants = [...new Set(todo.map((m) => m.tenantId))];
  const prices = new Map(await Promise.all(tenants.map(async (t) => [t, await tenantPrices(db, t, now)] as const)));
  for (const m of todo) priceRows(m.records, prices.get(m.tenantId)!);
}
