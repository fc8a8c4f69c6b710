// The real `inferscope` process (tsx cli/bin.ts) against a fake API: exit
// codes and one-line messages for every failure, the environment variables,
// and tail ending on Ctrl-C with its final stats.
import { execFile, spawn } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiError, FakeApi, ok, TEST_KEY } from "./fake-api";
import { view } from "./records";

const ROOT = join(import.meta.dirname, "..", "..");
const TSX = join(ROOT, "node_modules", ".bin", "tsx");
const exec = promisify(execFile);

async function cli(args: string[], env: Record<string, string> = {}) {
  try {
    const r = await exec(TSX, ["cli/bin.ts", ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, TZ: "UTC", NO_COLOR: "1", INFERSCOPE_URL: "", INFERSCOPE_API_KEY: "", ...env } });
    return { code: 0, out: r.stdout, err: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, out: err.stdout, err: err.stderr };
  }
}

let api: FakeApi;
let closedPort: number;
beforeAll(async () => {
  const gone = await new FakeApi().start();
  closedPort = gone.port;
  await gone.stop();
  api = await new FakeApi().start();
  api.route("/api/v1/query", (req) => {
    const q = req.query.get("query");
    if (q === "forbidden") return apiError(403, "forbidden", "this API key lacks the 'query' scope (it has: ingest)");
    if (q === "sum(") return apiError(400, "bad_data", "invalid parameter \"query\": 1:5: parse error: unclosed left parenthesis");
    return ok({ resultType: "scalar", result: [1767225600, "2"] });
  });
  api.route("/api/v1/requests/missing", () => apiError(404, "not_found", "no request missing"));
});
afterAll(() => api.stop());

describe("inferscope process", () => {
  it("lists the four tools in its usage", async () => {
    const r = await cli(["--help"]);
    expect(r.code).toBe(0);
    for (const c of ["tail", "analyze", "trace", "query"]) expect(r.out).toMatch(new RegExp(`^  ${c} +\\S`, "m"));
  });

  it("every failure: a non-zero exit and one clear line", async () => {
    const cases: Array<[string[], number, RegExp]> = [
      [["trace", "r1", "--url", `http://127.0.0.1:${closedPort}`, "--key", "k"], 2, /^inferscope trace: cannot reach http:\/\/127\.0\.0\.1:\d+: connect ECONNREFUSED .* \(check --url \/ INFERSCOPE_URL\)\n$/],
      [["query", "up", "--url", api.url, "--key", "wrong"], 2, /^inferscope query: GET \/api\/v1\/query: HTTP 401 unauthorized: invalid or revoked API key; pass an API key with the query scope with --key or INFERSCOPE_API_KEY\n$/],
      [["query", "forbidden", "--url", api.url, "--key", TEST_KEY], 2, /HTTP 403 forbidden: this API key lacks the 'query' scope \(it has: ingest\); this needs an API key with the query scope \(inferscope keys create --scopes query\)\n$/],
      [["query", "sum(", "--url", api.url, "--key", TEST_KEY], 2, /^inferscope query: GET \/api\/v1\/query: HTTP 400 bad_data: invalid parameter "query": 1:5: parse error: unclosed left parenthesis\n$/],
      [["tail", "--bogus"], 2, /^inferscope tail: Unknown option '--bogus'.*\(see --help\)\n$/],
      [["query", "up"], 2, /^inferscope query: no API key: pass --key or set INFERSCOPE_API_KEY \(an API key with the query scope\)\n$/],
      [["analyze", "--url", "ftp://x", "--key", "k"], 2, /--url takes an http\(s\) URL/],
      [["trace", "missing", "--url", api.url, "--key", TEST_KEY], 1, /^inferscope trace: no request missing in this tenant\n$/],
    ];
    for (const [args, code, message] of cases) {
      const r = await cli(args);
      expect({ args, code: r.code, out: r.out }).toEqual({ args, code, out: "" });
      expect(r.err).toMatch(message);
    }
  });

  it("reads INFERSCOPE_URL and INFERSCOPE_API_KEY", async () => {
    const r = await cli(["query", "1+1"], { INFERSCOPE_URL: `${api.url}/`, INFERSCOPE_API_KEY: TEST_KEY });
    expect(r).toMatchObject({ code: 0, out: "scalar 2  at 2026-01-01 00:00:00\n" });
    expect(api.seen.at(-1)!.auth).toBe(`Bearer ${TEST_KEY}`);
  });

  it("tail follows until Ctrl-C, then prints the final stats and exits 0", async () => {
    const rec = view("req-live", new Date().toISOString(), { latency_ms: 900 });
    api.route("/api/v1/requests/tail", (_r, n) => ok({ records: n === 1 ? [] : [rec], next_after: Date.now() }));
    const child = spawn(TSX, ["cli/bin.ts", "tail", "--interval", "200ms"], {
      cwd: ROOT, env: { ...process.env, NO_COLOR: "1", INFERSCOPE_URL: api.url, INFERSCOPE_API_KEY: TEST_KEY },
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    const deadline = Date.now() + 30_000;
    while (!out.includes("req-live")) {
      if (Date.now() > deadline) throw new Error(`tail printed nothing: ${err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill("SIGINT");
    expect(await exited).toBe(0);
    expect(out.trim().split("\n")).toHaveLength(1);
    expect(out).toMatch(/success {2}gpt-4o-mini +openai +900ms/);
    expect(err).toMatch(/^1 requests, 0 failed \(0%\), latency p50 900ms p95 900ms, .* tokens\/s over .*\n$/m);
  });
});
