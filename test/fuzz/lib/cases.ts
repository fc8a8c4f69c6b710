// The fuzz run's cases: each drawn from its own seeded stream (seed, id), so
// any case can be rebuilt alone. A mix of both wire formats, compression and
// header variants, and the query API.
import type { FuzzCase } from "./fuzz-case";
import { metricsBody, logsBody } from "./json-gen";
import { queryCase, type QueryWindow } from "./query-gen";
import { Rand } from "./rand";
import { compressedVariant, headerVariant, remoteWriteBody } from "./wire-gen";

export interface CaseContext {
  key: string;
  /** Marker names are `${prefix}_...` (series) and `${prefix}-...` (logs). */
  prefix: string;
  window: QueryWindow;
  now: number;
}

export function buildCase(seed: number, id: number, ctx: CaseContext): FuzzCase {
  const r = Rand.forCase(seed, id);
  const auth = { authorization: `Bearer ${ctx.key}` };
  const seriesMarker = `${ctx.prefix}_${id}`;
  const logMarker = `${ctx.prefix}-${id}`;
  const kind = r.weighted<string>([[14, "rw"], [12, "metrics"], [10, "logs"], [5, "compressed"], [4, "headers"], [55, "query"]]);
  switch (kind) {
    case "rw": {
      const b = remoteWriteBody(r, seriesMarker, ctx.now);
      return { id, kind: `rw:${b.what.split(" ")[1]}`, what: b.what, method: "POST", path: "/api/v1/write", headers: { ...auth, ...b.headers }, body: b.body, companions: b.companions };
    }
    case "metrics":
    case "logs": {
      const b = kind === "metrics" ? metricsBody(r, seriesMarker, ctx.now) : logsBody(r, logMarker, ctx.now);
      return { id, kind: `${kind}:${b.companions.length ? "item" : "bytes"}`, what: b.what, method: "POST", path: `/v1/${kind}`, headers: { ...auth, "content-type": "application/json" }, body: b.body, companions: b.companions };
    }
    case "compressed": {
      const toLogs = r.chance(0.5);
      const b = toLogs ? logsBody(r, logMarker, ctx.now) : metricsBody(r, seriesMarker, ctx.now);
      const text = typeof b.body === "string" ? b.body : new TextDecoder().decode(b.body);
      const v = compressedVariant(r, text);
      return {
        id, kind: `compressed:${v.what}`, what: `${v.what} (Content-Encoding ${JSON.stringify(v.encoding)}) of ${b.what}`, method: "POST", path: toLogs ? "/v1/logs" : "/v1/metrics",
        headers: { ...auth, "content-type": "application/json", "content-encoding": v.encoding }, body: v.body, companions: v.intact ? b.companions : [],
      };
    }
    case "headers": {
      const target = r.pick(["/v1/metrics", "/v1/logs", "/api/v1/write", "/api/v1/query"]);
      const h = headerVariant(r, ctx.key, target === "/api/v1/write" ? "application/x-protobuf" : target === "/api/v1/query" ? "application/x-www-form-urlencoded" : "application/json");
      const body = target === "/api/v1/query" ? "query=1%2B1" : target === "/v1/logs" ? JSON.stringify({ logs: [] }) : target === "/api/v1/write" ? new Uint8Array([0]) : JSON.stringify({ series: [] });
      return { id, kind: "headers", what: `${h.what} to ${target}`, method: "POST", path: target, headers: h.headers, body };
    }
    default:
      return queryCase(r, id, ctx.window, auth);
  }
}
