// POST /v1/logs body → queue log rows: the body's shape and duplicate keys
// here, each record through the one log validation (../../log-records).
import { LogsBodySchema, type Rejection } from "../../../../shared/contracts/ingest-json";
import type { LogRow } from "../../../../shared/contracts/queue";
import type { TenantLimits } from "../../../../shared/limits";
import { validateLogRecords, type LogCandidate } from "../../log-records";
import { IngestProblem } from "../../problem";
import { duplicateKeyRejections } from "./duplicate-keys";
import { zodReason } from "./zod-reason";

export interface ParsedLogs {
  records: LogRow[];
  rejected: Rejection[];
}

export function parseLogsJson(text: string, value: unknown, limits: TenantLimits, now: number): ParsedLogs {
  const body = LogsBodySchema.safeParse(value);
  if (!body.success) throw new IngestProblem(400, `invalid logs batch: ${zodReason(body.error)}; expected {"logs":[{"request_id":...,"time":...,...}]}`);
  const items = body.data.logs;
  if (items.length > limits.maxLogRecordsPerRequest)
    throw new IngestProblem(400, `batch has ${items.length} log records, over the limit of ${limits.maxLogRecordsPerRequest} per request; split it`);
  const rejected: Rejection[] = [];
  const skip = duplicateKeyRejections(text, "logs", "each field and attribute may appear once", rejected);
  const candidates: LogCandidate[] = [];
  for (let i = 0; i < items.length; i++) if (!skip.has(i)) candidates.push({ path: `logs[${i}]`, record: items[i] });
  return { records: validateLogRecords(candidates, limits, now, rejected), rejected };
}
