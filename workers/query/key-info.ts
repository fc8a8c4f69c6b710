// GET /auth/v1/key: which tenant and scopes the caller's own key has, for
// `inferscope doctor` (any valid key, whatever its scopes). It tells a key
// nothing it could not learn by trying each endpoint, and nothing of other keys.
import type { Context } from "hono";
import { findTenant } from "../../shared/admin";
import { credentialFrom, lookupKey, type Principal } from "../../shared/auth";
import type { QueryEnv } from "../../shared/env";
import { useDb, type AppEnv } from "../../shared/http/context";
import { retentionDaysOf } from "../../shared/limits";
import { databaseMessage } from "../../shared/storage/postgres/errors";

export async function keyInfoRoute(c: Context<AppEnv<QueryEnv>>): Promise<Response> {
  const fail = (status: 401 | 503, error: string) => c.json({ status: "error", error }, status);
  const credential = credentialFrom(c.req.header("authorization"));
  if (!credential) return fail(401, "missing API key: send 'Authorization: Bearer <key>'");
  if ("problem" in credential) return fail(401, credential.problem);
  let p: Principal | null;
  try {
    p = await lookupKey(() => useDb(c), credential.key, c.env.ADMIN_BOOTSTRAP_KEY, retentionDaysOf(c.env));
  } catch (err) {
    console.error(JSON.stringify({ level: "error", msg: "API key lookup failed", error: databaseMessage(err) }));
    return fail(503, "the API key could not be checked (database unavailable); retry later");
  }
  if (!p) return fail(401, "invalid or revoked API key");
  const tenant = p.tenantId === null ? null : await findTenant(useDb(c), p.tenantId);
  return c.json({
    status: "success",
    data: { bootstrap: p.tenantId === null, keyId: p.keyId, tenant: tenant && { id: tenant.id, name: tenant.name }, scopes: p.scopes },
  });
}
