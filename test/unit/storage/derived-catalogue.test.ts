// The derived families: names, labels from dims (ours leave absent labels out,
// LiteLLM's say "None"), le text as prometheus_client writes it, and which
// families a selector can reach before any SQL.
import { describe, expect, it } from "vitest";
import { DEFAULT_PROMETHEUS_BUCKETS, LATENCY_BUCKETS, TOKENS_PER_SECOND_BUCKETS, type Dims } from "../../../shared/logs/rollup-spec";
import { baseLabels, DERIVED_FAMILIES, exceptionClassOf, leText, seriesNamesOf, type DerivedFamily } from "../../../shared/storage/derived/catalogue";
import { candidateFamilies, planFamily } from "../../../shared/storage/derived/projection";
import { derivedTtlMs } from "../../../shared/storage/derived/ttl";
import type { LabelMatcher } from "../../../shared/storage/types";
import { labelsPredicate, parseSeriesSelector } from "../../../workers/query/promql";

const family = (name: string): DerivedFamily => DERIVED_FAMILIES.find((f) => f.name === name)!;
const sel = (s: string): LabelMatcher[] => parseSeriesSelector(s) as LabelMatcher[];
const names = (fs: DerivedFamily[]) => fs.map((f) => f.name);

const failure: Dims = {
  model: "gpt-4o-mini", requested_model: "gpt-4o", provider: "openai", deployment_id: "dep-1", status: "failure",
  http_status: "429", error_class: "RateLimitError", team: "t-1", user: "u-1", api_key_hash: "h-1", api_key_alias: "key-a",
};

describe("catalogue", () => {
  it("exposes counters with _total and histograms as _bucket/_sum/_count", () => {
    expect(seriesNamesOf(family("llm_requests"))).toEqual(["llm_requests_total"]);
    expect(seriesNamesOf(family("litellm_request_total_latency_metric"))).toEqual([
      "litellm_request_total_latency_metric_bucket", "litellm_request_total_latency_metric_sum", "litellm_request_total_latency_metric_count",
    ]);
    expect(DERIVED_FAMILIES.flatMap(seriesNamesOf)).toContain("litellm_deployment_total_requests_total");
  });

  it("writes le as prometheus_client does (Python repr: 1.0, 0.00625, +Inf)", () => {
    expect([0.005, 0.00625, 1, 1.5, 10, 300, 2000, Infinity].map(leText)).toEqual(["0.005", "0.00625", "1.0", "1.5", "10.0", "300.0", "2000.0", "+Inf"]);
    expect(leText(12_345_678)).toBe("1.2345678e+07");
  });

  it("uses LiteLLM's buckets for its histograms and prometheus_client's defaults for latency per output token", () => {
    for (const f of DERIVED_FAMILIES) {
      if (f.kind !== "histogram") continue;
      const want = f.name === "litellm_deployment_latency_per_output_token" ? DEFAULT_PROMETHEUS_BUCKETS : f.name === "llm_output_tokens_per_second" ? TOKENS_PER_SECOND_BUCKETS : LATENCY_BUCKETS;
      expect(f.bounds, f.name).toEqual(want);
    }
  });

  it("leaves absent labels out of ours", () => {
    expect(baseLabels(family("llm_requests"), failure)).toEqual({ model: "gpt-4o-mini", provider: "openai", status: "failure" });
  });

  it("labels LiteLLM's as LiteLLM does, absent values as \"None\"", () => {
    expect(baseLabels(family("litellm_proxy_failed_requests_metric"), failure)).toEqual({
      hashed_api_key: "h-1", api_key_alias: "key-a", requested_model: "gpt-4o", team: "t-1", team_alias: "None", user: "u-1",
      exception_status: "429", exception_class: "Openai.RateLimitError", model_id: "dep-1",
    });
    expect(baseLabels(family("litellm_deployment_total_requests"), { model: "llama3", provider: "ollama", status: "success" })).toEqual({
      requested_model: "None", litellm_model_name: "llama3", model_id: "None", api_base: "None", api_provider: "ollama",
      hashed_api_key: "None", api_key_alias: "None", team: "None", team_alias: "None",
    });
    // status_code: the HTTP status, "200" for a success without one.
    const total = family("litellm_proxy_total_requests_metric");
    expect(baseLabels(total, { status: "success" }).status_code).toBe("200");
    expect(baseLabels(total, failure).status_code).toBe("429");
    expect(baseLabels(total, { status: "failure" }).status_code).toBe("None");
  });

  it("forms exception_class as LiteLLM's _get_exception_class_name", () => {
    expect(exceptionClassOf({ provider: "azure_ai", error_class: "Timeout" })).toBe("Azure_ai.Timeout");
    expect(exceptionClassOf({ error_class: "APIConnectionError" })).toBe("APIConnectionError");
    expect(exceptionClassOf({ provider: "openai", error_class: "Openai.RateLimitError" })).toBe("Openai.RateLimitError");
    expect(exceptionClassOf({ provider: "openai" })).toBeUndefined();
  });

  it("counts LiteLLM's families on the events LiteLLM counts", () => {
    const ok: Dims = { status: "success", stream: "false" };
    expect(family("litellm_requests_metric").filter(ok)).toBe(true);
    expect(family("litellm_requests_metric").filter(failure)).toBe(false);
    expect(family("litellm_proxy_total_requests_metric").filter(failure)).toBe(true);
    expect(family("litellm_llm_api_time_to_first_token_metric").filter(ok)).toBe(false);
    expect(family("litellm_llm_api_time_to_first_token_metric").filter({ status: "success", stream: "true" })).toBe(true);
  });
});

describe("candidateFamilies: decided on names and impossible labels, before any SQL", () => {
  it("rules every family out for a scraped metric or a label no derived series has", () => {
    expect(candidateFamilies(sel("up"), labelsPredicate)).toEqual([]);
    expect(candidateFamilies(sel('{job="vllm"}'), labelsPredicate)).toEqual([]);
    expect(candidateFamilies(sel('{__name__=~"vllm:.*"}'), labelsPredicate)).toEqual([]);
    expect(candidateFamilies(sel('llm_requests_total{le="1.0"}'), labelsPredicate)).toEqual([]);
  });
  it("finds the families a name or a regex names", () => {
    expect(names(candidateFamilies(sel("llm_requests_total"), labelsPredicate))).toEqual(["llm_requests"]);
    expect(names(candidateFamilies(sel('llm_request_duration_seconds_bucket{le="+Inf"}'), labelsPredicate))).toEqual(["llm_request_duration_seconds"]);
    expect(names(candidateFamilies(sel('{__name__=~"litellm_.*_tokens_metric_total"}'), labelsPredicate))).toEqual([
      "litellm_total_tokens_metric", "litellm_input_tokens_metric", "litellm_output_tokens_metric",
    ]);
    // A label the family may have decides later, per series.
    expect(names(candidateFamilies(sel('{team_alias="None"}'), labelsPredicate)).length).toBeGreaterThan(10);
  });
});

describe("planFamily", () => {
  const dims = [
    { id: 1, dims: { model: "m1", provider: "p", status: "success", user: "a" } as Dims },
    { id: 2, dims: { model: "m1", provider: "p", status: "success", user: "b" } as Dims },
    { id: 3, dims: { model: "m2", provider: "p", status: "failure" } as Dims },
  ];
  it("groups dims sets by projected labels, and keeps the series the matchers accept", () => {
    const plan = planFamily(family("llm_tokens"), dims, labelsPredicate(sel('llm_tokens_total{type="cached"}')));
    expect(plan.groups.map((g) => g.dimsIds)).toEqual([[1, 2], [3]]);
    expect(plan.groups[0].outputs).toEqual([{ labels: { __name__: "llm_tokens_total", model: "m1", provider: "p", status: "success", type: "cached" }, part: "value", index: 2 }]);
  });
  it("selects histogram buckets by le as written", () => {
    const plan = planFamily(family("llm_request_duration_seconds"), dims, labelsPredicate(sel('llm_request_duration_seconds_bucket{le=~"1.0|\\\\+Inf",status="success"}')));
    expect(plan.groups.length).toBe(1);
    expect(plan.groups[0].outputs.map((o) => o.labels.le)).toEqual(["1.0", "+Inf"]);
  });
});

describe("DERIVED_SERIES_TTL", () => {
  it("is a Prometheus duration, 24h by default", () => {
    expect(derivedTtlMs(undefined)).toBe(86_400_000);
    expect(derivedTtlMs("")).toBe(86_400_000);
    expect(derivedTtlMs("90m")).toBe(5_400_000);
    expect(derivedTtlMs("1d12h")).toBe(129_600_000);
  });
  it("refuses anything else with a message naming the setting", () => {
    expect(() => derivedTtlMs("24 hours")).toThrow('DERIVED_SERIES_TTL="24 hours" is not a Prometheus duration (like 24h, 90m or 7d)');
    expect(() => derivedTtlMs("86400")).toThrow(/not a Prometheus duration/);
  });
});
