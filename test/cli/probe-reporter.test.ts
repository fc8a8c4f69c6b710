// The --report-to reporter on its own, against a recording fetch: batches of
// at most 100 with their own Idempotency-Key, a 429 waited out once, a partly
// refused batch counted, and nothing ever thrown.
import { describe, expect, it } from "vitest";
import type { CompletionResult } from "../../cli/probe/openai-client";
import { reportLine, Reporter } from "../../cli/probe/reporter";
import { RequestLogSchema } from "../../shared/logs/record";

const result = (i: number): CompletionResult => ({
  ok: true, status: 200, timings: { dnsMs: 0, connectMs: 1, tlsMs: 0, ttfbMs: 2, ttftMs: 10 + i, totalMs: 50 },
  usage: { promptTokens: 3, completionTokens: 4, totalTokens: 7 }, usageSource: "reported", outputTokensPerSecond: 100,
  model: "m", stream: true, reusedConnection: false, startedAt: 1_767_225_600_000 + i,
});
const ctx = { endpoint: "http://127.0.0.1:8000/v1", requestedModel: "m", source: "probe throughput" };
const target = { url: "http://inferscope.test", key: "ingest-key", scope: "ingest" as const };

function recorder(answers: ((body: { logs: unknown[] }) => Response)[]) {
  const calls: { url: string; headers: Record<string, string>; body: { logs: Record<string, unknown>[] } }[] = [];
  const fetchImpl = (async (url: string, init: RequestInit) => {
    const body = JSON.parse(String(init.body));
    calls.push({ url, headers: init.headers as Record<string, string>, body });
    const answer = answers[Math.min(calls.length - 1, answers.length - 1)];
    return answer(body);
  }) as unknown as typeof fetch;
  return { calls, fetchImpl };
}
const accepted = () => new Response(JSON.stringify({ status: "success" }), { status: 202 });

describe("Reporter", () => {
  it("sends batches of at most 100 valid records, each with its own idempotency key", async () => {
    const { calls, fetchImpl } = recorder([accepted]);
    const r = new Reporter(target, fetchImpl);
    for (let i = 0; i < 250; i++) r.add(result(i), ctx);
    const o = await r.close();
    expect(o).toEqual({ url: target.url, sent: 250, failed: 0, problem: null });
    expect(calls.map((c) => c.body.logs.length)).toEqual([100, 100, 50]);
    expect(calls[0].url).toBe("http://inferscope.test/v1/logs");
    expect(calls[0].headers.authorization).toBe("Bearer ingest-key");
    expect(new Set(calls.map((c) => c.headers["idempotency-key"])).size).toBe(3);
    const ids = calls.flatMap((c) => c.body.logs.map((l) => l.request_id));
    expect(new Set(ids).size).toBe(250);
    for (const l of calls[2].body.logs) expect(RequestLogSchema.safeParse(l).success).toBe(true);
    expect(calls[0].body.logs[0]).toMatchObject({ tags: ["synthetic", "probe"], attributes: { probe_run: r.runId, probe_source: "probe throughput" } });
    expect(reportLine(o)).toBe("reported 250 synthetic request log(s) to http://inferscope.test");
  });

  it("sets environment \"synthetic\" on every record unless told another", async () => {
    const plain = recorder([accepted]);
    const a = new Reporter(target, plain.fetchImpl);
    a.add(result(0), ctx);
    await a.close();
    expect(plain.calls[0].body.logs[0]).toMatchObject({ environment: "synthetic", tags: ["synthetic", "probe"] });
    const staging = recorder([accepted]);
    const b = new Reporter(target, staging.fetchImpl, { environment: "staging-probe" });
    b.add(result(0), ctx);
    await b.close();
    expect(staging.calls[0].body.logs[0]).toMatchObject({ environment: "staging-probe" });
    expect(RequestLogSchema.safeParse(staging.calls[0].body.logs[0]).success).toBe(true);
  });

  it("waits out one 429, then counts what was refused or not delivered", async () => {
    const limited = () => new Response(JSON.stringify({ error: "log rate" }), { status: 429, headers: { "retry-after": "0" } });
    const retried = recorder([limited, accepted]);
    const a = new Reporter(target, retried.fetchImpl);
    a.add(result(0), ctx);
    expect(await a.close()).toMatchObject({ sent: 1, failed: 0 });
    expect(retried.calls).toHaveLength(2);

    const partly = recorder([() => new Response(JSON.stringify({ error: "1 item(s) rejected", accepted: { records: 2 }, rejected: [{ path: "logs[1]", reason: "time: too far in the past" }] }), { status: 400 })]);
    const b = new Reporter(target, partly.fetchImpl);
    for (let i = 0; i < 3; i++) b.add(result(i), ctx);
    const ob = await b.close();
    expect(ob).toEqual({ url: target.url, sent: 2, failed: 1, problem: "POST /v1/logs refused 1 record(s): time: too far in the past" });
    expect(reportLine(ob)).toBe("reporting to http://inferscope.test failed for 1 of 3 record(s): POST /v1/logs refused 1 record(s): time: too far in the past (the probe's own results are unaffected)");

    const down = new Reporter(target, (async () => { throw new TypeError("fetch failed", { cause: { code: "ECONNREFUSED" } }); }) as unknown as typeof fetch);
    down.add(result(0), ctx);
    expect(await down.close()).toMatchObject({ sent: 0, failed: 1, problem: "cannot reach http://inferscope.test: ECONNREFUSED" });
  });
});
