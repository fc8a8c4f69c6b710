// The request-log API over raw logs: GET /api/v1/requests (search),
// /requests/tail, /requests/<id>, /requests/errors. Shapes are
// shared/contracts/log-api.ts; the envelope is the Prometheus API's.
import type { Context } from "hono";
import type { ErrorGroupsData, RequestDetailData, RequestSearchData, RequestTailData } from "../../../shared/contracts/log-api";
import type { RequestLogStore } from "../../../shared/storage/request-log-store";
import { ApiError, success } from "./envelope";
import { readParams } from "./params";
import { decodeCursor, encodeCursor } from "./requests-cursor";
import { logTimeout, withinDeadline } from "./requests-deadline";
import { LIST_FILTERS, invalid, limit, logFilter, onlyParams, timeRange } from "./requests-params";

const FILTER_PARAMS = [...LIST_FILTERS, "min_latency_ms"];

export async function searchRoute(c: Context, store: RequestLogStore) {
  onlyParams(c.req.url, [...FILTER_PARAMS, "start", "end", "limit", "cursor", "timeout"]);
  const params = await readParams(c);
  const rawCursor = params.get("cursor");
  const cursor = rawCursor === undefined ? undefined : decodeCursor(rawCursor);
  const range = timeRange(params, cursor?.startMs);
  const n = limit(params);
  // One more than asked: whether there is a next page without a second query.
  const rows = await withinDeadline(logTimeout(params), (timeoutMs) => store.search({ range, filter: logFilter(params), limit: n + 1, after: cursor, timeoutMs }));
  const page = rows.slice(0, n);
  const last = page[page.length - 1];
  const data: RequestSearchData = {
    records: page.map((r) => r.record),
    next_cursor: rows.length > n ? encodeCursor({ ...last.key, startMs: range.start }) : null,
  };
  return success(c, data);
}

/** after= is unix milliseconds, fractions (microseconds) allowed: next_after is exact to the microsecond. */
function afterUs(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d{1,15}(\.\d{1,3})?$/.test(raw)) throw invalid("after", `${JSON.stringify(raw)} is not unix milliseconds (such as 1767225600000, or next_after as given)`);
  return Math.round(Number(raw) * 1000);
}

export async function tailRoute(c: Context, store: RequestLogStore) {
  onlyParams(c.req.url, [...FILTER_PARAMS, "after", "limit", "timeout"], {
    start: 'tail follows the time records were stored, not their start time: pass after=<unix ms> (or nothing to start now); search a time range with /api/v1/requests',
    end: "tail has no end: pass after=<unix ms>; search a time range with /api/v1/requests",
    cursor: "tail continues from after=<next_after of the previous answer>, not a cursor",
  });
  const params = await readParams(c);
  const query = { filter: logFilter(params), afterUs: afterUs(params.get("after")), limit: limit(params) };
  const page = await withinDeadline(logTimeout(params), (timeoutMs) => store.tail({ ...query, timeoutMs }));
  const data: RequestTailData = { records: page.records, next_after: page.nextAfterUs / 1000 };
  return success(c, data);
}

const TRACE_LIMIT = 1000;

export async function detailRoute(c: Context, store: RequestLogStore, id: string) {
  onlyParams(c.req.url, ["timeout"]);
  const params = await readParams(c);
  const d = await withinDeadline(logTimeout(params), (timeoutMs) => store.detail(id, TRACE_LIMIT, { timeoutMs }));
  if (d.records.length === 0) throw new ApiError("not_found", `no request log with request_id ${JSON.stringify(id)} (none was stored for this tenant, or it is past retention)`);
  const data: RequestDetailData = { request_id: id, records: d.records, trace: d.trace, trace_truncated: d.traceTruncated };
  return success(c, data);
}

export async function errorsRoute(c: Context, store: RequestLogStore) {
  onlyParams(c.req.url, [...FILTER_PARAMS.filter((p) => p !== "status"), "start", "end", "limit", "timeout"], {
    status: 'error groups are made of failures only: leave "status" out',
  });
  const params = await readParams(c);
  const query = { range: timeRange(params), filter: logFilter(params), limit: limit(params) };
  const data: ErrorGroupsData = { groups: await withinDeadline(logTimeout(params), (timeoutMs) => store.errorGroups({ ...query, timeoutMs })) };
  return success(c, data);
}
