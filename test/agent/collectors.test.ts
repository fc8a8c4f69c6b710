import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import type { RwWriteRequest } from "../../shared/contracts/remote-write";
import { isStaleNaN } from "../../shared/staleness";
import { NVIDIA_SMI_ARGS, NVIDIA_SMI_META, nvidiaSmiCollect, parseNvidiaSmiCsv } from "../../cli/agent/collectors/nvidia-smi";
import { ollamaCollect, ollamaSamples } from "../../cli/agent/collectors/ollama";
import { httpScrape, instanceOf } from "../../cli/agent/collectors/scrape";
import { TargetLoop, type CollectFn } from "../../cli/agent/collectors/target-loop";
import { decodeWriteRequestProto } from "../../workers/ingest/protocols/remote-write/parse";
import { agentMetrics } from "../../cli/agent/self-metrics";
import { FixtureExporter } from "./helpers/exporter";

const fixture = (f: string) => readFileSync(new URL(`./fixtures/${f}`, import.meta.url), "utf8");
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

type Row = { name: string; labels: Record<string, string>; value: number; ts: number };
function rows(req: RwWriteRequest): Row[] {
  return req.timeseries.flatMap((t) => {
    const labels = Object.fromEntries(t.labels.map((l) => [l.name, l.value]));
    const { __name__: name, ...rest } = labels;
    return t.samples.map((s) => ({ name, labels: rest, value: s.value, ts: s.timestamp }));
  });
}

function loop(collect: CollectFn, extra: Partial<ConstructorParameters<typeof TargetLoop>[0]> = {}) {
  const out: RwWriteRequest[] = [];
  const metrics = agentMetrics();
  const l = new TargetLoop(
    { job: "vllm", instance: "127.0.0.1:8000", labels: { host: "gpu-01", cluster: "c1" }, intervalMs: 1000, timeoutMs: 500, honorLabels: false, metadataIntervalMs: 60_000, collect, ...extra },
    // What the loop hands over is wire bytes: read them back as the ingest worker would.
    (c) => out.push(decodeWriteRequestProto(Buffer.concat([c.series, c.metadata]))),
    metrics,
  );
  return { l, out, metrics };
}

describe("scrape target loop", () => {
  it("scrapes a fixture vLLM exporter with job/instance/static labels, report series and metadata", async () => {
    const exp = new FixtureExporter(() => fixture("vllm.txt"));
    await exp.start();
    cleanups.push(() => exp.stop());
    const { l, out } = loop(httpScrape(exp.url), { instance: instanceOf(exp.url) });
    await l.scrapeOnce();
    const r = rows(out[0]);
    const running = r.find((x) => x.name === "vllm:num_requests_running")!;
    expect(running.labels).toEqual({ cluster: "c1", host: "gpu-01", instance: `127.0.0.1:${exp.port}`, job: "vllm", model_name: "meta-llama/Llama-3.1-8B-Instruct" });
    expect(running.value).toBe(3);
    expect(r.find((x) => x.name === "up")!.value).toBe(1);
    expect(r.find((x) => x.name === "scrape_samples_scraped")!.value).toBe(23);
    expect(r.find((x) => x.name === "scrape_duration_seconds")!.value).toBeGreaterThan(0);
    expect(r.filter((x) => x.name !== "up" && !x.name.startsWith("scrape_"))).toHaveLength(23);
    // labels are sorted by name with __name__ in place, as Prometheus sends them
    const names = out[0].timeseries[0].labels.map((l) => l.name);
    expect(names).toEqual([...names].sort());
    expect(out[0].metadata).toContainEqual({ metricFamilyName: "vllm:e2e_request_latency_seconds", type: "histogram", help: "Histogram of end to end request latency in seconds.", unit: "" });
    await l.scrapeOnce();
    expect(out[1].metadata).toEqual([]); // metadata is resent on its own interval, not every scrape
  });

  it("writes staleness markers for vanished series and when the target goes down", async () => {
    let body = "a 1\nb 2\nc{x=\"1\"} 3\nts_explicit 4 1700000000000\n";
    const exp = new FixtureExporter(() => body);
    await exp.start();
    cleanups.push(() => exp.stop());
    const { l, out, metrics } = loop(httpScrape(exp.url));
    await l.scrapeOnce();
    body = "a 1\n";
    await l.scrapeOnce();
    const second = rows(out[1]);
    const stale = second.filter((x) => isStaleNaN(x.value)).map((x) => x.name).sort();
    expect(stale).toEqual(["b", "c"]); // explicit-timestamp series never get markers, as in Prometheus
    // The marker's labels (rebuilt from the series key kept between scrapes) are the series' own, in order.
    const labelsOf = (i: number, name: string) => out[i].timeseries.find((t) => t.labels.some((x) => x.name === "__name__" && x.value === name))!.labels;
    expect(labelsOf(1, "c")).toEqual(labelsOf(0, "c"));
    expect(labelsOf(1, "c").map((x) => x.name)).toEqual(["__name__", "cluster", "host", "instance", "job", "x"]);
    exp.status = 503;
    await l.scrapeOnce();
    const third = rows(out[2]);
    expect(third.find((x) => x.name === "up")!.value).toBe(0);
    expect(third.filter((x) => isStaleNaN(x.value)).map((x) => x.name)).toEqual(["a"]);
    expect(third.find((x) => x.name === "scrape_samples_scraped")!.value).toBe(0);
    exp.status = 200;
    await l.scrapeOnce();
    expect(rows(out[3]).filter((x) => isStaleNaN(x.value))).toEqual([]);
    expect(metrics.scrapes.get({ job: "vllm", instance: "127.0.0.1:8000", result: "error" })).toBe(1);
  });

  it("fails the scrape on a syntax error, times out slow targets, renames clashing labels", async () => {
    const { l, out } = loop(async () => {
      throw new Error("line 3: invalid value");
    });
    await l.scrapeOnce();
    expect(rows(out[0]).find((x) => x.name === "up")!.value).toBe(0);

    const slow = createServer(() => {}); // never answers
    await new Promise<void>((r) => slow.listen(0, "127.0.0.1", () => r()));
    cleanups.push(async () => {
      slow.closeAllConnections();
      await new Promise<void>((r) => slow.close(() => r()));
    });
    const url = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/metrics`;
    const t = loop(httpScrape(url), { timeoutMs: 200 });
    const t0 = Date.now();
    await t.l.scrapeOnce();
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(rows(t.out[0]).find((x) => x.name === "up")!.value).toBe(0);

    const exp = new FixtureExporter(() => 'm{job="inner",instance="i",host="h2",ok="y"} 1\n{"utf8.name"} 2\n');
    await exp.start();
    cleanups.push(() => exp.stop());
    const c = loop(httpScrape(exp.url));
    await c.l.scrapeOnce();
    const m = rows(c.out[0]).find((x) => x.name === "m")!;
    expect(m.labels).toMatchObject({ job: "vllm", exported_job: "inner", exported_instance: "i", host: "gpu-01", exported_host: "h2", ok: "y" });
    // parses, but breaks our name rules: dropped and counted, the rest is kept
    expect(rows(c.out[0]).some((x) => x.name === "utf8.name")).toBe(false);
    expect(c.metrics.invalidSeries.get({ job: "vllm", instance: "127.0.0.1:8000" })).toBe(1);
    const h = loop(httpScrape(exp.url), { honorLabels: true });
    await h.l.scrapeOnce();
    expect(rows(h.out[0]).find((x) => x.name === "m")!.labels).toMatchObject({ job: "inner", instance: "i", host: "h2" });
  });

  it("reads series seen in the last scrape from its cache: the same output as a fresh parse, bad lines still caught", async () => {
    const body = (v: number, extra = "") =>
      `# TYPE a gauge\na{x="1",y="2"} ${v}\nb ${v * 2}\t1700000000000\r\nc{q="} 1"} +Inf\nd{} NaN\n{"utf8.name"} 1\n${extra}`;
    let text = body(1);
    const exp = new FixtureExporter(() => text);
    await exp.start();
    cleanups.push(() => exp.stop());
    const warm = loop(httpScrape(exp.url));
    await warm.l.scrapeOnce();
    // second scrape: every series known; one written again with its labels in another order (a duplicate)
    text = body(3, 'a{y="2",x="1"} 9\n');
    await warm.l.scrapeOnce();
    const fresh = loop(httpScrape(exp.url));
    await fresh.l.scrapeOnce();
    const norm = (req: RwWriteRequest) => rows(req).filter((x) => x.name !== "scrape_duration_seconds").map((x) => ({ ...x, ts: x.name === "b" ? x.ts : 0 }));
    expect(norm(warm.out[1])).toEqual(norm(fresh.out[0]));
    expect(rows(warm.out[1]).find((x) => x.name === "a")!.value).toBe(3); // the first of the duplicates is kept
    expect(rows(warm.out[1]).find((x) => x.name === "b")).toMatchObject({ value: 6, ts: 1700000000000 });
    expect(rows(warm.out[1]).find((x) => x.name === "c")!.value).toBe(Infinity);
    expect(warm.metrics.invalidSeries.get({ job: "vllm", instance: "127.0.0.1:8000" })).toBe(3); // utf8.name twice, the duplicate once
    expect(warm.out[1].timeseries[0].labels).toEqual(fresh.out[0].timeseries[0].labels);
    // a known series with a bad value fails the scrape with the full parser's message, and marks everything stale
    text = body(4).replace("b 8", "b 8x");
    await warm.l.scrapeOnce();
    const third = rows(warm.out[2]);
    expect(third.find((x) => x.name === "up")!.value).toBe(0);
    expect(third.filter((x) => isStaleNaN(x.value)).map((x) => x.name).sort()).toEqual(["a", "c", "d"]); // b has its own timestamp
    text = body(5);
    await warm.l.scrapeOnce();
    expect(rows(warm.out[3]).find((x) => x.name === "a")!.value).toBe(5);
  });

  it("reads OpenMetrics when the target answers with it", async () => {
    const exp = new FixtureExporter(() => "# TYPE x counter\nx_total 3 1700000000.25\n# EOF\n");
    exp.contentType = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    await exp.start();
    cleanups.push(() => exp.stop());
    const { l, out } = loop(httpScrape(exp.url));
    await l.scrapeOnce();
    expect(rows(out[0]).find((x) => x.name === "x_total")).toMatchObject({ value: 3, ts: 1700000000250 });
  });
});

describe("Ollama collector", () => {
  const ps = {
    models: [{
      name: "llama3.1:8b", model: "llama3.1:8b", size: 6654289920, size_vram: 6654289920, digest: "46e0c10c",
      details: { format: "gguf", family: "llama", parameter_size: "8.0B", quantization_level: "Q4_K_M" },
      expires_at: "2026-11-22T10:06:02.000Z", context_length: 8192,
    }],
  };
  const tags = { models: [{ name: "llama3.1:8b", size: 4920753328 }, { name: "qwen2.5:0.5b", size: 397821319 }] };

  it("turns /api/ps, /api/tags and /api/version into gauges", async () => {
    const srv = createServer((req, res) => {
      const body = req.url === "/api/ps" ? ps : req.url === "/api/tags" ? tags : req.url === "/api/version" ? { version: "0.5.7" } : null;
      res.writeHead(body ? 200 : 404, { "Content-Type": "application/json" }).end(JSON.stringify(body));
    });
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
    cleanups.push(() => new Promise<void>((r) => srv.close(() => r())));
    const { l, out } = loop(ollamaCollect(`http://127.0.0.1:${(srv.address() as AddressInfo).port}`), { job: "ollama" });
    await l.scrapeOnce();
    const r = rows(out[0]);
    const get = (n: string, model?: string) => r.find((x) => x.name === n && (!model || x.labels.model === model))?.value;
    expect(get("up")).toBe(1);
    expect(get("ollama_models_loaded")).toBe(1);
    expect(get("ollama_models_available")).toBe(2);
    expect(get("ollama_model_vram_bytes", "llama3.1:8b")).toBe(6654289920);
    expect(get("ollama_model_size_bytes", "qwen2.5:0.5b")).toBe(397821319);
    expect(r.find((x) => x.name === "ollama_build_info")!.labels.version).toBe("0.5.7");
    expect(r.find((x) => x.name === "ollama_model_info")!.labels).toMatchObject({ family: "llama", quantization_level: "Q4_K_M" });
  });

  it("computes expiry from expires_at and skips keep_alive=-1", () => {
    const now = Date.parse("2026-11-22T10:01:02.000Z");
    const s = ollamaSamples({ version: "1" }, ps, tags, now);
    expect(s.find((x) => x.name === "ollama_model_expiry_seconds")!.value).toBe(300);
    const forever = ollamaSamples(null, { models: [{ ...ps.models[0], expires_at: "2318-02-28T12:00:00Z" }] }, null, now);
    expect(forever.find((x) => x.name === "ollama_model_expiry_seconds")).toBeUndefined();
  });
});

describe("nvidia-smi collector", () => {
  it("parses recorded output, skipping [N/A] and [Not Supported]", () => {
    const s = parseNvidiaSmiCsv(readFileSync(new URL("./fixtures/nvidia-smi.csv", import.meta.url), "utf8"));
    const g = (name: string, gpu: string) => s.find((x) => x.name === name && x.labels.some(([k, v]) => k === "gpu" && v === gpu))?.value;
    expect(g("DCGM_FI_DEV_GPU_UTIL", "0")).toBe(97);
    expect(g("DCGM_FI_DEV_POWER_USAGE", "0")).toBe(312.45);
    expect(g("DCGM_FI_DEV_POWER_USAGE", "1")).toBeUndefined();
    expect(g("DCGM_FI_DEV_GPU_UTIL", "2")).toBeUndefined();
    expect(g("DCGM_FI_DEV_POWER_MGMT_LIMIT", "2")).toBeUndefined();
    expect(g("DCGM_FI_DEV_FB_FREE", "0")).toBe(81559 - 72544);
    expect(s.find((x) => x.name === "DCGM_FI_DEV_SM_CLOCK")!.labels).toEqual([
      ["gpu", "0"], ["UUID", "GPU-5fd4a1b2-0c1d-4e2f-9a3b-1c2d3e4f5a6b"], ["device", "nvidia0"], ["modelName", "NVIDIA H100 80GB HBM3"],
    ]);
    expect(parseNvidiaSmiCsv("garbage\n\nNVIDIA-SMI has failed\n")).toEqual([]);
  });

  it("turns real H100 output (driver 580.159.04, CUDA 13.0) from the agent's exact query into DCGM-named gauges", async () => {
    // Captured with exactly these arguments; a changed query needs a new capture.
    expect(NVIDIA_SMI_ARGS).toEqual([
      "--query-gpu=index,uuid,name,utilization.gpu,utilization.memory,memory.total,memory.used,temperature.gpu,power.draw,power.limit,clocks.sm,clocks.mem",
      "--format=csv,noheader,nounits",
    ]);
    expect(fixture("nvidia-smi-h100-real.version.txt")).toContain("DRIVER version      : 580.159.04");
    const gpu = { gpu: "0", UUID: "GPU-a263b774-db8b-7159-abdd-238a0ea0d486", device: "nvidia0", modelName: "NVIDIA H100 80GB HBM3" };
    const expected = {
      DCGM_FI_DEV_GPU_UTIL: 0,
      DCGM_FI_DEV_MEM_COPY_UTIL: 0,
      DCGM_FI_DEV_FB_TOTAL: 81559,
      DCGM_FI_DEV_FB_USED: 0,
      DCGM_FI_DEV_GPU_TEMP: 43,
      DCGM_FI_DEV_POWER_USAGE: 128.31,
      DCGM_FI_DEV_POWER_MGMT_LIMIT: 700,
      DCGM_FI_DEV_SM_CLOCK: 1980,
      DCGM_FI_DEV_MEM_CLOCK: 2619,
      DCGM_FI_DEV_FB_FREE: 81559,
    };
    const parsed = parseNvidiaSmiCsv(fixture("nvidia-smi-h100-real.csv"));
    expect(Object.fromEntries(parsed.map((x) => [x.name, x.value]))).toEqual(expected);
    for (const x of parsed) expect(Object.fromEntries(x.labels)).toEqual(gpu);
    expect(parsed.every((x) => NVIDIA_SMI_META.get(x.name)?.type === "gauge")).toBe(true);

    // Through the collector and its target loop, as the agent runs it.
    const fake = fileURLToPath(new URL("./fixtures/fake-nvidia-smi-h100.sh", import.meta.url));
    const { l, out } = loop(nvidiaSmiCollect(fake), { job: "nvidia-smi", instance: "gpu-01" });
    await l.scrapeOnce();
    const r = rows(out[0]);
    expect(r.find((x) => x.name === "up")!.value).toBe(1);
    const gpuRows = r.filter((x) => x.name.startsWith("DCGM_FI_"));
    expect(Object.fromEntries(gpuRows.map((x) => [x.name, x.value]))).toEqual(expected);
    for (const x of gpuRows) expect(x.labels).toEqual({ ...gpu, job: "nvidia-smi", instance: "gpu-01", host: "gpu-01", cluster: "c1" });
    expect(new Set(gpuRows.map((x) => x.ts)).size).toBe(1);
  });

  it("runs the configured binary with the query and reports failures as up=0", async () => {
    const fake = fileURLToPath(new URL("./fixtures/fake-nvidia-smi.sh", import.meta.url));
    const { l, out } = loop(nvidiaSmiCollect(fake), { job: "nvidia-smi" });
    await l.scrapeOnce();
    const r = rows(out[0]);
    expect(r.find((x) => x.name === "up")!.value).toBe(1);
    expect(r.filter((x) => x.name === "DCGM_FI_DEV_GPU_TEMP").map((x) => x.value)).toEqual([41, 38, 55]);
    const missing = loop(nvidiaSmiCollect("/nonexistent/nvidia-smi"), { job: "nvidia-smi" });
    await missing.l.scrapeOnce();
    expect(rows(missing.out[0]).find((x) => x.name === "up")!.value).toBe(0);
  });
});
