// Synthetic checks (issue 10 item 2): one tiny chat completion per interval to
// an OpenAI-compatible endpoint, through the probe command's client
// (cli/probe/openai-client.ts), turned into blackbox_exporter-style series. It
// runs as a collector of a TargetLoop, so the probe series get job/instance and
// static labels, staleness and the disk queue like any scrape; `up` stays 1
// when the endpoint fails (the probe ran and reported), as with blackbox_exporter.
//
//   llm_probe_success                  1 when the completion came back whole, else 0
//   llm_probe_duration_seconds         request start to the end of the answer (or the failure)
//   llm_probe_ttft_seconds             to the first token (streaming successes only; absent otherwise)
//   llm_probe_tokens_per_second        decode rate of the answer (successes only)
//   llm_probe_http_status_code         the answer's status, 0 when none came
//   llm_probe_failures_total{reason}   failures by reason, every reason from 0
import { OpenAiClient, type CompletionResult } from "../../probe/openai-client";
import type { ProbeConfig } from "../config";
import { log } from "../log";
import { instanceOf } from "./scrape";
import type { CollectFn, TargetSpec } from "./target-loop";
import type { FamilyMeta, ParsedSample } from "./text-format";

/** Why a probe failed; each is a value of llm_probe_failures_total's reason label. */
export const PROBE_FAILURE_REASONS = ["timeout", "connection_refused", "connection", "http_429", "http_5xx", "http_4xx", "protocol"] as const;
export type ProbeFailureReason = (typeof PROBE_FAILURE_REASONS)[number];

export function failureReason(r: CompletionResult): ProbeFailureReason {
  switch (r.errorKind) {
    case "timeout":
    case "aborted": // only our own timeout aborts a probe
      return "timeout";
    case "connection":
      return r.code === "ECONNREFUSED" ? "connection_refused" : "connection";
    case "http":
      return r.status === 429 ? "http_429" : r.status >= 500 ? "http_5xx" : "http_4xx";
    default:
      return "protocol";
  }
}

const META: Record<string, FamilyMeta> = {
  llm_probe_success: { type: "gauge", help: "1 if the synthetic completion succeeded, else 0.", unit: "" },
  llm_probe_duration_seconds: { type: "gauge", help: "Duration of the synthetic completion, to the end of the answer or the failure.", unit: "seconds" },
  llm_probe_ttft_seconds: { type: "gauge", help: "Time to the first token of the synthetic completion (streaming successes).", unit: "seconds" },
  llm_probe_tokens_per_second: { type: "gauge", help: "Output tokens per second of the synthetic completion (successes).", unit: "" },
  llm_probe_http_status_code: { type: "gauge", help: "HTTP status of the synthetic completion; 0 when no answer came.", unit: "" },
  llm_probe_failures: { type: "counter", help: "Synthetic completions that failed, by reason.", unit: "" },
};

export interface ProbeState {
  /** Failures by reason since start. */
  failures: Record<ProbeFailureReason, number>;
  last?: CompletionResult;
}

/** The collector of one probe; `state` is exposed for tests and the agent's health. */
export function llmProbeCollect(p: ProbeConfig, state: ProbeState = newProbeState()): CollectFn {
  const client = new OpenAiClient({ endpoint: p.endpoint, ...(p.apiKey !== undefined ? { apiKey: p.apiKey } : {}), timeoutMs: p.timeout });
  const target = client.base;
  return async (signal) => {
    const r = await client.complete({ model: p.model, prompt: p.prompt, maxTokens: p.max_tokens, stream: p.stream, temperature: 0 }, { timeoutMs: p.timeout, signal });
    state.last = r;
    if (!r.ok) {
      const reason = failureReason(r);
      state.failures[reason]++;
      log.warn("probe failed", { probe: p.name, target, model: p.model, reason, status: r.status, error: r.error ?? "" });
    }
    // The probe's name and own labels (p.labels) are target labels, added by the loop like a scrape job's.
    const labels = (extra: Array<[string, string]> = []): Array<[string, string]> => [["target", target], ["model", p.model], ...extra];
    const samples: ParsedSample[] = [];
    const gauge = (name: string, value: number | null) => {
      if (value !== null && Number.isFinite(value)) samples.push({ name, labels: labels(), value });
    };
    gauge("llm_probe_success", r.ok ? 1 : 0);
    gauge("llm_probe_duration_seconds", r.timings.totalMs / 1000);
    gauge("llm_probe_ttft_seconds", r.ok && r.timings.ttftMs !== null ? r.timings.ttftMs / 1000 : null);
    gauge("llm_probe_tokens_per_second", r.ok ? r.outputTokensPerSecond : null);
    gauge("llm_probe_http_status_code", r.status);
    for (const reason of PROBE_FAILURE_REASONS)
      samples.push({ name: "llm_probe_failures_total", labels: labels([["reason", reason]]), value: state.failures[reason] });
    return { samples, metadata: new Map(Object.entries(META)) };
  };
}

export function newProbeState(): ProbeState {
  return { failures: Object.fromEntries(PROBE_FAILURE_REASONS.map((r) => [r, 0])) as Record<ProbeFailureReason, number> };
}

/**
 * The target-loop spec of a probe: job (llm_probe by default), instance = the
 * endpoint's host:port, global then the probe's labels, and `probe` = its name:
 * two probes of one endpoint (two models, stream and not) share job and
 * instance, and only the (unique) name keeps their `up` series apart.
 * The client's own timeout ends a probe first (reason "timeout"); the loop's is a backstop.
 */
export function probeSpec(p: ProbeConfig, globalLabels: Record<string, string>, metadataIntervalMs: number, state?: ProbeState): TargetSpec {
  return {
    job: p.job, instance: instanceOf(p.endpoint), labels: { ...globalLabels, ...p.labels, probe: p.name }, honorLabels: false,
    intervalMs: p.interval, timeoutMs: p.timeout + 1000, metadataIntervalMs, collect: llmProbeCollect(p, state),
  };
}
