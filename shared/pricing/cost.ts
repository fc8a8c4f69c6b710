// What a request log cost, when its source did not say. In order:
//  - a reported cost (costSource "reported") stays as it is;
//  - a tenant's own price entry for the model (model_prices) wins over the
//    shipped table: with gpu_hour_usd, the request's share of GPU time,
//    gpu_hour_usd × latency_s / 3600 / concurrency ("gpu_time"); else its token
//    prices ("tenant_price");
//  - the shipped table's token prices ("price_table");
//  - no price, or nothing to price by (no token counts; no latency for GPU
//    time): the cost stays unknown (null).
// Token cost = (input - cached) × input price + cached × cached price
// (the input price when there is none) + output × output price, per 1M tokens.
import type { CostSource, LogRow } from "../logs/record";
import { findPrice, priceNames } from "./lookup";
import { SHIPPED_BY_KEY, type TokenPrice } from "./prices";

/** A tenant's entry: token prices, or a GPU-hour price for a self-hosted model. */
export interface TenantPrice {
  inputPerMtok: number | null;
  outputPerMtok: number | null;
  cachedPerMtok: number | null;
  gpuHourUsd: number | null;
  /** Requests served at once; default 1. */
  concurrency: number | null;
}

/** A tenant's entries by lower-case model name. */
export type TenantPrices = ReadonlyMap<string, TenantPrice>;

export interface Cost {
  costUsd: number;
  costSource: CostSource;
}

export function tokenCost(r: Pick<LogRow, "inputTokens" | "outputTokens" | "cachedTokens">, p: TokenPrice): number | null {
  if (r.inputTokens === null && r.outputTokens === null) return null;
  const input = r.inputTokens ?? 0;
  const cached = Math.min(r.cachedTokens ?? 0, input);
  return ((input - cached) * p.inputPerMtok + cached * (p.cachedPerMtok ?? p.inputPerMtok) + (r.outputTokens ?? 0) * p.outputPerMtok) / 1e6;
}

export function gpuTimeCost(latencyMs: number | null, gpuHourUsd: number, concurrency: number | null): number | null {
  if (latencyMs === null) return null;
  return (gpuHourUsd * (latencyMs / 1000)) / 3600 / (concurrency ?? 1);
}

/** The cost of a log whose source reported none; null when it cannot be known. */
export function costOf(r: LogRow, tenant: TenantPrices): Cost | null {
  const names = priceNames(r.model, r.requestedModel, r.provider);
  const own = findPrice(tenant, names);
  if (own) {
    const p = own.price;
    if (p.gpuHourUsd !== null) {
      const c = gpuTimeCost(r.latencyMs, p.gpuHourUsd, p.concurrency);
      return c === null ? null : { costUsd: c, costSource: "gpu_time" };
    }
    if (p.inputPerMtok !== null && p.outputPerMtok !== null) {
      const c = tokenCost(r, { inputPerMtok: p.inputPerMtok, outputPerMtok: p.outputPerMtok, cachedPerMtok: p.cachedPerMtok ?? undefined });
      return c === null ? null : { costUsd: c, costSource: "tenant_price" };
    }
  }
  const shipped = findPrice(SHIPPED_BY_KEY, names);
  if (!shipped) return null;
  const c = tokenCost(r, shipped.price);
  return c === null ? null : { costUsd: c, costSource: "price_table" };
}

/** Fills in the cost of every log that has none (costSource null), in place. */
export function priceRows(rows: LogRow[], tenant: TenantPrices): void {
  for (const r of rows) {
    if (r.costSource !== null) continue;
    const c = costOf(r, tenant);
    if (c) {
      r.costUsd = c.costUsd;
      r.costSource = c.costSource;
    }
  }
}
