// The end-to-end check of `inferscope doctor`: a marker sample (POST /v1/metrics)
// and a marker request log (POST /v1/logs) go in through the ingest worker,
// then the query API is asked until they come back out (queue → aggregator →
// Postgres → query), or the timeout passes. Both stay stored: the sample as
// inferscope_doctor_marker{marker="<id>"}, the log with model and provider
// "inferscope-doctor" and tag "inferscope-doctor".
import { call, messageOf } from "./doctor-http";
import { fail, ok, type Check } from "./doctor-report";
import type { KeyInfo } from "./doctor-server";

export const MARKER_METRIC = "inferscope_doctor_marker";

/** An ingest key and a query key of one tenant (one key may be both). */
export function roundTripKeys(keys: KeyInfo[]): { ingest: KeyInfo; query: KeyInfo } | string {
  const ingest = keys.filter((k) => k.tenant && k.scopes.includes("ingest"));
  if (!ingest.length) return "no key with the ingest scope was given";
  for (const i of ingest) {
    const q = keys.find((k) => k.tenant?.id === i.tenant!.id && k.scopes.includes("query"));
    if (q) return { ingest: i, query: q };
  }
  return `no key with the query scope of the ingest key's tenant (${ingest.map((k) => k.tenant!.name).join(", ")}) was given`;
}

async function poll<T>(timeoutMs: number, attempt: () => Promise<T | string>): Promise<{ value: T; ms: number } | { last: string }> {
  const t0 = Date.now();
  let last = "no answer yet";
  while (Date.now() - t0 < timeoutMs) {
    const r = await attempt();
    if (typeof r !== "string") return { value: r, ms: Date.now() - t0 };
    last = r;
    await new Promise((res) => setTimeout(res, 250));
  }
  return { last };
}

const NOT_WRITING = "the queue → aggregator → Postgres path is not writing: check the aggregator's queue consumer (wrangler.toml [[queues.consumers]]), its logs (wrangler tail inferscope-aggregator), its DATABASE_URL, and dead letters (see dead letters)";

export async function checkRoundTrip(url: string, keys: KeyInfo[], timeoutMs: number): Promise<Check[]> {
  const pair = roundTripKeys(keys);
  if (typeof pair === "string")
    return [fail("round trip", `not run: ${pair}`, "pass --key with a key of scopes ingest,query of one tenant (`inferscope keys create --scopes ingest,query`)")];
  const id = `doctor-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const now = Date.now();
  const sent = await Promise.all([
    call(`${url}/v1/metrics`, { method: "POST", key: pair.ingest.key, body: { series: [{ name: MARKER_METRIC, labels: { marker: id }, samples: [[now, 1]], type: "gauge", help: "Written by inferscope doctor." }] } }),
    call(`${url}/v1/logs`, { method: "POST", key: pair.ingest.key, body: { logs: [{ request_id: id, time: now, model: "inferscope-doctor", provider: "inferscope-doctor", http_status: 200, latency_ms: 1, tags: ["inferscope-doctor"] }] } }),
  ]);
  const names = ["round trip metrics", "round trip logs"] as const;
  const accepted = sent.map((a, i) => {
    if ("unreachable" in a) return fail(names[i], `POST ${i ? "/v1/logs" : "/v1/metrics"}: ${a.unreachable}`, "the ingest route of --url does not answer: check the ingest worker's routes (/v1/*, /api/v1/write)");
    if (a.status !== 202 && a.status !== 200) return fail(names[i], `ingest refused the marker: HTTP ${a.status}: ${messageOf(a)}`, a.status >= 500 ? "see the ingest worker's logs; its queue binding may be missing" : "see the message");
    return null;
  });
  return Promise.all([accepted[0] ?? metricBack(url, pair.query.key, id, timeoutMs), accepted[1] ?? logBack(url, pair.query.key, id, timeoutMs)]);
}

async function metricBack(url: string, key: string, id: string, timeoutMs: number): Promise<Check> {
  const q = encodeURIComponent(`${MARKER_METRIC}{marker="${id}"}`);
  const r = await poll(timeoutMs, async () => {
    const a = await call(`${url}/api/v1/query?query=${q}&time=${Date.now() / 1000}`, { key });
    if ("unreachable" in a) return a.unreachable;
    const d = (a.json as { data?: { result?: unknown[] } } | undefined)?.data;
    if (a.status !== 200) return `query: HTTP ${a.status}: ${messageOf(a)}`;
    return d?.result?.length ? true : "not there yet";
  });
  if ("value" in r) return ok("round trip metrics", `marker sample ${id} queryable after ${(r.ms / 1000).toFixed(1)} s (ingest → queue → Postgres → /api/v1/query)`);
  return fail("round trip metrics", `ingest accepted the marker sample ${id} but /api/v1/query did not return it within ${timeoutMs / 1000} s (last: ${r.last})`, NOT_WRITING);
}

async function logBack(url: string, key: string, id: string, timeoutMs: number): Promise<Check> {
  const r = await poll(timeoutMs, async () => {
    const a = await call(`${url}/api/v1/requests/${encodeURIComponent(id)}`, { key });
    if ("unreachable" in a) return a.unreachable;
    if (a.status === 200) return true;
    return a.status === 404 ? "not there yet" : `HTTP ${a.status}: ${messageOf(a)}`;
  });
  if ("value" in r) return ok("round trip logs", `marker request log ${id} readable after ${(r.ms / 1000).toFixed(1)} s (ingest → queue → Postgres → /api/v1/requests/${id})`);
  return fail("round trip logs", `ingest accepted the marker request log ${id} but /api/v1/requests/${id} did not return it within ${timeoutMs / 1000} s (last: ${r.last})`, NOT_WRITING);
}
