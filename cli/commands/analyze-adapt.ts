// Which adapter maps a line of a local log file onto the canonical record,
// for `analyze --file`: the shared adapters (shared/logs/adapters), the same
// ones ingest and the agent use, plus recognising a line's format.
import { adaptRecord } from "../../shared/logs/adapters";
import type { RequestLogInput } from "../../shared/logs/record";

export const FILE_FORMATS = ["auto", "canonical", "litellm", "openai", "ollama"] as const;
export type FileFormat = (typeof FILE_FORMATS)[number];
export type RecordFormat = Exclude<FileFormat, "auto">;

export interface AdaptProblem {
  problem: { field: string; reason: string };
}
export type Adapt = (value: unknown) => RequestLogInput | AdaptProblem;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The format of one parsed line, by fields only that format has (LiteLLM's payloads first); null when none fits. */
export function detectFormat(value: unknown): RecordFormat | null {
  if (!isObject(value)) return null;
  if (["standard_logging_object", "startTime", "litellm_call_id", "custom_llm_provider"].some((k) => k in value)) return "litellm";
  if ("request_id" in value && "time" in value) return "canonical";
  if ("usage" in value && ("choices" in value || "object" in value)) return "openai";
  if ("eval_count" in value || "total_duration" in value || ("created_at" in value && "done" in value)) return "ollama";
  return null;
}

export function isProblem(v: RequestLogInput | AdaptProblem): v is AdaptProblem {
  return "problem" in v && isObject((v as AdaptProblem).problem) && !("request_id" in v);
}

export function adapterFor(format: RecordFormat): Adapt {
  return (value) => {
    const a = adaptRecord(format, value);
    return a.ok ? a.record : { problem: a.problem };
  };
}
