// Our own wire record (POST /v1/logs), as sent: RequestLogSchema checks it. It
// is not trimmed: a sender of the canonical record controls its attributes and
// is told precisely when they are too large.
import type { RequestLogInput } from "../record";
import type { AdaptResult } from "./types";
import { isObject, kindOf } from "./values";

export function adaptCanonical(value: unknown): AdaptResult {
  if (!isObject(value)) return { ok: false, problem: { field: "(record)", reason: `expected a log record object, got ${kindOf(value)}` } };
  return { ok: true, record: value as unknown as RequestLogInput, sources: {} };
}
