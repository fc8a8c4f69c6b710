// What every adapter returns: a canonical record (RequestLogInput) or one
// problem naming the source field, as the sender spells it.
import type { RequestLogInput } from "../record";

export type CanonicalField = Exclude<keyof RequestLogInput, "attributes">;

export interface AdaptProblem {
  /** The field as the source names it, e.g. startTime, usage.prompt_tokens. */
  field: string;
  reason: string;
}

/**
 * Canonical field -> the source field it came from, so a problem found later
 * (by RequestLogSchema: a model name too long) still names what the sender sent.
 */
export type FieldSources = Partial<Record<CanonicalField, string>>;

export type AdaptResult =
  | { ok: true; record: RequestLogInput; sources: FieldSources }
  /** `id`: the record's id when it could be read, to name the record in the answer. */
  | { ok: false; problem: AdaptProblem; id?: string };

export interface AdaptOptions {
  /** The request id when the source has none (the agent: the line's place in its file). */
  fallbackId?: string;
  /** The provider when the source does not name one. */
  provider?: string;
}
