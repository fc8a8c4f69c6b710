// The agent's probe series end to end: an agent (in this process) probes the
// OpenAI-compatible fixture and delivers through its disk queue and
// remote_write to the local stack (workers in workerd, real Postgres), where
// the series answer PromQL like any scraped metric.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../cli/agent/config";
import { runAgent, type RunningAgent } from "../../cli/agent/run";
import { startOpenAiFixture, type OpenAiFixture } from "../helpers/openai-fixture";
import { eventually, startTestStack, type TestStack } from "../helpers/stack";

let stack: TestStack;
let fixture: OpenAiFixture;
let agent: RunningAgent;
let dir: string;

beforeAll(async () => {
  stack = await startTestStack();
  fixture = await startOpenAiFixture({ models: { good: { firstTokenMs: 40, tokensPerSecond: 200, outputTokens: 4 }, broken: { errorRate: 1 } } });
  dir = mkdtempSync(join(tmpdir(), "agent-probes-stack-"));
  const cfg = parseConfig(`
data_dir: ${join(dir, "data")}
endpoint: { url: "${stack.url}", api_key: "${stack.key}" }
self: { listen: "127.0.0.1:0" }
labels: { host: probe-host }
delivery: { backoff_min: 50ms, backoff_max: 500ms }
probes:
  - { name: good, endpoint: "${fixture.url}", model: good, interval: 1s, timeout: 900ms }
  - { name: broken, endpoint: "${fixture.url}", model: broken, interval: 1s, timeout: 900ms }
`, join(dir, "agent.yaml"));
  agent = await runAgent(cfg);
}, 120_000);

afterAll(async () => {
  await agent?.stop();
  await fixture?.close();
  await stack?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

type Vector = Array<{ metric: Record<string, string>; value: [number, string] }>;
async function query(expr: string): Promise<Vector> {
  const res = await fetch(`${stack.url}/api/v1/query?query=${encodeURIComponent(expr)}`, { headers: { authorization: `Bearer ${stack.key}` } });
  const body = (await res.json()) as { status: string; data: { result: Vector } };
  if (body.status !== "success") throw new Error(`query ${expr}: ${JSON.stringify(body)}`);
  return body.data.result;
}

describe("agent probes through the local stack", () => {
  it("answers PromQL on llm_probe_* series: success, TTFT and failures by reason", async () => {
    const good = await eventually(async () => {
      const r = await query('llm_probe_success{probe="good"}');
      return r.length === 1 ? r[0] : null;
    }, 30_000, "llm_probe_success of the good probe");
    expect(good.metric).toEqual({ __name__: "llm_probe_success", probe: "good", target: fixture.url, model: "good", job: "llm_probe", instance: fixture.origin.replace("http://", ""), host: "probe-host" });
    expect(good.value[1]).toBe("1");
    const ttft = await eventually(async () => (await query('llm_probe_ttft_seconds{model="good"}'))[0], 30_000, "TTFT");
    expect(Number(ttft.value[1])).toBeGreaterThanOrEqual(0.04);
    expect(Number(ttft.value[1])).toBeLessThan(0.5);
    // the broken model: down, counted under its reason, and no TTFT
    const failures = await eventually(async () => {
      const r = await query('llm_probe_failures_total{probe="broken", reason="http_5xx"}');
      return r.length === 1 && Number(r[0].value[1]) >= 2 ? r[0] : null;
    }, 30_000, "two 5xx failures of the broken probe");
    expect(failures.metric.model).toBe("broken");
    expect((await query('llm_probe_success{probe="broken"}'))[0].value[1]).toBe("0");
    expect(await query('llm_probe_ttft_seconds{probe="broken"}')).toEqual([]);
    // availability as users would chart it
    const avail = await query("avg by (probe) (avg_over_time(llm_probe_success[5m]))");
    expect(Object.fromEntries(avail.map((r) => [r.metric.probe, Number(r.value[1])]))).toEqual({ good: 1, broken: 0 });
  }, 90_000);
});
