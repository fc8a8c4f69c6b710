// The demo's sender, rule loader and run loop against a scripted server (a
// fetch stand-in that records every request): retries, Retry-After,
// idempotency keys, refusals, the live phase and a clean stop.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { decodeWriteRequest } from "../../../workers/ingest/protocols/remote-write/parse";
import { runDemo } from "../../../cli/demo/index";
import { loadRules } from "../../../cli/demo/rules";
import { Sender } from "../../../cli/demo/send";
import { devKey, durationOf } from "../../../cli/commands/demo";
import { CliError } from "../../../cli/errors";

interface Seen {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: Uint8Array | string | undefined;
  at: number;
}

function server(answer: (req: Seen, n: number) => Response | Promise<Response>) {
  const seen: Seen[] = [];
  const fetchFn = (async (url: string | URL | Request, init?: RequestInit) => {
    const req: Seen = {
      url: String(url), method: init?.method ?? "GET", headers: Object.fromEntries(Object.entries(init?.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)])),
      body: init?.body as Uint8Array | string | undefined, at: Date.now(),
    };
    seen.push(req);
    return answer(req, seen.length);
  }) as typeof fetch;
  return { seen, fetchFn };
}

const series = [{ labels: [{ name: "__name__", value: "up" }], samples: [{ timestamp: 1, value: 1 }] }];

describe("demo sender", () => {
  it("waits for Retry-After on 429 and retries 5xx, with the same Idempotency-Key", async () => {
    const { seen, fetchFn } = server((_, n) =>
      n === 1 ? new Response("{}", { status: 429, headers: { "retry-after": "1" } }) : n === 2 ? new Response("oops", { status: 503 }) : new Response(null, { status: 204 }));
    const lines: string[] = [];
    const s = new Sender({ url: "http://x", key: "k", fetch: fetchFn, concurrency: 2, log: (l) => lines.push(l), backoffMinMs: 10 });
    await s.metrics(series, "key-1");
    await s.drain();
    expect(seen.length).toBe(3);
    expect(new Set(seen.map((r) => r.headers["idempotency-key"]))).toEqual(new Set(["key-1"]));
    expect(seen[1].at - seen[0].at).toBeGreaterThanOrEqual(990);
    expect(seen[0].headers).toMatchObject({ "content-encoding": "snappy", "content-type": "application/x-protobuf", authorization: "Bearer k" });
    expect(decodeWriteRequest(seen[0].body as Uint8Array).timeseries).toEqual(series);
    expect(s.stats.retries).toBe(2);
    expect(lines[0]).toMatch(/HTTP 429; retrying in 1.0s/);
  });

  it("gives up after maxAttempts on 5xx and network errors, saying what failed", async () => {
    const { seen, fetchFn } = server(() => new Response("down", { status: 502 }));
    const s = new Sender({ url: "http://x", key: "k", fetch: fetchFn, concurrency: 1, log: () => {}, maxAttempts: 3, backoffMinMs: 1 });
    await s.metrics(series, "k");
    await expect(s.drain()).rejects.toThrow(/failed 3 times, last: HTTP 502: down/);
    expect(seen.length).toBe(3);
    const refused = server(() => Promise.reject(Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNREFUSED" } })));
    const r = new Sender({ url: "http://x", key: "k", fetch: refused.fetchFn, concurrency: 1, log: () => {}, maxAttempts: 2, backoffMinMs: 1 });
    await r.logs([{ id: "a" }], "l");
    await expect(r.drain()).rejects.toThrow(/ECONNREFUSED \(is the stack running/);
  });

  it("reports a 400 once and goes on; stops on 401 with what to fix", async () => {
    const bad = server(() => Response.json({ status: "error", error: "1 item(s) rejected", rejected: [{ path: "[0]", reason: "bad" }] }, { status: 400 }));
    const lines: string[] = [];
    const s = new Sender({ url: "http://x", key: "k", fetch: bad.fetchFn, concurrency: 1, log: (l) => lines.push(l) });
    await s.logs([{ id: "a" }], "l1");
    await s.drain();
    expect(s.stats.rejected).toBe(1);
    expect(lines[0]).toContain("first: [0]: bad");
    const denied = server(() => Response.json({ status: "error", error: "key lacks scope ingest" }, { status: 403 }));
    const d = new Sender({ url: "http://x", key: "k", fetch: denied.fetchFn, concurrency: 1, log: () => {} });
    await d.logs([{ id: "a" }], "l1");
    await expect(d.drain()).rejects.toThrow(/ingest scope/);
  });

  it("keeps at most `concurrency` requests in flight", async () => {
    let open = 0;
    let most = 0;
    const { fetchFn } = server(async () => {
      most = Math.max(most, ++open);
      await new Promise((r) => setTimeout(r, 20));
      open--;
      return new Response(null, { status: 204 });
    });
    const s = new Sender({ url: "http://x", key: "k", fetch: fetchFn, concurrency: 3, log: () => {} });
    for (let i = 0; i < 10; i++) await s.metrics(series, `k${i}`);
    await s.drain();
    expect(most).toBe(3);
  });
});

describe("demo rules", () => {
  const dir = mkdtempSync(join(tmpdir(), "demo-rules-"));
  writeFileSync(join(dir, "gpu.yml"), "groups:\n  - name: gpu\n    rules:\n      - alert: Hot\n        expr: DCGM_FI_DEV_GPU_TEMP > 85\n  - name: gpu2\n    rules: []\n");
  writeFileSync(join(dir, "gpu.test.yml"), "rule_files: [gpu.yml]\ntests: []\n");

  it("posts each group of each file as YAML to its namespace", async () => {
    const { seen, fetchFn } = server(() => new Response("", { status: 202 }));
    const r = await loadRules(dir, { url: "http://x", key: "k" }, fetchFn, () => {});
    expect(r).toEqual({ namespaces: 1, groups: 2, failed: 0, supported: true });
    expect(seen.map((s) => s.url)).toEqual(["http://x/admin/v1/rules/gpu", "http://x/admin/v1/rules/gpu"]);
    expect(parse(seen[0].body as string)).toEqual({ name: "gpu", rules: [{ alert: "Hot", expr: "DCGM_FI_DEV_GPU_TEMP > 85" }] });
    expect(seen[0].headers["content-type"]).toBe("application/yaml");
  });

  it("says so when the server has no rules API (404)", async () => {
    const lines: string[] = [];
    const { fetchFn } = server(() => new Response("not found", { status: 404 }));
    expect((await loadRules(dir, { url: "http://x", key: "k" }, fetchFn, (l) => lines.push(l))).supported).toBe(false);
    expect(lines[0]).toMatch(/no rules API/);
    await expect(loadRules(join(dir, "nope"), { url: "http://x", key: "k" }, fetchFn, () => {})).rejects.toThrow(CliError);
  });
});

describe("demo run loop", () => {
  const accept = () => server((req) => (req.url.endsWith("/admin/v1/tenants") ? new Response("{}", { status: 403 }) : new Response(null, { status: 204 })));

  it("goes live after the backfill, one tick per 15 s of the clock, until the duration ends", async () => {
    const { seen, fetchFn } = accept();
    // A clock 100 times faster than real time: a tick every 150 ms.
    const real0 = Date.now();
    const base = Date.UTC(2026, 0, 1, 12);
    const now = () => base + (Date.now() - real0) * 100;
    const s = await runDemo({ url: "http://x", key: "k", backfill: "15m", durationMs: 60_000, seed: 3, hosts: 1, fetch: fetchFn, now, log: () => {} });
    // Live ticks stay on the 15 s grid and end with the duration (plus what the backfill took to send).
    expect(s.ticks).toBeGreaterThanOrEqual(60 + 4);
    expect((s.to - s.from) % 15_000).toBe(0);
    expect(now() - s.to).toBeLessThan(2 * 15_000); // at most the wait for a tick past the end, plus scheduling slack (×100)
    expect(s.liveMs).toBeGreaterThan(0);
    expect(seen.filter((r) => r.url.endsWith("/api/v1/write")).length).toBeGreaterThanOrEqual(1 + 3);
    expect(s.stopped).toBe(false);
  });

  it("stops cleanly when aborted, after what is in flight", async () => {
    const { fetchFn } = accept();
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const s = await runDemo({ url: "http://x", key: "k", backfill: "5m", durationMs: Infinity, seed: 1, hosts: 1, fetch: fetchFn, signal: ac.signal, log: () => {} });
    expect(s.stopped).toBe(true);
    expect(s.ticks).toBe(20);
  });

  it("refuses what ingest would refuse, and reads --duration", async () => {
    await expect(runDemo({ url: "http://x", key: "k", backfill: "30d" })).rejects.toThrow(/at most 29d/);
    await expect(runDemo({ url: "http://x", key: "k", hosts: 0 })).rejects.toThrow(/--hosts/);
    expect(durationOf("forever")).toBe(Infinity);
    expect(durationOf(undefined)).toBe(Infinity);
    expect(durationOf("0")).toBe(0);
    expect(durationOf("10m")).toBe(600_000);
    expect(() => durationOf("soon")).toThrow(/--duration/);
  });
});

describe("demo progress", () => {
  it("redraws one bar on a terminal, a line per 10% otherwise", async () => {
    const { progress } = await import("../../../cli/demo/progress");
    const drawn: string[] = [];
    let clock = 0;
    const tty = progress(100, { isTTY: true, write: (s: string) => drawn.push(s) }, () => {}, () => (clock += 200));
    for (let i = 1; i <= 100; i++) tty.update(i, i * 10, i);
    tty.finish();
    expect(drawn.every((s) => s.startsWith("\r\x1b[2Kbackfill [") || s === "\n")).toBe(true);
    expect(drawn.at(-2)).toContain("100%");
    const lines: string[] = [];
    const plain = progress(100, { write: () => {} }, (l) => lines.push(l), () => 0);
    for (let i = 1; i <= 100; i++) plain.update(i, i * 10, i);
    expect(lines.map((l) => l.split("%")[0])).toEqual(["backfill 10", "backfill 20", "backfill 30", "backfill 40", "backfill 50", "backfill 60", "backfill 70", "backfill 80", "backfill 90", "backfill 100"]);
  });
});

describe("demo command", () => {
  it("uses npm start's dev key for the local stack when no key is given, never for another server", () => {
    const dir = mkdtempSync(join(tmpdir(), "demo-data-"));
    writeFileSync(join(dir, "dev-api-key"), "isk_dev_123\n");
    const env = { INFERSCOPE_DATA_DIR: dir };
    expect(devKey({}, env)).toBe("isk_dev_123");
    expect(devKey({ url: "http://127.0.0.1:8787/" }, env)).toBe("isk_dev_123");
    expect(devKey({ key: "mine" }, env)).toBeUndefined();
    expect(devKey({}, { ...env, INFERSCOPE_API_KEY: "env" })).toBeUndefined();
    expect(devKey({ url: "https://inferscope.example.com" }, env)).toBeUndefined();
    expect(devKey({}, { INFERSCOPE_DATA_DIR: join(dir, "none") })).toBeUndefined();
  });
});
