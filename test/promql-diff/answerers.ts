// Where answers come from. The differential test compares two Answerers; this
// file has Prometheus's HTTP API and Inferscope's engine over an in-memory
// store. (The Postgres + HTTP variant can add its own Answerer.)
import { instantQuery, rangeQuery, toPrometheusData, PromQLError } from "../../workers/query/promql/index";
import type { QueryStorage } from "../../shared/storage/types";
import type { ApiAnswer } from "./compare";
import type { QueryCase } from "./corpus";

export type Answerer = (c: QueryCase) => Promise<ApiAnswer>;

const secs = (ms: number) => (ms / 1000).toFixed(3);

/** Asks a Prometheus-compatible HTTP API (GET /api/v1/query and /api/v1/query_range). */
export function httpAnswerer(baseUrl: string, headers: Record<string, string> = {}): Answerer {
  return async (c) => {
    const params = new URLSearchParams({ query: c.query });
    if (c.type === "instant") params.set("time", secs(c.time));
    else {
      params.set("start", secs(c.start));
      params.set("end", secs(c.end));
      params.set("step", secs(c.step));
    }
    const res = await fetch(`${baseUrl}/api/v1/${c.type === "instant" ? "query" : "query_range"}?${params}`, { headers });
    const body = (await res.json()) as ApiAnswer;
    return body;
  };
}

/** Evaluates with Inferscope's engine directly. */
export function engineAnswerer(storage: QueryStorage): Answerer {
  return async (c) => {
    try {
      const r = c.type === "instant" ? await instantQuery(storage, c.query, c.time) : await rangeQuery(storage, c.query, c.start, c.end, c.step);
      return { status: "success", data: toPrometheusData(r) };
    } catch (e) {
      if (e instanceof PromQLError) return { status: "error", errorType: e.errorType, error: e.message };
      throw e;
    }
  };
}
