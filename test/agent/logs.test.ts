import { appendFileSync, mkdtempSync, readFileSync, renameSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "../../cli/agent/config";
import { CheckpointStore } from "../../cli/agent/collectors/checkpoint";
import { lineRecord } from "../../cli/agent/collectors/log-records";
import { LogSource } from "../../cli/agent/collectors/log-source";
import { FileTailer } from "../../cli/agent/collectors/log-tail";
import { parseGinLine, parseGoDuration } from "../../cli/agent/collectors/ollama-log";
import { DiskQueue } from "../../cli/agent/delivery/disk-queue";
import { agentMetrics } from "../../cli/agent/self-metrics";

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), "agent-logs-"));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const texts = (t: FileTailer) => {
  const out: string[] = [];
  for (let c = t.read(); c; c = t.read()) for (let i = 0; i < c.count; i++) out.push(c.text(i));
  return out;
};

describe("file tailer", () => {
  it("returns complete lines only, then the rest once the newline arrives", () => {
    const f = join(tmp(), "a.log");
    writeFileSync(f, "one\ntwo\nthr");
    const t = new FileTailer(f, null);
    expect(texts(t)).toEqual(["one", "two"]);
    appendFileSync(f, "ee\r\n\nfour\n");
    expect(texts(t)).toEqual(["three", "four"]);
    expect(t.read()).toBeNull();
  });

  it("follows rename+create rotation, draining the old file first", () => {
    const f = join(tmp(), "a.log");
    writeFileSync(f, "1\n2\n");
    const events: string[] = [];
    const t = new FileTailer(f, null, (e) => events.push(e));
    expect(texts(t)).toEqual(["1", "2"]);
    appendFileSync(f, "3\n");
    renameSync(f, f + ".1");
    appendFileSync(f + ".1", "4\n"); // written by the app before it reopened
    writeFileSync(f, "5\n");
    expect(texts(t)).toEqual(["3", "4", "5"]);
    expect(events).toEqual(["rotated"]);
  });

  it("detects truncation by size and by changed first bytes (copytruncate)", () => {
    const f = join(tmp(), "a.log");
    writeFileSync(f, "alpha\nbeta\n");
    const events: string[] = [];
    const t = new FileTailer(f, null, (e) => events.push(e));
    expect(texts(t)).toEqual(["alpha", "beta"]);
    truncateSync(f, 0);
    appendFileSync(f, "c\n");
    expect(texts(t)).toEqual(["c"]);
    // truncated and refilled past the old offset before we looked again
    writeFileSync(f, "different start\nmore\n");
    expect(texts(t)).toEqual(["different start", "more"]);
    expect(events).toEqual(["truncated", "truncated"]);
  });

  it("resumes from a position, even in a file rotated away while stopped", () => {
    const d = tmp();
    const f = join(d, "a.log");
    writeFileSync(f, "1\n2\n");
    const t = new FileTailer(f, null);
    expect(texts(t)).toEqual(["1", "2"]);
    const pos = t.position();
    t.close();
    appendFileSync(f, "3\n");
    renameSync(f, join(d, "a.log.1"));
    writeFileSync(f, "4\n");
    const events: string[] = [];
    const t2 = new FileTailer(f, pos, (e) => events.push(e));
    expect(texts(t2)).toEqual(["3", "4"]);
    expect(events).toEqual(["resumed_rotated", "rotated"]);
    // a position whose file is gone and replaced starts the new file from 0
    const t3 = new FileTailer(f, { ...pos, ino: 999999999 });
    expect(texts(t3)).toEqual(["4"]);
  });
});

describe("log record mapping (through the shared adapters)", () => {
  const source = (yaml: string) => parseConfig(`data_dir: /x\nendpoint: { url: "http://h", api_key: k }\nlogs:\n  - path: /a\n${yaml}`, "c.yaml").logs[0];
  const record = (line: string, cfg: ReturnType<typeof source>, id = "fb") => {
    const r = lineRecord(line, cfg, id);
    if (!r?.ok) throw new Error(`not a record: ${JSON.stringify(r)}`);
    return r.record;
  };

  it("maps LiteLLM StandardLoggingPayload lines", () => {
    const cfg = source("    format: litellm\n");
    const [ok, failed] = readFileSync(new URL("./fixtures/litellm.jsonl", import.meta.url), "utf8").trim().split("\n");
    expect(record(ok, cfg)).toEqual({
      request_id: "chatcmpl-1", trace_id: "t1", time: 1763805662500, end_time: 1763805664000, latency_ms: 1500, ttft_ms: 250, stream: true,
      model: "gpt-4o-mini", requested_model: "gpt-4o-mini", provider: "openai", api_base: "https://api.openai.com", call_type: "acompletion",
      status: "success", http_status: 200, input_tokens: 100, output_tokens: 50, total_tokens: 150, cost_usd: 0.00042, cache_hit: false,
      team_alias: "search", attributes: {},
    });
    expect(record(JSON.stringify({ standard_logging_object: JSON.parse(failed) }), cfg)).toMatchObject({
      request_id: "chatcmpl-2", model: "claude-3-5-sonnet", requested_model: "claude", provider: "anthropic", status: "failure", http_status: 429,
      error_class: "RateLimitError", error_message: "litellm.RateLimitError: AnthropicException - rate limited", attributes: { error_str: "rate limited" },
    });
    expect(record(failed, cfg).ttft_ms).toBeUndefined(); // not streaming: no TTFT
    expect(lineRecord("not json", cfg, "x")).toBeNull();
    expect(lineRecord(JSON.stringify({ id: "x", endTime: 1 }), cfg, "x")).toEqual({ ok: false, id: "x", problem: { field: "startTime", reason: "required, float unix seconds (e.g. 1767225600.125)" } });
  });

  it("maps any JSON line through the configured fields, keeping what no field took", () => {
    const cfg = source(
      "    format: jsonl\n    time_unit: s\n    provider: vllm\n    fields: { request_id: rid, time: ts, model: m, http_status: code, latency_ms: { path: t.dur_s, scale: 1000 }, input_tokens: u.in, error_type: err, team_alias: who.team, tags: labels }\n    attributes: [user]\n",
    );
    const line = { rid: "r1", ts: 1763805662.5, m: "llama", code: 503, t: { dur_s: 0.25, queue_s: 0.01 }, u: { in: "12" }, err: "overloaded", user: "bob", who: { team: "search" }, labels: ["a", "b"], extra: 1 };
    expect(record(JSON.stringify(line), cfg)).toEqual({
      request_id: "r1", time: 1763805662500, model: "llama", provider: "vllm", http_status: 503, latency_ms: 250, input_tokens: 12,
      error_type: "overloaded", team_alias: "search", tags: ["a", "b"], attributes: { user: "bob", t: { queue_s: 0.01 }, extra: 1 },
    });
    expect(record(JSON.stringify({ ts: "2026-11-22T10:00:00Z", code: 200 }), cfg)).toMatchObject({ request_id: "fb", time: Date.parse("2026-11-22T10:00:00Z") });
    expect(lineRecord(JSON.stringify({ code: 200 }), cfg, "fb")).toEqual({ ok: false, problem: { field: "ts", reason: "required: the request's start, unix s or RFC 3339" } });
    expect(lineRecord(JSON.stringify({ rid: "r2", ts: 1763805662.5, code: "teapot" }), cfg, "fb")).toEqual({ ok: false, id: "r2", problem: { field: "code", reason: 'expected an HTTP status 100-599, got "teapot"' } });
    const dropping = source("    format: jsonl\n    unmapped: drop\n    fields: { time: ts }\n");
    expect(record(JSON.stringify({ ts: 1763805662500, extra: 1 }), dropping).attributes).toEqual({});
  });

  it("maps OpenAI responses and Ollama response stats", () => {
    const openai = record(JSON.stringify({ id: "chatcmpl-9", object: "chat.completion", created: 1763805662, model: "gpt-4o", usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 } }), source("    format: openai\n"));
    expect(openai).toMatchObject({ request_id: "chatcmpl-9", time: 1763805662000, model: "gpt-4o", input_tokens: 10, output_tokens: 5, total_tokens: 15 });
    const ollama = record(JSON.stringify({ model: "llama3", created_at: "2026-11-22T10:00:02Z", done: true, total_duration: 2e9, eval_duration: 1.5e9, eval_count: 30 }), source("    format: ollama_response\n"), "line-7");
    expect(ollama).toMatchObject({ request_id: "line-7", time: Date.parse("2026-11-22T10:00:00Z"), latency_ms: 2000, ttft_ms: 500, output_tokens: 30, provider: "ollama" });
  });

  it("refuses a jsonl source without fields.time", () => {
    expect(() => source("    format: jsonl\n    fields: { model: m }\n")).toThrow(/logs\[0\]\.fields\.time: format "jsonl" needs fields\.time/);
  });

  it("parses Ollama GIN lines for request paths only", () => {
    const lines = readFileSync(new URL("./fixtures/ollama-server.log", import.meta.url), "utf8").trim().split("\n");
    const opts = { paths: ["/api/chat", "/api/generate", "/v1/chat/completions"], utc: true };
    const recs = lines.map((l, i) => parseGinLine(l, opts, `id${i}`));
    expect(recs[0]).toBeNull(); // not a GIN line
    expect(recs[2]).toBeNull(); // /api/ps is a poll, not a request
    expect(recs[1]).toEqual({
      request_id: "id1", time: Date.UTC(2026, 10, 22, 10, 1, 2), provider: "ollama", status: "success", http_status: 200,
      latency_ms: 1234.567, attributes: { method: "POST", path: "/api/chat", client: "127.0.0.1" },
    });
    expect(recs[3]).toMatchObject({ status: "failure", http_status: 500, latency_ms: 182_500, error_type: "http_500" });
    expect(recs[4]).toMatchObject({ latency_ms: 812.3, attributes: { client: "::1", path: "/v1/chat/completions" } });
    expect(parseGinLine("\x1b[97;42m[GIN]\x1b[0m 2026/11/22 - 10:01:02 | 200 |  1s |  1.2.3.4 | POST \"/api/chat\"", opts, "c")).toMatchObject({ latency_ms: 1000 });
    expect(parseGoDuration("1h2m3.5s")).toBe(3_723_500);
    expect(parseGoDuration("12.5µs")).toBeCloseTo(0.0125);
    expect(parseGoDuration("abc")).toBeNull();
  });
});

describe("log source", () => {
  function setup(dir: string, path: string) {
    const cfg = parseConfig(`data_dir: ${dir}\nendpoint: { url: "http://h", api_key: k }\nlogs: [{ name: src, path: ${path}, format: litellm }]\n`, "c.yaml");
    const queue = new DiskQueue(join(dir, "queue"), 1 << 30);
    const checkpoints = new CheckpointStore(join(dir, "offsets"));
    const src = new LogSource(cfg.logs[0], queue, checkpoints, agentMetrics(), { host: "h1" }, 2);
    return { queue, checkpoints, src };
  }
  const line = (i: number) => JSON.stringify({ id: `r${i}`, startTime: 1763805662 + i, endTime: 1763805663 + i, status: "success", model: "m" }) + "\n";
  const queuedIds = (q: DiskQueue) => q.list("logs").flatMap((b) => (JSON.parse(gunzipSync(q.read(b).payload).toString()) as { logs: Array<{ request_id: string }> }).logs.map((r) => r.request_id));

  it("enqueues batches with deterministic keys and checkpoints after each", () => {
    const dir = tmp();
    const f = join(dir, "req.jsonl");
    writeFileSync(f, line(1) + line(2) + "not json\n" + line(3));
    const { queue, checkpoints, src } = setup(dir, f);
    src.start();
    src.stop();
    expect(queuedIds(queue)).toEqual(["r1", "r2", "r3"]);
    expect(queue.list("logs").map((b) => queue.read(b).meta.items)).toEqual([2, 1]);
    const rec = JSON.parse(gunzipSync(queue.read(queue.list("logs")[0]).payload).toString()).logs[0];
    expect(rec).toMatchObject({ request_id: "r1", model: "m", status: "success", latency_ms: 1000, attributes: { host: "h1" } });
    const ck = checkpoints.load("src")!;
    expect(ck.position.offset).toBe(readFileSync(f).length);
    expect(ck.seq).toBe(queue.list("logs")[1].seq);
  });

  it("recovers a position newer than the checkpoint from the queue (crash between enqueue and checkpoint)", () => {
    const dir = tmp();
    const f = join(dir, "req.jsonl");
    writeFileSync(f, line(1) + line(2));
    const a = setup(dir, f);
    a.src.start();
    a.src.stop();
    const ck = a.checkpoints.load("src")!;
    appendFileSync(f, line(3));
    const b = setup(dir, f);
    b.src.start();
    b.src.stop();
    // roll the checkpoint back as if the process died right after the last enqueue
    b.checkpoints.save("src", ck);
    appendFileSync(f, line(4));
    const c = setup(dir, f);
    c.src.start();
    c.src.stop();
    expect(queuedIds(c.queue)).toEqual(["r1", "r2", "r3", "r4"]);
  });
});

describe("log source failures", () => {
  it("rewinds to the checkpoint when a batch cannot be queued, so no line is skipped", () => {
    const dir = mkdtempSync(join(tmpdir(), "agent-logs-"));
    dirs.push(dir);
    const f = join(dir, "req.jsonl");
    const line = (i: number) => JSON.stringify({ id: `r${i}`, startTime: 1763805662 + i, status: "success" }) + "\n";
    writeFileSync(f, line(1));
    const cfg = parseConfig(`data_dir: ${dir}\nendpoint: { url: "http://h", api_key: k }\nlogs: [{ name: src, path: ${f}, format: litellm }]\n`, "c.yaml");
    const queue = new DiskQueue(join(dir, "queue"), 1 << 30);
    const src = new LogSource(cfg.logs[0], queue, new CheckpointStore(join(dir, "offsets")), agentMetrics(), {}, 100);
    src.start();
    const real = queue.enqueue.bind(queue);
    queue.enqueue = () => {
      throw new Error("ENOSPC: no space left on device");
    };
    appendFileSync(f, line(2));
    src.poll();
    queue.enqueue = real;
    appendFileSync(f, line(3));
    src.stop();
    const ids = queue.list("logs").flatMap((b) => (JSON.parse(gunzipSync(queue.read(b).payload).toString()) as { logs: Array<{ request_id: string }> }).logs.map((r) => r.request_id));
    expect(ids).toEqual(["r1", "r2", "r3"]);
  });
});
