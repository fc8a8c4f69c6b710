// Inferscope's own series in a test tenant. Whenever any test runs the query
// cron, the self-metrics job (workers/query/self-metrics.ts) writes
// inferscope_* series (labels: `kind`) into every tenant of the shared test
// database, at the cron's minute. A test that lists everything of its tenant
// (names, label names, metadata, rows) compares without them; what it checks
// about its own data stays exact.
import { sql } from "drizzle-orm";
import { SELF_BATCH_PREFIX } from "../../shared/storage/postgres/ingest-counters";

export const SELF_PREFIX = "inferscope_";
/** Label names only the self-metrics series carry; no test data uses them. */
export const SELF_LABELS: readonly string[] = ["kind"];

export const isSelfMetric = (name: string) => name.startsWith(SELF_PREFIX);

/** Metric names (/api/v1/label/__name__/values) without Inferscope's own. */
export const withoutSelfNames = (names: string[]) => names.filter((n) => !isSelfMetric(n));

/** Label names (/api/v1/labels) without those of Inferscope's own series. */
export const withoutSelfLabels = (labels: string[]) => labels.filter((l) => !SELF_LABELS.includes(l));

/** /api/v1/metadata without Inferscope's own metrics. */
export const withoutSelfMetadata = <T>(meta: Record<string, T>): Record<string, T> =>
  Object.fromEntries(Object.entries(meta).filter(([n]) => !isSelfMetric(n)));

/** A selector of every series but Inferscope's own, for match[] (one matcher must not match ""). */
export const NOT_SELF_MATCH = `{__name__=~".+",__name__!~"${SELF_PREFIX}.*"}`;

/** SQL: series s is not one of Inferscope's own. */
export const notSelfSeries = (alias = "s") => sql.raw(`${alias}.metric_name NOT LIKE '${SELF_PREFIX.replace(/_/g, "\\_")}%'`);
/** SQL: a claimed part (ingested_batches) is not the self-metrics job's. */
export const notSelfBatch = sql.raw(`batch_id NOT LIKE '${SELF_BATCH_PREFIX}%'`);

/** An API answer's data without Inferscope's own series, by endpoint (for comparisons with a real Prometheus, which has none). */
export function withoutSelfData(path: string, data: unknown): unknown {
  const endpoint = path.split("?")[0];
  const named = (m: unknown) => !isSelfMetric(String((m as Record<string, unknown> | null)?.__name__ ?? ""));
  if (endpoint === "/api/v1/labels" && Array.isArray(data)) return withoutSelfLabels(data);
  if (endpoint === "/api/v1/label/__name__/values" && Array.isArray(data)) return withoutSelfNames(data);
  if (endpoint === "/api/v1/metadata" && data && typeof data === "object") return withoutSelfMetadata(data as Record<string, unknown>);
  if (endpoint === "/api/v1/series" && Array.isArray(data)) return data.filter(named);
  const d = data as { resultType?: string; result?: unknown } | null;
  if ((endpoint === "/api/v1/query" || endpoint === "/api/v1/query_range") && d && Array.isArray(d.result))
    return { ...d, result: d.result.filter((r: { metric?: unknown }) => named(r.metric)) };
  return data;
}
