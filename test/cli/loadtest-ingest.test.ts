// inferscope loadtest --target ingest against the local stack (all workers in
// workerd, real Postgres): remote_write and request logs at a modest rate,
// the accepted counts it reports equal what the stack stored, time until
// queryable is measured from markers, and a tenant over its sample rate gets
// 429s that are honoured (throttled) and counted, with the counts still exact.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadtestCommand } from "../../cli/commands/loadtest";
import { SAMPLE_METRIC } from "../../cli/loadtest/ingest-payload";
import type { LoadtestReport } from "../../cli/loadtest/report";
import { setTenantLimits } from "../../shared/admin";
import { eventually, startTestStack, type TestStack } from "../helpers/stack";
import { runCli } from "../helpers/cli";
import { captureIo } from "./fake-api";

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.close();
});

async function loadtest(key: string, args: string[]) {
  const cap = captureIo();
  const code = await loadtestCommand(["--target", "ingest", "--url", stack.url, "--key", key, "--json", ...args], cap.io);
  return { code, report: JSON.parse(cap.out()) as LoadtestReport, err: cap.err() };
}

/** Samples of the run's series the query API returns, over the last hour. */
async function storedSamples(key: string, runId: string): Promise<number> {
  const q = new URLSearchParams({ query: `sum(count_over_time(${SAMPLE_METRIC}{run="${runId}"}[1h]))` });
  const res = await fetch(`${stack.url}/api/v1/query?${q}`, { headers: { authorization: `Bearer ${key}` } });
  const body = (await res.json()) as { data: { result: Array<{ value: [number, string] }> } };
  return body.data.result.length ? Number(body.data.result[0].value[1]) : 0;
}

async function storedLogs(tenantId: number, runId: string): Promise<number> {
  const r = await stack.db.db.execute<{ n: number }>(
    sql`SELECT count(*)::int AS n FROM request_logs WHERE tenant_id = ${tenantId} AND request_id LIKE ${`loadtest-${runId}-%`} AND request_id NOT LIKE ${`loadtest-${runId}-marker-%`}`,
  );
  return r.rows[0].n;
}

describe("inferscope loadtest --target ingest", () => {
  it("sends remote_write and logs at the rate, reports what the stack stored, and time until queryable", async () => {
    const { code, report, err } = await loadtest(stack.key, [
      "--scenario", "constant", "--duration", "3s", "--vus", "50", "--rate", "200", "--samples-per-request", "20", "--series", "50",
      "--log-rate", "20", "--logs-per-request", "5", "--marker-every", "1s", "--max-error-rate", "0", "--max-queryable", "30s",
    ]);
    expect(err).toMatch(/hold\s+200 samples\/s, 20 logs\/s\n\s+20 samples per remote_write \(50 series\), 5 records per POST \/v1\/logs\n/);
    expect(code).toBe(0);
    const [rw, logs] = report.streams;
    expect(rw.name).toBe("remote_write");
    expect(logs.name).toBe("logs");
    // Open model: 3 s at 10 requests/s and 4 requests/s, none dropped on an idle stack.
    expect(rw.requests).toBeGreaterThanOrEqual(29);
    expect(rw.requests).toBeLessThanOrEqual(30);
    expect(logs.requests).toBeGreaterThanOrEqual(11);
    expect(logs.requests).toBeLessThanOrEqual(12);
    expect(rw.dropped + logs.dropped + rw.throttled + logs.throttled).toBe(0);
    // remote_write's success is 204 (the spec's), logs' 202 with the counts.
    expect(rw.byStatus).toEqual({ "204": rw.requests });
    expect(logs.byStatus).toEqual({ "202": logs.requests });
    expect(rw.accepted).toBe(rw.requests * 20);
    expect(logs.accepted).toBe(logs.requests * 5);
    expect(report.rates.accepted).toBeCloseTo((rw.accepted + logs.accepted) / (report.durationMs / 1000), 5);

    // What it says was accepted is what the stack stored, sample for sample and record for record.
    await eventually(async () => (await storedSamples(stack.key, report.runId)) === rw.accepted, 30_000, "every accepted sample queryable");
    await eventually(async () => (await storedLogs(stack.tenantId, report.runId)) === logs.accepted, 30_000, "every accepted record stored");

    // Markers at 0 s, 1 s, 2 s (and maybe 3 s) during the load and one after it, for both kinds, every one seen.
    const q = report.queryable!;
    for (const kind of ["logs", "samples"] as const) {
      const s = q.summary.find((x) => x.kind === kind)!;
      expect(s.markers).toBeGreaterThanOrEqual(4);
      expect(s.visible).toBe(s.markers);
      expect(s.maxMs!).toBeGreaterThan(0);
      expect(s.maxMs!).toBeLessThan(30_000);
      expect(s.finalMs).not.toBeNull();
    }
    expect(q.markers.filter((m) => m.final)).toHaveLength(2);
    expect(report.thresholds.map((t) => [t.name, t.ok])).toEqual([["error rate", true], ["time until queryable", true]]);
  });

  it("honours 429 Retry-After from a tenant over its sample rate: throttled, counted, and the accepted counts still exact", async () => {
    const t = await stack.tenantWithKey(`loadtest-limited-${process.pid}`, ["ingest", "query"]);
    // 100 samples/s with a burst of 200 (the burst is at least one request's limit, so that too): a 400 samples/s offer is refused after the burst.
    await setTenantLimits(stack.db.db, t.tenantId, { maxSamplesPerSecond: 100, burstSamples: 200, maxSamplesPerRequest: 200 });
    const { code, report } = await loadtest(t.key, [
      "--scenario", "constant", "--duration", "3s", "--rate", "400", "--samples-per-request", "20", "--series", "20",
      "--log-rate", "0", "--marker-every", "0", "--max-error-rate", "0",
    ]);
    const [rw] = report.streams;
    expect(report.streams).toHaveLength(1);
    expect(rw.byStatus["429"]).toBeGreaterThan(0);
    expect(rw.throttled).toBeGreaterThan(0);
    expect(rw.errorExamples["429"]).toMatch(/^HTTP 429: /);
    // Offered = sent + throttled (nothing dropped); every request due was either sent or held back.
    expect(rw.requests + rw.throttled + rw.dropped).toBeGreaterThanOrEqual(59);
    expect(rw.accepted).toBe(rw.byStatus["204"] * 20);
    // Honoured, the 429s are few (one per Retry-After wait), but any fails --max-error-rate 0.
    expect(rw.byStatus["429"]).toBeLessThan(rw.throttled);
    expect(code).toBe(99);
    await eventually(async () => (await storedSamples(t.key, report.runId)) === rw.accepted, 30_000, "every accepted sample queryable");
  });

  it("refuses a key without the ingest scope with the server's message, and a remote URL before sending", async () => {
    const q = await stack.tenantWithKey(`loadtest-query-only-${process.pid}`, ["query"]);
    const { code, report } = await loadtest(q.key, ["--duration", "1s", "--rate", "20", "--samples-per-request", "10", "--log-rate", "0", "--marker-every", "0", "--queryable-timeout", "2s"]);
    expect(code).toBe(99); // smoke's default --max-error-rate 0
    expect(Object.keys(report.total.byStatus)).toEqual(["403"]);
    expect(report.total.errorExamples["403"]).toMatch(/^HTTP 403: .*ingest/);
    expect(report.queryable!.markers[0].error).toMatch(/marker not accepted: HTTP 403/);
    await expect(loadtestCommand(["--target", "ingest", "--url", "http://192.0.2.1:8787", "--key", "k"], captureIo().io)).rejects.toThrow(/refusing to load-test 192.0.2.1/);
    await expect(loadtestCommand(["--target", "ingest", "--url", stack.url, "--key", "k", "--samples-per-request", "2000", "--series", "100"], captureIo().io)).rejects.toThrow(
      /--samples-per-request \(2000\) is above --series \(100\)/,
    );
    await expect(loadtestCommand(["--target", "ingest", "--url", stack.url, "--key", "k", "--endpoint", "http://127.0.0.1:1/v1"], captureIo().io)).rejects.toThrow(/--endpoint is for --target openai/);
    // As a user runs it: a usage error is one line on stderr and exit 2, distinct from a failed threshold's 99.
    const cli = await runCli(["loadtest", "--target", "ingest", "--scenario", "stress"], stack.url, q.key);
    expect(cli.code).toBe(2);
    expect(cli.err).toBe('inferscope loadtest: --scenario takes one of smoke, constant, gradual, spike, soak (not "stress")\n');
  });
});
