// The one auth path: API keys (stored as SHA-256), each belonging to one tenant
// with scopes; plus the bootstrap secret, which only grants admin over all tenants.
import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "./db";
import { sha256Hex } from "./hash";
import { DEFAULT_LIMITS, tenantLimits, type TenantLimits } from "./limits";
import { apiKeys, tenants } from "./schema";

export const SCOPES = ["ingest", "query", "admin"] as const;
export type Scope = (typeof SCOPES)[number];

export interface Principal {
  /** null only for the bootstrap key, which belongs to no tenant. */
  tenantId: number | null;
  scopes: readonly Scope[];
  keyId: number | null;
  /** The tenant's limits: defaults with its overrides applied. */
  limits: TenantLimits;
}

export const KEY_PREFIX = "isk_";

/** 32 random bytes, base64url: 256 bits of secret. */
export function generateApiKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return KEY_PREFIX + btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export const hashApiKey = sha256Hex;
export const keyDisplayPrefix = (key: string): string => key.slice(0, KEY_PREFIX.length + 6);

const SEND = "send 'Authorization: Bearer <key>' (or Basic auth with the key as the password)";

/**
 * The key from `Authorization: Bearer <key>` or Basic auth (password = key), as
 * Grafana can send either; or, for a header that is there but unusable, what is
 * wrong with it. null: no header at all.
 */
export function credentialFrom(header: string | null | undefined): { key: string } | { problem: string } | null {
  if (header === null || header === undefined) return null;
  const trimmed = header.trim();
  if (!trimmed) return { problem: `the Authorization header is empty; ${SEND}` };
  const space = trimmed.search(/\s/);
  const rawScheme = space < 0 ? trimmed : trimmed.slice(0, space);
  const scheme = rawScheme.toLowerCase();
  const value = space < 0 ? "" : trimmed.slice(space + 1).trim();
  if (scheme === "bearer") return value ? { key: value } : { problem: `the Authorization header has no key after "Bearer"; ${SEND}` };
  if (scheme === "basic") {
    if (!value) return { problem: `the Authorization header has no credentials after "Basic"; ${SEND}` };
    let decoded: string;
    try {
      decoded = atob(value);
    } catch {
      return { problem: `the Basic credentials are not valid base64; ${SEND}` };
    }
    const colon = decoded.indexOf(":");
    if (colon < 0) return { problem: `the Basic credentials have no ':' between user and password; ${SEND}` };
    const key = decoded.slice(colon + 1);
    return key ? { key } : { problem: `the Basic credentials have an empty password; ${SEND}` };
  }
  const shown = rawScheme.length > 32 ? `${rawScheme.slice(0, 32)}…` : rawScheme;
  return { problem: `unsupported Authorization scheme ${JSON.stringify(shown)}; ${SEND}` };
}

function timingSafeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

// Per-isolate cache so a hot key costs no database round trip. A revoked key
// stops working within CACHE_TTL_MS.
const CACHE_TTL_MS = 60_000;
const NEGATIVE_TTL_MS = 5_000;
const cache = new Map<string, { principal: Principal | null; expires: number }>();

export async function lookupKey(db: () => Db, key: string, bootstrapKey: string | undefined, retentionDays: number): Promise<Principal | null> {
  if (bootstrapKey && timingSafeEqual(key, bootstrapKey)) return { tenantId: null, scopes: ["admin"], keyId: null, limits: { ...DEFAULT_LIMITS, retentionDays } };
  const hash = await hashApiKey(key);
  const hit = cache.get(hash);
  const now = Date.now();
  if (hit && hit.expires > now) return hit.principal;
  const rows = await db()
    .select({ id: apiKeys.id, tenantId: apiKeys.tenantId, scopes: apiKeys.scopes, limits: tenants.limits })
    .from(apiKeys)
    .innerJoin(tenants, eq(tenants.id, apiKeys.tenantId))
    .where(and(eq(apiKeys.keyHash, hash), isNull(apiKeys.revokedAt)))
    .limit(1);
  const principal = rows[0]
    ? {
        tenantId: rows[0].tenantId,
        scopes: rows[0].scopes.filter((s): s is Scope => (SCOPES as readonly string[]).includes(s)),
        keyId: rows[0].id,
        limits: tenantLimits(rows[0].limits, retentionDays),
      }
    : null;
  if (cache.size > 10_000) cache.clear();
  cache.set(hash, { principal, expires: now + (principal ? CACHE_TTL_MS : NEGATIVE_TTL_MS) });
  return principal;
}
