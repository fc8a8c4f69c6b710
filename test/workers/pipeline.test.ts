import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { eventually, startTestStack, type TestStack } from "../helpers/stack";

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
        SELECT count(*) AS n FROM samples x JOIN series s ON s.id = x.series_id WHERE s.tenant_id = ${stack.tenantId}`);
      return Number(r.rows[0].n);
    };
    await eventually(async () => (await count()) === 4, 15_000, "4 samples");
    // Give redeliveries time to land, then check nothing doubled.
    await eventually(async () => {
      const r = await stack.db.db.execute<{ n: string }>(sql`SELECT count(*) AS n FROM ingested_batches WHERE tenant_id = ${stack.tenantId}`);
      return Number(r.rows[0].n) === 2;
    }, 15_000, "two claimed parts");
    expect(await count()).toBe(4);
  });
});
