// What the ingest benchmarks share: a tenant whose limits do not get in the
// way (they measure the pipeline, not the rate limiter), and posting request
// bodies a few at a time.
import { createKey, ensureTenant, setTenantLimits } from "../../shared/admin";
import type { Scope } from "../../shared/auth";
import { openNodeDb } from "./node-db";
import type { Stack } from "./stack";

export async function benchKey(databaseUrl: string, stack: Stack, scopes: Scope[]): Promise<{ key: string; tenantId: number }> {
  const admin = openNodeDb(databaseUrl, stack.proxy.url);
  try {
    const tenant = await ensureTenant(admin.db, "bench");
    await setTenantLimits(admin.db, tenant.id, { maxSamplesPerSecond: 1e12, burstSamples: 1e12, maxActiveSeries: 1e9 });
    return { key: (await createKey(admin.db, { tenantId: tenant.id, scopes })).key, tenantId: tenant.id };
  } finally {
    await admin.close();
  }
}

/** POSTs every body, `concurrency` at a time; any other answer than `expect` is an error. */
export async function postAll(url: string, bodies: (string | Uint8Array)[], headers: Record<string, string>, expect: number, concurrency: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++];
        const res = await fetch(url, { method: "POST", headers, body: body as unknown as BodyInit });
        if (res.status !== expect) throw new Error(`${url} answered ${res.status}: ${await res.text()}`);
      }
    }),
  );
}
