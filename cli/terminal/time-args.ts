// Durations and times given on the command line: Prometheus durations (5s,
// 500ms, 1h30m), times as "now", a duration ago (1h), RFC 3339 or unix seconds.
import { CliError } from "../errors";
import { DurationRangeError, parseDuration } from "../../workers/query/promql/literals";

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i;

function durationMs(raw: string): number | null {
  try {
    return parseDuration(raw);
  } catch (e) {
    if (e instanceof DurationRangeError) return null;
    throw e;
  }
}

/** Milliseconds of a duration flag; a bare number is seconds. */
export function parseDurationFlag(raw: string, flag: string): number {
  const ms = /^\d+(\.\d+)?$/.test(raw) ? Number(raw) * 1000 : durationMs(raw);
  if (ms === null || !Number.isFinite(ms)) throw new CliError(`--${flag} takes a duration such as 5s, 500ms or 1m30s (not ${JSON.stringify(raw)})`);
  return ms;
}

/** Unix ms of a time flag: now, 1h (that long ago), RFC 3339, or unix seconds. */
export function parseTimeFlag(raw: string, flag: string, now: number): number {
  if (raw === "now") return now;
  if (/^\d+(\.\d+)?$/.test(raw)) return Math.round(Number(raw) * 1000);
  if (RFC3339.test(raw)) {
    const ms = Date.parse(raw);
    if (Number.isFinite(ms)) return ms;
  }
  const ago = durationMs(raw.replace(/^-/, ""));
  if (ago !== null) return now - ago;
  throw new CliError(`--${flag} takes a time: now, a duration ago such as 1h or 30m, RFC 3339 such as 2026-01-01T00:00:00Z, or unix seconds (not ${JSON.stringify(raw)})`);
}

/** RFC 3339 as the API's time parameters read it. */
export const apiTime = (ms: number) => new Date(ms).toISOString();
