// The query worker's only door into the PromQL engine (./promql): evaluation
// with a deadline, results in Prometheus's JSON shape, engine errors as API errors.
import type { LabelMatcher, QueryStorage } from "../../shared/storage/types";
import { ApiError } from "./api/envelope";
import { instantQuery, parseSeriesSelector, PromQLError, rangeQuery, toPrometheusData, type QueryResult } from "./promql";

export interface EngineAnswer {
  data: { resultType: string; result: unknown };
  warnings: string[];
}

async function engineCall(work: () => Promise<QueryResult>): Promise<EngineAnswer> {
  try {
    return { data: toPrometheusData(await work()), warnings: [] };
  } catch (err) {
    if (err instanceof PromQLError) throw new ApiError(err.errorType, err.message);
    throw err;
  }
}

export function parseSelectorMatchers(text: string): LabelMatcher[] {
  try {
    return parseSeriesSelector(text);
  } catch (err) {
    if (err instanceof PromQLError) throw new ApiError("bad_data", `invalid parameter "match[]": ${err.message}`);
    throw err;
  }
}

export function evalInstant(storage: QueryStorage, query: string, timeMs: number, timeoutMs: number): Promise<EngineAnswer> {
  return engineCall(() => instantQuery(storage, query, timeMs, { timeoutMs }));
}

export function evalRange(storage: QueryStorage, query: string, startMs: number, endMs: number, stepMs: number, timeoutMs: number): Promise<EngineAnswer> {
  return engineCall(() => rangeQuery(storage, query, startMs, endMs, stepMs, { timeoutMs }));
}
