// The 500 answer: "internal error" and a request id for the client, the id with
// message, cause and stack for the logs; never the error's own text.
import { afterEach, describe, expect, it, vi } from "vitest";
import { Hono } from "hono";
import { reportInternalError } from "../../../shared/http/internal-error";

function app() {
  const a = new Hono();
  a.get("/", () => {
    throw new Error("Failed query: select * from series where tenant_id = $1\nparams: 42", { cause: new Error('relation "series" does not exist') });
  });
  a.onError((err, c) => c.json({ error: reportInternalError(c, err, "test") }, 500));
  return a;
}

describe("reportInternalError", () => {
  afterEach(() => vi.restoreAllMocks());

  it("answers the cf-ray id and logs it with the message, cause and stack", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const res = await app().request("/", { headers: { "cf-ray": "8f1e2d3c4b5a6978-FRA" } });
    expect(res.status).toBe(500);
    expect(res.headers.get("x-request-id")).toBe("8f1e2d3c4b5a6978-FRA");
    const body = await res.text();
    expect(JSON.parse(body)).toEqual({ error: "internal error (request id 8f1e2d3c4b5a6978-FRA)" });
    expect(body).not.toMatch(/select|params|tenant/i);
    expect(log).toHaveBeenCalledTimes(1);
    const line = JSON.parse(log.mock.calls[0][0] as string);
    expect(line).toMatchObject({ level: "error", worker: "test", request_id: "8f1e2d3c4b5a6978-FRA", cause: 'relation "series" does not exist' });
    expect(line.msg).toMatch(/^Failed query/);
    expect(line.stack).toMatch(/Error: Failed query/);
  });

  it("makes a random id without a (well-formed) cf-ray header", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const a = await app().request("/");
    const b = await app().request("/", { headers: { "cf-ray": "<script>" } });
    const ida = a.headers.get("x-request-id")!, idb = b.headers.get("x-request-id")!;
    expect(ida).toMatch(/^[0-9a-f-]{36}$/);
    expect(idb).toMatch(/^[0-9a-f-]{36}$/);
    expect(ida).not.toBe(idb);
    expect(((await b.json()) as { error: string }).error).toBe(`internal error (request id ${idb})`);
  });
});
