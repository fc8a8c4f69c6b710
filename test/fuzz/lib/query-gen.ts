// Random requests to the Prometheus HTTP API: random PromQL and random
// parameter shapes (times, steps, timeouts, limits, match[]), GET or form POST.
import type { FuzzCase } from "./fuzz-case";
import { promql } from "./promql-gen";
import type { Rand } from "./rand";

export interface QueryWindow {
  /** Unix seconds inside the loaded data. */
  start: number;
  end: number;
}

function time(r: Rand, w: QueryWindow, fallback: number): string {
  return r.weighted<() => string>([
    [8, () => String(fallback)],
    [2, () => new Date(fallback * 1000).toISOString()],
    [1, () => r.pick(["", "NaN", "Inf", "-Inf", "+Inf", "-1e20", "1e20", "1e308", "-1e308", "yesterday", "0", "1.5", "9999-12-31T23:59:59Z", "0x10", "1e", "2026-13-01T00:00:00Z"])],
    [1, () => String(w.start + r.int(-7200, 7200) + r.pick([0, 0.5, 0.001]))],
  ])();
}

function duration(r: Rand): string {
  return r.pick(["15", "15s", "1m", "60", "0.001", "1ms", "0", "-1", "1e308", "99999999999999999999y", "garbage", "1m30s", "0.5", "1y", ""]);
}

/** The server-side timeout: usually small, so a heavy query ends in 503 timeout well within the client's bound. */
function timeout(r: Rand): string | undefined {
  return r.weighted<() => string | undefined>([[8, () => "3s"], [1, () => undefined], [1, () => r.pick(["0s", "1ms", "-1s", "garbage", "1e400", "99999999999999999999y", "100ms"])]])();
}

function limit(r: Rand): string | undefined {
  return r.weighted<() => string | undefined>([[6, () => undefined], [2, () => String(r.int(0, 5))], [1, () => r.pick(["-1", "abc", "1e400", "1.5", "", "99999999999999999999"])]])();
}

export function queryCase(r: Rand, id: number, w: QueryWindow, headers: Record<string, string>): FuzzCase {
  const p: [string, string][] = [];
  const add = (k: string, v: string | undefined) => v !== undefined && p.push([k, v]);
  const endpoint = r.weighted<string>([[5, "query"], [4, "query_range"], [1, "series"], [1, "labels"], [1, "label_values"], [1, "metadata"]]);
  let path = `/api/v1/${endpoint}`;
  if (endpoint === "query") {
    add("query", promql(r));
    add("time", time(r, w, w.end));
    add("timeout", timeout(r));
  } else if (endpoint === "query_range") {
    add("query", promql(r));
    const validRange = r.chance(0.8);
    add("start", validRange ? String(w.start) : time(r, w, w.start));
    add("end", validRange ? String(w.end) : time(r, w, w.end));
    add("step", validRange && r.chance(0.7) ? r.pick(["15", "30s", "1m", "60", "10"]) : duration(r));
    add("timeout", timeout(r));
  } else {
    if (endpoint === "label_values") path = `/api/v1/label/${encodeURIComponent(r.pick(["job", "__name__", "v", "nope", "bad-name", "U__x", "é", "x".repeat(300), "", "a%00b"]))}/values`;
    if (endpoint === "metadata") {
      add("metric", r.pick([undefined, "qprobe_counter_total", "", "x\u0000y", "' OR 1=1 --"] as const));
    } else {
      const n = endpoint === "series" ? r.int(0, 3) : r.int(0, 2);
      for (let i = 0; i < n; i++) add("match[]", r.chance(0.85) ? promql(r).replace(/^\w+\(/, "").slice(0, 300) : r.pick(["", "{}", '{job=""}', "1", "up[5m]"]));
      if (r.chance(0.5)) add("start", time(r, w, w.start));
      if (r.chance(0.5)) add("end", time(r, w, w.end));
    }
    add("limit", limit(r));
  }
  const params = new URLSearchParams(p).toString();
  // label/<name>/values and metadata are GET only, as in Prometheus.
  const post = endpoint !== "label_values" && endpoint !== "metadata" && r.chance(0.3);
  return post
    ? { id, kind: `query:${endpoint}:post`, what: `POST ${path} ${decodeURIComponent(params).slice(0, 300)}`, method: "POST", path, headers: { ...headers, "content-type": "application/x-www-form-urlencoded" }, body: params }
    : { id, kind: `query:${endpoint}`, what: `GET ${path}?${decodeURIComponent(params).slice(0, 300)}`, method: "GET", path: `${path}?${params}`, headers };
}
