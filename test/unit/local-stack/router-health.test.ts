// The local router's /healthz: every worker asked, and one that never
// answers (the query worker stuck in a query) makes it degraded, not hung.
import { afterEach, describe, expect, it, vi } from "vitest";
import router from "../../../scripts/local-router";

const ok = (worker: string) => ({ fetch: async () => Response.json({ status: "ok", worker }) }) as unknown as Fetcher;
const silent = { fetch: () => new Promise<Response>(() => {}) } as unknown as Fetcher;

afterEach(() => {
  vi.useRealTimers();
});

describe("local router /healthz", () => {
  it("is ok when all three workers answer", async () => {
    const res = await router.fetch(new Request("http://x/healthz"), { INGEST: ok("ingest"), AGGREGATOR: ok("aggregator"), QUERY: ok("query") });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok", workers: { ingest: "ok", aggregator: "ok", query: "ok" } });
  });

  it("answers 503 degraded after 5 s when a worker does not answer", async () => {
    vi.useFakeTimers();
    const pending = router.fetch(new Request("http://x/healthz"), { INGEST: ok("ingest"), AGGREGATOR: ok("aggregator"), QUERY: silent });
    await vi.advanceTimersByTimeAsync(4_999);
    let settled = false;
    void pending.then(() => (settled = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const res = await pending;
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: "degraded", workers: { ingest: "ok", aggregator: "ok", query: "no answer within 5 s" } });
  });
});
