// The query worker's only door into the PromQL engine (./promql): evaluation
// with a deadline, results in Prometheus's JSON shape, engine errors as API errors.
import type { LabelMatcher, QueryStorage } from "../../shared/storage/types";
import { ApiError } from "./api/envelope";
import { instantQuery, parseSeriesSelector, PromQLError, rangeQuery, toPrometheusData, type QueryResult } from "./promql";

/**
 * Samples one query may load. Prometheus allows 50 M; a Worker has 128 MB, and
 * the engine holds 16 bytes and more per sample.
 */
export const MAX_SAMPLES_PER_QUERY = 5_000_000;

export interface EngineAnswer {
  data: { resultType: string; result: unknown };
  warnings: string[];
}

/**
 * Runs the engine under a deadline. In workerd the clock stands still while
 * JS runs, so the engine's own time checks cannot see a slow storage read;
 * a timer (which does fire between I/O) answers 503 timeout instead and
 * aborts the engine at its next check.
 */
async function engineCall(timeoutMs: number, work: (signal: AbortSignal) => Promise<QueryResult>): Promise<EngineAnswer> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new ApiError("timeout", `query timed out after ${timeoutMs / 1000}s`));
    }, timeoutMs);
  });
  try {
    return { data: toPrometheusData(await Promise.race([work(controller.signal), deadline])), warnings: [] };
  } catch (err) {
    if (err instanceof PromQLError) throw new ApiError(err.errorType, err.message);
    throw err;
  } finally {
    if (timer !== undefined) clearTimeout(timer);
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
  return engineCall(timeoutMs, (signal) => instantQuery(storage, query, timeMs, { timeoutMs, signal, maxSamples: MAX_SAMPLES_PER_QUERY }));
}

export function evalRange(storage: QueryStorage, query: string, startMs: number, endMs: number, stepMs: number, timeoutMs: number): Promise<EngineAnswer> {
  return engineCall(timeoutMs, (signal) => rangeQuery(storage, query, startMs, endMs, stepMs, { timeoutMs, signal, maxSamples: MAX_SAMPLES_PER_QUERY }));
}
