// `inferscope demo` against the whole local stack: a 1 h backfill with a fixed
// seed, then PromQL through the query API finds every family the dashboards
// and alerts use (vLLM V1 and V0, llama.cpp, DCGM with both host spellings,
// Ollama, the agent, up, the metrics derived from the request logs under our
// names and LiteLLM's), counters never go down except at the one simulated
// restart, the incidents are there, and the same seed sends the same data.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { demoCommand } from "../../cli/commands/demo";
import { setTenantLimits } from "../../shared/admin";
import { runDemo, type DemoSummary } from "../../cli/demo/index";
import { eventually, startTestStack, type TestStack } from "../helpers/stack";

let stack: TestStack;
let other: { tenantId: number; key: string };
let first: DemoSummary;
let second: DemoSummary;
const lines: string[] = [];
const NOW = Date.now();

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

async function query(q: string, key = stack.key, time = NOW): Promise<Sample[]> {
  const params = new URLSearchParams({ query: q, time: String(time / 1000) });
  const res = await fetch(`${stack.url}/api/v1/query?${params}`, { headers: { authorization: `Bearer ${key}` } });
  const body = (await res.json()) as { status: string; error?: string; data: { result: Sample[] } };
  if (body.status !== "success") throw new Error(`${q}: ${body.error}`);
  return body.data.result;
}

async function scalar(q: string, key = stack.key, time = NOW): Promise<number> {
  const r = await query(q, key, time);
  if (r.length !== 1) throw new Error(`${q}: ${r.length} series`);
  return Number(r[0].value[1]);
}

async function stored(tenantId: number, samples: number, logs: number) {
  await eventually(async () => {
    const s = await stack.db.db.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM samples WHERE series_id IN (SELECT id FROM series WHERE tenant_id = ${tenantId})`);
    const l = await stack.db.db.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM request_logs WHERE tenant_id = ${tenantId}`);
    return s.rows[0].n === samples && l.rows[0].n === logs;
  }, 120_000, "every sample and log stored");
}

const deterministic = ({ retries: _r, backfillMs: _b, liveMs: _l, ...rest }: DemoSummary) => rest;

beforeAll(async () => {
  stack = await startTestStack();
  other = await stack.tenantWithKey(`demo-twin-${process.pid}`);
  const opts = { url: stack.url, backfill: "1h", durationMs: 0, seed: 1, now: () => NOW, log: (l: string) => lines.push(l) };
  first = await runDemo({ ...opts, key: stack.key });
  second = await runDemo({ ...opts, key: other.key, log: () => {} });
  await stored(stack.tenantId, first.samples, first.logs);
  await stored(other.tenantId, second.samples, second.logs);
}, 300_000);
afterAll(() => stack?.close());

describe("inferscope demo: a 1 h backfill", () => {
  it("sends a fleet's worth of series and logs, with progress, and nothing refused", () => {
    expect(first).toMatchObject({ seed: 1, hosts: 3, ticks: 240, rejected: 0, stopped: false });
    expect(first.series).toBeGreaterThan(400);
    expect(first.samples).toBeGreaterThan(first.series * 200);
    // ~1-2 requests/s on a daily curve: an hour at the quietest time of day still has well over 2,000.
    expect(first.logs).toBeGreaterThan(2000);
    expect(first.rateLimited).toBeGreaterThan(20);
    expect(lines.some((l) => l.startsWith("backfill 100%"))).toBe(true);
    expect(lines.filter((l) => /^backfill \d+%/.test(l)).length).toBeGreaterThanOrEqual(8);
  });

  it("is deterministic for a seed: the same summary and the same data twice", async () => {
    expect(deterministic(second)).toEqual(deterministic(first));
    for (const q of ["sum(vllm:prompt_tokens_total)", "sum(DCGM_FI_DEV_POWER_USAGE)", "sum(llm_cost_usd_total)"])
      expect(await scalar(q, other.key)).toBe(await scalar(q));
  });

  it("every scraped family answers, each series with job, instance and host", async () => {
    const families = [
      "vllm:kv_cache_usage_perc", "vllm:gpu_cache_usage_perc", "vllm:num_requests_running", "vllm:num_requests_waiting",
      "rate(vllm:prompt_tokens_total[5m])", "rate(vllm:generation_tokens_total[5m])",
      "histogram_quantile(0.95, sum by (le, model_name) (rate(vllm:time_to_first_token_seconds_bucket[5m])))",
      "histogram_quantile(0.95, sum by (le) (rate(vllm:e2e_request_latency_seconds_bucket[5m])))",
      "histogram_quantile(0.5, sum by (le) (rate(vllm:request_queue_time_seconds_bucket[5m])))",
      "llamacpp:requests_processing", "llamacpp:requests_deferred", "llamacpp:predicted_tokens_seconds", "rate(llamacpp:tokens_predicted_total[5m])",
      'DCGM_FI_DEV_GPU_UTIL{Hostname!=""}', 'DCGM_FI_DEV_GPU_UTIL{hostname!=""}', "DCGM_FI_DEV_FB_USED", "DCGM_FI_DEV_FB_FREE",
      "DCGM_FI_DEV_GPU_TEMP", "DCGM_FI_DEV_POWER_USAGE", "DCGM_FI_DEV_XID_ERRORS",
      "ollama_models_loaded", "ollama_model_vram_bytes", "inferscope_agent_queue_bytes", "rate(inferscope_agent_batches_sent_total[5m])", "up",
      "llm_probe_success", "llm_probe_ttft_seconds", "llm_probe_duration_seconds", "llm_probe_tokens_per_second", "llm_probe_http_status_code",
      'sum by (probe, reason) (increase(llm_probe_failures_total{reason="http_429"}[1h])) > 0',
    ];
    for (const q of families) {
      const r = await query(q);
      expect(r.length, q).toBeGreaterThan(0);
      if (!q.includes("(")) for (const s of r) expect([s.metric.job, s.metric.instance, s.metric.host].every(Boolean), `${q} ${JSON.stringify(s.metric)}`).toBe(true);
    }
    expect((await query("count by (host) (up)")).length).toBe(3);
    expect(await scalar("count(up)")).toBe(first.targets);
    const meta = (await (await fetch(`${stack.url}/api/v1/metadata?metric=vllm:e2e_request_latency_seconds`, { headers: { authorization: `Bearer ${stack.key}` } })).json()) as { data: Record<string, Array<{ type: string; help: string }>> };
    expect(meta.data["vllm:e2e_request_latency_seconds"][0]).toMatchObject({ type: "histogram", help: "Histogram of e2e request latency in seconds." });
    // V1 labels engine, V0 does not.
    expect((await query("vllm:kv_cache_usage_perc")).every((s) => s.metric.engine === "0")).toBe(true);
    expect((await query("vllm:gpu_cache_usage_perc")).every((s) => s.metric.engine === undefined)).toBe(true);
  });

  it("GPU memory used + free is the card's size; one GPU runs hot for the last 20 minutes; one XID error", async () => {
    const sizes = new Set((await query("DCGM_FI_DEV_FB_USED + DCGM_FI_DEV_FB_FREE")).map((s) => Number(s.value[1])));
    expect([...sizes].every((v) => [81559, 81920, 46068].includes(v))).toBe(true);
    expect(await scalar("max(min_over_time(DCGM_FI_DEV_GPU_TEMP[20m]))")).toBeGreaterThan(85);
    expect(await scalar("count(max_over_time(DCGM_FI_DEV_GPU_TEMP[55m]) > 85)")).toBe(1);
    expect(await scalar("count(max_over_time(DCGM_FI_DEV_XID_ERRORS[1h]) > 0)")).toBe(1);
  });

  it("counters never decrease, except once where llama.cpp restarted after its target was down", async () => {
    const res = await fetch(`${stack.url}/api/v1/label/__name__/values`, { headers: { authorization: `Bearer ${stack.key}` } });
    const names = ((await res.json()) as { data: string[] }).data.filter((n) => /(_total|_bucket|_count|_sum)$/.test(n) && !/^(llm|litellm)_/.test(n));
    expect(names.length).toBeGreaterThan(30);
    const resetJobs = new Set<string>();
    for (const name of names) for (const r of await query(`count by (job) (resets(${name}[2h]) > 0)`)) resetJobs.add(r.metric.job);
    expect([...resetJobs]).toEqual(["llama-cpp"]);
    expect(await scalar('max(resets(llamacpp:tokens_predicted_total[2h]))')).toBe(1);
    expect(await scalar('min(min_over_time(up{job="llama-cpp"}[2h]))')).toBe(0);
    expect(await scalar('min(min_over_time(up{job!="llama-cpp"}[2h]))')).toBe(1);
    expect(await scalar("sum(resets(llm_requests_total[2h]))")).toBe(0);
  });

  it("the request logs light up llm_* and litellm_*: exact counts, 429s on one provider, a cost spike at the end", async () => {
    const later = first.to + 120_000; // the last minute's rollup complete
    // The rollups of the last minutes trail the logs by the queue's batching and the aggregator's
    // retries; with the whole suite running beside it that has taken over 30 s.
    await eventually(async () => (await scalar("sum(llm_requests_total)", stack.key, later)) === first.logs, 90_000, "every log in the rollups");
    expect(await scalar('sum(llm_requests_total{status="failure"})', stack.key, later)).toBe(first.failedRequests);
    expect(await scalar('sum(litellm_proxy_failed_requests_metric_total{exception_status="429"})', stack.key, later)).toBe(first.rateLimited);
    const by = await query('sum by (api_provider) (litellm_deployment_failure_responses_total{exception_status="429"})', stack.key, later);
    const anthropic = Number(by.find((s) => s.metric.api_provider === "anthropic")?.value[1] ?? 0);
    expect(anthropic / first.rateLimited).toBeGreaterThan(0.9);
    expect((await query("sum by (provider) (llm_requests_total)")).map((s) => s.metric.provider).sort()).toEqual(
      ["anthropic", "gemini", "hosted_vllm", "mistral", "openai"],
    );
    expect((await query("llm_time_to_first_token_seconds_count")).length).toBeGreaterThan(0);
    expect((await query('sum by (project) (llm_cost_usd_total{project="eval-sweep"})')).length).toBe(1);
    const spike = await scalar("sum(rate(llm_cost_usd_total[10m]))", stack.key, first.to - 60_000);
    const before = await scalar("sum(rate(llm_cost_usd_total[10m]))", stack.key, first.from + 12 * 60_000);
    expect(spike / before).toBeGreaterThan(3);
  });
});

describe("inferscope demo: the command and the rules", () => {
  it("a tenant's rate limit slows the backfill down (429, Retry-After) but loses nothing", async () => {
    const t = await stack.tenantWithKey(`demo-slow-${process.pid}`, ["ingest", "query"]);
    // Sustained 40k samples/s with a burst of 30k: an hour (about 130k samples) cannot go at once.
    await setTenantLimits(stack.db.db, t.tenantId, { maxSamplesPerSecond: 40_000, burstSamples: 30_000, maxSamplesPerRequest: 30_000 });
    const log: string[] = [];
    const s = await runDemo({ url: stack.url, key: t.key, backfill: "1h", durationMs: 0, seed: 2, log: (l) => log.push(l) });
    expect(s.retries).toBeGreaterThan(0);
    expect(log.some((l) => /HTTP 429; retrying in/.test(l))).toBe(true);
    expect(s.rejected).toBe(0);
    await stored(t.tenantId, s.samples, s.logs);
  }, 120_000);

  it("runs as a command: flags, a short backfill, the summary as JSON", async () => {
    const t = await stack.tenantWithKey(`demo-cmd-${process.pid}`, ["ingest"]);
    const out: string[] = [];
    const write = vi.spyOn(process.stdout, "write").mockImplementation((s) => (out.push(String(s)), true));
    const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      expect(await demoCommand(["--url", stack.url, "--key", t.key, "--backfill", "5m", "--duration", "0", "--hosts", "1", "--seed", "7", "--json"])).toBe(0);
    } finally {
      write.mockRestore();
      err.mockRestore();
    }
    const summary = JSON.parse(out.join("")) as DemoSummary;
    expect(summary).toMatchObject({ seed: 7, hosts: 1, ticks: 20, rejected: 0 });
    await expect(demoCommand(["--url", stack.url, "--key", t.key, "--hosts", "many"])).rejects.toThrow(/--hosts takes a whole number/);
  });

  it("loads rule files after the backfill with an admin key, or says the server has no rules API", async () => {
    const dir = mkdtempSync(join(tmpdir(), "demo-rules-"));
    writeFileSync(join(dir, "demo-gpu.yml"), "groups:\n  - name: demo-gpu\n    rules:\n      - alert: DemoGpuHot\n        expr: DCGM_FI_DEV_GPU_TEMP > 85\n        for: 10m\n");
    const log: string[] = [];
    const s = await runDemo({ url: stack.url, key: stack.key, backfill: 0, durationMs: 0, seed: 1, rules: dir, log: (l) => log.push(l) });
    expect(s.ticks).toBe(0);
    if (s.rules!.supported) {
      expect(s.rules).toEqual({ namespaces: 1, groups: 1, failed: 0, supported: true });
      const res = await fetch(`${stack.url}/admin/v1/rules/demo-gpu`, { headers: { authorization: `Bearer ${stack.key}` } });
      expect(await res.text()).toContain("DemoGpuHot");
    } else {
      expect(log.some((l) => l.includes("this server has no rules API"))).toBe(true);
    }
  });
});
