// requireScope when the key cannot be checked: the database's failure is a
// 503 to retry (with the cause in the log), never a 500 with internals.
import { describe, expect, it, vi } from "vitest";
import { Hono } from "hono";
import { dbLifecycle, requireScope, type AppEnv } from "../../../shared/http/context";
import type { AuthEnv } from "../../../shared/env";

describe("requireScope", () => {
  it("answers 503 with Retry-After when the key lookup fails, and logs why", async () => {
    const app = new Hono<AppEnv<AuthEnv>>();
    app.use("*", dbLifecycle(), requireScope("query", (c, status, message) => c.json({ error: message }, status)));
    app.get("/x", (c) => c.text("reached"));
    const logged: string[] = [];
    const spy = vi.spyOn(console, "error").mockImplementation((line: string) => void logged.push(line));
    try {
      // Nothing listens on port 1: the lookup's connection fails.
      const env = { DATABASE_URL: "postgres://u:p@127.0.0.1:1/none", DB_WS_PROXY: "ws://127.0.0.1:1" };
      const ctx = { waitUntil: () => {}, passThroughOnException: () => {}, props: {} } as unknown as ExecutionContext;
      const res = await app.request("/x", { headers: { authorization: "Bearer isk_unknown_503" } }, env, ctx);
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toBe("5");
      // In the worker's own error body (here the test's), as every other refusal.
      expect(await res.json()).toEqual({ error: "the API key could not be checked (database unavailable); retry later" });
    } finally {
      spy.mockRestore();
    }
    expect(logged).toHaveLength(1);
    const entry = JSON.parse(logged[0]) as { msg: string; error: string };
    expect(entry.msg).toBe("API key lookup failed");
    expect(entry.error).not.toMatch(/Failed query|select/i);
  });
});
