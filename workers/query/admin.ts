// The admin API (admin scope): tenants and API keys here; model prices
// (admin-prices.ts), rollup rebuilds (admin-rollups.ts) and rule groups
// (admin-rules.ts) mounted below. The
// bootstrap key manages every tenant; a tenant's own admin key manages only
// that tenant.
import { Hono } from "hono";
import { z } from "zod";
import { createKey, createTenant, listKeys, listTenants, revokeKey } from "../../shared/admin";
import { SCOPES } from "../../shared/auth";
import { useDb } from "../../shared/http/context";
import { prices } from "./admin-prices";
import { body, err, targetTenant, tenantQuery, type AdminEnv } from "./admin-request";
import { rollups } from "./admin-rollups";
import { notifiers } from "./notify/admin-routes";
import { rules } from "./admin-rules";
import { status } from "./admin-status";

const TenantBody = z.strictObject({ name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, "tenant name: 1-63 characters of a-z 0-9 _ -, starting with a letter or digit") });
const KeyBody = z.strictObject({
  tenant: z.union([z.string().min(1), z.number().int().positive()]).optional(),
  scopes: z.array(z.enum(SCOPES)).min(1, "give at least one scope: ingest, query or admin"),
  name: z.string().max(128).optional(),
});

export const admin = new Hono<AdminEnv>();

admin.get("/tenants", async (c) => {
  const p = c.get("principal");
  const all = await listTenants(useDb(c));
  return c.json({ status: "success", data: p.tenantId === null ? all : all.filter((t) => t.id === p.tenantId) });
});

admin.post("/tenants", async (c) => {
  if (c.get("principal").tenantId !== null) return err(c, 403, "only the bootstrap admin key can create tenants");
  const b = await body(c, TenantBody);
  if (b instanceof Response) return b;
  const t = await createTenant(useDb(c), b.name);
  return t ? c.json({ status: "success", data: t }, 201) : err(c, 409, `tenant ${JSON.stringify(b.name)} exists already`);
});

admin.get("/keys", async (c) => {
  const tenant = await targetTenant(c, c.get("principal"), tenantQuery(c));
  if (tenant instanceof Response) return tenant;
  return c.json({ status: "success", data: await listKeys(useDb(c), tenant) });
});

admin.post("/keys", async (c) => {
  const b = await body(c, KeyBody);
  if (b instanceof Response) return b;
  const tenant = await targetTenant(c, c.get("principal"), b.tenant);
  if (tenant instanceof Response) return tenant;
  const created = await createKey(useDb(c), { tenantId: tenant, scopes: b.scopes, name: b.name });
  return c.json({ status: "success", data: created }, 201);
});

admin.delete("/keys/:id", async (c) => {
  const id = Number(c.req.param("id"));
  if (!Number.isInteger(id) || id <= 0) return err(c, 400, "key id must be a positive integer");
  const p = c.get("principal");
  const ok = await revokeKey(useDb(c), id, p.tenantId ?? undefined);
  return ok ? c.json({ status: "success", data: { id, revoked: true } }) : err(c, 404, `no active key ${id}${p.tenantId === null ? "" : " in this tenant"}`);
});

admin.route("/prices", prices);
admin.route("/rollups", rollups);
admin.route("/notifiers", notifiers);
admin.route("/rules", rules);
admin.route("/status", status);
