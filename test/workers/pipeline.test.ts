import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { eventually, startTestStack, type TestStack } from "../helpers/stack";
import { notSelfBatch, notSelfSeries } from "../support/self-series";

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.close();
});

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${stack.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${stack.key}`, ...headers },
    body: JSON.stringify(body),
  });

describe("metrics through the queue into Postgres", () => {
  it("stores samples once, even when the batch is replayed", async () => {
    const now = Date.now() - 60_000;
    const body = {
      series: [
        { name: "vllm:num_requests_running", labels: { model_name: "llama3", instance: "gpu-1" }, samples: [[now, 3], [now + 15_000, 4]], type: "gauge", help: "running" },
        { name: "up", labels: { job: "vllm" }, samples: [[now, 1], [now + 15000, "NaN"]] },
      ],
    };
    const first = await post("/v1/metrics", body, { "idempotency-key": "replay-1" });
    expect(first.status).toBe(202);
    const answer = (await first.json()) as { accepted: { samples: number } };
    expect(answer.accepted.samples).toBe(4);
    const second = await post("/v1/metrics", body, { "idempotency-key": "replay-1" });
    expect(second.status).toBe(202);
    const third = await post("/v1/metrics", body);
    expect(third.status).toBe(202);
    const count = async () => {
      const r = await stack.db.db.execute<{ n: string }>(sql`
        SELECT count(*) AS n FROM samples x JOIN series s ON s.id = x.series_id WHERE s.tenant_id = ${stack.tenantId} AND ${notSelfSeries()}`);
      return Number(r.rows[0].n);
    };
    await eventually(async () => (await count()) === 4, 15_000, "4 samples");
    // Give redeliveries time to land, then check nothing doubled.
    await eventually(async () => {
      const r = await stack.db.db.execute<{ n: string }>(sql`SELECT count(*) AS n FROM ingested_batches WHERE tenant_id = ${stack.tenantId} AND ${notSelfBatch}`);
      return Number(r.rows[0].n) === 2;
    }, 15_000, "two claimed parts");
    expect(await count()).toBe(4);
  });
});

describe("samples written out of time order", () => {
  it("read back in time order", async () => {
    const t = Math.floor(Date.now() / 1000) * 1000 - 120_000;
    // Later samples first, in separate requests: their rows land before the earlier ones.
    for (const samples of [[[t + 60_000, 4]], [[t + 30_000, 2], [t + 45_000, 3]], [[t, 0], [t + 15_000, 1]]]) {
      const res = await post("/v1/metrics", { series: [{ name: "out_of_order", samples }] });
      expect(res.status).toBe(202);
      await eventually(async () => {
        const r = await stack.db.db.execute<{ n: string }>(sql`
          SELECT count(*) AS n FROM samples x JOIN series s ON s.id = x.series_id WHERE s.tenant_id = ${stack.tenantId} AND s.metric_name = 'out_of_order'`);
        return Number(r.rows[0].n) >= samples.length;
      }, 15_000, "written");
    }
    await eventually(async () => {
      const res = await fetch(`${stack.url}/api/v1/query?query=out_of_order[2m]&time=${(t + 60_000) / 1000}`, { headers: { authorization: `Bearer ${stack.key}` } });
      const body = (await res.json()) as { data: { result: { values: [number, string][] }[] } };
      const values = body.data.result[0]?.values ?? [];
      if (values.length < 5) return false;
      expect(values).toEqual([0, 1, 2, 3, 4].map((v, i) => [(t + i * 15_000) / 1000, String(v)]));
      return true;
    }, 15_000, "all five samples");
  });
});
