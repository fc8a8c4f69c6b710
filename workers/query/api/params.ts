// Request parameters as Prometheus reads them: from the query string and, for
// POST, from an application/x-www-form-urlencoded body; times as unix seconds
// (float) or RFC 3339; durations as float seconds or Prometheus durations.
import type { Context } from "hono";
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

// "No time given" means all time, as in Prometheus; these are JS Date's bounds.
export const MIN_TIME_MS = -8.64e15;
export const MAX_TIME_MS = 8.64e15;

/** Unix ms from a Prometheus time parameter. */
export function parseTime(raw: string, name: string): number {
  const trimmed = raw.trim();
  if (/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(trimmed)) {
    const secs = Number(trimmed);
    if (Number.isFinite(secs)) return Math.round(secs * 1000);
  }
  // Prometheus accepts its min/max time spelled in RFC 3339 as sent by some clients.
  const ms = Date.parse(trimmed);
  if (/^\d{4}-\d{2}-\d{2}T/.test(trimmed) && Number.isFinite(ms)) return ms;
  throw badData(`invalid parameter ${JSON.stringify(name)}: cannot parse ${JSON.stringify(raw)} to a valid timestamp`);
}

export function optionalTime(params: Params, name: string, fallback: number): number {
  const raw = params.get(name);
  return raw === undefined || raw === "" ? fallback : parseTime(raw, name);
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, y: 31_536_000_000 };

/** Milliseconds from float seconds or a Prometheus duration such as 1m30s. */
export function parseDuration(raw: string, name: string): number {
  const trimmed = raw.trim();
  if (/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(trimmed)) {
    const secs = Number(trimmed);
    if (Number.isFinite(secs)) return Math.round(secs * 1000);
  }
  const re = /(\d+)(ms|y|w|d|h|m|s)/y;
  let total = 0;
  let pos = 0;
  while (pos < trimmed.length) {
    re.lastIndex = pos;
    const m = re.exec(trimmed);
    if (!m) break;
    total += Number(m[1]) * UNIT_MS[m[2]];
    pos = re.lastIndex;
  }
  if (pos === trimmed.length && pos > 0) return total;
  throw badData(`invalid parameter ${JSON.stringify(name)}: cannot parse ${JSON.stringify(raw)} to a valid duration`);
}

/** Optional positive integer limit; 0 or absent means none. */
export function parseLimit(params: Params): number | undefined {
  const raw = params.get("limit");
  if (raw === undefined || raw === "") return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw badData(`invalid parameter "limit": ${JSON.stringify(raw)} is not a non-negative integer`);
  return n === 0 ? undefined : n;
}
