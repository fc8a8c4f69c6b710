// Tenants and API keys: used by the admin API and by the local stack's bootstrap.
import { and, asc, eq, isNull } from "drizzle-orm";
import type { Db } from "./db";
import { generateApiKey, hashApiKey, keyDisplayPrefix, type Scope } from "./auth";
import type { TenantLimits } from "./limits";
import { apiKeys, tenants } from "./schema";

export interface TenantInfo {
  id: number;
  name: string;
  createdAt: string;
}

export interface KeyInfo {
  id: number;
  tenantId: number;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: string;
  revokedAt: string | null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export async function createTenant(db: Db, name: string): Promise<TenantInfo | null> {
  const rows = await db.insert(tenants).values({ name }).onConflictDoNothing().returning();
  return rows[0] ? { id: rows[0].id, name: rows[0].name, createdAt: rows[0].createdAt.toISOString() } : null;
}

export async function findTenant(db: Db, ref: string | number): Promise<TenantInfo | null> {
  const rows = await db.select().from(tenants).where(typeof ref === "number" ? eq(tenants.id, ref) : eq(tenants.name, ref)).limit(1);
  return rows[0] ? { id: rows[0].id, name: rows[0].name, createdAt: rows[0].createdAt.toISOString() } : null;
}

export async function ensureTenant(db: Db, name: string): Promise<TenantInfo> {
  return (await createTenant(db, name)) ?? (await findTenant(db, name))!;
}

export async function listTenants(db: Db): Promise<TenantInfo[]> {
  const rows = await db.select().from(tenants).orderBy(asc(tenants.id));
  return rows.map((r) => ({ id: r.id, name: r.name, createdAt: r.createdAt.toISOString() }));
}

/** Overrides some of a tenant's limits (shared/limits.ts); keys pick them up within their cache TTL. */
export async function setTenantLimits(db: Db, tenantId: number, limits: Partial<Record<keyof TenantLimits, number>>): Promise<void> {
  await db.update(tenants).set({ limits }).where(eq(tenants.id, tenantId));
}

/**
 * Creates a key, or registers a given one (the local stack's INFERSCOPE_API_KEY).
 * A given key already registered is left as it is when it belongs to the same
 * tenant with the same scopes; one revoked or of another tenant is refused,
 * never revived or moved. The key itself is returned only here.
 */
export async function createKey(
  db: Db,
  opts: { tenantId: number; scopes: readonly Scope[]; name?: string; key?: string },
): Promise<KeyInfo & { key: string }> {
  const key = opts.key ?? generateApiKey();
  const keyHash = await hashApiKey(key);
  const rows = await db
    .insert(apiKeys)
    .values({ tenantId: opts.tenantId, keyHash, prefix: keyDisplayPrefix(key), name: opts.name ?? "", scopes: [...opts.scopes] })
    .onConflictDoNothing({ target: apiKeys.keyHash })
    .returning();
  if (rows[0]) return { ...toKeyInfo(rows[0]), key };
  const [existing] = await db.select().from(apiKeys).where(eq(apiKeys.keyHash, keyHash)).limit(1);
  const same = existing.tenantId === opts.tenantId && existing.revokedAt === null && [...existing.scopes].sort().join() === [...opts.scopes].sort().join();
  if (!same)
    throw new Error(`this API key is already registered (key ${existing.id}${existing.revokedAt ? ", revoked" : ""}, tenant ${existing.tenantId}, scopes ${existing.scopes.join(",")}); choose another key`);
  return { ...toKeyInfo(existing), key };
}

function toKeyInfo(r: typeof apiKeys.$inferSelect): KeyInfo {
  return { id: r.id, tenantId: r.tenantId, name: r.name, prefix: r.prefix, scopes: r.scopes, createdAt: r.createdAt.toISOString(), revokedAt: iso(r.revokedAt) };
}

export async function listKeys(db: Db, tenantId?: number): Promise<KeyInfo[]> {
  const rows = await db.select().from(apiKeys).where(tenantId === undefined ? undefined : eq(apiKeys.tenantId, tenantId)).orderBy(asc(apiKeys.id));
  return rows.map(toKeyInfo);
}

/** Revokes a key; with tenantId, only a key of that tenant. Returns false when there was none. */
export async function revokeKey(db: Db, id: number, tenantId?: number): Promise<boolean> {
  const where = tenantId === undefined ? and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)) : and(eq(apiKeys.id, id), eq(apiKeys.tenantId, tenantId), isNull(apiKeys.revokedAt));
  const rows = await db.update(apiKeys).set({ revokedAt: new Date() }).where(where).returning({ id: apiKeys.id });
  return rows.length > 0;
}
