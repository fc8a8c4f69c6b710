import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { STALE_NAN, isStaleNaN } from "../../shared/staleness";
import { Backoff, parseRetryAfter } from "../../cli/agent/delivery/backoff";
import { DiskQueue, type BatchMeta } from "../../cli/agent/delivery/disk-queue";
import { Forwarder } from "../../cli/agent/delivery/forwarder";
import { encodeLogs, encodeMetrics, PAYLOAD_HEADERS } from "../../cli/agent/delivery/payloads";
import { agentMetrics } from "../../cli/agent/self-metrics";
import { waitFor } from "./helpers/agent-process";
import { FakeReceiver } from "./helpers/receiver";

const dirs: string[] = [];
const cleanups: Array<() => Promise<void>> = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), "agent-q-"));
  dirs.push(d);
  return d;
};
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const meta = (key: string, kind: BatchMeta["kind"] = "metrics"): BatchMeta => ({ key, kind, createdAt: 0, items: 1 });

describe("disk queue", () => {
  it("persists batches across reopen, oldest first, and removes leftovers of torn writes", () => {
    const dir = tmp();
    const q = new DiskQueue(dir, 1 << 20);
    q.enqueue(meta("a"), new Uint8Array([1, 2, 3]));
    q.enqueue(meta("b", "logs"), new Uint8Array([4]));
    q.enqueue(meta("c"), new Uint8Array([5]));
    writeFileSync(join(dir, ".tmp-9999999999999999.metrics.batch"), "torn");
    const q2 = new DiskQueue(dir, 1 << 20);
    expect(existsSync(join(dir, ".tmp-9999999999999999.metrics.batch"))).toBe(false);
    expect(q2.depth()).toBe(3);
    expect(q2.bytes).toBe(q.bytes);
    const first = q2.oldest("metrics")!;
    expect(q2.read(first)).toEqual({ meta: meta("a"), payload: new Uint8Array([1, 2, 3]) });
    q2.remove(first);
    expect(q2.read(q2.oldest("metrics")!).meta.key).toBe("c");
    expect(q2.readMeta(q2.oldest("logs")!)!.key).toBe("b");
    // seqs keep growing across restarts even when the queue was emptied
    const seq = q2.oldest("metrics")!.seq;
    q2.remove(q2.oldest("metrics")!);
    q2.remove(q2.oldest("logs")!);
    expect(new DiskQueue(dir, 1 << 20).enqueue(meta("d"), new Uint8Array(1)).seq).toBeGreaterThan(seq);
  });

  it("drops the oldest batches past the byte bound and counts them", () => {
    const drops: string[] = [];
    const q = new DiskQueue(tmp(), 4500, (b, reason) => drops.push(`${b.kind}:${reason}`));
    for (let i = 0; i < 6; i++) q.enqueue(meta(`k${i}`, i % 2 ? "logs" : "metrics"), new Uint8Array(1000)); // ~1070 bytes each with the header: 4 fit
    expect(q.bytes).toBeLessThanOrEqual(4500);
    expect(drops).toEqual(["metrics:queue_full", "logs:queue_full"]);
    expect([...q.list("metrics"), ...q.list("logs")].map((b) => q.read(b).meta.key).sort()).toEqual(["k2", "k3", "k4", "k5"]);
    expect(readdirSync(q.dir)).toHaveLength(4);
  });
});

describe("backoff", () => {
  it("grows exponentially with jitter up to the cap and parses Retry-After", () => {
    const b = new Backoff(100, 1000, () => 1);
    expect([b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([100, 200, 400, 800, 1000]);
    const low = new Backoff(100, 1000, () => 0);
    expect(low.next()).toBe(50);
    expect(parseRetryAfter("3")).toBe(3000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(parseRetryAfter("soon")).toBeNull();
    expect(parseRetryAfter(null)).toBeNull();
  });
});

describe("forwarder", () => {
  async function setup(opts: { backoffMaxMs?: number } = {}) {
    const rx = new FakeReceiver();
    await rx.start();
    cleanups.push(() => rx.stop());
    const q = new DiskQueue(tmp(), 1 << 24);
    const metrics = agentMetrics();
    const fw = new Forwarder(q, { endpoint: rx.url, apiKey: "test-key", timeoutMs: 500, backoffMinMs: 20, backoffMaxMs: opts.backoffMaxMs ?? 100, retryAfterMaxMs: 5000, headers: PAYLOAD_HEADERS }, metrics);
    cleanups.push(() => fw.stop(100));
    return { rx, q, metrics, fw };
  }

  it("delivers metrics (staleness NaN bit-exact) and gzip logs with auth and Idempotency-Key", async () => {
    const { rx, q, fw } = await setup();
    q.enqueue(meta("m-1"), encodeMetrics({ timeseries: [{ labels: [{ name: "__name__", value: "up" }], samples: [{ value: STALE_NAN, timestamp: 5 }] }], metadata: [] }));
    q.enqueue(meta("l-1", "logs"), encodeLogs([{ request_id: "r", time: 1, status: "success" }]));
    fw.start();
    await waitFor(() => q.depth() === 0, 5000, "queue drained");
    expect(isStaleNaN(rx.samples("up")[0].value)).toBe(true);
    expect(rx.logs()).toEqual([{ request_id: "r", time: 1, status: "success" }]);
    expect(rx.batches.get("m-1")!.headers).toMatchObject({ "content-type": "application/x-protobuf", "x-prometheus-remote-write-version": "0.1.0", authorization: "Bearer test-key" });
  });

  it("retries 5xx, 429 (honouring Retry-After), timeouts and refused connections with the same key", async () => {
    const { rx, q, metrics, fw } = await setup();
    rx.mode = { kind: "status", status: 503 };
    q.enqueue(meta("m-retry"), encodeMetrics({ timeseries: [], metadata: [] }));
    fw.start();
    await waitFor(() => metrics.sendErrors.get({ kind: "metrics", reason: "http_503" }) >= 2, 5000, "503 retries");
    rx.mode = { kind: "status", status: 429, retryAfter: "1" };
    const before = rx.requests;
    await waitFor(() => rx.requests > before, 5000, "a 429");
    const t429 = Date.now();
    rx.mode = { kind: "hang" };
    await waitFor(() => metrics.sendErrors.get({ kind: "metrics", reason: "timeout" }) >= 1, 5000, "a timeout");
    expect(Date.now() - t429).toBeGreaterThanOrEqual(900); // waited for Retry-After: 1
    await rx.stop();
    await waitFor(() => metrics.sendErrors.get({ kind: "metrics", reason: "ECONNREFUSED" }) >= 1, 5000, "connection refused");
    rx.mode = { kind: "ok" };
    await rx.start();
    await waitFor(() => q.depth() === 0, 5000, "delivered after the outage");
    expect([...rx.batches.keys()]).toEqual(["m-retry"]);
    expect(metrics.batchesDropped.get({ kind: "metrics", reason: "http_503" })).toBe(0);
  });

  it("drops batches answered with another 4xx, counts them, and moves on", async () => {
    const { rx, q, metrics, fw } = await setup();
    q.enqueue(meta("l-bad", "logs"), new Uint8Array([1, 2, 3])); // not gzip: the receiver answers 400
    q.enqueue(meta("l-good", "logs"), encodeLogs([{ request_id: "ok", time: 2 }]));
    fw.start();
    await waitFor(() => q.depth() === 0, 5000, "both handled");
    expect(metrics.batchesDropped.get({ kind: "logs", reason: "http_400" })).toBe(1);
    expect([...rx.batches.keys()]).toEqual(["l-good"]);
  });

  it("keeps batches refused with 401/403 on disk, retries them at the maximum backoff and logs that the key is refused", async () => {
    const errors: Array<Record<string, unknown>> = [];
    // Capture the agent's JSON log lines (and keep them off the test output).
    const spy = vi.spyOn(process.stderr, "write").mockImplementation(((chunk: unknown) => {
      try {
        const rec = JSON.parse(String(chunk)) as Record<string, unknown>;
        if (rec.level === "error") errors.push(rec);
      } catch {
        // not a log line
      }
      return true;
    }) as typeof process.stderr.write);
    cleanups.push(async () => spy.mockRestore());
    const { rx, q, metrics, fw } = await setup({ backoffMaxMs: 300 });
    rx.mode = { kind: "status", status: 401 };
    q.enqueue(meta("m-key"), encodeMetrics({ timeseries: [{ labels: [{ name: "__name__", value: "up" }], samples: [{ value: 1, timestamp: 7 }] }], metadata: [] }));
    q.enqueue(meta("l-key", "logs"), encodeLogs([{ request_id: "k", time: 3 }]));
    const t0 = Date.now();
    fw.start();
    await waitFor(() => metrics.sendErrors.get({ kind: "metrics", reason: "http_401" }) >= 3, 5000, "three 401s");
    // Three tries are two full maximum waits apart, not the 20 ms minimum backoff.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(590); // timers may fire a millisecond early
    rx.mode = { kind: "status", status: 403 };
    await waitFor(() => metrics.sendErrors.get({ kind: "logs", reason: "http_403" }) >= 1, 5000, "a 403");
    expect(q.depth()).toBe(2);
    expect(metrics.batchesDropped.get({ kind: "metrics", reason: "http_401" })).toBe(0);
    expect(metrics.batchesDropped.get({ kind: "logs", reason: "http_403" })).toBe(0);
    const refusals = errors.filter((e) => String(e.msg).includes("refused the API key"));
    expect(refusals.length).toBeGreaterThanOrEqual(4);
    expect(refusals[0]).toMatchObject({ status: 401, retry_in_ms: 300, body: "forced 401" });
    expect(refusals.some((e) => e.status === 403 && e.kind === "logs")).toBe(true);
    // The key is fixed (here: the endpoint accepts it again): everything kept is delivered.
    rx.mode = { kind: "ok" };
    await waitFor(() => q.depth() === 0, 5000, "delivered once the key is accepted");
    expect(rx.samples("up").map((s) => [s.value, s.timestamp])).toEqual([[1, 7]]);
    expect(rx.logs()).toEqual([{ request_id: "k", time: 3 }]);
    expect(rx.duplicates).toBe(0);
  });
});
