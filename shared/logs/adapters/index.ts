// The one place that maps request-log sources onto the canonical record
// (shared/logs/record.ts). Used by the ingest worker (POST /v1/logs,
// POST /v1/logs/litellm) and by the agent's log tail.
import { adaptCanonical } from "./canonical";
import { adaptLitellm } from "./litellm";
import { adaptMapped, type MappedSpec } from "./mapped";
import { adaptOllama } from "./ollama";
import { adaptOpenai } from "./openai";
import type { AdaptOptions, AdaptResult } from "./types";

export const LOG_FORMATS = ["canonical", "litellm", "openai", "ollama", "mapped"] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export type { AdaptOptions, AdaptProblem, AdaptResult, CanonicalField, FieldSources } from "./types";
export { MAPPED_FIELDS, TIME_UNITS, type FieldSource, type MappedField, type MappedSpec } from "./mapped";

/** One parsed JSON value of `format` -> a canonical record, or the problem naming the source field. */
export function adaptRecord(format: LogFormat, value: unknown, opts: AdaptOptions & { mapping?: MappedSpec } = {}): AdaptResult {
  switch (format) {
    case "canonical":
      return adaptCanonical(value);
    case "litellm":
      return adaptLitellm(value, opts);
    case "openai":
      return adaptOpenai(value, opts);
    case "ollama":
      return adaptOllama(value, opts);
    case "mapped":
      if (!opts.mapping) throw new Error("adaptRecord: the mapped format needs opts.mapping");
      return adaptMapped(value, opts.mapping, opts);
  }
}
