// /api/v1/query and /api/v1/query_range, GET and form POST, as Prometheus answers them.
import type { Context } from "hono";
import type { QueryStorage } from "../../../shared/storage/types";
import { evalInstant, evalRange } from "../engine";
import { badData, success } from "./envelope";
import { optionalTime, parseDuration, parseTime, readParams, type Params } from "./params";

/** Prometheus's default query timeout; a smaller `timeout` parameter wins. */
const DEFAULT_TIMEOUT_MS = 120_000;

function queryText(params: Params): string {
  const q = params.get("query");
  if (q === undefined || q === "") throw badData('invalid parameter "query": query must not be empty');
  return q;
}

function timeout(params: Params): number {
  const raw = params.get("timeout");
  if (raw === undefined || raw === "") return DEFAULT_TIMEOUT_MS;
  return Math.min(DEFAULT_TIMEOUT_MS, parseDuration(raw, "timeout"));
}

export async function queryRoute(c: Context, storage: QueryStorage) {
  const params = await readParams(c);
  const query = queryText(params);
  const time = optionalTime(params, "time", Date.now());
  const result = await evalInstant(storage, query, time, timeout(params));
  return success(c, result.data, result.warnings);
}

export async function queryRangeRoute(c: Context, storage: QueryStorage) {
  const params = await readParams(c);
  const query = queryText(params);
  const rawStart = params.get("start");
  const rawEnd = params.get("end");
  const rawStep = params.get("step");
  if (rawStart === undefined) throw badData('invalid parameter "start": cannot parse "" to a valid timestamp');
  if (rawEnd === undefined) throw badData('invalid parameter "end": cannot parse "" to a valid timestamp');
  if (rawStep === undefined) throw badData('invalid parameter "step": cannot parse "" to a valid duration');
  // In Prometheus's order and words (the engine checks the same again).
  const start = parseTime(rawStart, "start");
  const end = parseTime(rawEnd, "end");
  if (end < start) throw badData('invalid parameter "end": end timestamp must not be before start time');
  const step = parseDuration(rawStep, "step");
  if (step <= 0) throw badData('invalid parameter "step": zero or negative query resolution step widths are not accepted. Try a positive integer');
  const result = await evalRange(storage, query, start, end, step, timeout(params));
  return success(c, result.data, result.warnings);
}
