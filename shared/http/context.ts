// Per-request plumbing shared by the HTTP workers: a lazily opened database
// handle closed after the response, and the authenticated principal.
import type { Context, MiddlewareHandler } from "hono";
import { openDb, type Db, type DbHandle } from "../db";
import { credentialFrom, lookupKey, type Principal, type Scope } from "../auth";
import type { AuthEnv } from "../env";
import { retentionDaysOf } from "../limits";

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

export type AuthFailure = (c: Context, status: 401 | 403, message: string) => Response;

/** Requires a valid key carrying `scope`; answers 401 without or with an unknown key, 403 without the scope. */
export function requireScope<E extends AuthEnv>(scope: Scope, fail: AuthFailure): MiddlewareHandler<AppEnv<E>> {
  return async (c, next) => {
    const key = credentialFrom(c.req.header("authorization"));
    if (!key) return fail(c, 401, "missing API key: send 'Authorization: Bearer <key>'");
    const principal = await lookupKey(() => useDb(c), key, c.env.ADMIN_BOOTSTRAP_KEY, retentionDaysOf(c.env));
    if (!principal) return fail(c, 401, "invalid or revoked API key");
    if (!principal.scopes.includes(scope))
      return fail(c, 403, `this API key lacks the '${scope}' scope (it has: ${principal.scopes.join(", ") || "none"})`);
    c.set("principal", principal);
    await next();
  };
}
