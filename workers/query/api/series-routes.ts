// The metric browser's endpoints: /api/v1/series, /labels, /label/<name>/values,
// /metadata. Answers like Prometheus, including its errors and the limit warning.
import type { Context } from "hono";
import { LABEL_NAME_RE, NAME_LABEL } from "../../../shared/labels";
import type { LabelMatcher, QueryStorage } from "../../../shared/storage/types";
import { parseSelectorMatchers } from "../engine";
import { badData, success } from "./envelope";
import { MAX_TIME_MS, MIN_TIME_MS, optionalTime, parseLimit, parseMetadataLimit, readParams, type Params } from "./params";

function matcherSets(params: Params): LabelMatcher[][] {
  return params.all("match[]").map((m) => parseSelectorMatchers(m));
}

/** Prometheus 2.42 does not refuse end < start here: /series answers an empty result. */
function timeRange(params: Params) {
  return { start: optionalTime(params, "start", MIN_TIME_MS), end: optionalTime(params, "end", MAX_TIME_MS) };
}

/**
 * /labels and /label/<name>/values with end < start: 2.42's head index only
 * checks that the range touches its data and then lists names and values
 * regardless of time, so it answers what the series around [end, start] hold;
 * the swapped range is the closest we can read.
 */
function namesRange(params: Params) {
  const r = timeRange(params);
  return r.end < r.start ? { start: r.end, end: r.start } : r;
}

/** Asks for one more than the limit, to know whether to warn that results were cut. */
function limited<T>(rows: T[], limit: number | undefined): { rows: T[]; warnings: string[] } {
  if (limit === undefined || rows.length <= limit) return { rows, warnings: [] };
  return { rows: rows.slice(0, limit), warnings: ["results truncated due to limit"] };
}

export async function seriesRoute(c: Context, storage: QueryStorage) {
  const params = await readParams(c);
  const sets = matcherSets(params);
  if (sets.length === 0) throw badData("no match[] parameter provided");
  const limit = parseLimit(params);
  const { rows, warnings } = limited(await storage.series(sets, timeRange(params), limit && limit + 1), limit);
  return success(c, rows, warnings);
}

export async function labelsRoute(c: Context, storage: QueryStorage) {
  const params = await readParams(c);
  const limit = parseLimit(params);
  const { rows, warnings } = limited(await storage.labelNames(matcherSets(params), namesRange(params), limit && limit + 1), limit);
  return success(c, rows, warnings);
}

export async function labelValuesRoute(c: Context, storage: QueryStorage, name: string) {
  // Prometheus accepts U__-escaped names (UTF-8 label names); plain names are what we store.
  if (name !== NAME_LABEL && !LABEL_NAME_RE.test(name)) throw badData(`invalid label name: ${JSON.stringify(name)}`);
  const params = await readParams(c);
  const limit = parseLimit(params);
  const { rows, warnings } = limited(await storage.labelValues(name, matcherSets(params), namesRange(params), limit && limit + 1), limit);
  return success(c, rows, warnings);
}

export async function metadataRoute(c: Context, storage: QueryStorage) {
  const params = await readParams(c);
  const limit = parseMetadataLimit(params);
  if (limit === 0) return success(c, {});
  return success(c, await storage.metadata(params.get("metric") || undefined, limit));
}
