// remote_write 1.0 into the ingest worker: bodies from our encoder and bodies
// captured from a real Prometheus 2.42, staleness markers kept, errors precise.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync, readdirSync } from "node:fs";
import { sql } from "drizzle-orm";
import { encodeWriteRequest, REMOTE_WRITE_HEADERS } from "../../cli/agent/remote-write/encode";
import { STALE_NAN } from "../../shared/staleness";
import { eventually, startTestStack, type TestStack } from "../helpers/stack";

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.close();
});

const write = (body: Uint8Array, headers: Record<string, string> = REMOTE_WRITE_HEADERS) =>
  fetch(`${stack.url}/api/v1/write`, { method: "POST", headers: { authorization: `Bearer ${stack.key}`, ...headers }, body: body as unknown as BodyInit });

async function values(name: string) {
  const r = await stack.db.db.execute<{ ts: string; v: string | null }>(sql`
    SELECT x.ts::text AS ts, x.value::text AS v FROM samples x JOIN series s ON s.id = x.series_id
    WHERE s.tenant_id = ${stack.tenantId} AND s.metric_name = ${name} ORDER BY x.ts`);
  return r.rows;
}

describe("remote_write", () => {
  it("stores series, staleness markers and metadata; answers 204", async () => {
    const t = Date.now() - 30_000;
    const body = encodeWriteRequest({
      timeseries: [
        {
          labels: [{ name: "__name__", value: "vllm:e2e_request_latency_seconds_count" }, { name: "model_name", value: "llama3" }],
          samples: [{ timestamp: t, value: 10 }, { timestamp: t + 15_000, value: STALE_NAN }],
        },
      ],
      metadata: [{ type: "counter", metricFamilyName: "vllm:e2e_request_latency_seconds", help: "latency", unit: "seconds" }],
    });
    const res = await write(body, { ...REMOTE_WRITE_HEADERS, "idempotency-key": "rw-1" });
    expect(res.status).toBe(204);
    await eventually(async () => (await values("vllm:e2e_request_latency_seconds_count")).length === 2, 15_000, "two samples");
    expect(await values("vllm:e2e_request_latency_seconds_count")).toEqual([
      { ts: String(t), v: "10" },
      { ts: String(t + 15_000), v: null }, // the staleness marker
    ]);
    const md = await stack.db.db.execute<{ type: string; unit: string }>(sql`
      SELECT type, unit FROM metric_metadata WHERE tenant_id = ${stack.tenantId} AND metric_name = 'vllm:e2e_request_latency_seconds'`);
    expect(md.rows).toEqual([{ type: "counter", unit: "seconds" }]);
  });

  it("reads bodies captured from a real Prometheus 2.42", async () => {
    const dir = new URL("../../workers/ingest/protocols/remote-write/testdata/", import.meta.url);
    const files = readdirSync(dir).filter((f) => f.endsWith(".bin") || f.endsWith(".snappy"));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const res = await write(new Uint8Array(readFileSync(new URL(f, dir))));
      // Captured samples are older than the retention, or fine: either way never a 5xx or a decode error.
      expect([204, 400]).toContain(res.status);
      if (res.status === 400) expect(((await res.json()) as { error: string }).error).toMatch(/rejected/);
    }
  });

  it("stores the valid series and lists the invalid ones with their labels", async () => {
    const t = Date.now() - 1000;
    const body = encodeWriteRequest({
      timeseries: [
        { labels: [{ name: "__name__", value: "rw_good" }], samples: [{ timestamp: t, value: 1 }] },
        { labels: [{ name: "job", value: "x" }], samples: [{ timestamp: t, value: 1 }] },
        { labels: [{ name: "__name__", value: "rw_bad" }, { name: "bad-label", value: "x" }], samples: [{ timestamp: t, value: 1 }] },
      ],
      metadata: [],
    });
    const res = await write(body);
    expect(res.status).toBe(400);
    const a = (await res.json()) as { rejected: { path: string; reason: string }[] };
    expect(a.rejected).toEqual([
      { path: "timeseries[1]", reason: '{job="x"}: no __name__ label' },
      { path: "timeseries[2].labels.bad-label", reason: expect.stringMatching(/^rw_bad\{bad-label="x"\}: invalid label name/) },
    ]);
    await eventually(async () => (await values("rw_good")).length === 1, 15_000, "valid series stored");
  });

  it("415 for remote_write 2.0, a wrong type or a missing snappy encoding; 400 for a corrupt body", async () => {
    const ok = encodeWriteRequest({ timeseries: [], metadata: [] });
    const v2 = await write(ok, { ...REMOTE_WRITE_HEADERS, "content-type": "application/x-protobuf;proto=io.prometheus.write.v2.Request", "x-prometheus-remote-write-version": "2.0.0" });
    expect(v2.status).toBe(415);
    expect(((await v2.json()) as { error: string }).error).toMatch(/remote_write 2.0 is not supported/);
    const json = await write(ok, { ...REMOTE_WRITE_HEADERS, "content-type": "application/json" });
    expect(json.status).toBe(415);
    const plain = await write(ok, { "content-type": "application/x-protobuf" });
    expect(plain.status).toBe(415);
    expect(((await plain.json()) as { error: string }).error).toMatch(/snappy/);
    const corrupt = await write(new Uint8Array([0x0a, 0x00, 0x61]));
    expect(corrupt.status).toBe(400);
    expect(((await corrupt.json()) as { error: string }).error).toMatch(/snappy/);
    // A body that claims to inflate past the limit is refused before inflating.
    const huge = await write(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3]));
    expect(huge.status).toBe(413);
  });
});
