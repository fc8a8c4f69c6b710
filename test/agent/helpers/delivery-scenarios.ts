// The delivery contract of test/agent/delivery.test.ts (which drives the disk
// queue and forwarder in-process), checked from outside a real agent process:
// what arrives, with which headers, what a rejected batch or a refused key does.
// Run from sources by fault.test.ts and on the bundle by bundle-delivery.test.ts.
import { afterEach, expect, it } from "vitest";
import { agentHarness, counts, metricValue, sleep, type Cleanups } from "./agent-harness";
import { waitFor } from "./agent-process";

export function processDeliveryScenarios(bin: () => string | undefined = () => undefined): void {
  const cleanups: Cleanups = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it("delivers scrapes (snappy remote_write) and mapped log records (gzip JSON) with the key, an Idempotency-Key and the target labels", async () => {
    const h = await agentHarness(cleanups, bin());
    const a = h.agent();
    await a.waitForLog("agent started");
    await waitFor(() => h.seqs().length >= 3 && h.logIds().length >= 10, 10_000, "first deliveries");
    const sample = h.rx.samples("test_scrape_seq")[0];
    expect(sample.labels).toEqual({ __name__: "test_scrape_seq", job: "fixture", instance: `127.0.0.1:${h.exp.port}`, host: "test-host" });
    expect(h.rx.samples("up").every((s) => s.value === 1)).toBe(true);
    expect(h.rx.samples("test_series").length).toBeGreaterThanOrEqual(150);
    const batches = [...h.rx.batches.values()];
    const metrics = batches.find((b) => b.kind === "metrics")!;
    expect(metrics.headers).toMatchObject({ authorization: "Bearer test-key", "content-encoding": "snappy", "content-type": "application/x-protobuf", "x-prometheus-remote-write-version": "0.1.0" });
    const logs = batches.find((b) => b.kind === "logs")!;
    expect(logs.headers).toMatchObject({ authorization: "Bearer test-key", "content-encoding": "gzip" });
    expect(batches.every((b) => /\S/.test(b.key))).toBe(true);
    expect(h.rx.missingKey).toBe(0);
    expect(h.rx.logs()[0]).toMatchObject({ request_id: "req-1", model: "llama", http_status: 200, latency_ms: 12.5 });
    expect(await a.kill("SIGTERM")).toBe(0);
  }, 40_000);

  it("drops batches answered with another 4xx, counts them, and goes on delivering", async () => {
    const h = await agentHarness(cleanups, bin());
    const a = h.agent();
    await a.waitForLog("agent started");
    await waitFor(() => h.seqs().length >= 2, 10_000, "first deliveries");
    h.rx.mode = { kind: "status", status: 400 };
    const rejectedFrom = h.rx.requests;
    // Until both kinds have had one refused: logs (every 100 ms) can take the first few requests.
    const dropped = async (kind: string) => metricValue(await h.selfMetrics(a), `inferscope_agent_batches_dropped_total{kind="${kind}",reason="http_400"}`);
    await waitFor(async () => h.rx.requests >= rejectedFrom + 4 && (await dropped("metrics")) >= 1 && (await dropped("logs")) >= 1, 10_000, "rejected batches of both kinds");
    h.rx.mode = { kind: "ok" };
    const delivered = h.seqs().length;
    await waitFor(() => h.seqs().length >= delivered + 3, 10_000, "deliveries after the rejections");
    const text = await h.selfMetrics(a);
    expect(metricValue(text, 'inferscope_agent_batches_dropped_total{kind="metrics",reason="http_400"}')).toBeGreaterThanOrEqual(1);
    expect(h.rx.duplicates).toBe(0);
    expect(await a.kill("SIGTERM")).toBe(0);
  }, 40_000);

  it("keeps everything on disk while the key is refused (401), then delivers it exactly once", async () => {
    const h = await agentHarness(cleanups, bin());
    const a = h.agent();
    await a.waitForLog("agent started");
    await waitFor(() => h.logIds().length > 0, 10_000, "first deliveries");
    h.rx.mode = { kind: "status", status: 401 };
    await sleep(1500);
    const text = await h.selfMetrics(a);
    expect(metricValue(text, 'inferscope_agent_send_errors_total{kind="logs",reason="http_401"}')).toBeGreaterThanOrEqual(1);
    expect(metricValue(text, 'inferscope_agent_batches_dropped_total{kind="logs",reason="http_401"}')).toBe(0);
    expect(metricValue(text, 'inferscope_agent_queue_batches{kind="logs"}')).toBeGreaterThan(0);
    expect(a.logs.some((l) => l.level === "error" && String(l.msg).includes("refused the API key"))).toBe(true);
    h.rx.mode = { kind: "ok" };
    h.stopWriter();
    const total = h.written();
    await waitFor(() => h.logIds().length >= total, 15_000, "everything kept delivered");
    const logs = counts(h.logIds());
    expect(logs.dups).toEqual([]);
    expect(logs.set.size).toBe(total);
    expect(h.rx.duplicates).toBe(0);
    expect(await a.kill("SIGTERM")).toBe(0);
  }, 40_000);
}
