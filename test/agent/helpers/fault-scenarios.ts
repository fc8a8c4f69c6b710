// The agent's end-to-end fault scenarios, run by test/agent/fault.test.ts from
// sources and by test/agent/bundle-delivery.test.ts from the release artifact.
// `bin()` names the artifact (undefined: sources); it is read when a test
// starts, so a beforeAll may build it.
import { afterEach, expect, it } from "vitest";
import { agentHarness, counts, sleep, type Cleanups } from "./agent-harness";
import { waitFor } from "./agent-process";

export function faultScenarios(bin: () => string | undefined = () => undefined): void {
  const cleanups: Cleanups = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it("loses and duplicates nothing while the receiver is down for a while under steady load", async () => {
    const h = await agentHarness(cleanups, bin());
    const a = h.agent();
    await a.waitForLog("agent started");
    await waitFor(() => h.seqs().length >= 3 && h.logIds().length > 0, 10_000, "first deliveries");
    await h.rx.stop(); // endpoint down: connection refused
    const downAt = Date.now();
    await sleep(3000);
    const self = `http://127.0.0.1:${(await a.waitForLog("agent started")).self_port}`;
    const queued = await fetch(`${self}/metrics`).then((r) => r.text());
    const health = await fetch(`${self}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok", last_send_error: expect.any(String) });
    expect(queued).toMatch(/inferscope_agent_send_errors_total\{kind="metrics",reason="ECONNREFUSED"\} [1-9]/);
    expect(Number(/inferscope_agent_queue_batches\{kind="metrics"\} (\d+)/.exec(queued)![1])).toBeGreaterThan(5);
    await h.rx.start(); // same port
    await sleep(1000);
    h.stopWriter();
    h.exp.status = 503; // no more scrapes counted from here
    const total = h.written();
    await waitFor(() => h.logIds().length >= total && counts(h.seqs()).set.size >= h.exp.scrapes, 15_000, "everything delivered");
    const logs = counts(h.logIds());
    expect(logs.dups).toEqual([]);
    expect(logs.set.size).toBe(total);
    const seq = counts(h.seqs());
    expect(seq.dups).toEqual([]);
    expect([...seq.set].sort((x, y) => x - y)).toEqual(Array.from({ length: h.exp.scrapes }, (_, i) => i + 1));
    expect(h.served.filter((s) => s.at > downAt && s.at < downAt + 3000).length).toBeGreaterThan(5); // scrapes did happen during the outage
    expect(await a.kill("SIGTERM")).toBe(0);
  }, 40_000);

  it("loses nothing when killed with SIGKILL mid-stream and restarted", async () => {
    const h = await agentHarness(cleanups, bin());
    const a = h.agent();
    await a.waitForLog("agent started");
    await waitFor(() => h.seqs().length >= 3 && h.logIds().length > 0, 10_000, "first deliveries");
    h.rx.mode = { kind: "status", status: 503 }; // let a backlog build up on disk
    await sleep(1000);
    await a.kill("SIGKILL");
    const killedAt = Date.now();
    await sleep(700); // lines keep arriving while the agent is dead
    h.rx.mode = { kind: "ok" };
    const b = h.agent();
    await b.waitForLog("agent started");
    await sleep(1000);
    h.stopWriter();
    h.exp.status = 503;
    const total = h.written();
    await waitFor(() => h.logIds().length >= total, 15_000, "all log lines delivered");
    await waitFor(() => counts(h.seqs()).set.size >= h.exp.scrapes - 1, 15_000, "scrapes delivered");
    await sleep(500);
    const logs = counts(h.logIds());
    expect(logs.dups).toEqual([]);
    expect(logs.set.size).toBe(total);
    const seq = counts(h.seqs());
    expect(seq.dups).toEqual([]);
    // The only scrape allowed to be missing is one whose answer was still in memory at the kill.
    const missing = h.served.filter((s) => !seq.set.has(s.seq));
    expect(missing.length).toBeLessThanOrEqual(1);
    for (const m of missing) expect(killedAt - m.at).toBeLessThan(250);
    expect(await b.kill("SIGTERM")).toBe(0);
  }, 40_000);
}
