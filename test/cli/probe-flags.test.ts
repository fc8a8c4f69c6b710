// Every flag a user can get wrong gets a message that names it and says what
// it takes, before any request is sent; and the real `inferscope probe`
// command exits 2 with that one line.
import { execFile } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probeCommand } from "../../cli/commands/probe";
import { CliError } from "../../cli/errors";
import { startOpenAiFixture, type OpenAiFixture } from "../helpers/openai-fixture";
import { captureIo } from "./fake-api";

let fx: OpenAiFixture;
let dir: string;
beforeAll(async () => {
  fx = await startOpenAiFixture({ models: { m: { firstTokenMs: 1, outputTokens: 1 } } });
  dir = await mkdtemp(join(tmpdir(), "probe-flags-"));
});
afterAll(() => fx.close());

async function message(args: string[], env: Record<string, string> = {}): Promise<string> {
  try {
    await probeCommand(args, captureIo({ env }).io);
    return "no error";
  } catch (e) {
    if (!(e instanceof CliError)) throw e;
    return e.message;
  }
}

describe("probe flags", () => {
  it("names the endpoint problem", async () => {
    expect(await message(["request"])).toBe("no endpoint: pass --endpoint URL (an OpenAI-compatible base URL such as http://127.0.0.1:8000/v1) or set OPENAI_BASE_URL");
    expect(await message(["request", "--endpoint", "localhost:8000"])).toBe('--endpoint: endpoint "localhost:8000" has no scheme: write it as http://localhost:8000');
    expect(await message(["request", "--endpoint", "ftp://h/v1"])).toBe('--endpoint: endpoint "ftp://h/v1" must be http:// or https://');
    expect(await message(["request", "--endpoint", fx.url, "--url", "http://x"])).toBe("probe takes --endpoint URL (the model server) and --report-to URL (Inferscope), not --url");
  });

  it("names the request flags' problems", async () => {
    const e = ["--endpoint", fx.url];
    expect(await message(["latency", ...e, "--iterations", "0"])).toBe('--iterations takes a whole number from 1 to 100,000 (not "0")');
    expect(await message(["latency", ...e, "--warmup=-1"])).toBe('--warmup takes a whole number from 0 to 10,000 (not "-1")');
    expect(await message(["latency", ...e, "--max-tokens", "lots"])).toBe('--max-tokens takes a whole number from 1 to 1,000,000 (not "lots")');
    expect(await message(["latency", ...e, "--timeout", "soon"])).toBe('--timeout takes a duration such as 5s, 500ms or 1m30s (not "soon")');
    expect(await message(["latency", ...e, "--stream", "--no-stream"])).toBe("--stream and --no-stream contradict each other: pass one");
    expect(await message(["latency", ...e, "--model", " "])).toBe("--model is empty: name a model, or leave it out to use the first one the endpoint lists");
    expect(await message(["latency", ...e, "--prompt-file", join(dir, "none.txt")])).toBe(`--prompt-file ${join(dir, "none.txt")}: no such file`);
    const bad = join(dir, "bad.jsonl");
    await writeFile(bad, 'ok line\n{"text": "x"}\n');
    expect(await message(["latency", ...e, "--prompt-file", bad])).toBe(`--prompt-file ${bad} line 2: expected {"prompt": "..."} or {"messages": [{"role": "user", "content": "..."}]}`);
    const empty = join(dir, "empty.txt");
    await writeFile(empty, "\n\n");
    expect(await message(["latency", ...e, "--prompt-file", empty])).toBe(`--prompt-file ${empty} has no prompts (one per line)`);
    expect(await message(["latency", ...e, "--ca-file", bad])).toBe(`--ca-file ${bad}: no PEM certificate in it (expected -----BEGIN CERTIFICATE-----)`);
    expect(await message(["latency", ...e, "--bogus"])).toMatch(/^Unknown option '--bogus'\. .* \(see --help\)$/);
    expect(await message(["latency", ...e, "extra"])).toBe('probe latency takes no arguments (got "extra")');
  });

  it("names the reporting flags' problems", async () => {
    const e = ["--endpoint", fx.url];
    expect(await message(["request", ...e, "--report-to", "http://127.0.0.1:1"])).toBe("no API key: pass --key or set INFERSCOPE_API_KEY (an API key with the ingest scope)");
    expect(await message(["request", ...e, "--report-to", "127.0.0.1:8787", "--key", "k"])).toBe('--url takes an http(s) URL such as http://127.0.0.1:8787 (not "127.0.0.1:8787")');
    expect(await message(["request", ...e, "--key", "k"])).toBe("--key is the Inferscope key for --report-to; the endpoint's key is --api-key");
    expect(await message(["request", ...e, "--environment", "prod"])).toBe("--environment names the reported records' environment: it needs --report-to URL");
    expect(await message(["request", ...e, "--report-to", "http://127.0.0.1:1", "--key", "k", "--environment", " "])).toBe('--environment is empty: name one (e.g. staging), or leave it out for "synthetic"');
  });

  it("names the subcommands' own problems", async () => {
    const e = ["--endpoint", fx.url];
    expect(await message(["nope"])).toBe('unknown subcommand "nope"; one of: request, latency, throughput, compare, regress');
    expect(await message(["request", ...e, "--all-models", "--model", "m"])).toBe("--all-models asks every listed model; leave out --model (or drop --all-models)");
    expect(await message(["throughput", ...e, "--sweep", "--concurrency", "4"])).toBe("--concurrency is one level; --sweep runs several: pass one of them (levels of a sweep are --sweep-levels)");
    expect(await message(["throughput", ...e, "--requests", "5", "--duration", "5s"])).toBe("--requests and --duration both say when to stop: pass one");
    expect(await message(["throughput", ...e, "--sweep-levels", "1,x,0"])).toBe('--sweep-levels takes comma-separated levels, each a whole number from 1 to 1,000, e.g. 1,2,5,10 (not: "x", "0")');
    expect(await message(["throughput", ...e, "--concurrency", "5000"])).toBe('--concurrency takes a whole number from 1 to 1,000 (not "5000")');
    expect(await message(["throughput", ...e, "--max-p95", "fast"])).toBe('--max-p95 takes a duration such as 5s, 500ms or 1m30s (not "fast")');
    expect(await message(["throughput", ...e, "--min-success", "120"])).toBe('--min-success takes a percentage from 0 to 100, such as 99 or 99.5% (not "120")');
    expect(await message(["throughput", ...e, "--min-success", "100.5%"])).toBe('--min-success takes a percentage from 0 to 100, such as 99 or 99.5% (not "100.5%")');
    expect(await message(["compare", ...e])).toBe("probe compare needs --models A B C (or --endpoints U1 U2 with --model M)");
    expect(await message(["compare", ...e, "--models", "a"])).toBe("compare needs at least two targets (got 1: a)");
    expect(await message(["compare", "--models", "a,b,c", "--endpoints", `${fx.url},${fx.url}`])).toBe("--models has 3 and --endpoints 2: pairwise they must be as many");
    expect(await message(["compare", ...e, "--models", "a", "b", "--model", "c"])).toBe("--model and --models: pass one (--models lists every model to compare)");
    expect(await message(["regress", ...e])).toBe("probe regress needs --baseline FILE (a `probe latency --export FILE` run)");
    expect(await message(["regress", "--baseline", "a.json", "--threshold", "p95"])).toBe('--threshold "p95": the limit must be a percentage such as 15 or 15% (not "p95")');
    expect(await message(["regress", "--baseline", "a.json", "--threshold", "speed.p95=10"])).toBe('--threshold "speed.p95=10": write METRIC.STAT=PERCENT, e.g. e2e.p95=10; metrics: ttft, ttft_ms, e2e, e2e_ms, latency, network, network_ms, ttfb, ttfb_ms, tps, tokens_per_second; stats: mean, median, p50, p90, p95, p99, min, max');
    expect(await message(["regress", "--baseline", "a.json", "--current", "b.json", ...e])).toBe("--endpoint is for a fresh run; with --current the run is read from the file");
    expect(fx.received).toEqual([]);
  });

  it("prints help, and the real command exits 2 with one line for a bad flag", async () => {
    const cap = captureIo();
    expect(await probeCommand(["throughput", "--help"], cap.io)).toBe(0);
    expect(cap.out()).toMatch(/^usage: inferscope probe throughput --endpoint URL/);
    expect(cap.out()).toContain("--max-p95 D");
    const top = captureIo();
    expect(await probeCommand([], top.io)).toBe(2);
    expect(top.err()).toContain("  regress     a run against --baseline FILE");
    expect(top.out()).toBe("");
    const asked = captureIo();
    expect(await probeCommand(["-h"], asked.io)).toBe(0);
    expect(asked.out()).toMatch(/^usage: inferscope probe <subcommand>/);
    expect(asked.err()).toBe("");
    const run = promisify(execFile);
    const err = await run("npx", ["tsx", "cli/bin.ts", "probe", "latency", "--endpoint", fx.url, "--iterations", "x"], { encoding: "utf8" }).then(() => null, (e: { code: number; stderr: string }) => e);
    expect(err).toMatchObject({ code: 2, stderr: 'inferscope probe: --iterations takes a whole number from 1 to 100,000 (not "x")\n' });
    const ok = await run("npx", ["tsx", "cli/bin.ts", "probe", "request", "--endpoint", fx.url, "--json"], { encoding: "utf8" });
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, requests: [{ ok: true, model: "m" }] });
  });
});
