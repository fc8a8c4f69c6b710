// A LogRow for tests: the defaults a minimal record normalises to, with overrides.
import type { LogRow } from "../../shared/logs/record";
import { normalizeRecord } from "../../shared/logs/normalize";

export function logRow(requestId: string, time: number, overrides: Partial<LogRow> = {}): LogRow {
  return { ...normalizeRecord({ request_id: requestId, time, model: "", provider: "", attributes: {} }), ...overrides };
}
