// GET /auth/v1/key: which tenant and scopes the caller's own key has, for
// `inferscope doctor` (any valid key, whatever its scopes). It tells a key
// nothing it could not learn by trying each endpoint, and nothing of other keys.
import type { Context } from "hono";
import { findTenant } from "../../shared/admin";
import type { QueryEnv } from "../../shared/env";
import { useDb, type AppEnv } from "../../shared/http/context";

/** Behind requireScope("any"): the principal is the caller's own key. */
export async function keyInfoRoute(c: Context<AppEnv<QueryEnv>>): Promise<Response> {
  const p = c.get("principal");
  const tenant = p.tenantId === null ? null : await findTenant(useDb(c), p.tenantId);
  return c.json({
    status: "success",
    data: { bootstrap: p.tenantId === null, keyId: p.keyId, tenant: tenant && { id: tenant.id, name: tenant.name }, scopes: p.scopes },
  });
}
