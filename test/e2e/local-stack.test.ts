// End to end, as a user: start the local stack with `npm start`'s script,
// send metrics and logs over HTTP, wait for the queue, read them back
// through the Prometheus API, stop it with Ctrl-C.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eventually } from "../helpers/stack";
import { spawnLocalStack, type StackProcess } from "../helpers/local-stack-process";

const API_KEY = "isk_e2e_test_key_0123456789";

async function api<T>(s: StackProcess, path: string): Promise<T> {
  const res = await fetch(`${s.url}${path}`, { headers: { authorization: `Bearer ${API_KEY}` } });
  return (await res.json()) as T;
}

function send(s: StackProcess, path: string, body: unknown) {
  return fetch(`${s.url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

describe("npm start against the Postgres at DATABASE_URL", () => {
  let stack: StackProcess;
  beforeAll(async () => {
    stack = await spawnLocalStack({ DATABASE_URL: inject("databaseUrl"), INFERSCOPE_API_KEY: API_KEY, INFERSCOPE_DATA_DIR: mkdtempSync(join(tmpdir(), "inferscope-e2e-")) });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("serves health, takes metrics and logs, and answers queries about them", async () => {
    expect(stack.key).toBe(API_KEY);
    const health = await fetch(`${stack.url}/healthz`);
    expect(await health.json()).toEqual({ status: "ok", workers: { ingest: "ok", aggregator: "ok", query: "ok" } });

    const t = Math.floor(Date.now() / 1000) * 1000 - 30_000;
    const res = await send(stack, "/v1/metrics", {
      series: [{ name: "e2e_requests_running", labels: { model_name: "llama3", host: "gpu-1" }, samples: [[t, 3], [t + 15_000, 5]], type: "gauge", help: "requests running" }],
    });
    expect(res.status).toBe(202);
    const logs = await send(stack, "/v1/logs", { logs: [{ request_id: "e2e-1", time: t, model: "llama3", latency_ms: 120, http_status: 200 }] });
    expect(logs.status).toBe(202);

    type Vector = { status: string; data: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] } };
    const q = await eventually(async () => {
      const r = await api<Vector>(stack, `/api/v1/query?query=e2e_requests_running&time=${(t + 15_000) / 1000}`);
      return r.data?.result?.length === 1 ? r : undefined;
    }, 20_000, "the sample to come back");
    expect(q.data.resultType).toBe("vector");
    expect(q.data.result[0]).toEqual({ metric: { __name__: "e2e_requests_running", model_name: "llama3", host: "gpu-1" }, value: [(t + 15_000) / 1000, "5"] });

    const series = await api<{ data: Record<string, string>[] }>(stack, `/api/v1/series?match[]=e2e_requests_running`);
    expect(series.data).toEqual([{ __name__: "e2e_requests_running", host: "gpu-1", model_name: "llama3" }]);
    const meta = await api<{ data: Record<string, unknown> }>(stack, `/api/v1/metadata?metric=e2e_requests_running`);
    expect(meta.data).toEqual({ e2e_requests_running: [{ type: "gauge", help: "requests running", unit: "" }] });
    const one = await api<{ data: { resultType: string; result: [number, string] } }>(stack, `/api/v1/query?query=1%2B1&time=${t / 1000}`);
    expect(one.data).toEqual({ resultType: "scalar", result: [t / 1000, "2"] });
  });

  it("stops cleanly on Ctrl-C", async () => {
    expect(await stack.stop()).toBe(0);
  });
});

describe("npm start on its embedded default (PGlite)", () => {
  it("keeps the data across a restart", { timeout: 120_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "inferscope-pglite-"));
    const env = { DATABASE_URL: "", INFERSCOPE_API_KEY: API_KEY, INFERSCOPE_DATA_DIR: dataDir };
    const t = Math.floor(Date.now() / 1000) * 1000 - 10_000;
    const first = await spawnLocalStack(env);
    try {
      expect(first.output()).toMatch(/embedded database \(PGlite\)/);
      expect((await send(first, "/v1/metrics", { series: [{ name: "pglite_metric", samples: [[t, 7]] }] })).status).toBe(202);
      await eventually(async () => (await api<{ data: string[] }>(first, "/api/v1/label/__name__/values")).data.includes("pglite_metric"), 20_000, "stored in PGlite");
    } finally {
      expect(await first.stop()).toBe(0);
    }
    const second = await spawnLocalStack(env);
    try {
      const values = await api<{ data: string[] }>(second, "/api/v1/label/__name__/values");
      expect(values.data).toContain("pglite_metric");
    } finally {
      expect(await second.stop()).toBe(0);
    }
  });
});
