// Cost of a log: which price it is found by, and each way a cost is computed.
import { describe, expect, it } from "vitest";
import { costOf, gpuTimeCost, priceRows, type TenantPrice } from "../../../shared/pricing/cost";
import { findPrice, priceNames } from "../../../shared/pricing/lookup";
import { SHIPPED_BY_KEY, SHIPPED_PRICES } from "../../../shared/pricing/prices";
import type { LogRow } from "../../../shared/logs/record";
import { logRow } from "../../support/log-row";

const shippedModel = (model: string, provider = "", requested = "") => findPrice(SHIPPED_BY_KEY, priceNames(model, requested, provider))?.price.model ?? null;
const row = (o: Partial<LogRow>) => logRow("r", 1_795_000_000_000, o);
const tenantPrice = (o: Partial<TenantPrice>): TenantPrice => ({ inputPerMtok: null, outputPerMtok: null, cachedPerMtok: null, gpuHourUsd: null, concurrency: null, ...o });

describe("price lookup", () => {
  it.each([
    ["gpt-4o-mini", "", "gpt-4o-mini"],
    ["GPT-4o-Mini", "", "gpt-4o-mini"],
    ["openai/gpt-4o-mini", "", "gpt-4o-mini"],
    ["azure/gpt-4o-mini", "azure", "gpt-4o-mini"],
    ["gpt-4o-mini-2024-07-18", "openai", "gpt-4o-mini"],
    ["gpt-4o-2024-08-06", "", "gpt-4o"],
    ["o3-mini-2025-01-31", "openai", "o3-mini"],
    ["gpt-4.1-nano", "", "gpt-4.1-nano"],
    ["claude-3-5-sonnet-20241022", "anthropic", "claude-3-5-sonnet"],
    ["claude-sonnet-4-20250514", "anthropic", "claude-sonnet-4"],
    ["claude-3-7-sonnet-latest", "", "claude-3-7-sonnet"],
    ["claude-3-5-sonnet@20240620", "vertex_ai", "claude-3-5-sonnet"],
    ["us.anthropic.claude-3-5-sonnet-20240620-v1:0", "bedrock", "claude-3-5-sonnet"],
    ["bedrock/anthropic.claude-3-haiku-20240307-v1:0", "", "claude-3-haiku"],
    ["gemini/gemini-2.5-flash", "", "gemini-2.5-flash"],
    ["gemini-2.0-flash-001", "vertex_ai", "gemini-2.0-flash"],
    ["gemini-2.5-pro-preview-05-06", "gemini", "gemini-2.5-pro"],
    ["mistral-large-2411", "mistral", "mistral-large"],
    ["llama-3.3-70b-versatile", "groq", "llama-3.3-70b-versatile"],
    ["meta-llama/Llama-3.3-70B-Instruct-Turbo", "together_ai", "meta-llama/llama-3.3-70b-instruct-turbo"],
    ["deepseek/deepseek-chat", "", "deepseek-chat"],
  ])("%s (provider %j) is priced as %s", (model, provider, expected) => {
    expect(shippedModel(model, provider)).toBe(expected);
  });

  it("falls back to the requested model, and finds nothing for unknown names", () => {
    expect(shippedModel("my-azure-deployment", "azure", "gpt-4.1-mini")).toBe("gpt-4.1-mini");
    expect(shippedModel("llama3:8b", "ollama")).toBeNull();
    expect(shippedModel("", "")).toBeNull();
    // A suffix is never stripped down to nothing, nor a name that is only digits.
    expect(priceNames("2024", "", "")).toEqual(["2024"]);
  });

  it("tries the most specific name first", () => {
    expect(priceNames("gpt-4o-mini-2024-07-18", "", "openai")).toEqual([
      "gpt-4o-mini-2024-07-18", "openai/gpt-4o-mini-2024-07-18", "gpt-4o-mini", "openai/gpt-4o-mini",
    ]);
  });

  it("ships a sound table: positive prices, cached below input, each name once", () => {
    expect(SHIPPED_PRICES.length).toBeGreaterThan(40);
    for (const p of SHIPPED_PRICES) {
      expect(p.inputPerMtok, p.model).toBeGreaterThan(0);
      expect(p.outputPerMtok, p.model).toBeGreaterThan(0);
      if (p.cachedPerMtok !== undefined) expect(p.cachedPerMtok, p.model).toBeLessThan(p.inputPerMtok);
      for (const k of p.keys) expect(SHIPPED_BY_KEY.get(k), k).toBe(p);
    }
    expect(SHIPPED_BY_KEY.get("openai/gpt-4o-mini")).toMatchObject({ inputPerMtok: 0.15, outputPerMtok: 0.6, cachedPerMtok: 0.075 });
    expect(SHIPPED_BY_KEY.get("anthropic/claude-sonnet-4-5")).toMatchObject({ inputPerMtok: 3, outputPerMtok: 15, cachedPerMtok: 0.3 });
  });
});

describe("cost", () => {
  it("prices tokens: cached input at the cached price, the rest at the input price", () => {
    // gpt-4o: 2.50 in, 10 out, 1.25 cached per 1M.
    const c = costOf(row({ model: "gpt-4o", inputTokens: 1000, cachedTokens: 400, outputTokens: 500 }), new Map());
    expect(c?.costSource).toBe("price_table");
    expect(c?.costUsd).toBeCloseTo((600 * 2.5 + 400 * 1.25 + 500 * 10) / 1e6, 15);
  });

  it("charges cached tokens the input price where a model has no cached price, and never more cached than input", () => {
    expect(costOf(row({ model: "gpt-4-turbo", inputTokens: 1000, cachedTokens: 400, outputTokens: 0 }), new Map())?.costUsd).toBeCloseTo(0.01, 15);
    expect(costOf(row({ model: "gpt-4o", inputTokens: 100, cachedTokens: 900, outputTokens: 0 }), new Map())?.costUsd).toBeCloseTo((100 * 1.25) / 1e6, 15);
  });

  it("counts missing token counts as none, and has no cost without any", () => {
    expect(costOf(row({ model: "gpt-4o", inputTokens: null, outputTokens: 100 }), new Map())?.costUsd).toBeCloseTo(0.001, 15);
    expect(costOf(row({ model: "gpt-4o", inputTokens: null, outputTokens: null }), new Map())).toBeNull();
    expect(costOf(row({ model: "unknown-model", inputTokens: 10, outputTokens: 10 }), new Map())).toBeNull();
  });

  it("prefers the tenant's entry, found by the same names", () => {
    const tenant = new Map([["gpt-4o", tenantPrice({ inputPerMtok: 1, outputPerMtok: 2 })]]);
    const c = costOf(row({ model: "openai/gpt-4o-2024-11-20", inputTokens: 1_000_000, cachedTokens: 500_000, outputTokens: 1_000_000 }), tenant);
    expect(c).toEqual({ costUsd: 3, costSource: "tenant_price" });
    // Other models still use the shipped table.
    expect(costOf(row({ model: "gpt-4o-mini", inputTokens: 1_000_000, outputTokens: 0 }), tenant)).toEqual({ costUsd: 0.15, costSource: "price_table" });
  });

  it("prices a self-hosted model by its share of GPU time", () => {
    const tenant = new Map([
      ["vllm/llama-3-70b", tenantPrice({ gpuHourUsd: 8, concurrency: 4 })],
      ["qwen", tenantPrice({ gpuHourUsd: 3.6 })],
    ]);
    // 8 $/h × 1.8 s / 3600 / 4 = $0.001
    expect(costOf(row({ model: "llama-3-70b", provider: "vllm", latencyMs: 1800, inputTokens: 10, outputTokens: 10 }), tenant)).toEqual({ costUsd: 0.001, costSource: "gpu_time" });
    expect(costOf(row({ model: "qwen", latencyMs: 500 }), tenant)).toEqual({ costUsd: 0.0005, costSource: "gpu_time" });
    expect(costOf(row({ model: "qwen", latencyMs: null }), tenant)).toBeNull();
    expect(gpuTimeCost(3_600_000, 2, null)).toBe(2);
  });

  it("fills in only logs without a cost; a reported cost stays", () => {
    const rows = [
      row({ model: "gpt-4o-mini", inputTokens: 1_000_000, outputTokens: 0 }),
      row({ model: "gpt-4o-mini", inputTokens: 1_000_000, outputTokens: 0, costUsd: 9, costSource: "reported" }),
      row({ model: "nothing-known", inputTokens: 1, outputTokens: 1 }),
    ];
    priceRows(rows, new Map());
    expect(rows.map((r) => [r.costUsd, r.costSource])).toEqual([[0.15, "price_table"], [9, "reported"], [null, null]]);
  });
});
