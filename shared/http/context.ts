// Per-request plumbing shared by the HTTP workers: a lazily opened database
// handle closed after the response, and the authenticated principal.
import type { Context, MiddlewareHandler } from "hono";
import { openDb, type Db, type DbHandle } from "../db";
import { credentialFrom, lookupKey, type Principal, type Scope } from "../auth";
import type { AuthEnv } from "../env";
import { retentionDaysOf } from "../limits";
import { databaseMessage } from "../storage/postgres/errors";
import { drainUnread } from "./drain";

export interface AppVars {
  principal: Principal;
  dbHandle: DbHandle | undefined;
}

export type AppEnv<E extends AuthEnv> = { Bindings: E; Variables: AppVars };

export function useDb<E extends AuthEnv>(c: Context<AppEnv<E>>): Db {
  let handle = c.get("dbHandle");
  if (!handle) {
    handle = openDb(c.env);
    c.set("dbHandle", handle);
  }
  return handle.db;
}

/** Closes the request's pool, if one was opened, once the response is out: on Workers it must not outlive the request. */
export function dbLifecycle<E extends AuthEnv>(): MiddlewareHandler<AppEnv<E>> {
  return async (c, next) => {
    await next();
    const handle = c.get("dbHandle");
    if (handle) c.executionCtx.waitUntil(handle.close().catch(() => {}));
  };
}

/** Builds the worker's own error body; 503 means the key could not be checked (Retry-After is added). */
export type AuthFailure = (c: Context, status: 401 | 403 | 503, message: string) => Response;

/**
 * Requires a valid key carrying `scope` ("any": any valid key); answers 401 without, with a malformed
 * or with an unknown key, 403 without the scope, 503 when the key cannot be
 * checked. An unread upload is drained first, so the answer is not lost to a reset.
 */
export function requireScope<E extends AuthEnv>(scope: Scope | "any", fail: AuthFailure): MiddlewareHandler<AppEnv<E>> {
  return async (c, next) => {
    const refuse = async (status: 401 | 403 | 503, message: string) => {
      await drainUnread(c.req.raw);
      const res = fail(c, status, message);
      if (status === 503) res.headers.set("Retry-After", "5");
      return res;
    };
    const credential = credentialFrom(c.req.header("authorization"));
    if (!credential) return refuse(401, "missing API key: send 'Authorization: Bearer <key>'");
    if ("problem" in credential) return refuse(401, credential.problem);
    let principal: Principal | null;
    try {
      principal = await lookupKey(() => useDb(c), credential.key, c.env.ADMIN_BOOTSTRAP_KEY, retentionDaysOf(c.env));
    } catch (err) {
      // The query is fixed and its one input is a hash: a failure here is the database's, not the client's
      // (on PGlite, e.g. "portal does not exist" when another connection's statement failed: D13).
      console.error(JSON.stringify({ level: "error", msg: "API key lookup failed", error: databaseMessage(err) }));
      return refuse(503, "the API key could not be checked (database unavailable); retry later");
    }
    if (!principal) return refuse(401, "invalid or revoked API key");
    if (scope !== "any" && !principal.scopes.includes(scope))
      return refuse(403, `this API key lacks the '${scope}' scope (it has: ${principal.scopes.join(", ") || "none"})`);
    c.set("principal", principal);
    await next();
  };
}
