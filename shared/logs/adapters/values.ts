// Reading loosely typed JSON values for the adapters: dotted paths, numbers that
// may arrive as strings (LiteLLM's legacy v1 body stringifies everything), times
// in any unit. An absent value is undefined; a present but unusable one is an
// AdaptError naming the source field, so the sender learns what to fix.
import type { AdaptProblem } from "./types";

export class AdaptError extends Error {
  constructor(readonly problem: AdaptProblem) {
    super(`${problem.field}: ${problem.reason}`);
  }
}

export const fail = (field: string, reason: string): never => {
  throw new AdaptError({ field, reason });
};

export type Json = Record<string, unknown>;

export const isObject = (v: unknown): v is Json => v !== null && typeof v === "object" && !Array.isArray(v);

/** The object at `v`, or an empty one: for optional sub-objects such as metadata. */
export const objectAt = (v: unknown): Json => (isObject(v) ? v : {});

export function getPath(obj: unknown, path: string): unknown {
  let cur = obj;
  for (const part of path.split(".")) {
    if (!isObject(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

/** null and "" mean "not given" in every source we read. */
export const absent = (v: unknown): v is null | undefined | "" => v === undefined || v === null || v === "";

/** A non-empty string (numbers are written as text: ids and codes are often numeric). */
export function text(v: unknown, field: string): string | undefined {
  if (absent(v)) return undefined;
  if (typeof v === "string") return v;
  if (typeof v === "number" && Number.isFinite(v)) return String(v);
  return fail(field, `expected a string, got ${kindOf(v)}`);
}

/** The first of several candidate sources that is present. */
export function firstText(candidates: ReadonlyArray<readonly [unknown, string]>): { value: string; field: string } | undefined {
  for (const [v, field] of candidates) {
    const s = text(v, field);
    if (s !== undefined) return { value: s, field };
  }
  return undefined;
}

export function number(v: unknown, field: string, what = "a number"): number | undefined {
  if (absent(v)) return undefined;
  const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
  if (!Number.isFinite(n)) return fail(field, `expected ${what}, got ${show(v)}`);
  return n;
}

export function nonNegative(v: unknown, field: string, what = "a non-negative number"): number | undefined {
  const n = number(v, field, what);
  if (n !== undefined && n < 0) return fail(field, `expected ${what}, got ${n}`);
  return n;
}

/** A token count: a non-negative integer (a float such as 12.0 is accepted). */
export function count(v: unknown, field: string): number | undefined {
  const n = nonNegative(v, field, "a non-negative integer (a token count)");
  if (n !== undefined && !Number.isInteger(n)) return fail(field, `expected a non-negative integer (a token count), got ${n}`);
  return n;
}

export function bool(v: unknown, field: string): boolean | undefined {
  if (absent(v)) return undefined;
  if (typeof v === "boolean") return v;
  if (v === "true" || v === "True") return true;
  if (v === "false" || v === "False") return false;
  return fail(field, `expected true or false, got ${show(v)}`);
}

/** An HTTP status 100-599 from a number or numeric text; anything else is not one (LiteLLM's error_code may be "None"). */
export function httpStatus(v: unknown): number | undefined {
  const n = typeof v === "number" ? v : typeof v === "string" && /^\d{3}$/.test(v.trim()) ? Number(v) : NaN;
  return Number.isInteger(n) && n >= 100 && n <= 599 ? n : undefined;
}

export type TimeUnit = "s" | "ms" | "us" | "ns";
const PER_MS: Record<TimeUnit, number> = { s: 1e-3, ms: 1, us: 1e3, ns: 1e6 };
const UNIT_WORDS: Record<TimeUnit, string> = { s: "seconds", ms: "milliseconds", us: "microseconds", ns: "nanoseconds" };

/**
 * Unix ms (not rounded: durations are taken between two of these) from a
 * number in `unit` (or numeric text), or an RFC 3339 string.
 * A number that is plainly in another unit (a year past 5000 or before 1973)
 * gets a message saying so rather than a time nobody meant.
 */
export function unixMs(v: unknown, unit: TimeUnit, field: string): number | undefined {
  if (absent(v)) return undefined;
  const asNumber = typeof v === "number" ? v : typeof v === "string" && /^\s*-?\d+(\.\d+)?\s*$/.test(v) ? Number(v) : undefined;
  if (asNumber !== undefined) {
    if (!Number.isFinite(asNumber)) return fail(field, `expected unix ${UNIT_WORDS[unit]}, got ${show(v)}`);
    const ms = asNumber / PER_MS[unit];
    if (ms > 1e14 || ms < 1e11) {
      const guess = (Object.keys(PER_MS) as TimeUnit[]).find((u) => u !== unit && asNumber / PER_MS[u] <= 1e14 && asNumber / PER_MS[u] >= 1e11);
      return fail(field, `expected unix ${UNIT_WORDS[unit]}, got ${asNumber}${guess ? `, which looks like unix ${UNIT_WORDS[guess]}` : ", which is not a plausible time"}`);
    }
    return ms;
  }
  if (typeof v === "string") {
    const t = Date.parse(v);
    if (Number.isFinite(t)) return t;
  }
  return fail(field, `expected unix ${UNIT_WORDS[unit]} or an RFC 3339 time, got ${show(v)}`);
}

/** Milliseconds from a duration in `unit`, kept to microseconds (float noise such as 3776.9999999 is not information). */
export function durationMs(v: unknown, unit: TimeUnit, field: string): number | undefined {
  const n = nonNegative(v, field, `a non-negative duration in ${UNIT_WORDS[unit]}`);
  return n === undefined ? undefined : roundMs(n / PER_MS[unit]);
}

export const roundMs = (ms: number) => Math.round(ms * 1000) / 1000;

export function kindOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  return typeof v === "object" ? "an object" : `a ${typeof v}`;
}

function show(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return kindOf(v);
}
