// One fuzz case: a request, what valid marker data rides along with it, and
// the judgement of its answer (no 5xx, no hang, no SQL, a proper error body).
import { sqlLeak, type Answer } from "./http";

export interface Companion {
  kind: "series" | "log";
  /** Metric name or request id. */
  id: string;
  /** Its item path in the batch, as a 400 list would name it. */
  path: string;
}

export interface FuzzCase {
  id: number;
  /** Generator class, e.g. "rw:flip-snappy", "query:promql". */
  kind: string;
  /** A short human description for failure reports. */
  what: string;
  method: "GET" | "POST";
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  /** Valid items sent alongside: readable at the end if the answer accepted them. */
  companions?: Companion[];
}

const QUERY_ERROR_STATUS: Record<string, number> = { bad_data: 400, execution: 422, timeout: 503, canceled: 503, not_found: 404, unauthorized: 401, forbidden: 403 };

/** Problems with the answer to `c`, empty when it is acceptable. */
export function judge(c: FuzzCase, a: Answer, boundMs: number): string[] {
  const out: string[] = [];
  if (a.status === 0) return [`no answer: ${a.failure}`];
  if (a.ms > boundMs) out.push(`took ${Math.round(a.ms)} ms (bound ${boundMs} ms)`);
  const isQuery = c.path.startsWith("/api/v1/") && c.path !== "/api/v1/write";
  // A 503 `timeout` is a query that ran into its own deadline: Prometheus's
  // answer too, and retriable by definition. Every other 5xx is a defect.
  if (a.status >= 500 && !(isQuery && a.status === 503 && a.json?.errorType === "timeout")) out.push(`5xx answer`);
  if (a.status >= 400) {
    const leak = sqlLeak(a.text);
    if (leak) out.push(`error body leaks SQL: ${JSON.stringify(leak)}`);
    // URL and header size limits are answered by the runtime, before any worker.
    if (a.status !== 431 && a.status !== 414 && typeof a.json?.error !== "string") out.push(`error body without an "error" message`);
    if (isQuery && a.status !== 431 && a.status !== 414 && a.json?.errorType && QUERY_ERROR_STATUS[a.json.errorType] !== undefined && QUERY_ERROR_STATUS[a.json.errorType] !== a.status)
      out.push(`errorType ${a.json.errorType} with status ${a.status}`);
  }
  return out;
}

/** Companions the answer accepted: all on a 2xx, those not named in a partial 400's list. */
export function acceptedCompanions(c: FuzzCase, a: Answer): Companion[] {
  const list = c.companions ?? [];
  if (a.status >= 200 && a.status < 300) return list;
  if (a.status === 400 && a.json?.accepted && Array.isArray(a.json.rejected)) {
    const named = (a.json.rejected as { path: string }[]).map((r) => r.path);
    return list.filter((m) => !named.some((p) => p === m.path || p.startsWith(`${m.path}.`) || p.startsWith(`${m.path}[`)));
  }
  return [];
}
