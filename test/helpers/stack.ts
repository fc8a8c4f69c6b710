// Starts the local stack (all workers in workerd, real Postgres) for a test
// file, with a tenant and a key of every scope.
import { inject } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createKey, ensureTenant } from "../../shared/admin";
import { startStack, type Stack } from "../../scripts/lib/stack";
import { openNodeDb } from "../../scripts/lib/node-db";
import type { DbHandle } from "../../shared/db";

export interface TestStack extends Stack {
  key: string;
  tenantId: number;
  adminKey: string;
  db: DbHandle;
  databaseUrl: string;
  /** Creates another tenant with a key of the given scopes. */
  tenantWithKey(name: string, scopes?: ("ingest" | "query" | "admin")[]): Promise<{ tenantId: number; key: string }>;
}

let counter = 0;

/** databaseUrl: a database of the file's own (test/helpers/own-database.ts) instead of the run's shared one. */
export async function startTestStack(opts: { queueMaxRetries?: number; inspectDeadLetters?: boolean; retentionDays?: number; queueBatchTimeout?: number; databaseUrl?: string } = {}): Promise<TestStack> {
  const databaseUrl = opts.databaseUrl ?? inject("databaseUrl");
  const adminKey = `bootstrap-${Math.random().toString(36).slice(2)}`;
  const stack = await startStack({
    databaseUrl,
    port: 0,
    buildDir: mkdtempSync(join(tmpdir(), "inferscope-build-")),
    adminBootstrapKey: adminKey,
    queueBatchTimeout: opts.queueBatchTimeout ?? 0.2,
    queueMaxRetries: opts.queueMaxRetries,
    inspectDeadLetters: opts.inspectDeadLetters,
    retentionDays: opts.retentionDays,
  });
  const db = openNodeDb(databaseUrl, stack.proxy.url);
  const tenantWithKey = async (name: string, scopes: ("ingest" | "query" | "admin")[] = ["ingest", "query", "admin"]) => {
    const t = await ensureTenant(db.db, name);
    const k = await createKey(db.db, { tenantId: t.id, scopes });
    return { tenantId: t.id, key: k.key };
  };
  const main = await tenantWithKey(`t${process.pid}-${Date.now().toString(36)}-${counter++}`);
  return {
    ...stack,
    key: main.key,
    tenantId: main.tenantId,
    adminKey,
    db,
    databaseUrl,
    tenantWithKey,
    async close() {
      await db.close().catch(() => {});
      await stack.close();
    },
  };
}

/** Polls until check() returns a truthy value or the deadline passes. */
export async function eventually<T>(check: () => Promise<T | undefined | null | false>, timeoutMs = 15_000, what = "condition"): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ""}`);
}
