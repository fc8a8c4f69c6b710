// The request-log API's reads of raw logs: search, tail, detail, error
// groups. The only place with their SQL. Plans were checked with EXPLAIN at
// 1 M logs (scripts/bench-logs-api.ts): a search is a backward range scan of
// (tenant_id, time) that stops at LIMIT (status=failure and fingerprint use
// the failure index of migration 0007, q its trigram index, min_latency_ms >=
// 5000 its slow-request index); tail reads the BRIN index on received_at.
import { sql, type SQL } from "drizzle-orm";
import type { ErrorGroup, RequestLogView } from "../../contracts/log-api";
import type { Db } from "../../db";
import type { TimeRange } from "../types";
import type { Deadline, ErrorGroupQuery, LogFilter, RequestDetail, RequestLogStore, SearchKey, SearchQuery, SummaryQuery, SummaryGroupSums, TailPage, TailQuery } from "../request-log-store";
import { readerFor, type Reader } from "./deadline";
import { rollupSummary } from "./rollup-summary";

/** A timestamptz from unix microseconds, exact (no float seconds on the way). */
export const tsOfUs = (us: number) => sql`(timestamptz 'epoch' + ${Math.round(us)}::bigint * interval '1 microsecond')`;
const usText = (expr: string) => `(extract(epoch FROM ${expr}) * 1000000)::bigint`;
const usOf = (expr: string) => sql.raw(usText(expr));

// Whole ms within what a timestamptz holds (4713 BC .. 294276 AD): no time the API lets through overflows it.
const MAX_US = 8.64e15 * 1000;
const clampUs = (us: number) => Math.max(-MAX_US / 100, Math.min(MAX_US, us));
const rangeSql = (r: TimeRange) => sql`time >= ${tsOfUs(clampUs(r.start * 1000))} AND time <= ${tsOfUs(clampUs(r.end * 1000))}`;

const COLUMNS = sql.raw(`request_id, trace_id, ${usText("time")} AS time_us, ${usText("end_time")} AS end_us, ${usText("received_at")} AS received_us, latency_ms, ttft_ms, model, requested_model, provider, api_base, deployment_id,
  call_type, stream, status, http_status, error_type, error_class, error_message, error_fingerprint, input_tokens, output_tokens,
  total_tokens, cached_tokens, cost_usd, cost_source, cache_hit, user_id, end_user, team, team_alias, api_key_alias, api_key_hash,
  project, environment, tags, attributes`);

type Row = Record<string, unknown>;

/** RFC 3339 of unix microseconds: milliseconds always, microseconds where there are any. */
export function isoOfUs(us: number): string {
  const ms = Math.floor(us / 1000);
  const micros = us - ms * 1000;
  const iso = new Date(ms).toISOString();
  return micros === 0 ? iso : `${iso.slice(0, -1)}${String(micros).padStart(3, "0")}Z`;
}

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const str = (v: unknown) => (v === null || v === undefined ? null : String(v));

function view(r: Row): RequestLogView {
  return {
    request_id: String(r.request_id),
    trace_id: str(r.trace_id),
    time: isoOfUs(Number(r.time_us)),
    end_time: r.end_us === null ? null : isoOfUs(Number(r.end_us)),
    received_at: isoOfUs(Number(r.received_us)),
    latency_ms: num(r.latency_ms),
    ttft_ms: num(r.ttft_ms),
    model: String(r.model),
    requested_model: String(r.requested_model),
    provider: String(r.provider),
    api_base: String(r.api_base),
    deployment_id: String(r.deployment_id),
    call_type: String(r.call_type),
    stream: (r.stream as boolean | null) ?? null,
    status: r.status === "success" ? "success" : "failure",
    http_status: num(r.http_status),
    error_type: str(r.error_type),
    error_class: str(r.error_class),
    error_message: str(r.error_message),
    error_fingerprint: str(r.error_fingerprint),
    input_tokens: num(r.input_tokens),
    output_tokens: num(r.output_tokens),
    total_tokens: num(r.total_tokens),
    cached_tokens: num(r.cached_tokens),
    cost_usd: num(r.cost_usd),
    cost_source: str(r.cost_source),
    cache_hit: (r.cache_hit as boolean | null) ?? null,
    user: String(r.user_id),
    end_user: String(r.end_user),
    team: String(r.team),
    team_alias: String(r.team_alias),
    api_key_alias: String(r.api_key_alias),
    api_key_hash: String(r.api_key_hash),
    project: String(r.project),
    environment: String(r.environment),
    tags: (r.tags as string[] | null) ?? [],
    attributes: (r.attributes as Record<string, unknown> | null) ?? {},
  };
}

/** ILIKE pattern matching `text` literally anywhere (backslash is ILIKE's default escape). */
export const containsPattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

function anyOf(column: string, values: string[]): SQL {
  const col = sql.raw(column);
  return values.length === 1 ? sql`${col} = ${values[0]}` : sql`${col} = ANY(${sql.param(values)}::text[])`;
}

/**
 * The filter as SQL. status, q and fingerprint spell `status = 'failure'`
 * literally: that is the predicate of the failure indexes, which the planner
 * only uses when it can see it.
 */
export function filterSql(f: LogFilter): SQL[] {
  const out: SQL[] = [];
  const has = (v: string[] | undefined): v is string[] => v !== undefined && v.length > 0;
  if (has(f.model)) out.push(anyOf("model", f.model));
  if (has(f.provider)) out.push(anyOf("provider", f.provider));
  if (has(f.status) && f.status.length === 1) out.push(sql.raw(f.status[0] === "failure" ? "status = 'failure'" : "status = 'success'"));
  if (has(f.user)) out.push(anyOf("user_id", f.user));
  if (has(f.team)) out.push(sql`(${anyOf("team", f.team)} OR ${anyOf("team_alias", f.team)})`);
  if (has(f.project)) out.push(anyOf("project", f.project));
  if (has(f.environment)) out.push(anyOf("environment", f.environment));
  if (has(f.tag)) out.push(sql`tags && ${sql.param(f.tag)}::text[]`);
  if (has(f.q)) {
    // Only failures carry a message (shared/logs/normalize.ts).
    const likes = sql.join(f.q.map((t) => sql`error_message ILIKE ${containsPattern(t)}`), sql` OR `);
    out.push(sql`status = 'failure' AND (${likes})`);
  }
  if (has(f.fingerprint)) out.push(sql`status = 'failure' AND ${anyOf("error_fingerprint", f.fingerprint)}`);
  if (f.minLatencyMs !== undefined) out.push(sql`latency_ms >= ${f.minLatencyMs}::float8`);
  return out;
}

const where = (tenantId: number, parts: SQL[]) => sql.join([sql`tenant_id = ${tenantId}`, ...parts], sql` AND `);

/**
 * The tail's horizon H, read in its own statement BEFORE the page is read:
 * every record stored with received_at < H is visible to any later snapshot.
 * received_at is its transaction's start (default now()), so a record that is
 * not visible yet belongs to a transaction in progress now — which started at
 * or after the oldest xact_start in pg_stat_activity — or to one that starts
 * later. Transactions that have no xid after a minute only read, so they do not
 * hold the horizon back (a writer's first statement is its claim INSERT). The
 * second's margin covers a transaction whose start time is taken but not yet
 * published. Sessions this role may not see (another role's) matter only when
 * that role may insert request logs; then it falls back to a 30 s overlap.
 */
async function tailHorizonUs(db: Reader): Promise<number> {
  const res = await db.execute<{ h: string }>(sql`
    SELECT ${usOf("least(clock_timestamp() - interval '1 second', a.oldest, CASE WHEN a.hidden THEN clock_timestamp() - interval '30 seconds' END)")} AS h
    FROM (SELECT min(xact_start) FILTER (WHERE backend_xid IS NOT NULL OR xact_start > clock_timestamp() - interval '60 seconds') AS oldest,
            bool_or(query = '<insufficient privilege>' AND has_table_privilege(usesysid, 'request_logs', 'INSERT')) AS hidden
          FROM pg_stat_activity
          WHERE pid <> pg_backend_pid() AND backend_type = 'client backend' AND (datname = current_database() OR datname IS NULL)) a`);
  return Number(res.rows[0].h);
}

export function postgresRequestLogStore(db: Db, tenantId: number): RequestLogStore {
  return {
    async search(q: SearchQuery) {
      const parts = [rangeSql(q.range), ...filterSql(q.filter)];
      if (q.after) parts.push(sql`(time, request_id) < (${tsOfUs(q.after.timeUs)}, ${q.after.requestId})`);
      const res = await readerFor(db, q.timeoutMs).execute<Row>(sql`
        SELECT ${COLUMNS} FROM request_logs WHERE ${where(tenantId, parts)}
        ORDER BY time DESC, request_id DESC LIMIT ${q.limit}`);
      return res.rows.map((r) => ({ record: view(r), key: { timeUs: Number(r.time_us), requestId: String(r.request_id) } satisfies SearchKey }));
    },

    async tail(q: TailQuery): Promise<TailPage> {
      const reader = readerFor(db, q.timeoutMs);
      const horizon = await tailHorizonUs(reader);
      if (q.afterUs === undefined) return { records: [], nextAfterUs: horizon - 1 };
      if (horizon <= q.afterUs) return { records: [], nextAfterUs: q.afterUs };
      const after = q.afterUs;
      const cond = where(tenantId, [sql`received_at > ${tsOfUs(after)} AND received_at < ${tsOfUs(horizon)}`, ...filterSql(q.filter)]);
      // A page ends on a whole instant: the rows stored together share received_at, and the next page starts after
      // it. So a page can pass the limit by the rest of one aggregator transaction's rows (bounded by a queue batch).
      const res = await reader.execute<Row>(sql`
        WITH page AS (SELECT received_at FROM request_logs WHERE ${cond} ORDER BY received_at LIMIT ${q.limit})
        SELECT ${COLUMNS} FROM request_logs WHERE ${cond} AND received_at <= (SELECT max(received_at) FROM page)
        ORDER BY received_at, request_id, time`);
      const records = res.rows.map(view);
      // Full: the next page starts after the last instant returned (all of its rows are in this one). Else
      // everything below the horizon was returned; received_at is whole microseconds, so "> horizon - 1" is ">= horizon".
      const full = res.rows.length >= q.limit;
      const lastUs = full ? Number(res.rows[res.rows.length - 1].received_us) : horizon - 1;
      return { records, nextAfterUs: Math.max(after, lastUs) };
    },

    async detail(requestId: string, traceLimit: number, deadline: Deadline = {}): Promise<RequestDetail> {
      const reader = readerFor(db, deadline.timeoutMs);
      const own = await reader.execute<Row>(sql`
        SELECT ${COLUMNS} FROM request_logs WHERE tenant_id = ${tenantId} AND request_id = ${requestId} ORDER BY time`);
      const traces = [...new Set(own.rows.map((r) => r.trace_id).filter((t): t is string => typeof t === "string"))];
      if (traces.length === 0) return { records: own.rows.map(view), trace: [], traceTruncated: false };
      const trace = await reader.execute<Row>(sql`
        SELECT ${COLUMNS} FROM request_logs WHERE tenant_id = ${tenantId} AND trace_id = ANY(${sql.param(traces)}::text[])
        ORDER BY time, request_id LIMIT ${traceLimit + 1}`);
      return { records: own.rows.map(view), trace: trace.rows.slice(0, traceLimit).map(view), traceTruncated: trace.rows.length > traceLimit };
    },

    async errorGroups(q: ErrorGroupQuery): Promise<ErrorGroup[]> {
      const cond = where(tenantId, [rangeSql(q.range), sql.raw("status = 'failure'"), ...filterSql(q.filter)]);
      // Two steps: counts per (fingerprint, model, provider, status) by hashing the rows once (an index-only scan
      // of the failure index when no other filter needs the heap), then the few of those per fingerprint. The
      // example is the group's newest record, found by its exact time.
      const res = await readerFor(db, q.timeoutMs).execute<Row>(sql`
        WITH g AS (
          SELECT error_fingerprint AS fp, model, provider, http_status, count(*) AS n, min(time) AS first, max(time) AS last
          FROM request_logs WHERE ${cond} GROUP BY 1, 2, 3, 4
        ), f AS (
          SELECT fp, sum(n) AS n, min(first) AS first, max(last) AS last,
            array_agg(DISTINCT model ORDER BY model) FILTER (WHERE model <> '') AS models,
            array_agg(DISTINCT provider ORDER BY provider) FILTER (WHERE provider <> '') AS providers,
            array_agg(DISTINCT http_status ORDER BY http_status) FILTER (WHERE http_status IS NOT NULL) AS statuses
          FROM g GROUP BY fp ORDER BY n DESC, fp LIMIT ${q.limit}
        )
        SELECT f.fp, f.n, ${usOf("f.first")} AS first_us, ${usOf("f.last")} AS last_us, f.models, f.providers, f.statuses,
          e.request_id, e.error_message, e.error_type, e.error_class
        FROM f CROSS JOIN LATERAL (
          SELECT request_id, error_message, error_type, error_class FROM request_logs
          WHERE ${cond} AND time = f.last AND error_fingerprint IS NOT DISTINCT FROM f.fp ORDER BY request_id DESC LIMIT 1
        ) e
        ORDER BY f.n DESC, f.fp`);
      return res.rows.map((r) => ({
        fingerprint: String(r.fp ?? ""),
        error_type: str(r.error_type),
        error_class: str(r.error_class),
        count: Number(r.n),
        first_seen: isoOfUs(Number(r.first_us)),
        last_seen: isoOfUs(Number(r.last_us)),
        example_request_id: String(r.request_id),
        example_message: str(r.error_message),
        models: (r.models as string[] | null) ?? [],
        providers: (r.providers as string[] | null) ?? [],
        http_statuses: ((r.statuses as Array<number | string> | null) ?? []).map(Number),
      }));
    },

    summary: (q: SummaryQuery): Promise<SummaryGroupSums[]> => rollupSummary(readerFor(db, q.timeoutMs), tenantId, q),
  };
}
