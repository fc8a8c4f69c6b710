// A real Prometheus 2.42 as the sender: it scrapes a vLLM-like fixture exporter
// every second and remote-writes (with metadata) into the local stack. Then the
// fixture goes away, so Prometheus writes staleness markers. Every raw sample
// Prometheus holds must read back identically through our query API (labels,
// timestamps, values as strings), the markers must be stored where Prometheus
// put them, and the metadata must match Prometheus's own.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { FixtureExporter } from "../agent/helpers/exporter";
import type { PrometheusInstance } from "../../scripts/lib/prometheus";
import { startPrometheusSender } from "../helpers/prometheus-sender";
import { eventually, startTestStack, type TestStack } from "../helpers/stack";
import { notSelfSeries, withoutSelfMetadata } from "../support/self-series";

type Metric = Record<string, string>;
type Series = { metric: Metric; values?: [number, string][]; value?: [number, string] };

/** Scrape n: counters climb, gauges wander, float sums gather rounding error, odd doubles stay. */
function exposition(n: number): string {
  const sum = Array.from({ length: n }, () => 0.1).reduce((a, b) => a + b, 0);
  return `# HELP vllm:num_requests_running Number of requests currently running on GPU.
# TYPE vllm:num_requests_running gauge
vllm:num_requests_running{model_name="llama3"} ${n % 4}
# HELP vllm:gpu_cache_usage_perc GPU KV-cache usage. 1 means 100 percent usage.
# TYPE vllm:gpu_cache_usage_perc gauge
vllm:gpu_cache_usage_perc{model_name="llama3"} ${Math.sin(n) / 3 + 0.5}
# HELP vllm:prompt_tokens_total Number of prefill tokens processed.
# TYPE vllm:prompt_tokens_total counter
vllm:prompt_tokens_total{model_name="llama3"} ${512 * n}
# HELP vllm:request_success_total Count of successfully processed requests.
# TYPE vllm:request_success_total counter
vllm:request_success_total{finished_reason="stop",model_name="llama3"} ${n}
vllm:request_success_total{finished_reason="length",model_name="llama3"} ${Math.floor(n / 2)}
# HELP vllm:e2e_request_latency_seconds Histogram of end to end request latency in seconds.
# TYPE vllm:e2e_request_latency_seconds histogram
vllm:e2e_request_latency_seconds_bucket{le="0.3",model_name="llama3"} ${Math.floor(n / 3)}
vllm:e2e_request_latency_seconds_bucket{le="1.0",model_name="llama3"} ${Math.floor((2 * n) / 3)}
vllm:e2e_request_latency_seconds_bucket{le="+Inf",model_name="llama3"} ${n}
vllm:e2e_request_latency_seconds_sum{model_name="llama3"} ${sum}
vllm:e2e_request_latency_seconds_count{model_name="llama3"} ${n}
# HELP fixture_odd_values Doubles that are easy to get wrong on the way through.
# TYPE fixture_odd_values gauge
fixture_odd_values{case="tiny"} 5e-324
fixture_odd_values{case="huge"} 1.7976931348623157e+308
fixture_odd_values{case="small"} 1.5e-7
fixture_odd_values{case="big"} 1e21
fixture_odd_values{case="third"} ${1 / 3 + n}
fixture_odd_values{case="negative"} -0.000123
fixture_odd_values{case="nan"} NaN
fixture_odd_values{case="inf"} +Inf
`;
}

let stack: TestStack;
let exporter: FixtureExporter;
let prom: PrometheusInstance;
let exporterUp = false;

beforeAll(async () => {
  stack = await startTestStack();
  exporter = new FixtureExporter(exposition);
  await exporter.start();
  exporterUp = true;
  prom = await startPrometheusSender({ targets: [`127.0.0.1:${exporter.port}`], job: "fixture", remoteWriteUrl: `${stack.url}/api/v1/write`, apiKey: stack.key });
});
afterAll(async () => {
  await prom?.stop();
  if (exporterUp) await exporter.stop();
  await stack?.close();
});

async function api<T>(base: string, path: string, params: Record<string, string>, key?: string): Promise<T> {
  const res = await fetch(`${base}${path}?${new URLSearchParams(params)}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });
  const body = (await res.json()) as { status: string; data: T; error?: string };
  if (res.status !== 200 || body.status !== "success") throw new Error(`${base}${path}: ${res.status} ${body.error ?? ""}`);
  return body.data;
}
const theirs = <T>(path: string, params: Record<string, string> = {}) => api<T>(prom.url, path, params);
const ours = <T>(path: string, params: Record<string, string> = {}) => api<T>(stack.url, path, params, stack.key);

/** Series sorted by their label set, so two answers compare as wholes. */
async function query(side: typeof theirs, q: string, timeMs: number): Promise<Series[]> {
  const data = await side<{ resultType: string; result: Series[] }>("/api/v1/query", { query: q, time: (timeMs / 1000).toFixed(3) });
  return data.result.sort((a, b) => JSON.stringify(a.metric).localeCompare(JSON.stringify(b.metric)));
}

const upTimes = async (value: string, atMs: number) =>
  ((await query(theirs, 'up{job="fixture"}[10m]', atMs))[0]?.values ?? []).filter(([, v]) => v === value).map(([t]) => Math.round(t * 1000));

describe("a real Prometheus 2.42 remote-writing into the stack", () => {
  it("reads back every raw sample bit-exactly, with staleness markers and metadata", async () => {
    await eventually(async () => exporter.scrapes >= 6, 20_000, "six scrapes of the fixture");
    // Prometheus forgets a target's metadata some scrapes after it goes down: take it now.
    const theirMeta = await theirs<Record<string, unknown>>("/api/v1/metadata");
    expect(Object.keys(theirMeta).sort()).toEqual([
      "fixture_odd_values", "vllm:e2e_request_latency_seconds", "vllm:gpu_cache_usage_perc",
      "vllm:num_requests_running", "vllm:prompt_tokens_total", "vllm:request_success_total",
    ]);

    await exporter.stop();
    exporterUp = false;
    const failed = await eventually(async () => {
      const t = await upTimes("0", Date.now());
      return t.length >= 2 && t;
    }, 10_000, "two failed scrapes (up=0) in Prometheus");
    const [tStale, at] = failed;
    const succeeded = await upTimes("1", at);
    expect(succeeded.length).toBeGreaterThanOrEqual(6);

    // Everything Prometheus has up to `at`, raw, every series of the job (up and scrape_* included).
    const expected = await query(theirs, '{job="fixture"}[10m]', at);
    expect(expected.length).toBe(23); // 18 exported series + up + 4 scrape_* series
    const exported = expected.filter((s) => s.metric.__name__ !== "up" && !s.metric.__name__.startsWith("scrape_"));
    expect(exported.length).toBe(18);

    // Our side has caught up (queue, aggregator) once Postgres holds as many rows up to `at` as
    // Prometheus has samples, plus one staleness marker per exported series.
    const want = expected.reduce((n, s) => n + s.values!.length, 0) + exported.length;
    const count = async () => {
      const r = await stack.db.db.execute<{ n: string }>(sql`
        SELECT count(*)::text AS n FROM samples x JOIN series s ON s.id = x.series_id WHERE s.tenant_id = ${stack.tenantId} AND ${notSelfSeries()} AND x.ts <= ${at}`);
      return Number(r.rows[0].n);
    };
    await eventually(async () => (await count()) >= want, 15_000, `${want} rows in Postgres`).catch(() => {});
    const rows = await count();
    if (rows !== want) expect(rows, `Prometheus's remote-write counters:\n${await remoteWriteStats()}`).toBe(want);

    // Staleness markers: one per exported series, at the time of the first failed scrape (where
    // Prometheus writes them), stored as NULL values.
    const markers = await stack.db.db.execute<{ name: string; labels: Metric; ts: string }>(sql`
      SELECT s.metric_name AS name, s.labels, x.ts::text AS ts FROM samples x JOIN series s ON s.id = x.series_id
      WHERE s.tenant_id = ${stack.tenantId} AND x.value IS NULL`);
    const key = (m: Metric) => JSON.stringify(Object.entries(m).sort(([a], [b]) => a.localeCompare(b)));
    expect(markers.rows.map((r) => [key({ __name__: r.name, ...r.labels }), Number(r.ts)]).sort()).toEqual(
      exported.map((s) => [key(s.metric), tStale]).sort(),
    );

    // Every raw sample reads back through our query API exactly as Prometheus answers.
    // Soft from here on: each check reports on its own.
    expect.soft(await query(ours, '{job="fixture"}[10m]', at)).toEqual(expected);

    // And both sides treat them alike: at the marker the exported series are gone, 1 ms before they are not.
    for (const t of [tStale - 1, tStale]) {
      const want = await query(theirs, '{job="fixture"}', t);
      expect(want.length).toBe(t === tStale ? 5 : 23);
      expect.soft(await query(ours, '{job="fixture"}', t), `instant query at ${t}`).toEqual(want);
    }

    // Metadata sent by Prometheus every second reached /api/v1/metadata unchanged.
    await eventually(async () => JSON.stringify(sortKeys(withoutSelfMetadata(await ours("/api/v1/metadata")))) === JSON.stringify(sortKeys(theirMeta)), 10_000, "metadata").catch(() => {});
    expect.soft(sortKeys(withoutSelfMetadata(await ours<Record<string, unknown>>("/api/v1/metadata")))).toEqual(sortKeys(theirMeta));
  });
});

/** Prometheus's own account of what it sent, failed or dropped: says which side lost samples. */
async function remoteWriteStats(): Promise<string> {
  const text = await (await fetch(`${prom.url}/metrics`)).text();
  return text.split("\n").filter((l) => /^prometheus_remote_storage_(samples|metadata)_/.test(l)).join("\n");
}

function sortKeys(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}
