// "The stack is healthy after": /healthz answers fast, a small ingest is
// accepted and a small query answered. Also tracks the valid marker data sent
// alongside hostile input, to check at the end that all of it is readable.
import { sql } from "drizzle-orm";
import type { TestStack } from "../../helpers/stack";
import { call, show } from "./http";

export const HEALTH_BOUND_MS = 1_000;
/** The small ingest and query go through the database: they must work, on a busy machine too. */
const WORKS_BOUND_MS = 5_000;

const auth = (key: string) => ({ authorization: `Bearer ${key}` });

/** Problems found (empty when healthy): /healthz within `boundMs`, then a small ingest and a small query. */
export async function healthProblems(stack: TestStack, markers?: Markers, boundMs = HEALTH_BOUND_MS): Promise<string[]> {
  const problems: string[] = [];
  const h = await call(`${stack.url}/healthz`, { timeoutMs: boundMs });
  if (h.status !== 200 || h.json?.status !== "ok") return [`/healthz: ${show(h)}`];
  const name = markers ? markers.nextSeries("health") : `health_probe_${Date.now()}`;
  const ingest = await call(`${stack.url}/v1/metrics`, {
    headers: { ...auth(stack.key), "content-type": "application/json" },
    body: JSON.stringify({ series: [{ name, samples: [[Date.now() - 1000, 1]] }] }),
    timeoutMs: Math.max(boundMs, WORKS_BOUND_MS),
  });
  if (ingest.status !== 202) problems.push(`small ingest: ${show(ingest)}`);
  else markers?.expectSeries(name);
  const q = await call(`${stack.url}/api/v1/query?query=${encodeURIComponent("1+1")}`, { headers: auth(stack.key), timeoutMs: Math.max(boundMs, WORKS_BOUND_MS) });
  if (q.status !== 200 || q.json?.data?.result?.[1] !== "2") problems.push(`small query: ${show(q)}`);
  return problems;
}

/** Valid items that an answer accepted and that must therefore become readable. */
export class Markers {
  readonly series = new Set<string>();
  readonly logs = new Set<string>();
  private n = 0;
  constructor(readonly prefix: string) {}

  /** A fresh marker metric name (not yet expected: call expectSeries once accepted). */
  nextSeries(tag: string): string {
    return `${this.prefix}_${tag.replace(/\W/g, "_")}_${this.n++}`;
  }
  nextLog(tag: string): string {
    return `${this.prefix}-${tag}-${this.n++}`;
  }
  expectSeries(name: string) {
    this.series.add(name);
  }
  expectLog(requestId: string) {
    this.logs.add(requestId);
  }

  /** Marker series and logs not (yet) readable. */
  async missing(stack: TestStack): Promise<{ series: string[]; logs: string[] }> {
    const match = `{__name__=~"${this.prefix}_.+"}`;
    const r = await call(`${stack.url}/api/v1/series?match[]=${encodeURIComponent(match)}&start=${(Date.now() - 6 * 3600_000) / 1000}`, { headers: auth(stack.key), timeoutMs: 10_000 });
    const seen = new Set<string>((r.json?.data ?? []).map((s: Record<string, string>) => s.__name__));
    const series = [...this.series].filter((n) => !seen.has(n));
    let logs = [...this.logs];
    if (logs.length) {
      const rows = await stack.db.db.execute<{ request_id: string }>(sql`SELECT request_id FROM request_logs WHERE tenant_id = ${stack.tenantId} AND request_id LIKE ${this.prefix + "-%"}`);
      const stored = new Set(rows.rows.map((x) => x.request_id));
      logs = logs.filter((id) => !stored.has(id));
    }
    return { series, logs };
  }

  /** Waits until every marker is readable or `timeoutMs` passes; returns what is still missing. */
  async waitAllReadable(stack: TestStack, timeoutMs = 20_000): Promise<{ series: string[]; logs: string[] }> {
    const deadline = Date.now() + timeoutMs;
    let left = await this.missing(stack);
    while ((left.series.length || left.logs.length) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      left = await this.missing(stack);
    }
    return left;
  }
}
