// Authorization answers on both HTTP workers: a malformed header is told what
// is wrong (not "missing"), and an early 401 reaches a client still uploading
// instead of a connection reset.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { request } from "node:http";
import { startTestStack, type TestStack } from "../helpers/stack";

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.close();
});

const b64 = (s: string) => Buffer.from(s).toString("base64");

describe("a malformed Authorization header", () => {
  it.each<[string, string, RegExp]>([
    ["another scheme", "Token abc123", /^unsupported Authorization scheme "Token"; send 'Authorization: Bearer <key>'/],
    ["Bearer with nothing", "Bearer", /^the Authorization header has no key after "Bearer"; send/],
    ["Basic that is not base64", "Basic !!!!", /^the Basic credentials are not valid base64; send/],
    ["Basic without a colon", `Basic ${b64("justakey")}`, /^the Basic credentials have no ':' between user and password/],
    ["Basic with an empty password", `Basic ${b64("user:")}`, /^the Basic credentials have an empty password/],
  ])("%s is a 401 that says so, on ingest and query alike", async (_name, header, reason) => {
    for (const [path, init] of [
      ["/v1/metrics", { method: "POST", headers: { authorization: header, "content-type": "application/json" }, body: "{}" }],
      ["/api/v1/query?query=1", { headers: { authorization: header } }],
    ] as const) {
      const res = await fetch(`${stack.url}${path}`, init);
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: string }).error).toMatch(reason);
    }
  });

  it("no header at all is still 'missing'; Basic with the key as password works", async () => {
    const missing = await fetch(`${stack.url}/api/v1/query?query=1`);
    expect(missing.status).toBe(401);
    expect(((await missing.json()) as { error: string }).error).toMatch(/^missing API key/);
    const basic = await fetch(`${stack.url}/api/v1/query?query=1`, { headers: { authorization: `Basic ${b64(`grafana:${stack.key}`)}` } });
    expect(basic.status).toBe(200);
  });
});

/**
 * One POST over its own connection, the body written 16 KiB at a time as a
 * streaming client does (so the answer can come mid-upload); resolves with the
 * status, or the socket error's code. Before the fix about half got ECONNRESET.
 */
function postForm(path: string, key: string, body: Buffer): Promise<number | string> {
  return new Promise((resolve) => {
    const req = request(`${stack.url}${path}`, {
      method: "POST",
      agent: false,
      headers: { authorization: `Bearer ${key}`, "content-type": "application/x-www-form-urlencoded" },
    });
    req.on("response", (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", (err) => resolve((err as NodeJS.ErrnoException).code ?? err.message));
    let off = 0;
    const step = () => {
      if (off >= body.length) return void req.end();
      req.write(body.subarray(off, off + 16 * 1024));
      off += 16 * 1024;
      setImmediate(step);
    };
    step();
  });
}

describe("an early 401 to a form POST", () => {
  it("reaches the client, 50 times out of 50, with a 64 KiB body", async () => {
    const body = Buffer.from(`query=${"x".repeat(64 * 1024)}`);
    const answers: (number | string)[] = [];
    for (let i = 0; i < 50; i++) answers.push(await postForm(i % 2 ? "/api/v1/query" : "/api/v1/query_range", "isk_not_a_key", body));
    expect(answers.filter((a) => a !== 401)).toEqual([]);
  });
});
