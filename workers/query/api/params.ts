// Request parameters as Prometheus reads them: from the query string and, for
// POST, from an application/x-www-form-urlencoded body; times as unix seconds
// (float) or RFC 3339; durations as float seconds or Prometheus durations.
import type { Context } from "hono";
import { goParseFloat, parseDuration as promDuration } from "../promql/literals";
import { badData } from "./envelope";

export interface Params {
  get(name: string): string | undefined;
  all(name: string): string[];
}

export async function readParams(c: Context): Promise<Params> {
  const url = new URL(c.req.url);
  const merged = new URLSearchParams(url.searchParams);
  if (c.req.method === "POST") {
    const type = (c.req.header("content-type") ?? "").split(";")[0].trim().toLowerCase();
    if (type === "application/x-www-form-urlencoded") {
      for (const [k, v] of new URLSearchParams(await c.req.text())) merged.append(k, v);
    } else if (type !== "") {
      throw badData(`unsupported Content-Type ${JSON.stringify(type)}: send parameters in the URL or as application/x-www-form-urlencoded`);
    }
  }
  return {
    get: (name) => merged.get(name) ?? undefined,
    all: (name) => merged.getAll(name),
  };
}

// "No time given" means all time, as in Prometheus; these are JS Date's bounds,
// and every time is clamped into them (the engine steps in exact integer ms).
export const MIN_TIME_MS = -8.64e15;
export const MAX_TIME_MS = 8.64e15;
// Prometheus's own spellings of its min and max time, which some clients send back.
const PROM_MIN_TIME = "-292273086-05-16T16:47:06Z";
const PROM_MAX_TIME = "292277025-08-18T07:12:54.999999999Z";

const INT64_MIN = -(1n << 63n);
const wrap64 = (x: bigint) => BigInt.asIntN(64, x);
/** Go's int64(float64) on amd64: NaN and out-of-range values become MinInt64. */
function goInt64(x: number): bigint {
  if (Number.isNaN(x) || x >= 2 ** 63 || x < -(2 ** 63)) return INT64_MIN;
  return BigInt(Math.trunc(x));
}

/**
 * Unix ms of float seconds exactly as Prometheus 2.42 computes them: time.Unix
 * (int64(secs), int64(round(frac*1000)/1000 * 1e9)), then the engine's
 * UnixNano() / 1e6, with Go's int64 wrap-around. So NaN and +-Inf land on -9223372036854 ms and
 * +-1e20 on 0, as in Prometheus (which answers 200 for them).
 */
export function goUnixMs(secs: number): number {
  const whole = Math.trunc(secs);
  const frac = Number.isFinite(secs) ? secs - whole : NaN;
  let sec = goInt64(whole);
  let nsec = goInt64((Math.round(frac * 1000) / 1000) * 1e9);
  if (nsec < 0n || nsec >= 1_000_000_000n) {
    const n = nsec / 1_000_000_000n;
    sec = wrap64(sec + n);
    nsec = wrap64(nsec - n * 1_000_000_000n);
    if (nsec < 0n) {
      nsec += 1_000_000_000n;
      sec = wrap64(sec - 1n);
    }
  }
  const ms = Number(wrap64(sec * 1_000_000_000n + nsec) / 1_000_000n);
  return Math.min(MAX_TIME_MS, Math.max(MIN_TIME_MS, ms));
}

/** Unix ms from a Prometheus time parameter (float seconds or RFC 3339), as its parseTime. */
export function parseTime(raw: string, name: string): number {
  const secs = goParseFloat(raw);
  if (secs !== null) return goUnixMs(secs);
  if (raw === PROM_MIN_TIME) return MIN_TIME_MS;
  if (raw === PROM_MAX_TIME) return MAX_TIME_MS;
  const ms = Date.parse(raw);
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/.test(raw) && Number.isFinite(ms)) return ms;
  throw badData(`invalid parameter ${JSON.stringify(name)}: Invalid time value for '${name}': cannot parse ${JSON.stringify(raw)} to a valid timestamp`);
}

export function optionalTime(params: Params, name: string, fallback: number): number {
  const raw = params.get(name);
  return raw === undefined || raw === "" ? fallback : parseTime(raw, name);
}

/**
 * Milliseconds from float seconds or a Prometheus duration such as 1m30s, as
 * Prometheus's API parseDuration: past int64 nanoseconds is an error, and NaN
 * becomes int64's minimum (a negative step or timeout, refused or timed out later).
 */
export function parseDuration(raw: string, name: string): number {
  const secs = goParseFloat(raw);
  if (secs !== null) {
    const ns = secs * 1e9;
    if (ns > 2 ** 63 || ns < -(2 ** 63))
      throw badData(`invalid parameter ${JSON.stringify(name)}: cannot parse ${JSON.stringify(raw)} to a valid duration. It overflows int64`);
    return Number.isNaN(ns) ? -9_223_372_036_854 : Math.trunc(ns / 1e6);
  }
  let ms: number | null = null;
  try {
    ms = promDuration(raw);
  } catch {
    // Out of range: Prometheus reports it as unparsable.
  }
  if (ms !== null) return ms;
  throw badData(`invalid parameter ${JSON.stringify(name)}: cannot parse ${JSON.stringify(raw)} to a valid duration`);
}

/**
 * Optional limit on /series, /labels and /label/<name>/values. Prometheus 2.42
 * has none there and ignores the parameter; we apply a positive integer and
 * ignore anything else, as 2.42 does.
 */
export function parseLimit(params: Params): number | undefined {
  const raw = params.get("limit");
  if (raw === undefined || !/^\d+$/.test(raw)) return undefined;
  const n = Number(raw);
  // Past 2^53 no result set is that long: the same as no limit (and no bigint overflow in SQL).
  return n === 0 || !Number.isSafeInteger(n) ? undefined : n;
}

/**
 * /api/v1/metadata's limit, as 2.42 reads it: a Go integer (strconv.Atoi), else
 * 400 "limit must be a number"; negative means none; 0 gives an empty answer.
 */
export function parseMetadataLimit(params: Params): number | undefined {
  const raw = params.get("limit");
  if (raw === undefined || raw === "") return undefined;
  if (!/^[+-]?\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) throw badData("limit must be a number");
  const n = Number(raw);
  return n < 0 ? undefined : n;
}
