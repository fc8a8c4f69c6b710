// How long a derived series stays after its last event: the query worker's
// DERIVED_SERIES_TTL, a Prometheus duration (24h, 90m, 1d12h).
import { parseDuration } from "../../../workers/query/promql/literals";

export const DEFAULT_DERIVED_TTL = "24h";
export const DEFAULT_DERIVED_TTL_MS = 24 * 3_600_000;

/** Milliseconds of DERIVED_SERIES_TTL; the default when unset. A misconfiguration fails loudly, never silently defaults. */
export function derivedTtlMs(raw: string | undefined): number {
  const text = raw?.trim() || DEFAULT_DERIVED_TTL;
  let ms: number | null = null;
  try {
    ms = parseDuration(text);
  } catch {
    // out of range: reported below like any other bad value
  }
  if (ms === null) throw new Error(`DERIVED_SERIES_TTL=${JSON.stringify(raw)} is not a Prometheus duration (like 24h, 90m or 7d)`);
  return ms;
}
