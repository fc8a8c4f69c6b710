// A migrated database of a test file's own, beside the run's shared one, for
// tests whose cron runs must not touch (or be touched by) other files' tenants:
// the rule cron and notification delivery work over every tenant of a database,
// so another file's cron run (at its own, maybe future, time) would evaluate
// this file's groups or send its notifications.
import { afterAll, beforeAll, inject } from "vitest";
import pg from "pg";
import type { Db, DbHandle } from "../../shared/db";
import { applyMigrations } from "../../scripts/lib/migrate";
import { openNodeDb } from "../../scripts/lib/node-db";
import { startWsProxy, type WsProxy } from "../../scripts/lib/ws-proxy";

export interface OwnDatabase {
  url: string;
  drop(): Promise<void>;
}

async function onShared(statement: string): Promise<void> {
  const c = new pg.Client({ connectionString: inject("databaseUrl") });
  await c.connect();
  try {
    await c.query(statement);
  } finally {
    await c.end();
  }
}

export async function createOwnDatabase(prefix: string): Promise<OwnDatabase> {
  const name = `${prefix}_${process.pid}_${Date.now().toString(36)}`.replace(/[^a-z0-9_]/g, "_");
  await onShared(`CREATE DATABASE ${name}`);
  const url = new URL(inject("databaseUrl"));
  url.pathname = `/${name}`;
  await applyMigrations(url.toString());
  return { url: url.toString(), drop: () => onShared(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/** As test/support/node-db.ts's useNodeDb (the workers' Neon driver over a local proxy), on a database of the file's own. */
export function useOwnNodeDb(prefix: string): () => Db {
  let own: OwnDatabase | undefined;
  let proxy: WsProxy | undefined;
  let handle: DbHandle | undefined;
  beforeAll(async () => {
    own = await createOwnDatabase(prefix);
    const url = new URL(own.url);
    proxy = await startWsProxy({ host: url.hostname === "localhost" ? "127.0.0.1" : url.hostname, port: Number(url.port || 5432) });
    handle = openNodeDb(own.url, proxy.url);
  });
  afterAll(async () => {
    await handle?.close().catch(() => {});
    await proxy?.close();
    await own?.drop();
  });
  return () => {
    if (!handle) throw new Error("useOwnNodeDb: the database is opened in beforeAll");
    return handle.db;
  };
}
