// Error answers of the ingest worker: one JSON shape, a status and a message a
// user can act on. Thrown from anywhere in a handler, turned into a response by index.ts.
import type { Rejection } from "../../shared/contracts/ingest-json";

export class IngestProblem extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 413 | 415 | 429 | 503,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function problemBody(message: string, extra: Record<string, unknown> = {}) {
  return { status: "error", error: message, ...extra };
}

export interface AcceptedCounts {
  series?: number;
  samples?: number;
  records?: number;
}

/** 202 when all was accepted; 400 listing every rejected item otherwise (the valid rest is stored). */
export function batchAnswer(batchId: string, accepted: AcceptedCounts, rejected: Rejection[]) {
  if (rejected.length === 0) return { status: 202 as const, body: { status: "success", batchId, accepted } };
  return {
    status: 400 as const,
    body: problemBody(`${rejected.length} item(s) rejected; the valid rest of the batch was accepted`, { batchId, accepted, rejected }),
  };
}
