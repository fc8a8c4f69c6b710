// POST /v1/logs body → queue log rows. Each record is validated on its own.
import { LogsBodySchema, type Rejection } from "../../../../shared/contracts/ingest-json";
import { RequestLogSchema } from "../../../../shared/logs/record";
import { normalizeRecord } from "../../../../shared/logs/normalize";
import type { LogRow } from "../../../../shared/contracts/queue";
import { textProblem } from "../../../../shared/labels";
import { MAX_ATTRIBUTES_BYTES, type TenantLimits } from "../../../../shared/limits";
import { IngestProblem } from "../../problem";
import { sampleBounds } from "../../series-builder";
import { attributesProblem } from "./attributes";
import { duplicateKeyRejections } from "./duplicate-keys";
import { zodReason } from "./zod-reason";

const TEXT_FIELDS = ["request_id", "model", "provider", "error_type", "error_message"] as const;

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

  const bounds = sampleBounds(limits, now);
  const records: LogRow[] = [];
  const rejected: Rejection[] = [];
  const skip = duplicateKeyRejections(text, "logs", "each field and attribute may appear once", rejected);
  const seen = new Map<string, number>();
  for (let i = 0; i < items.length; i++) {
    const path = `logs[${i}]`;
    if (skip.has(i)) continue;
    const parsed = RequestLogSchema.safeParse(items[i]);
    if (!parsed.success) {
      rejected.push({ path, reason: zodReason(parsed.error) });
      continue;
    }
    const r = parsed.data;
    const time = typeof r.time === "number" ? r.time : Date.parse(r.time);
    if (time < bounds.minTs || time > bounds.maxTs) {
      rejected.push({ path: `${path}.time`, reason: time < bounds.minTs ? `time is older than the retention of ${limits.retentionDays} days` : `time is more than ${limits.maxFutureMs / 1000}s in the future` });
      continue;
    }
    const badText = TEXT_FIELDS.find((f) => r[f] !== undefined && textProblem(r[f]));
    if (badText) {
      rejected.push({ path: `${path}.${badText}`, reason: `${badText} ${textProblem(r[badText]!)}` });
      continue;
    }
    const attrs = attributesProblem(r.attributes);
    if (attrs) {
      rejected.push({ path: `${path}.${attrs.path}`, reason: attrs.reason });
      continue;
    }
    if (JSON.stringify(r.attributes).length > MAX_ATTRIBUTES_BYTES) {
      rejected.push({ path: `${path}.attributes`, reason: `attributes are larger than ${MAX_ATTRIBUTES_BYTES} bytes as JSON` });
      continue;
    }
    const key = `${r.request_id}\u0000${time}`;
    if (seen.has(key)) continue; // the same record twice in one batch: keep one, as a replay would
    seen.set(key, i);
    records.push(normalizeRecord(r));
  }
  return { records, rejected };
}
