// The one validation of request-log records, whatever protocol brought them
// (POST /v1/logs, POST /v1/logs/litellm): the canonical schema, time within
// retention and not in the future, every text field storable (textProblem),
// attributes storable and within MAX_ATTRIBUTES_BYTES, one record per
// (request_id, time) in a batch. Each record is judged on its own, in one pass,
// with nothing awaited: a bad record costs a rejection, the rest goes on.
import type { Rejection } from "../../shared/contracts/ingest-json";
import type { FieldSources } from "../../shared/logs/adapters";
import { fastParseRequestLog } from "../../shared/logs/record-fast";
import { normalizeRecord } from "../../shared/logs/normalize";
import { MAX_LOG_ID_LENGTH, RequestLogSchema, type LogRow, type RequestLogParsed } from "../../shared/logs/record";
import { textProblem } from "../../shared/labels";
import { MAX_ATTRIBUTES_BYTES, type TenantLimits } from "../../shared/limits";
import { sampleBounds } from "./series-builder";
import { attributesProblem } from "./protocols/json/attributes";
import { zodReason } from "./protocols/json/zod-reason";

export interface LogCandidate {
  /** Where the record is in the request: logs[3], [3]. */
  path: string;
  /** A canonical record (RequestLogInput) not yet validated. */
  record: unknown;
  /** The source's names of the canonical fields, for the messages. */
  sources?: FieldSources;
}

/** The first text field (tags one by one) that cannot be stored, as [canonical field, tag index, problem]. */
function textFieldProblem(r: RequestLogParsed): [string, number | null, string] | null {
  for (const key of Object.keys(r) as (keyof RequestLogParsed)[]) {
    const v = r[key];
    if (typeof v === "string") {
      const p = textProblem(v);
      if (p) return [key, null, p];
    }
  }
  if (r.tags)
    for (let i = 0; i < r.tags.length; i++) {
      const p = textProblem(r.tags[i]);
      if (p) return ["tags", i, p];
    }
  return null;
}

function sizeReason(attributes: Record<string, unknown>, bytes: number): string {
  const largest = Object.entries(attributes)
    .map(([k, v]) => [k, JSON.stringify(v)?.length ?? 0] as const)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([k, n]) => `${k} (${n})`);
  return `attributes are ${bytes} bytes as JSON, over the limit of ${MAX_ATTRIBUTES_BYTES}; the largest: ${largest.join(", ")}`;
}

/** Validates and normalises the candidates; every refusal goes to `rejected`, naming the record and the field. */
export function validateLogRecords(candidates: Iterable<LogCandidate>, limits: TenantLimits, now: number, rejected: Rejection[]): LogRow[] {
  const bounds = sampleBounds(limits, now);
  const records: LogRow[] = [];
  const seen = new Set<string>();
  for (const { path, record, sources = {} } of candidates) {
    const name = (field: string) => (sources as Record<string, string | undefined>)[field] ?? field;
    const rawId = (record as { request_id?: unknown } | null)?.request_id;
    const id = typeof rawId === "string" && rawId !== "" ? rawId.slice(0, MAX_LOG_ID_LENGTH) : undefined;
    const refuse = (where: string, reason: string) => rejected.push(id === undefined ? { path: where, reason } : { path: where, reason, id });
    // The fast check answers for the common record; zod for the rest (and every message).
    let r = fastParseRequestLog(record);
    if (r === undefined) {
      const parsed = RequestLogSchema.safeParse(record);
      if (!parsed.success) {
        refuse(path, zodReason(parsed.error, (f) => (sources as Record<string, string | undefined>)[f]));
        continue;
      }
      r = parsed.data;
    }
    const time = typeof r.time === "number" ? r.time : Date.parse(r.time);
    if (time < bounds.minTs || time > bounds.maxTs) {
      refuse(`${path}.${name("time")}`, time < bounds.minTs ? `time is older than the retention of ${limits.retentionDays} days` : `time is more than ${limits.maxFutureMs / 1000}s in the future`);
      continue;
    }
    const badText = textFieldProblem(r);
    if (badText) {
      const [field, index, problem] = badText;
      const where = index === null ? name(field) : `${name(field)}[${index}]`;
      refuse(`${path}.${where}`, `${where} ${problem}`);
      continue;
    }
    const attrs = attributesProblem(r.attributes);
    if (attrs) {
      refuse(`${path}.${attrs.path}`, attrs.reason);
      continue;
    }
    const bytes = JSON.stringify(r.attributes).length;
    if (bytes > MAX_ATTRIBUTES_BYTES) {
      refuse(`${path}.attributes`, sizeReason(r.attributes, bytes));
      continue;
    }
    const key = `${r.request_id}\u0000${time}`;
    if (seen.has(key)) continue; // the same record twice in one batch: keep one, as a replay would
    seen.add(key);
    records.push(normalizeRecord(r));
  }
  return records;
}
