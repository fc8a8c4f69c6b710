// What every admin route shares: the error answer, reading a JSON body with a
// zod schema, and the tenant a request may act on.
import type { Context } from "hono";
import type { z } from "zod";
import { findTenant } from "../../shared/admin";
import type { Principal } from "../../shared/auth";
import type { QueryEnv } from "../../shared/env";
import { useDb, type AppEnv } from "../../shared/http/context";
import { readBounded } from "../../shared/http/drain";

export type AdminEnv = AppEnv<QueryEnv>;
export type AdminContext = Context<AdminEnv>;

/** A text body read up to `limit` bytes; null past it (the rest read and dropped, so the 413 is not lost to a reset). */
export async function bodyText(req: Request, limit: number): Promise<string | null> {
  const bytes = await readBounded(req.body, limit);
  return bytes === null ? null : new TextDecoder().decode(bytes);
}

export const err = (c: AdminContext, status: 400 | 403 | 404 | 409 | 413, message: string) => c.json({ status: "error", error: message }, status);

export async function body<T>(c: AdminContext, schema: z.ZodType<T>): Promise<T | Response> {
  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch {
    return err(c, 400, "request body must be JSON");
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) return err(c, 400, parsed.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; "));
  return parsed.data;
}

/** The tenant a request may act on, or a response saying why not. */
export async function targetTenant(c: AdminContext, principal: Principal, ref: string | number | undefined): Promise<number | Response> {
  if (principal.tenantId !== null) {
    if (ref === undefined) return principal.tenantId;
    const t = await findTenant(useDb(c), ref);
    if (!t || t.id !== principal.tenantId) return err(c, 403, "this key can only manage its own tenant");
    return t.id;
  }
  if (ref === undefined) return err(c, 400, "name the tenant: \"tenant\" (name or id)");
  const t = await findTenant(useDb(c), ref);
  return t ? t.id : err(c, 404, `no tenant ${JSON.stringify(ref)}`);
}

/** ?tenant= as the tenant reference: a number when it is all digits. */
export const tenantQuery = (c: AdminContext): string | number | undefined => {
  const q = c.req.query("tenant");
  return q === undefined ? undefined : /^\d+$/.test(q) ? Number(q) : q;
};
