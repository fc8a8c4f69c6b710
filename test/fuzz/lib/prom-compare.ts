// Side by side with a real Prometheus 2.42: the same request to both, then
// status, errorType and (where asked) the data compared. The expected answer
// is whatever Prometheus says, so nothing here is hard-coded. Our side's data
// is compared without Inferscope's own series (test/support/self-series.ts),
// which Prometheus cannot have.
import { call, show, type Answer } from "./http";
import { withoutSelfData } from "../../support/self-series";

export interface Side {
  url: string;
  headers: Record<string, string>;
}

export interface ParityCase {
  what: string;
  /** Path and query string, e.g. /api/v1/query?query=... */
  path: string;
  /** Form body for a POST (long queries exceed URL limits). */
  form?: Record<string, string>;
  /** Also compare `data` (sorted results). */
  data?: boolean;
}

export const params = (p: Record<string, string>) => new URLSearchParams(p).toString();

function ask(side: Side, c: ParityCase, timeoutMs: number): Promise<Answer> {
  if (!c.form) return call(side.url + c.path, { headers: side.headers, timeoutMs });
  return call(side.url + c.path, { headers: { ...side.headers, "content-type": "application/x-www-form-urlencoded" }, body: params(c.form), timeoutMs });
}

// Results in a comparable order: vectors and matrices sorted by labels.
function normal(data: unknown): unknown {
  const d = data as { resultType?: string; result?: unknown };
  if (d && (d.resultType === "vector" || d.resultType === "matrix") && Array.isArray(d.result))
    return { ...d, result: [...d.result].map((r) => ({ ...r, metric: Object.fromEntries(Object.entries(r.metric).sort()) })).sort((a, b) => (JSON.stringify(a.metric) < JSON.stringify(b.metric) ? -1 : 1)) };
  if (Array.isArray(data)) return [...data].map((x) => (typeof x === "object" ? JSON.stringify(Object.fromEntries(Object.entries(x).sort())) : x)).sort();
  return data;
}

export interface ParityResult {
  ours: Answer;
  prom: Answer;
  /** Differences, empty when they agree. */
  diffs: string[];
}

export async function compareWithPrometheus(ours: Side, prom: Side, c: ParityCase, timeoutMs = 10_000): Promise<ParityResult> {
  const [a, p] = await Promise.all([ask(ours, c, timeoutMs), ask(prom, c, timeoutMs)]);
  const diffs: string[] = [];
  if (p.status === 0) diffs.push(`Prometheus gave no answer: ${show(p)}`);
  if (a.status !== p.status) diffs.push(`status ${a.status}, Prometheus ${p.status}`);
  if (a.json?.errorType !== p.json?.errorType) diffs.push(`errorType ${a.json?.errorType}, Prometheus ${p.json?.errorType}`);
  if (c.data && p.status === 200 && a.status === 200 && JSON.stringify(normal(withoutSelfData(c.path, a.json.data))) !== JSON.stringify(normal(p.json.data)))
    diffs.push(`data ${JSON.stringify(a.json.data).slice(0, 200)}, Prometheus ${JSON.stringify(p.json.data).slice(0, 200)}`);
  if (diffs.length) diffs.push(`ours: ${show(a)}`, `Prometheus: ${show(p)}`);
  return { ours: a, prom: p, diffs };
}
