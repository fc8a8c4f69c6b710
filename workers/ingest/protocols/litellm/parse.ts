// What LiteLLM's generic_api callback posts -> queue log rows. Its log_format
// decides the body: json_array (the default) a JSON array of
// StandardLoggingPayload objects, ndjson the same objects one per line (no
// trailing newline, still Content-Type application/json), single one object
// per request. Each record is adapted (shared/logs/adapters/litellm.ts) and
// validated on its own; a bad one is named by its index (and id) and field,
// the rest is kept. LiteLLM drops a batch it could not send, so nothing here
// waits on anything: one pass over the batch.
import type { Rejection } from "../../../../shared/contracts/ingest-json";
import { adaptLitellm } from "../../../../shared/logs/adapters/litellm";
import type { TenantLimits } from "../../../../shared/limits";
import { validateLogRecords, type LogCandidate } from "../../log-records";
import { IngestProblem } from "../../problem";
import { duplicateKeyRejections, findDuplicateKeys } from "../json/duplicate-keys";
import type { ParsedLogs } from "../json/logs";

const EXPECTED = "expected LiteLLM StandardLoggingPayload objects: a JSON array of them (log_format json_array), one per line (ndjson) or one object (single)";
const DUPLICATE_HINT = "each field may appear once";

interface Items {
  items: unknown[];
  /** Index -> why that NDJSON line is not JSON. */
  unparsed: Map<number, string>;
}

/** NDJSON: one value per non-empty line. Null when no line at all is JSON (then the body is simply not JSON). */
function splitNdjson(text: string, rejected: Rejection[]): Items | null {
  const items: unknown[] = [];
  const unparsed = new Map<number, string>();
  let line = 0;
  for (const raw of text.split("\n")) {
    line++;
    const s = raw.trim();
    if (s === "") continue;
    const i = items.length;
    try {
      items.push(JSON.parse(s));
      for (const p of findDuplicateKeys(s, 100, items[i])) {
        rejected.push({ path: p ? `[${i}].${p}` : `[${i}]`, reason: `duplicate key; ${DUPLICATE_HINT}` });
        unparsed.set(i, "");
      }
    } catch (err) {
      items.push(undefined);
      unparsed.set(i, `line ${line} is not valid JSON: ${(err as Error).message}`);
    }
  }
  return unparsed.size === items.length && [...unparsed.values()].every(Boolean) ? null : { items, unparsed };
}

function itemsOf(text: string, rejected: Rejection[]): Items {
  if (text.trim() === "") throw new IngestProblem(400, `request body is empty; ${EXPECTED}`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const nd = text.includes("\n") ? splitNdjson(text, rejected) : null;
    if (nd) return nd;
    throw new IngestProblem(400, `request body is not valid JSON or NDJSON: ${(err as Error).message}; ${EXPECTED}`);
  }
  const unparsed = new Map<number, string>();
  if (Array.isArray(value)) {
    for (const i of duplicateKeyRejections(text, "", DUPLICATE_HINT, rejected, value)) unparsed.set(i, "");
    return { items: value, unparsed };
  }
  if (value !== null && typeof value === "object") {
    const dups = findDuplicateKeys(text, 100, value);
    for (const p of dups) rejected.push({ path: `[0].${p}`, reason: `duplicate key; ${DUPLICATE_HINT}` });
    if (dups.length > 0) unparsed.set(0, "");
    return { items: [value], unparsed };
  }
  throw new IngestProblem(400, `request body is a JSON ${value === null ? "null" : typeof value}; ${EXPECTED}`);
}

export function parseLitellmBody(text: string, limits: TenantLimits, now: number): ParsedLogs {
  const rejected: Rejection[] = [];
  const { items, unparsed } = itemsOf(text, rejected);
  if (items.length > limits.maxLogRecordsPerRequest)
    throw new IngestProblem(400, `batch has ${items.length} log records, over the limit of ${limits.maxLogRecordsPerRequest} per request; lower batch_size`);
  const candidates: LogCandidate[] = [];
  for (let i = 0; i < items.length; i++) {
    const path = `[${i}]`;
    const bad = unparsed.get(i);
    if (bad !== undefined) {
      if (bad) rejected.push({ path, reason: bad });
      continue;
    }
    const adapted = adaptLitellm(items[i]);
    if (adapted.ok) {
      candidates.push({ path, record: adapted.record, sources: adapted.sources });
      continue;
    }
    const { field, reason } = adapted.problem;
    const at = field === "(record)" ? path : `${path}.${field}`;
    const what = field === "(record)" ? reason : `${field}: ${reason}`;
    rejected.push(adapted.id === undefined ? { path: at, reason: what } : { path: at, reason: what, id: adapted.id });
  }
  const records = validateLogRecords(candidates, limits, now, rejected);
  return { records, rejected: rejected.sort((a, b) => indexOf(a.path) - indexOf(b.path)) }; // in the order sent
}

const indexOf = (path: string) => Number(/^\[(\d+)\]/.exec(path)?.[1] ?? 0);
